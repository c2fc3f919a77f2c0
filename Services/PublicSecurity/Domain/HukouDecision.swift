/// What public security does with a cancellation request, decided from the register alone.
enum HukouDecision: Sendable, Equatable {
    /// Cancel the registration and tell the other departments.
    case cancel
    /// Not for the one-stop path: the family goes to the offline process.
    case reject(reasonCode: String, reason: String)
    /// Doubtful: an officer reviews it before the deadline.
    case hold(reasonCode: String, reason: String)

    /// The rules: registered here (one-stop condition 2), still active, the name agrees with the
    /// register, and not the head of a household that others remain in.
    /// - Parameters:
    ///   - name: the deceased's name on the death certificate.
    ///   - resident: the register's entry for the ID number, if any.
    ///   - otherActiveMembers: active people other than the deceased in the same household.
    static func decide(name: String, resident: Resident?, otherActiveMembers: Int) -> HukouDecision {
        guard let resident else {
            return .reject(reasonCode: "not-local-household",
                           reason: "户籍不在本市，不适用一站式联办，请到户籍所在地公安机关办理 (not registered in this city)")
        }
        guard resident.active else {
            return .hold(reasonCode: "already-cancelled", reason: "该户口已注销，请核实 (the registration is already cancelled)")
        }
        guard resident.name == name else {
            return .hold(reasonCode: "name-mismatch",
                         reason: "死亡证明姓名与户籍登记不一致，请核实 (the name differs from the register)")
        }
        if resident.isHead, otherActiveMembers > 0 {
            return .hold(reasonCode: "household-head-with-dependants",
                         reason: "逝者为户主且户内尚有\(otherActiveMembers)人，需变更户主 (the household needs a new head)")
        }
        return .cancel
    }
}
