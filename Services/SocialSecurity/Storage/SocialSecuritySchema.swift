import HoushiRuntime
import HoushiStorage
import HoushiWeb

/// The social security schema: insured persons, pension payments, medical accounts, settlements.
enum SocialSecuritySchema {
    static let migrationGroups = CaseLedger.departmentMigrationGroups + [OfficerAccounts.migrationGroup, own]

    /// The department's own tables.
    private static let own = MigrationGroup(owner: "social-security", [
        Migration(version: 1, formerly: 10, name: "insured persons, payments, medical accounts, settlements", sql: """
            CREATE TABLE insured_persons (
                id_number text PRIMARY KEY,
                name text NOT NULL,
                insured_here boolean NOT NULL,
                employer_type text NOT NULL,
                retired boolean NOT NULL,
                pension_start text,
                monthly_pension_fen bigint NOT NULL CHECK (monthly_pension_fen >= 0),
                personal_account_balance_fen bigint NOT NULL CHECK (personal_account_balance_fen >= 0),
                pension_status text NOT NULL DEFAULT 'active' CHECK (pension_status IN ('active', 'suspended', 'stopped')),
                updated_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE pension_payments (
                id_number text NOT NULL REFERENCES insured_persons (id_number),
                month text NOT NULL,
                amount_fen bigint NOT NULL CHECK (amount_fen >= 0),
                paid_at timestamptz NOT NULL DEFAULT now(),
                paid_by text NOT NULL,
                PRIMARY KEY (id_number, month));
            CREATE TABLE medical_accounts (
                id_number text PRIMARY KEY REFERENCES insured_persons (id_number),
                balance_fen bigint NOT NULL CHECK (balance_fen >= 0),
                status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
                closed_at timestamptz,
                closed_for_case uuid);
            CREATE TABLE settlements (
                case_id uuid NOT NULL,
                item text NOT NULL,
                id_number text NOT NULL,
                figures jsonb NOT NULL,
                rule_version text,
                settled_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (case_id, item));
            """),
        // Settlement figures carry no statistics: no statement filters on them (see
        // `Outbox.statisticsMigration`).
        Migration(version: 2, formerly: 11, name: "settlement figures without statistics", sql: """
            ALTER TABLE settlements ALTER COLUMN figures SET STATISTICS 0;
            """),
        // 人社部发〔2021〕18号 counts the 抚恤金 by contribution years (and caps it at the person's own
        // contributions under 5 years); the medical account waits for open reimbursements.
        Migration(version: 3, formerly: 12, name: "contribution years, reimbursement claims, frozen medical accounts", sql: """
            ALTER TABLE insured_persons
                ADD COLUMN contribution_months integer NOT NULL DEFAULT 0 CHECK (contribution_months >= 0),
                ADD COLUMN own_contributions_fen bigint CHECK (own_contributions_fen >= 0);
            ALTER TABLE medical_accounts DROP CONSTRAINT medical_accounts_status_check,
                ADD CONSTRAINT medical_accounts_status_check CHECK (status IN ('open', 'frozen', 'closed'));
            CREATE TABLE medical_reimbursements (
                claim_number text PRIMARY KEY,
                id_number text NOT NULL,
                amount_fen bigint NOT NULL CHECK (amount_fen >= 0),
                status text NOT NULL CHECK (status IN ('open', 'settled')),
                updated_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX medical_reimbursements_open ON medical_reimbursements (id_number) WHERE status = 'open';
            """),
        // A withdrawn notice's settlements are cancelled and what was paid of them recorded for
        // recovery; the pension resumes and the months held back are paid by the next payment
        // run, which also pays settled pension benefits. A medical account's balance is paid
        // when it closes.
        Migration(version: 4, name: "payouts, cancelled settlements, recoveries, resumed pensions", sql: """
            ALTER TABLE settlements ADD COLUMN paid_out_at timestamptz, ADD COLUMN cancelled_at timestamptz,
                ADD COLUMN cancel_reason text;
            UPDATE settlements SET paid_out_at = settled_at WHERE item = 'medical-account';
            ALTER TABLE settlements ALTER COLUMN paid_out_at SET DEFAULT NULL;
            CREATE TABLE recoveries (
                case_id uuid NOT NULL,
                item text NOT NULL,
                kind text NOT NULL,
                amount_fen bigint NOT NULL CHECK (amount_fen <> 0),
                status text NOT NULL DEFAULT 'due' CHECK (status IN ('due', 'recovered')),
                recorded_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (case_id, item, kind));
            CREATE TABLE pension_resumptions (
                case_id uuid PRIMARY KEY,
                id_number text NOT NULL REFERENCES insured_persons (id_number),
                months_due text[] NOT NULL DEFAULT '{}',
                monthly_pension_fen bigint NOT NULL,
                resumed_at timestamptz NOT NULL DEFAULT now(),
                paid_at timestamptz);
            """),
        SettlementAdjustments.migration,
    ])
}
