import HoushiContract

/// A funeral home (殡仪馆) as civil affairs registers it.
struct FuneralHome: Sendable, Equatable {
    let code: String
    let name: String
    /// In the city: cremation here is one-stop condition 4.
    let local: Bool
    let address: String

    var reference: FuneralHomeRef { FuneralHomeRef(code: code, name: name) }
}

/// What civil affairs does with a cremation request, decided from the request and the
/// registered funeral homes alone.
enum CremationDecision: Sendable, Equatable {
    /// Issue the cremation certificate at this funeral home, with a pickup when the body is elsewhere.
    case certify(FuneralHome, pickup: Pickup?)
    /// Not for the one-stop path (the body is cremated outside the city).
    case reject(reasonCode: String, reason: String)
    /// Missing or contradictory data: the funeral home's staff review it.
    case hold(reasonCode: String, reason: String)

    /// - Parameters:
    ///   - named: the registered funeral home whose name the request gives, if any.
    ///   - pickupHome: the local funeral home that collects bodies, if one is registered.
    static func decide(_ request: CremationRequested, named: FuneralHome?, pickupHome: FuneralHome?) -> CremationDecision {
        switch request.body {
        case .atFuneralHome(let name):
            guard let home = named else {
                return .hold(reasonCode: "unknown-funeral-home",
                             reason: "殡仪馆“\(name)”未登记，请核实 (the funeral home is not registered)")
            }
            guard home.local else {
                return .reject(reasonCode: "funeral-home-not-local",
                               reason: "遗体不在本市火化，不适用一站式联办 (the body is not cremated in this city)")
            }
            return .certify(home, pickup: nil)
        case .pickup(let address, let at):
            if address.trimmingWhitespace.isEmpty {
                return .hold(reasonCode: "pickup-address-missing", reason: "接运地址为空，请联系家属")
            }
            if at < request.diedAt {
                return .hold(reasonCode: "pickup-before-death",
                             reason: "接运时间早于死亡时间，请联系家属 (the pickup is before the death)")
            }
            guard let home = pickupHome else {
                return .hold(reasonCode: "no-local-funeral-home", reason: "未登记本市殡仪馆")
            }
            return .certify(home, pickup: Pickup(address: address, at: at))
        }
    }
}

/// The staff's record of a cremation, checked: a time not before death nor in the future, a
/// named place for the ashes.
struct CremationRecord: Decodable, Sendable {
    let crematedAt: Timestamp
    let ashes: Ashes
    /// Who of the family received the ashes, when they were handed over.
    var ashesReceivedBy: String?

    func problems(diedAt: Timestamp, now: Timestamp) -> [(field: String, english: String, chinese: String)] {
        var problems: [(String, String, String)] = []
        if crematedAt < diedAt { problems.append(("crematedAt", "is before the time of death", "早于死亡时间")) }
        if crematedAt > now { problems.append(("crematedAt", "is in the future", "晚于当前时间")) }
        if ashes.placeName.trimmingWhitespace.isEmpty {
            problems.append(("ashes.placeName", "must name the place", "须填写骨灰安放地点"))
        }
        return problems
    }
}
