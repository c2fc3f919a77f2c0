import HoushiContract
import HoushiRuntime
import Testing
@testable import CivilAffairs

/// What a withdrawal undoes in civil affairs, decided without the database.
@Suite struct CremationReversalTests {
    static let now = Timestamp(rfc3339: "2026-11-30T10:00:00+08:00")!
    static let cremated = Timestamp(rfc3339: "2026-11-29T09:30:00+08:00")!

    @Test("nothing issued, a certificate to revoke, a cremated body held for the staff")
    func decisions() {
        #expect(CremationReversal.decide(certificate: nil, crematedAt: nil) == .nothingIssued)
        #expect(CremationReversal.decide(certificate: nil, crematedAt: Self.cremated) == .nothingIssued)
        #expect(CremationReversal.decide(certificate: "HZ-FY01-2026-000001", crematedAt: nil)
                == .revoke(certificate: "HZ-FY01-2026-000001"))
        #expect(CremationReversal.decide(certificate: "HZ-FY01-2026-000001", crematedAt: Self.cremated)
                == .holdCremated(certificate: "HZ-FY01-2026-000001", crematedAt: Self.cremated))
    }

    @Test("the answers: what was revoked, and a hold due a day later naming the cremation")
    func answers() {
        #expect(CremationReversal.nothingIssued.answer(pickupCancelled: false, now: Self.now)
                == .reversed(detail: "未开具火化证明，无需撤销"))
        #expect(CremationReversal.revoke(certificate: "HZ-1").answer(pickupCancelled: true, now: Self.now)
                == .reversed(detail: "火化证明HZ-1已作废，遗体接运已取消"))
        #expect(CremationReversal.revoke(certificate: "HZ-1").answer(pickupCancelled: false, now: Self.now)
                == .reversed(detail: "火化证明HZ-1已作废"))
        guard case .held(let code, let reason, let deadline) = CremationReversal.holdCremated(
            certificate: "HZ-1", crematedAt: Self.cremated).answer(pickupCancelled: false, now: Self.now)
        else { Issue.record("a cremated body is not held"); return }
        #expect(code == "cremated-before-withdrawal")
        #expect(reason.contains("2026-11-29") && reason.contains("HZ-1") && reason.contains("无法撤销"))
        #expect(deadline == Timestamp(rfc3339: "2026-12-01T10:00:00+08:00"))
    }
}
