import FoundationEssentials
import HoushiRuntime
import HoushiStorage
import Logging
import ServiceLifecycle

/// Sends the family's queued messages through the gateway. A failure is retried with back-off
/// (`retryBase`, doubling, at most 10 min), never blocks the case and never drops the message.
struct SMSNotifier: Service {
    let database: Database
    let gateway: any SMSGateway
    /// Each message ends with the link to the family's page.
    let links: FamilyLinkSource
    let logger: Logger
    var retryBase: Duration = .seconds(10)
    var pollInterval: Duration = .seconds(1)
    var batchSize = 200

    /// Sends until a graceful shutdown; a batch being sent is finished and marked first, so a
    /// stop does not send its messages twice. Only a full batch is followed by the next at once:
    /// otherwise what falls due meanwhile waits for the next poll (a message goes out within
    /// about `pollInterval`), so that a steady trickle makes a lease and a mark a second instead
    /// of a pair of transactions for every few messages.
    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let tried = (try? await sendDue()) ?? 0
            if tried < batchSize { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) } }
        }
        try await gateway.shutdown()
    }

    /// Sends what is due now in order until the provider fails one, marks what it took as sent in
    /// one statement, schedules the failed one again with back-off and leaves the rest due
    /// untried; returns how many it tried.
    func sendDue() async throws -> Int {
        let (links, batchSize) = (self.links, batchSize)
        let due = try await database.withConnection { db in
            let links = try links.links(on: db)
            return try SMSOutbox.lease(limit: batchSize, for: .seconds(120), on: db).map { sms in
                var sms = sms
                sms.text = FamilyTexts.withLink(sms.text, link: links.link(caseId: sms.caseId))
                return sms
            }
        }
        var sent: [Int64] = []
        var failed: (sms: SMS, error: any Error)?
        for sms in due {
            do {
                try await gateway.send(sms)
                sent.append(sms.id)
            } catch {
                failed = (sms, error)
                break
            }
        }
        // After a failure the rest of the batch is not tried: a provider that is down or
        // refuses this host would make each message wait out its timeout, the batch would
        // outlast its lease, and the failure would be recorded only at the end.
        let tried = sent.count + (failed == nil ? 0 : 1)
        let untried = due.dropFirst(tried).map(\.id)
        if !sent.isEmpty || !untried.isEmpty {
            try await database.withConnection { [sent] db in
                if !sent.isEmpty { try SMSOutbox.markSent(sent, on: db) }
                if !untried.isEmpty { try SMSOutbox.release(untried, on: db) }
            }
        }
        if let (sms, error) = failed {
            let delay = Self.backoff(afterAttempt: sms.attempts, base: retryBase)
            logger.warning("SMS not sent, will retry", metadata: [
                "case": "\(sms.caseId.lowercased)", "to": "\(Redact.phone(sms.phone))",
                "attempt": "\(sms.attempts)", "retry_in": "\(delay)", "error": "\(error)"])
            try await database.withConnection { db in
                try SMSOutbox.retry(sms.id, after: delay, error: String(describing: error), on: db)
            }
        }
        return tried
    }

    static func backoff(afterAttempt attempt: Int, base: Duration) -> Duration {
        min(base * (1 << min(max(attempt - 1, 0), 16)), .seconds(600))
    }
}
