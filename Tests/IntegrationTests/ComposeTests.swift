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

    /// Secrets only as files (`secrets:`, read through `*_FILE`), each made by
    /// deploy/compose/make-secrets and readable by the container's user; only nginx publishes a
    /// port; every link is TLS.
    @Test func secretsAreFilesAndOnlyNginxIsPublished() async throws {
        let script = """
            import os, shutil, subprocess, sys, tempfile, yaml
            repo = sys.argv[1]
            compose = yaml.safe_load(open(os.path.join(repo, "docker-compose.yml")))
            made = tempfile.mkdtemp()
            subprocess.run([os.path.join(repo, "deploy/compose/make-secrets"), made], check=True, capture_output=True)
            for name, secret in compose["secrets"].items():
                if not os.path.isfile(os.path.join(made, os.path.basename(secret["file"]))):
                    print("not made by make-secrets:", name)
            # Who reads the mounted files: the postgres and rabbitmq images' users, root (nginx's
            # master), the houshi image's user.
            users = {"postgres": 999, "rabbitmq": 999, "nginx": 0}
            for name, service in compose["services"].items():
                if "ports" in service and name != "nginx":
                    print("publishes a port:", name)
                mounted = set(service.get("secrets", []))
                for secret in mounted:
                    status = os.stat(os.path.join(made, os.path.basename(compose["secrets"][secret]["file"])))
                    if not status.st_mode & 0o004 and status.st_uid != users.get(name, 10001):
                        print(f"{name} cannot read its secret {secret} (owner {status.st_uid})")
                for key, value in (service.get("environment") or {}).items():
                    value = str(value)
                    if key.endswith("_FILE") or value.startswith("/run/secrets/"):
                        if not value.startswith("/run/secrets/") or value[13:] not in mounted:
                            print(f"{name} {key} names no secret of its own: {value}")
                    elif any(word in key for word in ("PASSWORD", "PASS", "SEAL_KEY", "_URL")) and key != "HOUSHI_PUBLIC_URL":
                        print(f"{name} {key} is a plain variable")
            for name in ("intake", "public-security", "civil-affairs", "social-security"):
                amqp = open(os.path.join(made, f"{name}-amqp-url")).read()
                database = open(os.path.join(made, f"{name}-database-url")).read()
                if not amqp.startswith("amqps://") or "sslmode=verify-full" not in database:
                    print("a plain link:", name)
                environment = compose["services"][name]["environment"]
                if environment.get("HOUSHI_HTTP_TLS_CERT") != f"/run/secrets/{name}.pem" or \
                        environment.get("HOUSHI_HTTP_TLS_KEY") != f"/run/secrets/{name}.key":
                    print("plain HTTP:", name)
                names = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in",
                                        os.path.join(made, f"{name}.pem")], capture_output=True, text=True).stdout
                if f"DNS:{name}" not in names or "DNS:localhost" not in names:
                    print("certificate without its names:", name, names)
                if "https://localhost:8080/readyz" not in compose["services"][name]["healthcheck"]["test"]:
                    print("health checked without TLS:", name)
            if compose["services"]["nginx"]["environment"]["HOUSHI_UPSTREAM_SCHEME"] != "https":
                print("nginx proxies over plain HTTP")
            shutil.rmtree(made)
            print("checked", len(compose["secrets"]), "secrets")
            """
        let output = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"),
                                          ["python3", "-c", script, TestEnvironment.repository.path], environment: [:])
        #expect(output == "checked 27 secrets\n", "\(output)")
    }
}
