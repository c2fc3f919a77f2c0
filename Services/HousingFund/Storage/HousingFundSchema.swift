import HoushiRuntime
import HoushiStorage

/// The centre's schema: its accounts (a stand-in for its own records, loaded by `accounts
/// import`), what it knows of each case from the public facts, and the withdrawals it opened.
enum HousingFundSchema {
    static let migrationGroups = [PersonalDataRetention.migrationGroup, own]

    private static let own = MigrationGroup(owner: "housing-fund", [
        Migration(version: 1, name: "accounts, cases and withdrawals", sql: """
            CREATE TABLE accounts (
                account_number text PRIMARY KEY,
                id_number text NOT NULL UNIQUE,
                name text NOT NULL,
                employer text NOT NULL,
                balance_fen bigint NOT NULL CHECK (balance_fen >= 0),
                status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen', 'closed')),
                frozen_for uuid,
                updated_at timestamptz NOT NULL DEFAULT now());
            -- What the public facts said of each case, whatever their order.
            CREATE TABLE case_facts (
                case_id uuid PRIMARY KEY,
                id_number text NOT NULL,
                name text,
                died_at timestamptz,
                certificate_number text,
                facts_at timestamptz,
                cremated_at timestamptz,
                withdrawn_at timestamptz,
                received_at timestamptz NOT NULL DEFAULT now());
            CREATE SEQUENCE withdrawal_numbers;
            CREATE TABLE withdrawals (
                case_number text PRIMARY KEY,
                case_id uuid NOT NULL UNIQUE REFERENCES case_facts (case_id),
                account_number text NOT NULL REFERENCES accounts (account_number),
                balance_fen bigint NOT NULL CHECK (balance_fen >= 0),
                status text NOT NULL CHECK (status IN ('awaiting-heirs', 'cancelled')),
                opened_at timestamptz NOT NULL DEFAULT now(),
                cancelled_at timestamptz);
            """),
    ])
}
