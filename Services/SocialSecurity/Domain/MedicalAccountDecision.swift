import HoushiContract

/// A medical reimbursement claim of the deceased still being processed (医疗费用报销).
struct OpenReimbursement: Sendable, Equatable, Decodable {
    var claimNumber: String
    var amountFen: Int64
}

/// What social security does with a medical account settlement: the seed tells the family to
/// finish the deceased's reimbursements before the account's balance is paid, so the balance
/// waits for them, for `waitingDays` at the most.
enum MedicalAccountDecision: Sendable, Equatable {
    /// Settle now; `reminder` is what the family is told, agreeing with what was done.
    case settle(reminder: String)
    /// Hold until the claims are settled or the waiting period ends; an officer may decide sooner.
    case hold(reasonCode: String, reason: String)

    static let inheritanceReminder = "继承相关事宜请于30日内办理。"

    /// On the request: settle when no claim is open, else hold with the claims named.
    static func onRequest(open claims: [OpenReimbursement], waitingDays: Int) -> MedicalAccountDecision {
        guard !claims.isEmpty else {
            return .settle(reminder: "经核查无未结清的医疗费用报销，医保个人帐户余额已清算。" + inheritanceReminder)
        }
        let total = claims.map(\.amountFen).reduce(0, +)
        return .hold(reasonCode: "reimbursements-pending",
                     reason: "有\(claims.count)笔医疗费用报销（合计\(yuan(total))）尚未结清，结清后清算医保个人帐户，最长等待\(waitingDays)日")
    }

    /// For a held account, checked again later: settle once no claim is open or the waiting period
    /// is over; nil keeps it held.
    static func whileHeld(open claims: [OpenReimbursement], waitingOver: Bool) -> MedicalAccountDecision? {
        if claims.isEmpty {
            return .settle(reminder: "医疗费用报销已结清，医保个人帐户余额已清算。" + inheritanceReminder)
        }
        if waitingOver {
            return .settle(reminder: "等待期已满，尚有\(claims.count)笔医疗费用报销未结清，请到医保经办机构继续办理；"
                + "医保个人帐户余额已清算。" + inheritanceReminder)
        }
        return nil
    }
}
