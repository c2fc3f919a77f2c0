/// `pension.claim-requested`: what social security needs to stop the pension and pay the benefits.
public struct PensionClaimRequested: Codable, Sendable, Equatable {
    /// The death certificate's number.
    public var certificateNumber: String
    public var deceased: DeceasedIdentity
    public var diedAt: Timestamp
    public var employerType: EmployerType
    public var beneficiary: Beneficiary
    public var attachments: [AttachmentReference]
    /// Whether the same notice asked public security to cancel the registration: when it did,
    /// the settlement waits for its answer; when not (or absent), it settles at once.
    public var hukouRequested: Bool?
    /// Set when this is a correction of the case's request (`RequestCorrection`); nil for the first.
    public var correction: RequestCorrection? = nil

    public init(
        certificateNumber: String, deceased: DeceasedIdentity, diedAt: Timestamp, employerType: EmployerType,
        beneficiary: Beneficiary, attachments: [AttachmentReference], hukouRequested: Bool? = nil
    ) {
        self.certificateNumber = certificateNumber
        self.deceased = deceased
        self.diedAt = diedAt
        self.employerType = employerType
        self.beneficiary = beneficiary
        self.attachments = attachments
        self.hukouRequested = hukouRequested
    }
}

/// `pension.settled`: the pension was stopped (停发) and the benefits settled (退补); amounts in fen.
public struct PensionSettled: Codable, Sendable, Equatable {
    /// The first month not paid: the month after death.
    public var stopFrom: YearMonth
    public var monthlyPensionFen: Int64
    /// Pension paid for months from `stopFrom` on, to be recovered.
    public var overpaymentToRecoverFen: Int64
    /// Pension still owed for months before `stopFrom`.
    public var arrearsToPayFen: Int64
    /// 丧葬补助金.
    public var funeralGrantFen: Int64
    /// 抚恤金.
    public var survivorBenefitFen: Int64
    /// The inheritable balance of the personal pension account.
    public var personalAccountBalanceFen: Int64
    /// What the payee receives: everything owed less the overpayment; negative when the family owes.
    public var netPayableFen: Int64
    /// Nil when nothing is paid out (e.g. the old process pays the benefits).
    public var payee: Payee?
    /// The deceased worked for a government or public institution (机关事业单位): benefits keep the old process.
    public var benefitsByOldProcess: Bool
    /// The version of the benefit rules applied.
    public var ruleVersion: String
    /// Messages for the family, e.g. to settle unfinished medical reimbursements first.
    public var notes: [String]
    /// The year of the income figure the grant and benefit were based on (人社部发〔2021〕18号).
    public var incomeBaseYear: Int?
    /// One month of that figure: the grant is twice it, the benefit `survivorBenefitMonths` of it.
    public var incomeBaseMonthlyFen: Int64?
    /// The months of 抚恤金 (a part year counts by months/12).
    public var survivorBenefitMonths: Double?
    /// The person's own contributions, when they capped grant and benefit (under 5 contribution years).
    public var cappedAtOwnContributionsFen: Int64?

    public init(
        stopFrom: YearMonth, monthlyPensionFen: Int64, overpaymentToRecoverFen: Int64, arrearsToPayFen: Int64,
        funeralGrantFen: Int64, survivorBenefitFen: Int64, personalAccountBalanceFen: Int64, netPayableFen: Int64,
        payee: Payee? = nil, benefitsByOldProcess: Bool, ruleVersion: String, notes: [String] = [],
        incomeBaseYear: Int? = nil, incomeBaseMonthlyFen: Int64? = nil, survivorBenefitMonths: Double? = nil,
        cappedAtOwnContributionsFen: Int64? = nil
    ) {
        self.incomeBaseYear = incomeBaseYear
        self.incomeBaseMonthlyFen = incomeBaseMonthlyFen
        self.survivorBenefitMonths = survivorBenefitMonths
        self.cappedAtOwnContributionsFen = cappedAtOwnContributionsFen
        self.stopFrom = stopFrom
        self.monthlyPensionFen = monthlyPensionFen
        self.overpaymentToRecoverFen = overpaymentToRecoverFen
        self.arrearsToPayFen = arrearsToPayFen
        self.funeralGrantFen = funeralGrantFen
        self.survivorBenefitFen = survivorBenefitFen
        self.personalAccountBalanceFen = personalAccountBalanceFen
        self.netPayableFen = netPayableFen
        self.payee = payee
        self.benefitsByOldProcess = benefitsByOldProcess
        self.ruleVersion = ruleVersion
        self.notes = notes
    }
}
