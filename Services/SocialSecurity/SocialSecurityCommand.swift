import ArgumentParser
import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Social security (人社局): pension stop, overpayment and arrears, funeral grant, survivor
/// benefit, medical-insurance personal account.
enum SocialSecurityService: ServiceDefinition {
    static let department = Department.socialSecurity
    static let abstract = "Social security (人社局): stops the pension and settles benefits and the medical account."
    static let migrations = SocialSecuritySchema.migrations

    static func handlers() -> [RegisteredHandler] {
        [
            RegisteredHandler(PensionClaimHandler()),
            RegisteredHandler(MedicalAccountHandler()),
            RegisteredHandler(RecordFact(.hukouCancelled, as: HukouCancelled.self)),
        ]
    }

    /// Pensions settle once the claim and `hukou.cancelled` are both recorded.
    static var followUp: MessageProcessor.FollowUp? {
        let settlement = PensionSettlement(rules: benefitRules)
        return { messages in try settlement.settleReady(messages) }
    }

    /// The benefit rules: `HOUSHI_BENEFIT_RULES` names the file, else the one shipped with the service.
    static var benefitRules: BenefitRules {
        let file = URL(filePath: shippedDataPath("HOUSHI_BENEFIT_RULES", relativePath: "Rules/benefit-rules.json"))
        do {
            return try BenefitRules.load(from: file)
        } catch {
            fatalError("cannot load the benefit rules from \(file.path): \(error)")
        }
    }
}

@main
struct SocialSecurityCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        .houshi(SocialSecurityService.self, subcommands: [RegisterCommand.self, PayMonthCommand.self])
    }
}
