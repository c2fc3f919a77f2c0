import ArgumentParser
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb
import Hummingbird
import ServiceLifecycle

/// Civil affairs (民政局 / 殡仪馆): cremation certificate, pickup, cremation and ashes records.
enum CivilAffairsService: DepartmentService {
    static let department = Department.civilAffairs
    static let abstract = "Civil affairs (民政局): issues cremation certificates and records cremations."
    static let migrationGroups = CivilAffairsSchema.migrationGroups

    static func handlers() -> [RegisteredHandler] {
        [
            RegisteredHandler(CremationRequestedHandler()),
            RegisteredHandler(RecordFact(.hukouCancelled, as: HukouCancelled.self)),
            RegisteredHandler(DeathVoidedHandler(items: department.items) { request, voided, context in
                try CertificateRevocation.reverse(request, reason: voided.reason, context: context)
            }),
        ]
    }

    static func addRoutes(to router: Router<BasicRequestContext>, context: ServiceContext) throws {
        StaffRoutes(context: context).register(on: router)
        try CivilAffairsPages(context: context).register(on: router)
    }

    static func backgroundServices(context: ServiceContext) -> [any Service] {
        [SupervisionGauges(items: department.items, database: context.database)]
    }
}

@main
struct CivilAffairsCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        .houshi(CivilAffairsService.self, subcommands: [FuneralHomesCommand.self, OperatorsCommand<CivilAffairsService>.self,
                                                   OfficersCommand<CivilAffairsService>.self])
    }
}
