import Foundation
import HoushiContract
import Testing

/// The pages in a real browser: Debian's chromium, driven by selenium (`Tests/Browser/*.py`)
/// through nginx in front of the four services, with the family's SMS going to a local stand-in
/// provider. Screenshots and the printed PDFs land in `<test run dir>/browser/` (the hospital's
/// and the family's) and `<test run dir>/browser-officers/` (the departments').
@Suite(.serialized)
final class BrowserTests {
    let houshi: Houshi
    let sink: SMSSink
    // Below Linux's ephemeral range (32768-60999), where an outgoing connection may hold the port.
    let webPort = Int.random(in: 12_000...14_000)

    init() async throws {
        sink = try SMSSink()
        let address = try TestEnvironment.load().webAddress(port: webPort)
        houshi = try await Houshi.start(overrides: [.intake: try sink.intakeSettings.merging([
            "HOUSHI_PUBLIC_URL": address,
        ]) { $1 }])
    }

    /// `deploy/local/infra start-nginx|stop-nginx` on this test's web port, in front of its services.
    private func nginx(_ subcommand: String) async throws {
        try await houshi.environment.nginx(subcommand, webPort: webPort)
    }

    /// A staff account of an institution; returns its password.
    private func staff(_ login: String, institution: String) async throws -> String {
        let output = try await houshi.admin(.intake, ["staff", "add", "--institution", institution, "--name", "测试护士",
                                                      "--login", login])
        return try #require(output.split(separator: "\n").first { $0.hasPrefix("password: ") }?.dropFirst(10)).description
    }

    @Test("a clerk enters the 登记表 in chromium, corrects an error, prints it; the family's link shows the same")
    func clerkAndFamilyInABrowser() async throws {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let password = try await staff("clerk-\(suffix)", institution: "TEST-HOSPITAL")
        _ = try await houshi.admin(.intake, ["institutions", "add", "--code", "OTHER-\(suffix)", "--name", "另一家医院"])
        let otherPassword = try await staff("other-\(suffix)", institution: "OTHER-\(suffix)")
        let idNumber = TestNotices.freshIDNumber(like: "230883194103150243")
        try await houshi.registerForWholeFlow(idNumber: idNumber, name: "赵秀英")

        let shots = houshi.environment.runDirectory.appendingPathComponent("browser")
        try? FileManager.default.removeItem(at: shots)   // only this run's pictures are counted
        let output = try await browse("notice_pages.py", [
            "--login", "clerk-\(suffix)", "--password", password,
            "--other-login", "other-\(suffix)", "--other-password", otherPassword,
            "--deceased-id", idNumber, "--deceased-name", "赵秀英", "--sms-file", sink.received.path, "--shots", shots.path,
        ])
        print(output)
        #expect(output.contains("BROWSER TEST PASSED"))
        let pictures = try FileManager.default.contentsOfDirectory(atPath: shots.path).filter { $0.hasSuffix(".png") }
        #expect(pictures.count >= 10, "screenshots in \(shots.path): \(pictures.sorted())")
    }

