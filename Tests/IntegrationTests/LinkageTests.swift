import Foundation
import HoushiContract
import Testing

/// The services link FoundationEssentials only: Foundation would bring ICU and about 10 MiB of
/// resident memory into every process (BENCHMARKS.md, idle memory), FoundationNetworking a
/// URLSession whose dispatch sources crash on Linux.
@Suite struct LinkageTests {
    @Test(arguments: Department.allCases)
    func aServiceLinksNoFullFoundation(department: Department) async throws {
        let binary = try TestEnvironment.load().binary(department.rawValue)
        let dynamicSection = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), ["readelf", "-d", binary.path],
                                                  environment: [:])
        let needed = dynamicSection.split(separator: "\n").filter { $0.contains("(NEEDED)") }
            .compactMap { line in line.split(separator: "[").last?.split(separator: "]").first.map(String.init) }
        #expect(needed.contains("libFoundationEssentials.so"), "readelf found: \(needed)")
        let forbidden = ["libFoundation.so", "libFoundationInternationalization.so", "libFoundationNetworking.so",
                         "lib_FoundationICU.so"]
        #expect(needed.filter(forbidden.contains).isEmpty, "\(department.rawValue) links \(needed)")
    }
}
