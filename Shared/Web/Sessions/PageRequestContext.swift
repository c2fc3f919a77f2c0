import FoundationEssentials
import Hummingbird
import HummingbirdAuth

/// What a signed-in person's session holds: their account and the token every form they post
/// must carry (CSRF).
public struct PageSession: Codable, Sendable, Equatable {
    public let accountId: UUID
    public let csrfToken: String

    public init(accountId: UUID, csrfToken: String = CSRF.newToken()) {
        self.accountId = accountId
        self.csrfToken = csrfToken
    }
}

/// The context of the pages' requests: the service's basic context and the session, loaded and
/// saved by hummingbird-auth's `SessionMiddleware`.
public struct PageRequestContext: ChildRequestContext, SessionRequestContext {
    public typealias Session = PageSession
    public var coreContext: CoreRequestContextStorage
    public let sessions: SessionContext<PageSession>

    public init(context: BasicRequestContext) throws {
        coreContext = context.coreContext
        sessions = SessionContext()
    }
}