    /// Runs one of `Tests/Browser/*.py` against this test's nginx; returns what it printed.
    private func browse(_ script: String, _ arguments: [String]) async throws -> String {
        try await nginx("start-nginx")
        let run = await Result(asyncCatching: { try await runCommand(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", TestEnvironment.repository.appendingPathComponent("Tests/Browser/\(script)").path,
            "--base", houshi.environment.webAddress(port: webPort), "--ca-file", try houshi.environment.tlsCA.path,
        ] + arguments, environment: [:]) })
        try await nginx("stop-nginx")
        return try run.get()
    }

    /// Names no other test uses, so that lists shared by every test find this one's rows.
    private static func freshNames(_ count: Int) -> [String] {
        let given = Array("秀兰桂芝玉英淑珍凤霞丽华建国志明海涛文斌春梅")
        var names: Set<String> = []
        while names.count < count { names.insert("测" + String((0..<3).map { _ in given.randomElement()! })) }
        return Array(names)
    }

    @Test("officers decide held items, confirm a pickup, record a cremation and read settlements in chromium")
    func officersInABrowser() async throws {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let password = "pw-\(suffix)-browser"
        let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent("officer-\(suffix).txt")
        try password.write(to: passwordFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: passwordFile) }
        let accounts: [(Department, String, String)] = [
            (.publicSecurity, "gongan-\(suffix)", "reviewer"), (.civilAffairs, "mzclerk-\(suffix)", "clerk"),
            (.socialSecurity, "renshe-\(suffix)", "reviewer"), (.intake, "jiandu-\(suffix)", "supervisor"),
        ]
        for (department, login, role) in accounts {
            try await houshi.admin(department, ["officers", "add", "--name", "测试\(role == "clerk" ? "经办员" : "人员")",
                                                "--role", role, "--login", login, "--password-file", passwordFile.path])
        }
        try await houshi.admin(.intake, ["staff", "add", "--institution", "TEST-HOSPITAL", "--name", "测试护士",
                                         "--login", "staff-\(suffix)", "--password-file", passwordFile.path])

        // The head of a household with a spouse in it: the cancellation is held for an officer.
        let names = Self.freshNames(5)
        let (headName, spouseName, overdueName, medicalName) = (names[0], names[1], names[2], names[3])
        // A family at the funeral home before any notice: the notice comes after the browser.
        let walkInName = names[4]
        let walkIn = try TestNotices.fresh(name: walkInName)
        try await houshi.registerForWholeFlow(idNumber: walkIn.idNumber, name: walkInName)
        let head = try TestNotices.fresh(name: headName)
        try await houshi.registerForWholeFlow(idNumber: head.idNumber, name: headName)
        let household = "H-\(suffix)"
        try await houshi.importCSV(.publicSecurity, ["register", "import"], """
            id_number,name,household_number,relation_to_head,address
            \(head.idNumber),\(headName),\(household),head,黑龙江省抚远市抚远镇通江路12号
            \(TestNotices.freshIDNumber(like: "230883194103150243")),\(spouseName),\(household),spouse,黑龙江省抚远市抚远镇通江路12号
            """)
        // A name that differs from the register: held too, and made overdue below.
        let overdue = try TestNotices.fresh(name: overdueName)
        try await houshi.registerForWholeFlow(idNumber: overdue.idNumber, name: "另" + overdueName)
        // A reimbursement still open: the medical account is held for social security.
        let medical = try TestNotices.fresh(name: medicalName)
        try await houshi.registerForWholeFlow(idNumber: medical.idNumber, name: medicalName)
        try await houshi.importCSV(.socialSecurity, ["reimbursements", "import"], """
            claim_number,id_number,amount_fen,status
            BX-\(suffix),\(medical.idNumber),120000,open
            """)

        let headCase = try await houshi.postFreshNotice(head)
        let overdueCase = try await houshi.postFreshNotice(overdue)
        let medicalCase = try await houshi.postFreshNotice(medical)
        try await eventually("the three items to be held") {
            let head = try await houshi.itemStatus(caseId: headCase, item: .hukou)
            let overdue = try await houshi.itemStatus(caseId: overdueCase, item: .hukou)
            let medical = try await houshi.itemStatus(caseId: medicalCase, item: .medicalAccount)
            return [head, overdue, medical] == ["held", "held", "held"]
        }
        // An hour past its deadline, in public security and in intake's view of the case.
        _ = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("UPDATE public_security.held_items SET deadline = now() - interval '1 hour' WHERE case_id = $1",
                           [overdueCase])
            try db.execute("""
                UPDATE intake.case_items SET result = jsonb_set(result, '{deadline}', to_jsonb(to_char(
                    (now() - interval '1 hour') AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')))
                WHERE case_id = $1 AND item = 'hukou'
                """, [overdueCase])
        }

        let shots = houshi.environment.runDirectory.appendingPathComponent("browser-officers")
        try? FileManager.default.removeItem(at: shots)   // only this run's pictures are counted
        let output = try await browse("officer_pages.py", [
            "--password", password, "--gongan", "gongan-\(suffix)", "--minzheng-clerk", "mzclerk-\(suffix)",
            "--renshe", "renshe-\(suffix)", "--jiandu", "jiandu-\(suffix)", "--staff", "staff-\(suffix)",
            "--head-case", headCase.lowercased, "--head-name", headName, "--other-member", spouseName,
            "--overdue-case", overdueCase.lowercased, "--overdue-name", overdueName,
            "--medical-case", medicalCase.lowercased, "--medical-name", medicalName,
            "--walk-in-id", walkIn.idNumber, "--walk-in-name", walkInName,
            "--pickup-date", "2026-11-28", "--shots", shots.path,
        ])
        print(output)
        #expect(output.contains("BROWSER TEST PASSED"))

        // The notice that follows the walk-in joins it: the same certificate, no second one.
        let walkInNumber = try #require(output.split(separator: "\n").first { $0.hasPrefix("WALK-IN CERTIFICATE ") }?
            .dropFirst("WALK-IN CERTIFICATE ".count)).description
        let walkInCase = try await houshi.postFreshNotice(walkIn)
        try await eventually("the walk-in's notice to be certified") {
            try await houshi.infrastructure.count(
                "SELECT count(*) AS count FROM civil_affairs.cremation_certificates WHERE case_id = $1::uuid",
                [walkInCase.lowercased]) == 1
        }
        let joined = try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM civil_affairs.cremation_certificates c
            JOIN civil_affairs.walk_ins w ON w.certificate_number = c.number AND w.case_id = c.case_id
            WHERE c.case_id = $1::uuid AND c.number = $2
            """, [walkInCase.lowercased, walkInNumber])
        let certificates = try await houshi.infrastructure.count(
            "SELECT count(*) AS count FROM civil_affairs.cremation_certificates WHERE deceased_id_number = $1",
            [walkIn.idNumber])
        #expect(joined == 1 && certificates == 1, "the notice kept the walk-in's certificate \(walkInNumber)")
        #expect(try await houshi.itemStatus(caseId: headCase, item: .cremation) == "done")
        let decisions = try await houshi.infrastructure.count("""
            SELECT count(*) AS count FROM public_security.held_items
            WHERE case_id = $1::uuid AND status = 'approved' AND decided_by = $2 AND decision_reason <> ''
            """, [headCase.lowercased, "gongan-\(suffix)"])
        #expect(decisions == 1)
        // Each department recorded its officers' reads of the cases they opened, for its auditor.
        for (department, caseId, view) in [(Department.publicSecurity, headCase, "held item page"),
                                           (.civilAffairs, headCase, "certificate page"),
                                           (.socialSecurity, medicalCase, "held item page")] {
            let reads = try await houshi.admin(department, ["audit", "reads", "--case", caseId.lowercased])
            #expect(reads.split(separator: "\n").contains { $0.contains("\tofficer\t") && $0.hasSuffix("\t\(view)") },
                    "\(department.rawValue): \(reads)")
        }
        let pictures = try FileManager.default.contentsOfDirectory(atPath: shots.path).filter { $0.hasSuffix(".png") }
        #expect(pictures.count >= 20, "screenshots in \(shots.path): \(pictures.sorted())")
    }
}
