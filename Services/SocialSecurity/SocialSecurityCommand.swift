import ArgumentParser
import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb
import Hummingbird
import ServiceLifecycle

/// Social security (人社局): pension stop, overpayment and arrears, funeral grant, survivor
/// benefit, medical-insurance personal account.
enum SocialSecurityService: DepartmentService {
    static let department = Department.socialSecurity
    static let abstract = "Social security (人社局): stops the pension and settles benefits and the medical account."
    static let migrationGroups = SocialSecuritySchema.migrationGroups
    /// A department's retention, and the settlements' figures masked too.
    static let retentionPlan = RetentionPlan.department(extraErasureSQL: [
        "UPDATE settlements SET figures = masked_personal_data(figures) WHERE case_id = ANY($1::uuid[])",
    ])
    static let variables: [ConfigurationVariable] = [
        ("HOUSHI_BENEFIT_RULES", "Rules/benefit-rules.json as shipped", "the benefit rules file (funeral grant, survivor benefit)"),
        ("HOUSHI_REIMBURSEMENT_WAIT_DAYS", "30", "days a medical account waits for open reimbursement claims (1-365)"),
        ("HOUSHI_REIMBURSEMENT_CHECK_SECONDS", "60", "seconds between checks of held medical accounts (1-86400)"),
    ]

    static func handlers() -> [RegisteredHandler] {
        [
            RegisteredHandler(PensionClaimHandler(rules: benefitRules)),
            RegisteredHandler(MedicalAccountHandler(waitingDays: settings.reimbursementWaitDays)),
            RegisteredHandler(RecordFact(.hukouCancelled, as: HukouCancelled.self)),
            RegisteredHandler(RecordFact(.rejected(.hukou), as: ItemRejected.self)),
            RegisteredHandler(DeathVoidedHandler(items: department.items) { request, voided, context in
                try BenefitRestoration.reverse(request, reason: voided.reason, context: context)
            }),
        ]
    }

    /// Pensions settle once the claim and whatever it waits for are recorded (`PensionReadiness`).
    static var followUp: MessageProcessor.FollowUp? {
        let settlement = PensionSettlement(rules: benefitRules)
        return { messages in try settlement.settleReady(messages) }
    }

    static func addRoutes(to router: Router<BasicRequestContext>, context: ServiceContext) throws {
        let settlement = PensionSettlement(rules: benefitRules)
        OfficerRoutes(context: context, settlement: settlement).register(on: router)
        try SocialSecurityPages(context: context, settlement: settlement).register(on: router)
    }

    static func backgroundServices(context: ServiceContext) throws -> [any Service] {
        [SupervisionGauges(items: department.items, database: context.database),
         MedicalAccountSweeper(context: context, interval: .seconds(settings.reimbursementCheckSeconds))]
    }

    /// The department's own settings.
    static var settings: SocialSecuritySettings {
        do {
            return try SocialSecuritySettings(environment: ProcessInfo.processInfo.environment)
        } catch {
            fatalError("\(error)")
        }
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
        .houshi(SocialSecurityService.self,
                subcommands: [RegisterCommand.self, ReimbursementsCommand.self, PayMonthCommand.self,
                              OperatorsCommand<SocialSecurityService>.self, OfficersCommand<SocialSecurityService>.self])
    }
}

/// Social security's settings beside the shared ones.
struct SocialSecuritySettings: Sendable {
    /// `HOUSHI_REIMBURSEMENT_WAIT_DAYS`: how long a medical account waits for open reimbursements.
    var reimbursementWaitDays = 30
    /// `HOUSHI_REIMBURSEMENT_CHECK_SECONDS`: how often held medical accounts are checked.
    var reimbursementCheckSeconds = 60

    init(environment: [String: String]) throws {
        func read(_ name: String, _ range: ClosedRange<Int>, default value: Int) throws -> Int {
            guard let text = environment[name], !text.isEmpty else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw ConfigurationError(variable: name, problem: "must be a whole number within \(range), not \(text)")
            }
            return number
        }
        reimbursementWaitDays = try read("HOUSHI_REIMBURSEMENT_WAIT_DAYS", 1...365, default: reimbursementWaitDays)
        reimbursementCheckSeconds = try read("HOUSHI_REIMBURSEMENT_CHECK_SECONDS", 1...86_400, default: reimbursementCheckSeconds)
    }
}
