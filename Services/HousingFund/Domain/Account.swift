import HoushiContract
import HoushiRuntime

/// A housing provident fund account (住房公积金个人账户) as the centre's records hold it.
struct Account: Sendable, Equatable {
    var number: String
    var idNumber: String
    var name: String
    var employer: String
    /// The balance in fen.
    var balanceFen: Int64
}

/// The accounts' CSV form, as `housing-fund accounts import` reads it.
enum AccountRow {
    static let columns = ["account_number", "id_number", "name", "employer", "balance_fen"]

    /// The account a row describes, or the problems that keep it out.
    static func parse(_ fields: [String: String]) -> Result<Account, RowProblems> {
        func field(_ name: String) -> String { fields[name, default: ""].trimmingWhitespace }
        var problems: [String] = []
        do {
            _ = try ResidentIDNumber(field("id_number"))
        } catch {
            problems.append("id_number \(error.english)")
        }
        for column in ["account_number", "name", "employer"] where field(column).isEmpty {
            problems.append("\(column) is empty")
        }
        let balance = field("balance_fen")
        let fen = balance.allSatisfy(\.isASCII) ? Int64(balance) : nil
        if fen == nil || fen! < 0 { problems.append("balance_fen must be a whole number of fen, 0 or more") }
        guard problems.isEmpty, let fen else { return .failure(RowProblems(problems: problems)) }
        return .success(Account(number: field("account_number"), idNumber: field("id_number").uppercased(),
                                name: field("name"), employer: field("employer"), balanceFen: fen))
    }
}
