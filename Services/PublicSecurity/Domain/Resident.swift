import HoushiContract
import HoushiRuntime

/// A person in the household register (户籍), as the population information system holds them.
struct Resident: Sendable, Equatable {
    var idNumber: String
    var name: String
    /// The household (户) the person is registered in.
    var householdNumber: String
    var relationToHead: HouseholdRelation
    var address: String
    var active: Bool

    var isHead: Bool { relationToHead == .head }
}

/// A person's relation to the head of their household (与户主关系).
enum HouseholdRelation: String, Sendable, CaseIterable {
    case head, spouse, child, parent, grandchild, grandparent, sibling, other
}

/// One row of a register import, checked: the ID number valid, every field present.
enum ResidentRow {
    /// The CSV columns, in this order in files the generator writes.
    static let columns = ["id_number", "name", "household_number", "relation_to_head", "address"]
    /// An optional column: `active` (the default when empty or absent) or `cancelled`, for a
    /// registration cancelled outside Houshi (e.g. by the family at the police station).
    static let statusColumn = "status"

    /// The resident a row describes, or the problems that keep it out of the register.
    static func parse(_ fields: [String: String]) -> Result<Resident, RowProblems> {
        var problems: [String] = []
        let idNumber = fields["id_number", default: ""].trimmingWhitespace
        do {
            _ = try ResidentIDNumber(idNumber)
        } catch {
            problems.append("id_number \(error.english)")
        }
        let relation = HouseholdRelation(rawValue: fields["relation_to_head", default: ""].trimmingWhitespace)
        if relation == nil {
            problems.append("relation_to_head must be one of \(HouseholdRelation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for column in ["name", "household_number", "address"] where fields[column, default: ""].trimmingWhitespace.isEmpty {
            problems.append("\(column) is empty")
        }
        let status = fields[statusColumn, default: ""].trimmingWhitespace
        if !["", "active", "cancelled"].contains(status) { problems.append("status must be active or cancelled") }
        guard problems.isEmpty, let relation else { return .failure(RowProblems(problems: problems)) }
        return .success(Resident(
            idNumber: idNumber.uppercased(), name: fields["name", default: ""].trimmingWhitespace,
            householdNumber: fields["household_number", default: ""].trimmingWhitespace,
            relationToHead: relation, address: fields["address", default: ""].trimmingWhitespace,
            active: status != "cancelled"))
    }
}

/// A household whose active members disagree: more than one head, or more than one address.
struct InconsistentHousehold: Sendable, Equatable {
    var householdNumber: String
    var heads: Int
    /// The addresses, when there are more than one; empty otherwise.
    var addresses: [String]

    /// The import's warning, in English and Chinese.
    var warning: String {
        var problems: [String] = []
        if heads > 1 { problems.append("\(heads) heads (\(heads)名户主)") }
        if addresses.count > 1 {
            problems.append("\(addresses.count) addresses (\(addresses.count)个住址): \(addresses.joined(separator: " / "))")
        }
        return "household \(householdNumber) has \(problems.joined(separator: " and ")); check the file against the register"
    }
}
