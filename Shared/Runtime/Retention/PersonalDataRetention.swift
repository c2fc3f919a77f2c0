import ArgumentParser
import FoundationEssentials
import HoushiStorage
import Logging
import ServiceLifecycle

/// Personal data kept only as long as needed (个人信息保护法): once a case has been finished for
/// `HOUSHI_RETENTION_DAYS`, each service masks the phone numbers and bank accounts it holds of
/// the case (`139****1234`), erases its scans and deletes the sent messages that carried them.
/// The case's facts (who died, when, what each department decided and who read it) stay.
public struct RetentionPlan: Sendable {
    /// SQL selecting the `case_id`s due: finished `$1` days ago or more, not erased yet, at most `$2`.
    public let dueCasesSQL: String
    /// Statements erasing the personal data of the cases `$1` (a uuid[]) in this service's own tables.
    public let erasureSQL: [String]

    public init(dueCasesSQL: String, erasureSQL: [String]) {
        self.dueCasesSQL = dueCasesSQL
        self.erasureSQL = erasureSQL
    }

    /// A department's: a case is finished when nothing of it is held open and nothing of it was
    /// received or sent for the retention period; its requests and facts as received are masked.
    /// Each case's last activity comes from one pass over each table (the outbox has no index by
    /// case: a lookup per case made the sweep quadratic, BENCHMARKS.md).
    public static func department(extraErasureSQL: [String] = []) -> RetentionPlan {
        RetentionPlan(dueCasesSQL: """
            SELECT a.case_id
            FROM (SELECT case_id, max(at) AS last_activity
                  FROM (SELECT case_id, received_at AS at FROM item_requests
                        UNION ALL SELECT case_id, received_at FROM case_facts
                        UNION ALL SELECT case_id, created_at FROM outbox WHERE case_id IS NOT NULL) AS activity
                  GROUP BY case_id) AS a
            WHERE a.last_activity < now() - make_interval(days => $1::int)
              AND EXISTS (SELECT 1 FROM item_requests r WHERE r.case_id = a.case_id)
              AND NOT EXISTS (SELECT 1 FROM case_erasures e WHERE e.case_id = a.case_id)
              AND NOT EXISTS (SELECT 1 FROM held_items h WHERE h.case_id = a.case_id AND h.status = 'open')
            LIMIT $2
            """, erasureSQL: [
                "UPDATE item_requests SET request = masked_personal_data(request) WHERE case_id = ANY($1::uuid[])",
                "UPDATE case_facts SET payload = masked_personal_data(payload) WHERE case_id = ANY($1::uuid[])",
            ] + extraErasureSQL)
    }
}

public enum PersonalDataRetention {
    /// The masking functions and the record of erased cases, in the service's schema.
    public static let migrationGroup = MigrationGroup(owner: "retention", [
        Migration(version: 1, formerly: 28, name: "personal data retention", sql: """
            CREATE FUNCTION masked_text(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                SELECT CASE WHEN length(value) <= 7 THEN repeat('*', length(value))
                            ELSE left(value, 3) || repeat('*', length(value) - 7) || right(value, 4) END
            $$;
            -- Every string under a key "phone" or "bankAccount", at any depth, masked.
            CREATE FUNCTION masked_personal_data(value jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
            BEGIN
                IF jsonb_typeof(value) = 'object' THEN
                    RETURN (SELECT coalesce(jsonb_object_agg(key, CASE
                                WHEN key IN ('phone', 'bankAccount') AND jsonb_typeof(inner_value) = 'string'
                                    THEN to_jsonb(masked_text(inner_value #>> '{}'))
                                ELSE masked_personal_data(inner_value) END), '{}'::jsonb)
                            FROM jsonb_each(value) AS member(key, inner_value));
                ELSIF jsonb_typeof(value) = 'array' THEN
                    RETURN (SELECT coalesce(jsonb_agg(masked_personal_data(element) ORDER BY position), '[]'::jsonb)
                            FROM jsonb_array_elements(value) WITH ORDINALITY AS elements(element, position));
                END IF;
                RETURN value;
            END
            $$;
            CREATE TABLE case_erasures (
                case_id uuid PRIMARY KEY,
                erased_at timestamptz NOT NULL DEFAULT now());
            """),
    ])

