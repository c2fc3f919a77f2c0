import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiWeb
import Hummingbird

/// The 登记表 page: a new notice entered by a staff member, checked as the API checks one.
struct NoticeFormPage: Sendable {
    let pages: IntakePages

    func register(on router: RouterGroup<PageRequestContext>) {
        router.get("/notices/new") { _, requestContext in
            let (member, session) = try await pages.signedIn(requestContext)
            return try pages.templates.page("notice-form", NoticeFormView.empty(chrome: pages.chrome(member, session),
                                                                                now: .now()))
        }
        router.post("/notices") { request, requestContext in try await submit(request, requestContext) }
    }

    /// Opens the case and shows it; a form with problems comes back with everything typed kept
    /// and each problem beside its input (422).
    private func submit(_ request: Request, _ requestContext: PageRequestContext) async throws -> Response {
        let (member, session) = try await pages.signedIn(requestContext)
        let fields = try await pages.console.form(request, session, limit: NoticeForm.bodyLimit)
        do {
            let notice = try NoticeForm(fields: fields).notice()
            let opened = try await pages.opening.submit(notice, institution: member.institution, enteredBy: member.id,
                                                        trace: .start())
            switch opened.outcome {
            case .opened(let caseId), .repeated(let caseId):
                return seeOther("\(IntakePages.root)/cases/\(caseId.lowercased)")
            case .conflicting:
                throw APIError.invalidNotice([FieldError(
                    field: "deceased.idNumber", message: "the deceased already has a case with different facts",
                    messageZh: "该逝者已有联办案件，且登记内容不同；请在“案件”中查看，勿重复登记")])
            case .openedElsewhere:
                throw APIError.invalidNotice([FieldError(
                    field: "deceased.idNumber", message: APIError.caseOpenedElsewhere.message,
                    messageZh: APIError.caseOpenedElsewhere.messageZh ?? "")])
            }
        } catch let error as APIError where !error.fields.isEmpty {
            return try pages.templates.page(
                "notice-form", NoticeFormView.sent(fields, problems: error.fields, chrome: pages.chrome(member, session)),
                status: .unprocessableContent)
        }
    }
}
