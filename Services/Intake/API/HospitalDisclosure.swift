import HoushiContract

/// What the hospital may see of a department's answer (个人信息保护法: only what it needs).
///
/// The hospital posted the notice and tells the family where things stand, so it sees whether
/// each item ended, why an item is held or refused, and what the family must act on at the
/// hospital (the cremation certificate and the body's pickup). The departments' internal figures
/// (pension and medical account amounts, bank accounts, household numbers, the deciding
/// officer) stay with the department and the family.
enum HospitalDisclosure {
    /// The members of an outcome's payload shown to the hospital, for any item.
    static let commonKeys = ["reasonCode", "reason", "deadline"]

    /// The members of an item's outcome payloads shown to the hospital, beyond `commonKeys`.
    static func keys(for item: Item) -> [String] {
        switch item {
        case .hukou: ["cancelledAt", "previouslyCancelled"]
        case .cremation: ["certificateNumber", "funeralHome", "issuedAt", "pickup", "crematedAt"]
        case .pension: ["stopFrom", "benefitsByOldProcess"]
        case .medicalAccount: ["closedAt"]
        }
    }

    /// The result as the hospital sees it: only the members it may see.
    static func visible(item: Item, result: JSONValue) -> JSONValue {
        guard case .object(let members) = result else { return result }
        let shown = Set(commonKeys + keys(for: item))
        return .object(members.filter { shown.contains($0.key) })
    }

    /// The same rule in SQL over a `jsonb` result (null stays null) and an item's name (`hukou`,
    /// `medical-account`); a name that is no item's shows only `commonKeys`.
    static func visibleSQL(item: String, result: String) -> String {
        let cases = Item.allCases.map { item in
            "WHEN '\(item.rawValue)' THEN \(arraySQL(commonKeys + keys(for: item)))"
        }.joined(separator: " ")
        return """
            CASE WHEN \(result) IS NULL THEN NULL ELSE
                (SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) FROM jsonb_each(\(result))
                 WHERE key = ANY (CASE \(item) \(cases) ELSE \(arraySQL(commonKeys)) END)) END
            """
    }

    private static func arraySQL(_ keys: [String]) -> String {
        "ARRAY[" + keys.map { "'\($0)'" }.joined(separator: ", ") + "]::text[]"
    }
}
