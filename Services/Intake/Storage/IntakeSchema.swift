import HoushiRuntime
import HoushiStorage
import HoushiWeb

/// The intake schema's migrations beside the shared outbox and inbox: its own tables, then the
/// staff sessions, case reads and retention it shares with other services.
enum IntakeSchema {
    static let migrationGroups = [
        own, StoredSessions.migrationGroup(formerly: 18), CaseReads.migrationGroup(formerly: 23),
        PersonalDataRetention.migrationGroup, DataConsumers.migrationGroup, SubscriberOutcomes.migrationGroup,
    ]

    /// Intake's own tables.
    private static let own = MigrationGroup(owner: "intake", [
        Migration(version: 1, formerly: 2, name: "institutions and cases", sql: """
            CREATE TABLE institutions (
                code text PRIMARY KEY,
                name text NOT NULL,
                local boolean NOT NULL DEFAULT true,
                token_sha256 bytea NOT NULL UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE cases (
                case_id uuid PRIMARY KEY,
                institution_code text NOT NULL REFERENCES institutions (code),
                deceased_id_number text NOT NULL UNIQUE,
                notice jsonb NOT NULL,
                notice_sha256 bytea NOT NULL,
                status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
                created_at timestamptz NOT NULL DEFAULT now(),
                completed_at timestamptz);
            CREATE INDEX cases_by_institution ON cases (institution_code, created_at);
            CREATE TABLE case_items (
                case_id uuid NOT NULL REFERENCES cases (case_id),
                item text NOT NULL,
                department text NOT NULL,
                status text NOT NULL DEFAULT 'requested'
                    CHECK (status IN ('requested', 'held', 'done', 'rejected', 'reversed')),
                result jsonb,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (case_id, item));
            CREATE TABLE case_events (
                message_id uuid PRIMARY KEY,
                case_id uuid NOT NULL REFERENCES cases (case_id),
                type text NOT NULL,
                producer text NOT NULL,
                occurred_at timestamptz NOT NULL,
                payload jsonb NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX case_events_by_case ON case_events (case_id, occurred_at);
            """),
        SMSOutbox.migration,
        Attachments.migration,
        SMSOutbox.unsentByIdMigration,
        // Every statement that adds a timeline event or an SMS takes its case from the `cases`
        // row in the same statement or transaction, and cases are never deleted. The foreign
        // keys' checks locked the case row (key share) for each of a case's four outcomes,
        // recorded at the same moment by different consumers: the row's shared locks became
        // multixacts, which the completion's update of the row then had to resolve (outcome
        // statements 0.32 → 0.23 ms, completion 0.48 → 0.34 ms without them).
        Migration(version: 5, formerly: 14, name: "timeline and SMS without row-locking foreign keys", sql: """
            ALTER TABLE case_events DROP CONSTRAINT case_events_case_id_fkey;
            ALTER TABLE sms_messages DROP CONSTRAINT sms_messages_case_id_fkey;
            """),
        SMSOutbox.vacuumMigration,
        // Stored documents carry no statistics: no statement filters on them (see
        // `Outbox.statisticsMigration`).
        Migration(version: 7, formerly: 16, name: "stored documents without statistics", sql: """
            ALTER TABLE cases ALTER COLUMN notice SET STATISTICS 0, ALTER COLUMN notice_sha256 SET STATISTICS 0;
            ALTER TABLE case_events ALTER COLUMN payload SET STATISTICS 0;
            ALTER TABLE case_items ALTER COLUMN result SET STATISTICS 0;
            ALTER TABLE sms_messages ALTER COLUMN body SET STATISTICS 0;
            """),
        StaffAccounts.migration,
        FamilyLinks.migration,
        // The reform office's accounts for the city's supervision page (sessions and failed
        // sign-ins are the staff's tables).
        Migration(version: 10, formerly: 20, name: "supervisors", sql: OfficerAccounts.tableSQL),
        SealPublicKeys.migration,
        Institutions.tokenLifetimeMigration,
        PagePasswords.migration(version: 13, formerly: 29, tables: ["staff", "officers"]),
        // A notice withdrawn (撤回): who, when and why; `reversed_at` once every department has
        // undone its work.
        Migration(version: 14, name: "withdrawn cases", sql: """
            ALTER TABLE cases DROP CONSTRAINT cases_status_check,
                ADD CONSTRAINT cases_status_check CHECK (status IN ('open', 'completed', 'withdrawn')),
                ADD COLUMN withdrawn_at timestamptz, ADD COLUMN withdrawn_by text, ADD COLUMN withdrawal_reason text,
                ADD COLUMN reversed_at timestamptz;
            """),
        CaseCorrection.migration,
    ])
}
