import HoushiContract

/// What the centre knows of a case when a fact comes: whether the death was withdrawn, and the
/// withdrawal it opened for the heirs, if any.
struct CaseStanding: Sendable, Equatable {
    var withdrawn = false
    var withdrawal: WithdrawalStatus?
}

/// A withdrawal for the heirs (继承人提取): open until they come, or cancelled with the death.
enum WithdrawalStatus: String, Sendable, Equatable {
    case awaitingHeirs = "awaiting-heirs"
    case cancelled
}

/// The deceased's account as the centre finds it under the ID number.
enum AccountStanding: Sendable, Equatable {
    case none
    /// Active or already frozen (by a court, say): its balance goes to the heirs either way.
    case open(number: String, balanceFen: Int64)
    case closed(number: String)
}

/// The centre's rules on the public facts (plain functions, table-tested): on a death it freezes
/// the account and opens a withdrawal for the heirs with the balance; on a withdrawn death it
/// undoes that. Each decision says what to tell the case (`outcome`), if anything.
enum FundDecision: Sendable, Equatable {
    /// Freeze the account and open a withdrawal of `balanceFen` for the heirs.
    case openWithdrawal(account: String, balanceFen: Int64)
    /// No account under the ID number: nothing to do.
    case noAccount
    /// The account was closed before: nothing to do.
    case accountClosed(account: String)
    /// A death.recorded again (a corrected notice): the withdrawal stands; its facts are updated.
    case updateFacts
    /// Unfreeze the account and cancel the withdrawal.
    case reverse
    /// Nothing to do and nothing to say (a fact about a death already withdrawn, or a
    /// withdrawal of a death that had opened nothing).
    case ignore

    /// On `death.recorded`.
    static func onDeathRecorded(_ standing: CaseStanding, account: AccountStanding) -> FundDecision {
        if standing.withdrawn { return .ignore }
        if standing.withdrawal != nil { return .updateFacts }
        switch account {
        case .none: return .noAccount
        case .closed(let number): return .accountClosed(account: number)
        case .open(let number, let balance): return .openWithdrawal(account: number, balanceFen: balance)
        }
    }

    /// On `death.withdrawn`.
    static func onDeathWithdrawn(_ standing: CaseStanding) -> FundDecision {
        standing.withdrawal == .awaitingHeirs ? .reverse : .ignore
    }

    /// What the case's view shows of this decision, with the withdrawal's number; nil when
    /// nothing is to be said.
    func outcome(caseNumber: String?) -> SubscriberOutcome? {
        switch self {
        case .openWithdrawal(let account, let balance):
            return SubscriberOutcome(
                department: FundDecision.department, status: .waiting,
                summary: "住房公积金账户（尾号\(account.suffix(4))）已封存，余额\(yuan(balance))待继承人凭继承权证明到中心提取。",
                reference: caseNumber)
        case .noAccount:
            return SubscriberOutcome(department: FundDecision.department, status: .notApplicable,
                                     summary: "未查到以逝者身份证号开立的住房公积金账户，无需办理。")
        case .accountClosed(let account):
            return SubscriberOutcome(department: FundDecision.department, status: .notApplicable,
                                     summary: "住房公积金账户（尾号\(account.suffix(4))）此前已销户，无需办理。")
        case .reverse:
            return SubscriberOutcome(department: FundDecision.department, status: .reversed,
                                     summary: "死亡登记已撤回：住房公积金账户已解除封存，提取案件已撤销。", reference: caseNumber)
        case .updateFacts, .ignore:
            return nil
        }
    }

    /// The centre as families know it.
    static let department = "抚远市住房公积金中心"
}
