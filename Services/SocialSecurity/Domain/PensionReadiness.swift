/// What public security answered for the case's registration, as social security recorded it.
enum HukouAnswer: Sendable, Equatable {
    case cancelled
    case rejected(reasonCode: String, reason: String)
}

/// Whether a recorded pension claim can settle now. The death certificate proves the death;
/// the registration's cancellation only confirms it, so the pension never waits on anything
/// that will not come.
enum PensionReadiness: Sendable, Equatable {
    case settle
    /// Public security has not answered yet (its own item ends or is held with a deadline).
    case waitForPublicSecurity
    /// An officer of social security confirms the death before the money moves.
    case hold(reasonCode: String, reason: String)

    /// The rules:
    /// - hukou not asked in the notice (cancelled at the police station already): settle;
    /// - `hukou.cancelled` (also an officer's confirmation of an earlier cancellation): settle;
    /// - `hukou.rejected` as `not-local-household` (registered elsewhere, insured here): settle;
    /// - any other rejection (an officer refused to cancel): hold for a social security officer;
    /// - otherwise wait: public security answers within its deadline.
    static func decide(hukouRequested: Bool, answer: HukouAnswer?) -> PensionReadiness {
        switch (hukouRequested, answer) {
        case (false, _), (true, .cancelled?), (true, .rejected("not-local-household", _)?):
            return .settle
        case (true, .rejected(_, let reason)?):
            return .hold(reasonCode: "hukou-not-cancelled",
                         reason: "公安机关未注销户口（\(reason)），请核实死亡信息后结算")
        case (true, nil):
            return .waitForPublicSecurity
        }
    }
}
