import Foundation
import HoushiContract
import HoushiRuntime
import HoushiWeb
import Hummingbird

/// The institution's cases: the list, one case, its printed form.
struct CasePages: Sendable {
    let pages: IntakePages
    static let pageSize = 20

    struct ListView {
        struct Row {
            let href: String
            let number: String
            let deceasedName: String
            let idTail: String
            let openedAt: String
            let statusLabel: String
            let held: Bool
        }

        let chrome: IntakePages.Chrome
        let filters: [FieldView.Choice]
        let q: String
        let rows: [Row]
        let total: Int
        let page: Int
        let pageCount: Int
        let previous: String?
        let next: String?
    }

    func register(on router: RouterGroup<PageRequestContext>) {
        router.get("/cases") { request, requestContext in try await list(request, requestContext) }
        router.get("/cases/:id") { _, requestContext in
            let (member, session, record) = try await caseRecord(requestContext, view: .page)
            return try pages.templates.page("case", CaseView(record, chrome: pages.chrome(member, session)))
        }
        router.post("/cases/:id/withdrawal") { request, requestContext in try await withdraw(request, requestContext) }
        router.get("/cases/:id/print") { _, requestContext in
            let (member, _, record) = try await caseRecord(requestContext, view: .print)
            return try pages.templates.page("print", PrintView(record, institutionName: member.institution.name))
        }
    }

    private func list(_ request: Request, _ requestContext: PageRequestContext) async throws -> Response {
        let (member, session) = try await pages.signedIn(requestContext)
        let query = request.uri.queryParameters
        let filter = query["status"].flatMap { CaseFilter(rawValue: String($0)) } ?? .all
        let search = query["q"].map { String($0).trimmingWhitespace }.flatMap { $0.isEmpty ? nil : String($0.prefix(40)) }
        let page = query["page"].flatMap { Int(String($0)) }.map { min(max($0, 1), 100_000) } ?? 1
        let (cases, total) = try await pages.context.database.withConnection { db in
            let listed = try CaseRecords.list(institutionCode: member.institution.code, filter: filter, search: search,
                                              page: page, pageSize: Self.pageSize, on: db)
            try CaseReads.record(caseIds: listed.cases.map(\.caseId), by: .staff(id: member.id), view: .list, on: db)
            return listed
        }
        let pageCount = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        func href(_ page: Int) -> String {
            var parameters = ["status=\(filter.rawValue)", "page=\(page)"]
            if let search { parameters.append("q=\(search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
            return "\(IntakePages.root)/cases?" + parameters.joined(separator: "&")
        }
        let view = ListView(
            chrome: pages.chrome(member, session),
            filters: CaseFilter.allCases.map { FieldView.Choice(value: $0.rawValue, label: $0.label, selected: $0 == filter) },
            q: search ?? "",
            rows: cases.map { summary in
                ListView.Row(href: "\(IntakePages.root)/cases/\(summary.caseId.lowercased)", number: summary.number.description,
                             deceasedName: summary.deceasedName, idTail: summary.idNumberTail,
                             openedAt: summary.openedAt.chineseDateTime,
                             statusLabel: summary.status == "completed" ? "已办结"
                                 : summary.status == "withdrawn" ? "已撤回"
                                 : summary.heldItems > 0 ? "人工审核中" : "办理中",
                             held: summary.heldItems > 0)
            },
            total: total, page: page, pageCount: pageCount,
            previous: page > 1 ? href(page - 1) : nil, next: page < pageCount ? href(page + 1) : nil)
        return try pages.templates.page("cases", view)
    }

    /// Withdraws the case with the reason typed, and shows it again; a missing reason comes back
    /// beside its input (422).
    private func withdraw(_ request: Request, _ requestContext: PageRequestContext) async throws -> Response {
        let (member, session, record) = try await caseRecord(requestContext, view: .page)
        let fields = try await pages.console.form(request, session)
        let reason = fields["reason"]
        do {
            _ = try await CaseWithdrawal(context: pages.context).withdraw(
                caseId: record.caseId, institutionCode: member.institution.code,
                withdrawnBy: "\(member.institution.name) \(member.name)", reason: reason, trace: .start())
            return seeOther("\(IntakePages.root)/cases/\(record.caseId.lowercased)")
        } catch let error as APIError where !error.fields.isEmpty {
            return try pages.templates.page(
                "case", CaseView(record, chrome: pages.chrome(member, session),
                                 withdrawalForm: .init(reason: reason, error: error.fields.first?.messageZh)),
                status: .unprocessableContent)
        }
    }

    /// The case named in the path, if it belongs to the signed-in member's institution (else 404);
    /// the read is recorded (`CaseReads`).
    private func caseRecord(_ requestContext: PageRequestContext,
                            view: CaseReads.View) async throws -> (StaffMember, PageSession, CaseRecord) {
        let (member, session) = try await pages.signedIn(requestContext)
        guard let caseId = requestContext.parameters.get("id").flatMap(UUID.init(text:)),
              let record = try await pages.context.database.withConnection({ db in
                  let record = try CaseRecords.record(caseId: caseId, institutionCode: member.institution.code, on: db)
                  if record != nil { try CaseReads.record(caseId: caseId, by: .staff(id: member.id), view: view, on: db) }
                  return record
              })
        else { throw HTTPError(.notFound) }
        return (member, session, record)
    }
}
