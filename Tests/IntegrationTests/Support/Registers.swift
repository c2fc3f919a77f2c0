import Foundation
import HoushiContract

/// The departments' registers as tests fill them, through the services' own import commands.
extension Houshi {
    /// Runs a service's CSV import subcommand (e.g. `register import`) on `csv`, written to a temporary file.
    @discardableResult
    func importCSV(_ department: Department, _ command: [String], _ csv: String) async throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID()).csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await admin(department, command + [file.path])
    }

    /// Registers a deceased so that every item of the example completes: a resident of a
    /// household of their own (public security), insured and retired here with a medical account
    /// (social security), and the demo funeral homes (civil affairs).
    func registerForWholeFlow(idNumber: String, name: String = "王桂兰") async throws {
        try await importCSV(.publicSecurity, ["register", "import"], """
            id_number,name,household_number,relation_to_head,address
            \(idNumber),\(name),H-\(UUID().lowercased),head,黑龙江省抚远市抚远镇通江路12号
            """)
        try await importCSV(.socialSecurity, ["register", "import"], """
            id_number,name,insured_here,employer_type,retired,pension_start,monthly_pension_fen,paid_through,personal_account_balance_fen,medical_account_balance_fen,contribution_months,own_contributions_fen
            \(idNumber),\(name),true,enterprise,true,2020-01,300000,2026-12,0,50000,360,
            """)
        try await admin(.civilAffairs, ["funeral-homes", "import",
                                        TestEnvironment.repository.appendingPathComponent("deploy/demo/funeral-homes.csv").path])
    }
}
