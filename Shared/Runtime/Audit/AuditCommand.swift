import ArgumentParser
import FoundationEssentials
import HoushiContract

/// `SERVICE audit reads`: who read which case and when, for an auditor.
public struct AuditCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "audit", abstract: "Show what the audit trail records.",
                             subcommands: [AuditReadsCommand<S>.self])
    }

    public init() {}
}

public struct AuditReadsCommand<S: ServiceDefinition>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "reads",
                             abstract: "List the reads of cases (who, when, which view), oldest first, tab-separated.")
    }

    @Option(name: .customLong("case"), help: "Only this case's reads (its id).") var caseId: String?
    @Option(help: "Only reads on or after this day (YYYY-MM-DD, Beijing time).") var since: String?
    @Option(help: "At most this many lines.") var limit = 1_000

    public init() {}

    public func validate() throws {
        if let caseId, UUID(uuidString: caseId) == nil { throw ValidationError("--case must be a case id (a UUID)") }
        if let since, CalendarDate(since) == nil { throw ValidationError("--since must be YYYY-MM-DD") }
        guard (1...1_000_000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000000") }
    }

    public func run() async throws {
        let (caseId, since, limit) = (caseId.flatMap(UUID.init(uuidString:)), since, limit)
        let entries = try await S.withMigratedDatabase { db in
            try CaseReads.list(caseId: caseId, since: since, limit: limit, on: db)
        }
        print(CaseReads.Entry.header)
        for entry in entries { print(entry.line) }
    }
}
