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

    /// The high-availability variant as docker-compose merges it (docker-compose.yml with
    /// docker-compose.ha.yml): three RabbitMQ nodes, each with its own volume and certificate, one
    /// cluster by classic_config peer discovery and an Erlang cookie from a secret; a PostgreSQL
    /// standby the primary waits for (synchronous_standby_names); every service's URL secrets, as
    /// deploy/compose/make-secrets writes them, listing the three broker nodes and both database
    /// servers (the one taking writes); and the secret-file and published-port rules of
    /// docker-compose.yml. The script prints nothing when all of that holds.
    @Test func highAvailabilityVariantIsOneClusterAndASynchronousPair() async throws {
        // docker-compose 1.29 does the merging, installed as deploy/compose/validate installs it.
        _ = try await runCommand(URL(fileURLWithPath: "/bin/bash"), [
            "-c", ". \"$1/deploy/local/lib.sh\" && ensure_apt --no-install-recommends docker-compose", "compose-tests",
            TestEnvironment.repository.path,
        ], environment: [:])
        let script = """
            import os, shutil, subprocess, sys, tempfile, yaml
            repo = sys.argv[1]
            made = tempfile.mkdtemp()
            subprocess.run([os.path.join(repo, "deploy/compose/make-secrets"), made], check=True, capture_output=True)
            merged = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "-f", "docker-compose.ha.yml", "config"],
                                    cwd=repo, env=dict(os.environ, HOUSHI_SECRETS_DIR=made),
                                    capture_output=True, text=True)
            if merged.returncode != 0:
                print("docker-compose config failed:", merged.stderr)
                shutil.rmtree(made)
                sys.exit()
            compose = yaml.safe_load(merged.stdout)
            plain = yaml.safe_load(open(os.path.join(repo, "docker-compose.yml")))
            services = compose["services"]

            def mounts(service):
                # secret -> its file's name under /run/secrets/ in the container
                entries = [{"source": s} if isinstance(s, str) else s for s in service.get("secrets", [])]
                return {s["source"]: s.get("target") or s["source"] for s in entries}
            def volumes(service):
                # container path -> volume name or host path
                found = {}
                for v in service.get("volumes", []):
                    if isinstance(v, str):
                        parts = v.split(":")
                        found[parts[1]] = parts[0]
                    else:
                        found[v["target"]] = v["source"]
                return found
            def made_file(secret):
                return os.path.join(made, os.path.basename(compose["secrets"][secret]["file"]))
            def host_file(path):
                return path if os.path.isabs(path) else os.path.join(repo, path)
            def settings(command):
                # postgres -c NAME=VALUE ... -> {NAME: VALUE}
                return dict(command[i + 1].split("=", 1) for i in range(len(command) - 1)
                            if command[i] == "-c" and "=" in command[i + 1])
            def san(pem):
                return subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", pem],
                                      capture_output=True, text=True).stdout

            # RabbitMQ: three nodes, each its own host name, volume and certificate, one cluster by classic_config
            # peer discovery, the Erlang cookie from a secret.
            nodes = ["rabbitmq", "rabbitmq-2", "rabbitmq-3"]
            data_volumes = set()
            for name in nodes:
                node = services.get(name)
                if node is None:
                    print("no broker node", name)
                    continue
                if node.get("image") != "rabbitmq:3.13" or node.get("hostname") != name:
                    print("not a rabbitmq:3.13 node named after its service:", name, node.get("image"), node.get("hostname"))
                data_volumes.add(volumes(node).get("/var/lib/rabbitmq"))
                mounted = mounts(node)
                for kind in ("pem", "key"):
                    own = [secret for secret, target in mounted.items() if target == f"rabbitmq.{kind}"]
                    if own != [f"{name}.{kind}"]:
                        print(f"{name} has not its own rabbitmq.{kind}:", own)
                if f"DNS:{name}" not in san(made_file(f"{name}.pem")):
                    print("broker certificate without its name:", name)
                conf = ""
                for target, source in volumes(node).items():
                    if target.startswith("/etc/rabbitmq/conf.d/"):
                        conf += open(host_file(source)).read()
                lines = [line.split("=", 1) for line in conf.splitlines() if "=" in line and not line.startswith("#")]
                conf = {key.strip(): value.strip() for key, value in lines}
                if conf.get("listeners.tcp") != "none" or conf.get("ssl_options.certfile") != "/run/secrets/rabbitmq.pem":
                    print("not AMQPS only with its certificate:", name)
                peers = {value for key, value in conf.items() if key.startswith("cluster_formation.classic_config.nodes.")}
                if (conf.get("cluster_formation.peer_discovery_backend") != "classic_config"
                        or peers != {f"rabbit@{peer}" for peer in nodes}):
                    print("not one classic_config cluster of all three nodes:", name, sorted(peers))
                if (mounted.get("rabbitmq-erlang-cookie") != "rabbitmq-erlang-cookie"
                        or any("COOKIE" in key for key in (node.get("environment") or {}))):
                    print("Erlang cookie not from the secret:", name)
                entrypoint = node.get("entrypoint") or []
                script = volumes(node).get(entrypoint[-1] if entrypoint else "")
                text = open(host_file(script)).read() if script else ""
                install = "install -o rabbitmq -g rabbitmq -m 400 /run/secrets/rabbitmq-erlang-cookie /var/lib/rabbitmq/.erlang.cookie"
                if node.get("command") != ["rabbitmq-server"] or install not in text or 'exec docker-entrypoint.sh "$@"' not in text:
                    print("the cookie is not installed before the image's entrypoint:", name, entrypoint)
            if len(data_volumes) != 3 or None in data_volumes or any(v.startswith("/") for v in data_volumes):
                print("broker nodes without a volume each:", data_volumes)

            # PostgreSQL: a standby of the primary, which waits for it (synchronous replication).
            primary, standby = services["postgres"], services.get("postgres-standby")
            if standby is None:
                print("no postgres-standby")
            else:
                if standby.get("image") != "postgres:15":
                    print("postgres-standby is not postgres:15")
                data = volumes(standby).get("/var/lib/postgresql/data")
                if not data or data.startswith("/") or data == volumes(primary).get("/var/lib/postgresql/data"):
                    print("postgres-standby has no volume of its own:", data)
                environment = standby.get("environment") or {}
                name = environment.get("HOUSHI_PG_APPLICATION_NAME", "")
                if environment.get("HOUSHI_PG_FOLLOW") != "postgres":
                    print("postgres-standby does not follow postgres")
                wanted = settings(primary["command"])
                names = wanted.get("synchronous_standby_names", "").replace("(", " ").replace(")", " ").replace(",", " ").split()
                if name == "" or name not in names:
                    print("the primary's synchronous_standby_names does not name the standby:",
                          wanted.get("synchronous_standby_names"), name)
                if wanted.get("synchronous_commit") != "on":
                    print("the primary's synchronous_commit is not on")
                for key, value in settings(plain["services"]["postgres"]["command"]).items():
                    if wanted.get(key) != value:
                        print("the primary lost a setting of docker-compose.yml:", key, wanted.get(key))
                if (settings(standby["command"]).get("ssl_cert_file") != "/run/secrets/postgres-standby.pem"
                        or "DNS:postgres-standby" not in san(made_file("postgres-standby.pem"))):
                    print("postgres-standby has not a certificate of its own")
                for server in (primary, standby):
                    hba = open(host_file(volumes(server)["/etc/houshi/pg_hba.conf"])).read().splitlines()
                    hba = [line.split() for line in hba if not line.startswith("#")]
                    if ["hostssl", "replication", "replicator", "all", "scram-sha-256"] not in hba:
                        print("pg_hba.conf allows the standby's replication role no TLS replication")

            # The services and the provisioning job wait for the whole cluster and the standby.
            for name in ("intake", "public-security", "civil-affairs", "social-security"):
                missing = set(nodes + ["postgres", "postgres-standby"]) - set(services[name].get("depends_on", {}))
                if missing:
                    print(name, "does not wait for", sorted(missing))
            if {"rabbitmq-2", "rabbitmq-3"} - set(services["provision"].get("depends_on", {})):
                print("provision does not wait for the whole broker cluster")

            # Each service's URLs: every broker node over AMQPS; both database servers, the one taking writes.
            for name in ("intake", "public-security", "civil-affairs", "social-security"):
                amqp = open(made_file(f"{name}-amqp-url")).read().strip().split(",")
                hosts = [url.split("@", 1)[-1].split(":", 1)[0] for url in amqp]
                if len(amqp) != 3 or sorted(hosts) != nodes or not all(url.startswith("amqps://") for url in amqp):
                    print(name, "does not list the three broker nodes over AMQPS:", hosts)
                database = open(made_file(f"{name}-database-url")).read().strip()
                hosts = database.split("@", 1)[-1].split("/", 1)[0].split(",")
                query = database.split("?", 1)[-1].split("&")
                if (hosts != ["postgres:5432", "postgres-standby:5432"] or "target_session_attrs=read-write" not in query
                        or "sslmode=verify-full" not in query):
                    print(name, "does not reach both database servers for writes, verified:", hosts, query)

            # The secret-file rules of docker-compose.yml hold here too: secrets only as files made by
            # make-secrets and readable by the container's user; only nginx publishes a port.
            users = {"postgres": 999, "postgres-standby": 999, "rabbitmq": 999, "rabbitmq-2": 999, "rabbitmq-3": 999, "nginx": 0}
            for name, secret in compose["secrets"].items():
                if not os.path.isfile(made_file(name)):
                    print("not made by make-secrets:", name)
            for name, service in services.items():
                if "ports" in service and name != "nginx":
                    print("publishes a port:", name)
                mounted = mounts(service)
                for secret in mounted:
                    status = os.stat(made_file(secret))
                    if not status.st_mode & 0o004 and status.st_uid != users.get(name, 10001):
                        print(f"{name} cannot read its secret {secret} (owner {status.st_uid})")
                for key, value in (service.get("environment") or {}).items():
                    value = str(value)
                    if key.endswith("_FILE") or value.startswith("/run/secrets/"):
                        if not value.startswith("/run/secrets/") or value[13:] not in mounted.values():
                            print(f"{name} {key} names no secret of its own: {value}")
                    elif any(word in key for word in ("PASSWORD", "PASS", "SEAL_KEY", "_URL", "COOKIE")) and key != "HOUSHI_PUBLIC_URL":
                        print(f"{name} {key} is a plain variable")
            shutil.rmtree(made)
            """
        let output = try await runCommand(URL(fileURLWithPath: "/usr/bin/env"),
                                          ["python3", "-c", script, TestEnvironment.repository.path], environment: [:])
        #expect(output == "", "\(output)")
    }
}
