import ArgumentParser
import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb
import Hummingbird
import ServiceLifecycle

/// Public security (公安局): household registration (户口) cancellation within one working day.
enum PublicSecurityService: DepartmentService {
    static let department = Department.publicSecurity
    static let abstract = "Public security (公安局): cancels the household registration of the deceased."
    static let migrationGroups = PublicSecuritySchema.migrationGroups
    static let variables: [ConfigurationVariable] = [
        ("HOUSHI_CALENDAR_DIR", "the years shipped in Calendar/", "a folder of NNNN.json official working-day calendars"),
    ]

    static func handlers() -> [RegisteredHandler] {
        [RegisteredHandler(CancellationRequestedHandler(calendar: calendar)),
         RegisteredHandler(DeathVoidedHandler(items: department.items) { request, voided, context in
             try Reinstatement.reverse(request, reason: voided.reason, context: context)
         })]
    }

    static func addRoutes(to router: Router<BasicRequestContext>, context: ServiceContext) throws {
        OperatorRoutes(context: context).register(on: router)
        try PublicSecurityPages(context: context).register(on: router)
    }

    static func backgroundServices(context: ServiceContext) -> [any Service] {
        [SupervisionGauges(items: department.items, database: context.database)]
    }

    /// The official calendar: the year files in `HOUSHI_CALENDAR_DIR`, or those shipped with the service.
    static var calendar: OfficialCalendar {
        let directory = URL(filePath: shippedDataPath("HOUSHI_CALENDAR_DIR", relativePath: "Calendar"))
        do {
            return try OfficialCalendar.load(from: directory)
        } catch {
            fatalError("cannot load the official calendar from \(directory.path): \(error)")
        }
    }
}

@main
struct PublicSecurityCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        .houshi(PublicSecurityService.self,
                subcommands: [RegisterCommand.self, CalendarCommand.self, OperatorsCommand<PublicSecurityService>.self,
                             OfficersCommand<PublicSecurityService>.self])
    }
}
