import ArgumentParser
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Public security (公安局): household registration (户口) cancellation.
enum PublicSecurityService: ServiceDefinition {
    static let department = Department.publicSecurity
    static let abstract = "Public security (公安局): cancels the household registration of the deceased."
    static let migrations = [CaseLedger.migration]

    static func handlers() -> [RegisteredHandler] {
        [RegisteredHandler(RecordItemRequest(.hukou, as: HukouCancellationRequested.self))]
    }
}

@main
struct PublicSecurityCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .houshi(PublicSecurityService.self) }
}
