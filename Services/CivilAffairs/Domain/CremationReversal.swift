import FoundationEssentials
import HoushiContract
import HoushiRuntime

/// What civil affairs does with a withdrawn case's cremation item, decided from what its records hold.
enum CremationReversal: Sendable, Equatable {
    /// Nothing was issued: nothing to undo.
    case nothingIssued
    /// The certificate (and a pickup not yet made) is revoked.
    case revoke(certificate: String)
    /// The body was cremated: nothing can undo that; the funeral home's staff deal with it.
    case holdCremated(certificate: String, crematedAt: Timestamp)

    /// How long the funeral home's staff have to record what they did about a cremation that
    /// cannot be undone.
    static let reviewTime: TimeInterval = 24 * 3600

    static func decide(certificate: String?, crematedAt: Timestamp?) -> CremationReversal {
        guard let certificate else { return .nothingIssued }
        guard let crematedAt else { return .revoke(certificate: certificate) }
        return .holdCremated(certificate: certificate, crematedAt: crematedAt)
    }

    /// The answer for the item, a hold due `reviewTime` after `now`.
    func answer(pickupCancelled: Bool, now: Timestamp) -> ItemReversal {
        switch self {
        case .nothingIssued:
            return .reversed(detail: "未开具火化证明，无需撤销")
        case .revoke(let certificate):
            return .reversed(detail: "火化证明\(certificate)已作废" + (pickupCancelled ? "，遗体接运已取消" : ""))
        case .holdCremated(let certificate, let crematedAt):
            return .held(reasonCode: "cremated-before-withdrawal",
                         reason: "遗体已于\(crematedAt.beijingDate)火化（火化证明\(certificate)），无法撤销；请殡仪馆与家属联系，记录骨灰及后续处理",
                         deadline: Timestamp(now.date.addingTimeInterval(Self.reviewTime)))
        }
    }
}
