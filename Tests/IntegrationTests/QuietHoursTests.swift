import Foundation
import HoushiContract
import Testing

/// A quiet hour costs nothing: after the broker has dropped the idle publishers' connections
/// (here a heartbeat of one second, idled past twice that), the next notice completes as fast as
/// in a busy hour, without waiting out any claim and without a warning.
@Suite(.serialized)
final class QuietHoursTests {
    let houshi: Houshi

    init() async throws {
        let heartbeat = ["HOUSHI_AMQP_HEARTBEAT": "1"]
        houshi = try await Houshi.start(overrides: Dictionary(uniqueKeysWithValues: Department.allCases.map { ($0, heartbeat) }))
    }

    @Test("after idling past twice the heartbeat, the next notice completes within two seconds and nothing warns")
    func noticeAfterQuietHour() async throws {
        _ = try await completedIn(try await postRegisteredNotice())   // every publisher has a connection now
        try await Task.sleep(for: .seconds(5))
        let elapsed = try await completedIn(try await postRegisteredNotice())
        #expect(elapsed < .seconds(2), "completed in \(elapsed) after the quiet")
        for (department, service) in houshi.services {
            #expect(!service.log.contains("the outbox relay sends them when their claim ends"),
                    "\(department.rawValue) waited out a claim")
        }
    }

    private func postRegisteredNotice() async throws -> (UUID, ContinuousClock.Instant) {
        let notice = try TestNotices.fresh()
        try await houshi.registerForWholeFlow(idNumber: notice.idNumber)
        let posted = ContinuousClock.now
        return (try await houshi.postFreshNotice(notice), posted)
    }

    /// How long after its posting the case completed (polled every 100 ms).
    private func completedIn(_ posted: (UUID, ContinuousClock.Instant)) async throws -> Duration {
        try await eventually(timeout: .seconds(15), "the case to complete") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM intake.cases WHERE case_id = $1::uuid AND status = 'completed'",
                [posted.0.lowercased]) == 1
        }
        return ContinuousClock.now - posted.1
    }
}
