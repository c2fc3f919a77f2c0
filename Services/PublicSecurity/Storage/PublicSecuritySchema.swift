import HoushiRuntime
import HoushiStorage

/// The public security schema: the household register, cancellations, and held requests.
enum PublicSecuritySchema {
    static let migrations = [
        CaseLedger.migration,
        Operators.migration,
        Migration(version: 4, name: "household register", sql: """
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
            CREATE TABLE held_requests (
                case_id uuid PRIMARY KEY,
                id_number text NOT NULL,
                reason_code text NOT NULL,
                reason text NOT NULL,
                received_at timestamptz NOT NULL,
                deadline timestamptz NOT NULL,
                status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'rejected')),
                decided_by text,
                decided_at timestamptz,
                decision_reason text);
            CREATE INDEX held_open_by_deadline ON held_requests (deadline) WHERE status = 'open';
            """),
    ]
}
