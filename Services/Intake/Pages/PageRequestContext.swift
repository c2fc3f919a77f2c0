import FoundationEssentials
import Hummingbird
import HummingbirdAuth

/// What a signed-in staff member's session holds: who they are and the token every form they
/// post must carry (CSRF).
struct StaffSession: Codable, Sendable, Equatable {
    let staffId: UUID
    let csrfToken: String
}

/// The context of the pages' requests: the service's basic context and the staff session,
/// loaded and saved by hummingbird-auth's `SessionMiddleware`.
struct PageRequestContext: ChildRequestContext, SessionRequestContext {
    typealias Session = StaffSession
    var coreContext: CoreRequestContextStorage
    let sessions: SessionContext<StaffSession>

    init(context: BasicRequestContext) throws {
        coreContext = context.coreContext
        sessions = SessionContext()
    }
}
