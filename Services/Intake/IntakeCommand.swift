import ArgumentParser
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb
import FoundationEssentials
import Hummingbird
import ServiceLifecycle

/// Intake (卫生健康局 / 医疗机构): the hospital's death-notice API, the one-stop case view, and
/// the consumer of every department's outcome.
enum IntakeService: DepartmentService {
    static let department = Department.intake
    static let abstract = "Intake: the hospital's death-notice API and the one-stop case view."
    static let migrationGroups = IntakeSchema.migrationGroups
    static let variables: [ConfigurationVariable] = [
        ("HOUSHI_SEAL_KEY", "none: required", "base64 of the 32-byte Ed25519 key that seals attachments (or …_FILE)"),
        ("HOUSHI_SEAL_KEY_FILE", "none", "a file holding HOUSHI_SEAL_KEY, read in its place"),
        ("HOUSHI_FAMILY_LINK_KEY", "a key made once and kept in the schema", "base64 of 32 bytes or more that signs the family's links"),
        ("HOUSHI_SMS_WEBHOOK_URL", "none: messages are only logged",
         "the SMS gateway's webhook, https:// (http:// only to this host)"),
        ("HOUSHI_SMS_CA_FILE", "none: the system's roots", "a CA (PEM) the SMS webhook's certificate may chain to"),
        ("HOUSHI_SMS_RETRY_SECONDS", "10", "the first retry's delay of a failed SMS, doubling up to 10 minutes"),
        ("HOUSHI_HELPLINE", "12345", "the government service line the family's page names"),
        ("HOUSHI_OPENAPI_FILE", "the one shipped beside the service", "the OpenAPI document served at /openapi.yaml"),
    ]

    static func handlers() -> [RegisteredHandler] { IntakeHandlers.all() }

    /// A completed case, after the retention period: the notice, the timeline and the results
    /// masked, the SMS numbers masked, the scans erased (their hashes and seals stay).
    static let retentionPlan = RetentionPlan(dueCasesSQL: """
        SELECT c.case_id FROM cases c
        WHERE c.status = 'completed' AND c.completed_at < now() - make_interval(days => $1::int)
          AND NOT EXISTS (SELECT 1 FROM case_erasures e WHERE e.case_id = c.case_id)
        LIMIT $2
        """, erasureSQL: [
            "UPDATE cases SET notice = masked_personal_data(notice) WHERE case_id = ANY($1::uuid[])",
            "UPDATE case_events SET payload = masked_personal_data(payload) WHERE case_id = ANY($1::uuid[])",
            "UPDATE case_items SET result = masked_personal_data(result) WHERE case_id = ANY($1::uuid[]) AND result IS NOT NULL",
            "UPDATE sms_messages SET phone = masked_text(phone) WHERE case_id = ANY($1::uuid[])",
            "UPDATE attachments SET data = ''::bytea WHERE case_id = ANY($1::uuid[])",
        ])

    /// Outcomes are recorded together, and a case completes in the transaction that records its last one.
    static let followUp: MessageProcessor.FollowUp? = IntakeHandlers.followUp

    /// The family's links, shared by the pages, the notices' opening and the SMS sender (one key read).
    static let familyLinks = FamilyLinkSource()

    /// Refuses to start without the seal key (`SealKey.load`); records its public key.
    static func addRoutes(to router: Router<BasicRequestContext>, context: ServiceContext) async throws {
        let sealKey = try SealKey.load()
        try await context.database.withConnection { db in try SealPublicKeys.adopt(sealKey, on: db) }
        try addRoutes(to: router, context: context, sealKey: sealKey)
    }

    /// The routes, sealing with `sealKey`.
    static func addRoutes(to router: Router<BasicRequestContext>, context: ServiceContext, sealKey: SealKey) throws {
        let opening = NoticeOpening(context: context, links: familyLinks, sealKey: sealKey)
        DeathNoticeRoutes(context: context, opening: opening).register(on: router)
        DeathFactRoutes(context: context).register(on: router)
        let pages = try IntakePages(context: context, opening: opening, links: familyLinks)
        pages.register(on: router)
        CitySupervisionPage(sharingPagesOf: pages.console).register(on: router)
    }

    /// The family's SMS: `HOUSHI_SMS_WEBHOOK_URL` selects the webhook gateway (else messages are
    /// logged), trusting `HOUSHI_SMS_CA_FILE` beside the system's roots; `HOUSHI_SMS_RETRY_SECONDS`
    /// (default 10) is the first retry's delay.
    static func backgroundServices(context: ServiceContext) throws -> [any Service] {
        let environment = ProcessInfo.processInfo.environment
        let gateway: any SMSGateway = try environment["HOUSHI_SMS_WEBHOOK_URL"].flatMap { $0.isEmpty ? nil : $0 }
            .map { try WebhookSMSGateway(url: $0, caFile: environment["HOUSHI_SMS_CA_FILE"]) }
            ?? LogSMSGateway(logger: context.logger)
        let retry = environment["HOUSHI_SMS_RETRY_SECONDS"].flatMap(Double.init).map { Duration.milliseconds(Int($0 * 1000)) }
        return [SMSNotifier(database: context.database, gateway: gateway, links: familyLinks, logger: context.logger,
                            retryBase: retry ?? .seconds(10)),
                CitySupervisionGauges(database: context.database)]
    }
}

@main
struct IntakeCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        .houshi(IntakeService.self, subcommands: [InstitutionsCommand.self, StaffCommand.self, CasesCommand.self,
                                                  OfficersCommand<IntakeService>.self, DataConsumersCommand.self,
                                                  SubscribersCommand.self])
    }
}
