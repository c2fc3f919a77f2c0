import Foundation
import HoushiContract
import Testing

/// What each service links. No service links FoundationNetworking (a URLSession whose dispatch
/// sources crash on Linux). Every service serves pages (HoushiWeb), so each links full Foundation,
/// which multipart-kit (the pages' form-data) needs, within the 64 MiB idle budget (BENCHMARKS.md,
/// idle memory).
@Suite struct LinkageTests {
    @Test(arguments: Department.allCases)
    func whatAServiceLinks(department: Department) async throws {
        let binary = try TestEnvironment.load().binary(department.rawValue)
        let dynamicSection = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), ["readelf", "-d", binary.path],
                                                  environment: [:])
        let needed = dynamicSection.split(separator: "\n").filter { $0.contains("(NEEDED)") }
            .compactMap { line in line.split(separator: "[").last?.split(separator: "]").first.map(String.init) }
        #expect(needed.contains("libFoundationEssentials.so"), "readelf found: \(needed)")
        #expect(!needed.contains("libFoundationNetworking.so"), "\(department.rawValue) links \(needed)")
    }
}
