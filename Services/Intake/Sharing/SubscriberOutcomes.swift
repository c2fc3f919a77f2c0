import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// What subscribers of the public facts (公积金中心, 民政低保, …) did on a case, kept for the
/// case's view beside the four departments' items: the latest outcome of each subscriber shows.
/// Any subscriber may send one; which one is the AMQP `user_id` the broker checked.
enum SubscriberOutcomes {
    static let migrationGroup = MigrationGroup(owner: "subscriber-outcomes", [
        Migration(version: 1, name: "subscribers' outcomes", sql: """
            CREATE TABLE subscriber_outcomes (
                message_id uuid PRIMARY KEY,
                case_id uuid NOT NULL REFERENCES cases (case_id),
                subscriber text NOT NULL,
                department text NOT NULL,
                status text NOT NULL,
                summary text NOT NULL,
                reference text,
                occurred_at timestamptz NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX subscriber_outcomes_by_case ON subscriber_outcomes (case_id, subscriber, occurred_at);
            """),
    ])

    /// The case view's `subscribers` over `cases c`: each subscriber's latest outcome, by name.
    static let viewSQL = """
        (SELECT coalesce(json_agg(json_build_object(
                    'subscriber', o.subscriber, 'department', o.department, 'status', o.status,
                    'summary', o.summary, 'reference', o.reference,
                    'updatedAt', \(beijingTimeSQL("o.occurred_at", milliseconds: true)))
                    ORDER BY o.subscriber), '[]')
         FROM (SELECT DISTINCT ON (subscriber) * FROM subscriber_outcomes s WHERE s.case_id = c.case_id
               ORDER BY subscriber, occurred_at DESC, received_at DESC) o)
        """
}

/// `subscriber.outcome`: records a subscriber's outcome on the case it names; an outcome for a
/// case intake does not know cannot be handled.
struct SubscriberOutcomeHandler: MessageHandler {
    let messageType = PublicFacts.subscriberOutcome

    func handle(_ message: Envelope<SubscriberOutcome>, context: HandlerContext) throws {
        // The processor let only a subscriber's user through (`PublisherCheck`), first or replayed.
        guard let user = context.received?.publisher, user.hasPrefix(Subscriber.userPrefix) else {
            throw UnprocessableMessage("a subscriber's outcome must come from a subscriber's broker user")
        }
        let subscriber = String(user.dropFirst(Subscriber.userPrefix.count))
        let outcome = message.payload
        // Shown to the family as written: bounded, and never empty.
        for (field, text, limit) in [("department", outcome.department, 60), ("summary", outcome.summary, 500),
                                     ("reference", outcome.reference ?? "-", 60)]
        where text.trimmingWhitespace.isEmpty || text.count > limit {
            throw UnprocessableMessage("subscriber.outcome's \(field) must be 1 to \(limit) characters")
        }
        let recorded = try context.db.execute("""
            INSERT INTO subscriber_outcomes (message_id, case_id, subscriber, department, status, summary, reference, occurred_at)
            SELECT $1, case_id, $3, $4, $5, $6, $7, $8::timestamptz FROM cases WHERE case_id = $2
            RETURNING case_id
            """, [message.id, message.caseId, subscriber, outcome.department, outcome.status.rawValue, outcome.summary,
                  outcome.reference, message.occurredAt.rfc3339])
        guard !recorded.rows.isEmpty else {
            throw UnprocessableMessage("intake has no case \(message.caseId.lowercased)")
        }
        context.logger.info("subscriber outcome recorded", metadata: ["subscriber": "\(subscriber)",
                                                                      "status": "\(outcome.status.rawValue)"])
    }
}
