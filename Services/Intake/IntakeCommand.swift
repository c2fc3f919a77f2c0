import ArgumentParser
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Hummingbird

/// Intake (卫生健康局 / 医疗机构): the hospital's death-notice API, the one-stop case view, and
/// the consumer of every department's outcome.
enum IntakeService: ServiceDefinition {
    static let department = Department.intake
    static let abstract = "Intake: the hospital's death-notice API and the one-stop case view."
    static let migrations = IntakeSchema.migrations

    static func handlers() -> [RegisteredHandler] { IntakeHandlers.all() }

    static func addRoutes(to router: Router<BasicRequestContext>, context: ServiceContext) {
        DeathNoticeRoutes(context: context).register(on: router)
    }
}

@main
struct IntakeCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        .houshi(IntakeService.self, subcommands: [InstitutionsCommand.self])
    }
}
