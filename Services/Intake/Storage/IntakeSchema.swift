import HoushiRuntime
import HoushiStorage

/// The intake schema's own tables (version 1, the outbox and inbox, is shared).
enum IntakeSchema {
    static let migrations = [
        Migration(version: 2, name: "institutions and cases", sql: """
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
    ]
}