    /// The sent messages of the cases `$1`: their bodies carry what was masked.
    static let outboxErasureSQL = "DELETE FROM outbox WHERE case_id = ANY($1::uuid[]) AND sent_at IS NOT NULL"

    /// Erases one batch of due cases in one transaction; returns their ids. One replica of a
    /// service erases at a time (a transaction lock per schema); another finds nothing to do meanwhile.
    public static func eraseDue(_ plan: RetentionPlan, days: Int, batch: Int = 500, on db: PostgresConnection) throws -> [UUID] {
        try db.withTransaction { tx in
            guard try tx.execute("SELECT pg_try_advisory_xact_lock(hashtext('retention:' || current_schema())) AS locked").first?
                .bool("locked") == true
            else { return [] }
            let due = try tx.execute(plan.dueCasesSQL, [days, batch]).rows.map { try $0.uuid("case_id") }
            guard !due.isEmpty else { return [] }
            let ids = SQLArray(due.map(\.lowercased))
            for statement in plan.erasureSQL + [outboxErasureSQL] { try tx.execute(statement, [ids]) }
            try tx.execute("INSERT INTO case_erasures (case_id) SELECT unnest($1::uuid[])", [ids])
            return due
        }
    }

    /// The retention period and the inbox's housekeeping, as the service applies them every
    /// `HOUSHI_RETENTION_CHECK_SECONDS`; returns the cases erased and the inbox ids deleted.
    static func apply(_ plan: RetentionPlan, configuration: ServiceConfiguration, on db: PostgresConnection,
                      logger: Logger) throws -> (erased: Int, pruned: Int) {
        let erased = try eraseAllDue(plan, days: configuration.retentionDays, on: db, logger: logger)
        let pruned = try Outbox.pruneInbox(olderThanDays: configuration.inboxRetentionDays, on: db)
        if pruned > 0 {
            logger.info("ids of old consumed messages deleted",
                        metadata: ["count": "\(pruned)", "older_than_days": "\(configuration.inboxRetentionDays)"])
        }
        return (erased, pruned)
    }

    /// Erases every due case, batch by batch; returns how many.
    static func eraseAllDue(_ plan: RetentionPlan, days: Int, on db: PostgresConnection, logger: Logger) throws -> Int {
        var erased = 0
        while true {
            let batch = try eraseDue(plan, days: days, on: db)
            guard !batch.isEmpty else { return erased }
            for caseId in batch {
                logger.info("personal data erased after the retention period", metadata: ["case": "\(caseId.lowercased)"])
            }
            erased += batch.count
        }
    }
}

/// Runs the service's retention plan every `interval`.
public struct RetentionSweeper: Service {
    let context: ServiceContext
    let plan: RetentionPlan

    public init(context: ServiceContext, plan: RetentionPlan) {
        self.context = context
        self.plan = plan
    }

    public func run() async throws {
        let (configuration, logger) = (context.configuration, context.logger)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await context.withDatabase { [plan] db in
                        _ = try PersonalDataRetention.apply(plan, configuration: configuration, on: db, logger: logger)
                    }
                } catch {
                    logger.warning("retention not applied", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: context.configuration.retentionCheckInterval)
            }
        }
    }
}

/// `SERVICE retention run`: erases now what the retention period lets go (as the service does
/// every `HOUSHI_RETENTION_CHECK_SECONDS`).
public struct RetentionCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "retention", abstract: "Apply the personal-data retention period.",
                             subcommands: [RetentionRunCommand<S>.self])
    }

    public init() {}
}

public struct RetentionRunCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "run", abstract: """
            Mask the phone numbers and bank accounts, erase the scans and delete the sent messages of every case \
            finished HOUSHI_RETENTION_DAYS ago or more, and the ids of messages consumed \
            HOUSHI_INBOX_RETENTION_DAYS ago or more; print how many of each.
            """)
    }

    public init() {}

    public func run() async throws {
        let configuration = try ServiceConfiguration(identity: S.identity)
        let plan = S.retentionPlan
        let logger = Logger(label: "\(S.identity.name)-retention")
        let (erased, pruned) = try await S.withMigratedDatabase { db in
            try PersonalDataRetention.apply(plan, configuration: configuration, on: db, logger: logger)
        }
        print("\(erased) cases erased (retention \(configuration.retentionDays) days)")
        print("\(pruned) ids of consumed messages deleted (kept \(configuration.inboxRetentionDays) days)")
    }
}
