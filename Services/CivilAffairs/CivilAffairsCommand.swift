import ArgumentParser
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Civil affairs (民政局 / 殡仪馆): cremation certificate, pickup, cremation and ashes records.
enum CivilAffairsService: ServiceDefinition {
    static let department = Department.civilAffairs
    static let abstract = "Civil affairs (民政局): issues cremation certificates and records cremations."
    static let migrations = [CaseLedger.migration]

    static func handlers() -> [RegisteredHandler] {
        [
            RegisteredHandler(RecordItemRequest(.cremation, as: CremationRequested.self)),
            RegisteredHandler(RecordFact(.hukouCancelled, as: HukouCancelled.self)),
        ]
    }
}

@main
struct CivilAffairsCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .houshi(CivilAffairsService.self) }
}
