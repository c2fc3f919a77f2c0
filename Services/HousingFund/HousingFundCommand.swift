import ArgumentParser
import HoushiContract
import HoushiRuntime

/// The housing provident fund centre (住房公积金中心): the reference subscriber of the public facts.
/// On a death it freezes the account and opens a withdrawal for the heirs with the balance; on a
/// withdrawn death it undoes that; each time it reports to the case. It runs on the shared
/// runtime as its broker user `subscriber.housing-fund`, added like any subscriber
/// (`deploy/local/subscribers add housing-fund`), and changes nothing in the four services.
enum HousingFundService: ServiceDefinition {
    static let identity = ServiceIdentity(try! Subscriber("housing-fund"))
    static let abstract = "The housing provident fund centre (住房公积金中心): freezes the account of the deceased and opens a withdrawal for the heirs."
    static let migrationGroups = HousingFundSchema.migrationGroups

    static func handlers() -> [RegisteredHandler] {
        [RegisteredHandler(DeathRecordedHandler()), RegisteredHandler(DeathWithdrawnHandler()),
         RegisteredHandler(CremationRecordedHandler())]
    }

    /// A case whose facts came over the retention period ago and that opened no withdrawal still
    /// open: the name and certificate number the facts brought are erased (the accounts and the
    /// withdrawals are the centre's own records).
    static var retentionPlan: RetentionPlan {
        RetentionPlan(dueCasesSQL: """
            SELECT f.case_id FROM case_facts f
            WHERE greatest(f.received_at, f.facts_at, f.cremated_at, f.withdrawn_at) < now() - make_interval(days => $1::int)
              AND NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.case_id = f.case_id AND w.status = 'awaiting-heirs')
              AND NOT EXISTS (SELECT 1 FROM case_erasures e WHERE e.case_id = f.case_id)
            LIMIT $2
            """, erasureSQL: ["UPDATE case_facts SET name = NULL, certificate_number = NULL WHERE case_id = ANY($1::uuid[])"])
    }
}

@main
struct HousingFundCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        .houshi(HousingFundService.self, subcommands: [AccountsCommand.self, WithdrawalsCommand.self])
    }
}
