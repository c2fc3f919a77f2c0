import HoushiRuntime
import HoushiStorage
import HoushiWeb

/// The public security schema: the ledger, officers, held items, the household register and cancellations.
enum PublicSecuritySchema {
    static let migrationGroups = CaseLedger.departmentMigrationGroups + [OfficerAccounts.migrationGroup, own]

    /// The department's own tables.
    private static let own = MigrationGroup(owner: "public-security", [
        Migration(version: 1, formerly: 10, name: "household register", sql: """
            CREATE TABLE residents (
                id_number text PRIMARY KEY,
                name text NOT NULL,
                household_number text NOT NULL,
                relation_to_head text NOT NULL,
                address text NOT NULL,
                status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
                updated_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX residents_by_household ON residents (household_number) WHERE status = 'active';
            CREATE TABLE cancellations (
                case_id uuid PRIMARY KEY,
                id_number text NOT NULL UNIQUE REFERENCES residents (id_number),
                household_number text NOT NULL,
                certificate_number text NOT NULL,
                cancelled_at timestamptz NOT NULL,
                decided_by text NOT NULL,
                reason text);
            """),
        // Officers confirm registrations cancelled outside this case; a year's calendar can be
        // loaded at run time (`public-security calendar import`).
        Migration(version: 2, formerly: 11, name: "confirmed earlier cancellations, stored calendar years", sql: """
            CREATE TABLE cancellation_confirmations (
                case_id uuid PRIMARY KEY,
                id_number text NOT NULL REFERENCES residents (id_number),
                confirmed_at timestamptz NOT NULL,
                confirmed_by text NOT NULL,
                reason text NOT NULL);
            CREATE TABLE calendar_years (
                year integer PRIMARY KEY,
                content jsonb NOT NULL,
                imported_at timestamptz NOT NULL DEFAULT now());
            """),
        // A withdrawn notice's cancellation is undone: the registration active again, and what
        // was cancelled kept here (a registration may be cancelled again by a later notice).
        Migration(version: 3, name: "reinstatements", sql: """
            CREATE TABLE reinstatements (
                case_id uuid PRIMARY KEY,
                id_number text NOT NULL REFERENCES residents (id_number),
                household_number text NOT NULL,
                certificate_number text NOT NULL,
                cancelled_at timestamptz NOT NULL,
                cancelled_by text NOT NULL,
                reinstated_at timestamptz NOT NULL DEFAULT now(),
                reason text NOT NULL);
            """),
    ])
}
