import ArgumentParser
import HoushiRuntime

/// `intake data-consumers add|revoke|list|queries`: the departments that ask for death facts
/// over HTTP, and the auditor's list of what they asked.
struct DataConsumersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-consumers", abstract: "Manage the departments that ask for death facts (数据共享), and audit their questions.",
        subcommands: [Add.self, Revoke.self, List.self, Queries.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a department (or issue it a new token: the old one stops working) and print the token once.")

        @Option(help: "A short code naming the department, e.g. FY-HOUSING-FUND.") var code: String
        @Option(help: "The department's name, e.g. 抚远市住房公积金中心.") var name: String
        @Option(help: "Days the token is valid.") var validDays = DataConsumers.defaultValidDays

        func validate() throws {
            try BearerToken.checkValidDays(validDays)
            guard !code.isEmpty, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw ValidationError("--code takes letters, digits and '-' (部门代码只能含字母、数字和-)")
            }
            guard !name.isEmpty else { throw ValidationError("--name is empty (请填写部门名称)") }
        }

        func run() async throws {
            let (code, name, validDays) = (code, name, validDays)
            print(try await IntakeService.withMigratedDatabase { db in
                try DataConsumers.register(code: code, name: name, validDays: validDays, on: db)
            })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a department's token at once.")

        @Option(help: "The department's code.") var code: String

        func run() async throws {
            let code = code
            guard try await IntakeService.withMigratedDatabase({ db in try DataConsumers.revoke(code: code, on: db) }) else {
                throw ValidationError("no data consumer has the code \(code) (无此部门)")
            }
            print("data consumer \(code): token revoked (令牌已作废)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the departments: code, name, token state, expiry.")

        func run() async throws {
            for line in try await IntakeService.withMigratedDatabase({ db in try DataConsumers.list(on: db) }) { print(line) }
        }
    }

    struct Queries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the recorded questions, oldest first: when, code, department, kind, ID number or range, purpose, facts answered.")

        @Option(help: "Only this department's questions.") var code: String?
        @Option(help: "Only questions from this time on (RFC 3339, e.g. 2026-12-01T00:00:00+08:00).") var since: String?

        func run() async throws {
            let (code, since) = (code, since)
            let lines = try await IntakeService.withMigratedDatabase { db in
                try DataConsumers.queries(consumer: code, since: since, on: db)
            }
            for line in lines { print(line) }
        }
    }
}
