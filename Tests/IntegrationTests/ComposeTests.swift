import Foundation
import Testing

/// The compose file cannot run here (no Docker engine), so it is checked as operators' tools
/// read it: docker-compose 1.29 and the Compose Specification's JSON schema.
@Suite struct ComposeTests {
    @Test func composeFileIsValid() async throws {
        // Throws, with both validators' output, unless both accept the file.
        try await runCommand(TestEnvironment.repository.appendingPathComponent("deploy/compose/validate"), [],
                             environment: [:])
    }

    @Test func departmentServicesCanBeScaled() async throws {
        let script = """
            import sys, yaml
            services = yaml.safe_load(open(sys.argv[1]))["services"]
            for name in ("public-security", "civil-affairs", "social-security"):
                service = services[name]
                print(name, "container_name" in service, "ports" in service, "healthcheck" in service,
                      sorted(service.get("depends_on", {})))
            """
        let output = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"),
                                          ["python3", "-c", script,
                                           TestEnvironment.repository.appendingPathComponent("docker-compose.yml").path],
                                          environment: [:])
        #expect(output.split(separator: "\n").sorted() == [
            "civil-affairs False False True ['postgres', 'provision', 'rabbitmq']",
            "public-security False False True ['postgres', 'provision', 'rabbitmq']",
            "social-security False False True ['postgres', 'provision', 'rabbitmq']",
        ])
    }
}
