import HoushiContract
import Testing

@Suite("AsyncAPI schemas")
struct SchemaValidationTests {
    @Test("every fixture validates against its message schema in asyncapi.yaml")
    func fixturesValidate() throws {
        let run = try FixtureValidator.run()
        #expect(run.status == 0, "validate_fixtures.py exited \(run.status):\n\(run.output)")
        #expect(run.output.contains("\(ContractCatalog.payloadTypes.count) fixtures valid"), "\(run.output)")
    }
}
