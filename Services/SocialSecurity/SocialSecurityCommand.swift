import ArgumentParser
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Social security (人社局): pension stop, overpayment and arrears, funeral grant, survivor
/// benefit, medical-insurance personal account.
enum SocialSecurityService: ServiceDefinition {
    static let department = Department.socialSecurity
    static let abstract = "Social security (人社局): stops the pension and settles benefits and the medical account."
    static let migrations = [CaseLedger.migration]

    static func handlers() -> [RegisteredHandler] {
        [
            RegisteredHandler(RecordItemRequest(.pension, as: PensionClaimRequested.self)),
            RegisteredHandler(RecordItemRequest(.medicalAccount, as: MedicalAccountSettlementRequested.self)),
            RegisteredHandler(RecordFact(.hukouCancelled, as: HukouCancelled.self)),
        ]
    }
}

@main
struct SocialSecurityCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .houshi(SocialSecurityService.self) }
}
