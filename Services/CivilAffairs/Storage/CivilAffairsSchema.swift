import HoushiRuntime
import HoushiStorage
import HoushiWeb

/// The civil affairs schema: funeral homes, cremation certificates, pickups and cremations.
enum CivilAffairsSchema {
    static let migrationGroups = CaseLedger.departmentMigrationGroups + [OfficerAccounts.migrationGroup, own]

    /// The department's own tables.
    private static let own = MigrationGroup(owner: "civil-affairs", [
        Migration(version: 1, formerly: 10, name: "funeral homes, certificates, pickups, cremations", sql: """
            CREATE TABLE funeral_homes (
                code text PRIMARY KEY,
                name text NOT NULL UNIQUE,
                local boolean NOT NULL,
                address text NOT NULL,
                takes_pickups boolean NOT NULL DEFAULT false);
            CREATE SEQUENCE certificate_serial;
            CREATE TABLE cremation_certificates (
                number text PRIMARY KEY,
                case_id uuid NOT NULL UNIQUE,
                deceased_id_number text NOT NULL,
                deceased_name text NOT NULL,
                funeral_home_code text NOT NULL REFERENCES funeral_homes (code),
                issued_at timestamptz NOT NULL,
                issued_by text NOT NULL);
            CREATE TABLE pickups (
                case_id uuid PRIMARY KEY REFERENCES cremation_certificates (case_id),
                address text NOT NULL,
                requested_at timestamptz NOT NULL,
                funeral_home_code text NOT NULL REFERENCES funeral_homes (code),
                status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'confirmed')),
                confirmed_by text,
                confirmed_at timestamptz);
            CREATE INDEX pickups_by_time ON pickups (requested_at);
            CREATE TABLE cremations (
                case_id uuid PRIMARY KEY REFERENCES cremation_certificates (case_id),
                cremated_at timestamptz NOT NULL,
                ashes_placement text NOT NULL,
                ashes_place_name text NOT NULL,
                recorded_by text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now());
            """),
        Migration(version: 2, formerly: 11, name: "who received the ashes", sql: """
            ALTER TABLE cremations ADD COLUMN ashes_received_by text;
            """),
        // A family at the funeral home with the paper certificate before the hospital's notice:
        // what the staff checked and the certificate they issued, joined by the notice later.
        Migration(version: 3, formerly: 12, name: "walk-ins", sql: """
            CREATE TABLE walk_ins (
                id uuid PRIMARY KEY,
                deceased_id_number text NOT NULL UNIQUE,
                deceased_name text NOT NULL,
                death_certificate_number text NOT NULL,
                checked text NOT NULL,
                funeral_home_code text NOT NULL REFERENCES funeral_homes (code),
                certificate_number text NOT NULL UNIQUE,
                recorded_by text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                case_id uuid UNIQUE);
            """),
        FuneralHomeStaff.migration,
        // A withdrawn notice's certificate is revoked and its pickup cancelled; both stay on record.
        Migration(version: 5, name: "revoked certificates, cancelled pickups", sql: """
            ALTER TABLE cremation_certificates ADD COLUMN revoked_at timestamptz, ADD COLUMN revoked_reason text;
            ALTER TABLE pickups DROP CONSTRAINT pickups_status_check,
                ADD CONSTRAINT pickups_status_check CHECK (status IN ('requested', 'confirmed', 'cancelled'));
            """),
    ])
}
