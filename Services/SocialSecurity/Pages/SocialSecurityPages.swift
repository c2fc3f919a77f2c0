import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb
import Hummingbird
import Logging

/// The social security officers' pages: settlements with every figure, the 机关事业单位 cases
/// handed to the old process, the month's payment run, and the shared held-item pages.
struct SocialSecurityPages: Sendable {
    let console: OfficerConsole

    init(context: ServiceContext, settlement: PensionSettlement) throws {
        console = try OfficerConsole(
            context: context,
            navigation: [("/settlements", "结算"), ("/old-process", "原流程办理"), ("/payments", "月度发放")],
            sourceFolder: URL(filePath: #filePath).deletingLastPathComponent().path)
        desk = ClaimDesk(review: ClaimReview(context: context, settlement: settlement))
    }

    let desk: ClaimDesk
    var root: String { console.site.root }

    func register(on router: Router<BasicRequestContext>) {
        let pages = console.routes(on: router, home: "/held", desk: desk)
        pages.get("/settlements") { _, requestContext in try await list(.all, "settlements", requestContext) }
        pages.get("/old-process") { _, requestContext in try await list(.oldProcess, "old-process", requestContext) }
        pages.get("/settlements/:caseId/:item") { _, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            guard let caseId = requestContext.parameters.get("caseId").flatMap(UUID.init(text:)),
                  let item = requestContext.parameters.get("item").flatMap(Item.init(rawValue:)),
                  let entry = try await console.context.database.withConnection({ db in
                      let entry = try SettlementRecords.entries(.one(caseId, item), on: db).first
                      if entry != nil {
                          try CaseReads.record(caseId: caseId, by: .officer(id: signedIn.officer.id), view: .settlement, on: db)
                      }
                      return entry
                  })
            else { throw HTTPError(.notFound) }
            return try console.page("settlement", SettlementView(site: console.site, chrome: signedIn.chrome,
                                                                 title: "\(entry.name) · \(item.chineseName)",
                                                                 section: SettlementDetails.section(entry),
                                                                 changes: SettlementDetails.changes(entry),
                                                                 notes: entry.pension?.notes ?? [entry.medicalAccount?.reminder].compactMap { $0 }))
        }
        pages.get("/payments") { request, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let current = YearMonth(containing: Timestamp.now().beijingDate)
            let month = try request.uri.queryParameters["month"].map { text in
                guard let month = YearMonth(String(text)) else { throw HTTPError(.notFound) }
                return month
            } ?? current
            let run = try await console.context.database.withConnection { db in try SettlementRecords.month(month, on: db) }
            return try console.page("payments", PaymentsView(
                site: console.site, chrome: signedIn.chrome, month: month.chinese,
                previous: month.previous.map { "\(root)/payments?month=\($0)" },
                next: month < current ? month.next.map { "\(root)/payments?month=\($0)" } : nil,
                paidCount: run.paidCount, paidTotal: yuan(run.paidTotalFen),
                withheld: run.withheld.map { PaymentsView.Row(
                    name: $0.name, idNumber: Redact.idNumber($0.idNumber),
                    status: ["suspended": "暂停发放（等待身后事项结算）", "stopped": "已停发"][$0.status] ?? $0.status,
                    monthly: yuan($0.monthlyFen)) }))
        }
    }

    private func list(_ filter: SettlementRecords.Filter, _ template: String, _ requestContext: PageRequestContext)
        async throws -> Response {
        let signedIn = try await console.signedIn(requestContext)
        let entries = try await console.context.database.withConnection { db in try SettlementRecords.entries(filter, on: db) }
        return try console.page(template, SettlementsView(site: console.site, chrome: signedIn.chrome, rows: entries.map { entry in
            SettlementsView.Row(
                href: "\(root)/settlements/\(entry.caseId.lowercased)/\(entry.item.rawValue)", name: entry.name,
                idNumber: Redact.idNumber(entry.idNumber), itemName: entry.item.chineseName,
                settledAt: entry.settledAt.chineseDateTime,
                amount: (entry.cancelled == nil ? "" : "已撤销 ")
                    + (entry.pension.map { yuan($0.netPayableFen) } ?? entry.medicalAccount.map { yuan($0.balancePaidFen) } ?? ""),
                ruleVersion: entry.ruleVersion ?? "—")
        }))
    }
}

/// Every figure of a settlement as an officer checks it.
enum SettlementDetails {
    static func section(_ entry: SettlementRecords.Entry) -> DetailSection {
        var rows: [DetailSection.Row] = [.init("逝者", entry.name), .init("身份证号", Redact.idNumber(entry.idNumber)),
                                         .init("结算时间", entry.settledAt.chineseDateTime)]
        if let pension = entry.pension {
            rows += [
                .init("停发月份", "\(pension.stopFrom.chinese)起"),
                .init("月养老金", yuan(pension.monthlyPensionFen)),
                .init("应追回多发养老金", yuan(pension.overpaymentToRecoverFen)),
                .init("应补发养老金", yuan(pension.arrearsToPayFen)),
                .init("丧葬补助金", yuan(pension.funeralGrantFen)),
                .init("抚恤金", yuan(pension.survivorBenefitFen) + (pension.survivorBenefitMonths.map { months in
                    "（\(survivorMonthsText(twelfths: Int((months * 12).rounded())))个月）"
                } ?? "")),
                .init("养老保险个人帐户余额", yuan(pension.personalAccountBalanceFen)),
                .init("合计应付", yuan(pension.netPayableFen)),
            ]
            if let base = pension.incomeBaseMonthlyFen {
                rows.append(.init("计发基数", "\(pension.incomeBaseYear.map { "\($0)年" } ?? "")月平均工资\(yuan(base))"))
            }
            if let cap = pension.cappedAtOwnContributionsFen { rows.append(.init("缴费不满5年上限", yuan(cap))) }
            rows.append(.init("原流程办理", pension.benefitsByOldProcess ? "是（机关事业单位）" : "否"))
            rows.append(.init("领取人", pension.payee.map(payeeText) ?? "—"))
            rows.append(.init("规则版本", pension.ruleVersion))
        }
        if let account = entry.medicalAccount {
            rows += [.init("医保个人帐户余额", yuan(account.balancePaidFen)),
                     .init("销户时间", account.closedAt.chineseDateTime), .init("领取人", payeeText(account.payee))]
        }
        return DetailSection(title: "结算明细", rows: rows)
    }

    /// What withdrawals and corrections did to it, for the officer who recovers or pays the
    /// difference; nil when nothing did.
    static func changes(_ entry: SettlementRecords.Entry) -> DetailSection? {
        var rows: [DetailSection.Row] = []
        if let cancelled = entry.cancelled {
            rows.append(.init("已撤销", "\(cancelled.at.chineseDateTime)，登记撤回：\(cancelled.reason)"))
        }
        for recovery in entry.recoveries {
            rows.append(.init("待追回：\(recoveryName(recovery.kind))", yuan(recovery.amountFen)))
        }
        if !entry.recoveries.isEmpty {
            rows.append(.init("待追回合计", yuan(entry.recoveries.reduce(0) { $0 + $1.amountFen })))
        }
        for adjustment in entry.adjustments {
            let difference = adjustment.differenceFen.map { $0 >= 0 ? "应补发\(yuan($0))" : "应追回\(yuan(-$0))" }
            rows.append(.init("更正（\(adjustment.at.chineseDateTime)）",
                              [adjustment.reason, difference ?? (adjustment.note == nil ? "尚未支付，已按更正重新核定" : nil),
                               adjustment.note].compactMap { $0 }.joined(separator: "；")))
        }
        return rows.isEmpty ? nil : DetailSection(title: "撤回与更正", rows: rows)
    }

    static func recoveryName(_ kind: String) -> String {
        switch kind {
        case "funeral-grant": "丧葬补助金"
        case "survivor-benefit": "抚恤金"
        case "pension-account-balance": "养老保险个人帐户余额"
        case "pension-arrears": "补发养老金"
        case "overpayment-deducted": "已抵扣的多发养老金"
        case "medical-account-balance": "医保个人帐户余额"
        default: kind
        }
    }

    static func payeeText(_ payee: Payee) -> String {
        "\(Redact.name(payee.name))（\(payee.relation.chineseName)），银行帐户尾号\(payee.bankAccountLast4)"
    }
}

/// Social security's part of the held-item pages: the register's entry beside the claim, and
/// the decision through `ClaimReview`.
struct ClaimDesk: HeldItemDesk {
    let review: ClaimReview

    func details(of held: HeldEntry, on db: PostgresConnection) throws -> [DetailSection] {
        guard let insured = try SettlementRecords.insured(held.deceasedIdNumber, on: db) else {
            return [DetailSection(title: "参保登记", empty: "参保登记中没有这个身份证号。")]
        }
        return [DetailSection(title: "参保登记", rows: insured.map { DetailSection.Row($0.0, $0.1) })]
    }

    func options(for held: HeldEntry, on db: PostgresConnection) throws -> DecisionOptions {
        DecisionOptions(approveLabel: held.item == .pension ? "批准，按规则结算" : "批准，清算医保个人帐户")
    }

    func decide(_ decision: HeldDecision, officer: Officer, logger: Logger) async throws {
        _ = try await review.decide(caseId: decision.caseId, item: decision.item, approve: decision.approved,
                                    officer: officer.login, reason: decision.reason, logger: logger)
    }
}

struct SettlementsView {
    struct Row {
        let href: String
        let name: String
        let idNumber: String
        let itemName: String
        let settledAt: String
        let amount: String
        let ruleVersion: String
    }

    let site: Site
    let chrome: OfficerConsole.Chrome
    let rows: [Row]
}

struct SettlementView {
    let site: Site
    let chrome: OfficerConsole.Chrome
    let title: String
    let section: DetailSection
    /// What a withdrawal or correction did to it, if anything.
    let changes: DetailSection?
    let notes: [String]
}

struct PaymentsView {
    struct Row {
        let name: String
        let idNumber: String
        let status: String
        let monthly: String
    }

    let site: Site
    let chrome: OfficerConsole.Chrome
    let month: String
    let previous: String?
    let next: String?
    let paidCount: Int
    let paidTotal: String
    let withheld: [Row]
}
