import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiWeb
import Hummingbird

/// The family's page, opened from the SMS link: each item's state and result, what to do next
/// and where, names masked. Nothing on it leads to another case.
struct FamilyPage: Sendable {
    let pages: IntakePages

    struct View {
        let number: String
        let deceasedName: String
        let completed: Bool
        let items: [ItemProgress]
        /// What subscribers of the public facts did (公积金中心, …).
        let others: [ItemProgress]
        let hasOthers: Bool
        let hasOffline: Bool
        let reminders: [String]
        let helpline: String
    }

    /// The city's government service line (`HOUSHI_HELPLINE`, default 12345).
    static let helpline = ProcessInfo.processInfo.environment["HOUSHI_HELPLINE"] ?? "12345"

    /// The seed form's notes, in the order the family needs them.
    static let reminders = [
        "如逝者有尚未报销的医疗费用，请先到医保经办机构办理报销，再领取丧葬费、抚恤金等待遇。",
        "请亲属在30日内办理遗产处理等相关事宜。",
        "丧葬抚恤金领取人须为逝者的直系亲属：配偶、子女、父母、孙子女、外孙子女、祖父母、外祖父母。",
    ]

    func register(on router: RouterGroup<PageRequestContext>) {
        router.get("/:token") { _, requestContext in
            let token = requestContext.parameters.get("token") ?? ""
            guard let record = try await pages.context.database.withConnection({ db -> CaseRecord? in
                guard let caseId = try FamilyLinks.caseId(token: token, on: db),
                      let record = try CaseRecords.record(caseId: caseId, institutionCode: nil, on: db) else { return nil }
                try CaseReads.record(caseId: caseId, by: .family, view: .family, on: db)
                return record
            }) else { throw HTTPError(.notFound) }
            let items = record.items.map {
                ItemProgress.of(item: $0.item, status: $0.status, result: $0.result, waitingFor: $0.waitingFor)
            }
            let others = record.subscribers.map(ItemProgress.of)
            return try pages.templates.page("family", View(
                number: record.number.description, deceasedName: Redact.name(record.notice.deceased.name),
                completed: record.status == "completed", items: items, others: others, hasOthers: !others.isEmpty,
                hasOffline: items.contains { $0.tone == "offline" }, reminders: Self.reminders, helpline: Self.helpline))
        }
    }
}
