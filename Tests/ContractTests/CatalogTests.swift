import Foundation
import HoushiContract
import Testing

@Suite("Catalog, fixtures and AsyncAPI document agree")
struct CatalogTests {
    private var catalogKeys: Set<String> { Set(ContractCatalog.payloadTypes.keys.map(\.routingKey)) }

    @Test("the catalog covers every v1 type and names its producer")
    func catalogIsComplete() {
        let types = ContractCatalog.payloadTypes.keys
        #expect(types.count == 25)
        #expect(types.allSatisfy { $0.version == 1 })
        #expect(Set(ContractCatalog.producers.keys) == Set(types))
        #expect(types.filter { ContractCatalog.producers[$0] == .intake }.count == 8)
        for item in Item.allCases {
            for type in [MessageType.rejected(item), .held(item), .reversed(item)] {
                #expect(ContractCatalog.producers[type] == item.department, "\(type)")
            }
            #expect(ContractCatalog.producers[.request(for: item)] == .intake)
        }
    }

    @Test("every catalog type has a fixture and every fixture is in the catalog")
    func fixturesMatchCatalog() throws {
        let fixtureKeys = Set(try Fixture.all().map(\.routingKey))
        #expect(catalogKeys.subtracting(fixtureKeys).isEmpty, "without fixture: \(catalogKeys.subtracting(fixtureKeys).sorted())")
        #expect(fixtureKeys.subtracting(catalogKeys).isEmpty, "not in the catalog: \(fixtureKeys.subtracting(catalogKeys).sorted())")
    }

    @Test("every subscription of every service is a catalog type, or of the public contract (public-facts.asyncapi.yaml)")
    func subscriptionsAreInCatalog() {
        for department in Department.allCases {
            let unknown = Topology.subscriptions(of: department).filter {
                ContractCatalog.payloadTypes[$0] == nil && PublicFacts.contractTypes[$0] == nil
            }
            #expect(unknown.isEmpty, "\(department) subscribes to \(unknown)")
        }
    }

    @Test("the AsyncAPI channels and operations are the catalog's types, producers and subscriptions")
    func asyncAPIMatchesCatalog() throws {
        let routes = try describeDocument().routes
        #expect(Set(routes.keys) == catalogKeys)
        for (type, producer) in ContractCatalog.producers {
            let route = routes[type.routingKey]
            let consumers = Department.allCases.filter { Topology.subscriptions(of: $0).contains(type) }
            #expect(route?.send == [producer.rawValue], "senders of \(type)")
            #expect(Set(route?.receive ?? []) == Set(consumers.map(\.rawValue)), "receivers of \(type)")
        }
    }

    @Test("the AsyncAPI enums have the Swift enums' values")
    func asyncAPIEnumsMatchSwift() throws {
        let expected: [String: [String]] = [
            "Department": Department.allCases.map(\.rawValue),
            "Item": Item.allCases.map(\.rawValue),
            "Sex": Sex.allCases.map(\.rawValue),
            "CertificateForm": CertificateForm.allCases.map(\.rawValue),
            "MannerOfDeath": MannerOfDeath.allCases.map(\.rawValue),
            "EmployerType": EmployerType.allCases.map(\.rawValue),
            "ApplicantRelation": ApplicantRelation.allCases.map(\.rawValue),
            "BeneficiaryRelation": BeneficiaryRelation.allCases.map(\.rawValue),
            "AshesPlacement": AshesPlacement.allCases.map(\.rawValue),
            "AttachmentKind": AttachmentKind.allCases.map(\.rawValue),
            "Outcome": Outcome.allCases.map(\.rawValue),
        ]
        #expect(try describeDocument().enums == expected)
    }

    /// What `validate_fixtures.py --describe` says of asyncapi.yaml.
    private struct Description: Decodable {
        struct Route: Decodable {
            let send: [String]
            let receive: [String]
        }

        let routes: [String: Route]
        let enums: [String: [String]]
    }

    private func describeDocument() throws -> Description {
        let run = try FixtureValidator.run(["--describe"])
        try #require(run.status == 0, "validate_fixtures.py --describe failed:\n\(run.output)")
        return try JSONDecoder().decode(Description.self, from: Data(run.output.utf8))
    }
}
