import ArgumentParser
import FoundationEssentials
import HoushiContract
import HoushiRuntime

/// `intake cases withdraw`: an intake administrator withdraws a notice, whichever institution posted it.
struct CasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases", abstract: "Act on cases as an intake administrator.", subcommands: [Withdraw.self])

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw a notice (e.g. the wrong person): every department undoes its work and the family is told. "
                + "The running intake service publishes death.voided.")

        @Argument(help: "The case id.") var caseId: String
        @Option(help: "Why the notice is withdrawn (recorded and sent to the departments).") var reason: String
        @Option(help: "Who withdraws it: the administrator's name, recorded with the withdrawal.") var by: String

        func validate() throws {
            guard UUID(text: caseId) != nil else { throw ValidationError("the case id must be a UUID") }
            if let problem = CaseWithdrawal.problems(reason: reason).first { throw ValidationError("--reason \(problem.message)") }
            guard !by.trimmingWhitespace.isEmpty else { throw ValidationError("--by must name who withdraws it") }
        }

        func run() async throws {
            let (caseId, reason, by) = (UUID(text: caseId)!, reason.trimmingWhitespace, "intake administrator \(by.trimmingWhitespace)")
            do {
                let (outcome, _) = try await IntakeService.withMigratedDatabase { db in
                    try db.withTransaction { tx in
                        try CaseWithdrawal.withdraw(caseId: caseId, institutionCode: nil, withdrawnBy: by, reason: reason,
                                                    trace: .start(), claimedFor: nil, on: tx)
                    }
                }
                print(outcome == .withdrawn ? "case \(caseId.lowercased) withdrawn; the departments are undoing their work"
                                            : "case \(caseId.lowercased) was withdrawn before; nothing changed")
            } catch let error as APIError where error.status == .notFound {
                throw ValidationError("no case \(caseId.lowercased)")
            }
        }
    }
}
