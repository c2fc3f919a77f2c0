import Foundation
import HoushiContract
import Testing

/// Personal data kept only as long as needed (issue 32, point 6): a case finished longer ago
/// than the retention period loses, in every service's schema, its phone numbers and bank
/// accounts (masked), its scans and its sent messages; its facts and audit trail stay. A recent
/// case keeps everything.
@Suite(.serialized)
final class RetentionTests {
    let houshi: Houshi

    init() async throws {
        houshi = try await Houshi.start()
    }

    /// A whole case, with a scan, completed; returns its id and personal numbers.
    private func completedCase() async throws -> (UUID, TestNotices.PersonalNumbers) {
        let (body, numbers) = try TestNotices.freshPersonal()
        try await houshi.registerForWholeFlow(idNumber: numbers.deceasedIDNumber)
        let caseId = try await houshi.postFreshNotice((body, numbers.deceasedIDNumber))
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<64).map { UInt8($0) })
        let attached = try await HTTP.post(
            "\(try houshi.address(of: .intake))/v1/cases/\(caseId.lowercased)/attachments?kind=household-booklet",
            headers: ["Authorization": "Bearer \(houshi.token)", "Content-Type": "image/png"], body: png)
        #expect(attached.status == 201)
        try await eventually(timeout: .seconds(60), "case \(caseId.lowercased) to be completed") {
            try await self.count("SELECT count(*) AS count FROM intake.cases WHERE case_id = $1::uuid AND status = 'completed'",
                                 caseId) == 1
        }
        try await eventually("its outbox rows to be sent in every schema") {
            var unsent = 0
            for department in Department.allCases {
                unsent += try await self.count("""
                    SELECT count(*) AS count FROM \(department.schema).outbox WHERE case_id = $1::uuid AND sent_at IS NULL
                    """, caseId)
            }
            return unsent == 0
        }
        return (caseId, numbers)
    }

    private func count(_ sql: String, _ caseId: UUID, _ more: [String] = []) async throws -> Int {
        try await houshi.infrastructure.count(sql, [caseId.lowercased] + more)
    }

    /// Rows of the case, in any of the four schemas' tables that hold it, whose text shows `number`.
    private func rowsShowing(_ number: String, caseId: UUID) async throws -> [String] {
        let tables = [
            "intake.cases": "notice::text", "intake.case_events": "payload::text", "intake.case_items": "coalesce(result::text, '')",
            "intake.sms_messages": "phone || body",
            "public_security.item_requests": "request::text", "civil_affairs.item_requests": "request::text",
            "social_security.item_requests": "request::text", "social_security.case_facts": "payload::text",
            "social_security.settlements": "figures::text",
        ]
        var found: [String] = []
        for (table, text) in tables.sorted(by: { $0.key < $1.key }) {
            let rows = try await count("SELECT count(*) AS count FROM \(table) WHERE case_id = $1::uuid AND \(text) LIKE '%' || $2 || '%'",
                                       caseId, [number])
            if rows > 0 { found.append(table) }
        }
        for department in Department.allCases {
            let rows = try await count("""
                SELECT count(*) AS count FROM \(department.schema).outbox
                WHERE case_id = $1::uuid AND position(convert_to($2, 'UTF8') IN body) > 0
                """, caseId, [number])
            if rows > 0 { found.append("\(department.schema).outbox") }
        }
        return found
    }

    @Test("after the retention period a finished case's phones and bank accounts are masked, scans and sent messages erased, facts kept")
    func finishedCasesLoseTheirPersonalData() async throws {
        let (old, numbers) = try await completedCase()
        let (recent, recentNumbers) = try await completedCase()
        #expect(try await rowsShowing(numbers.bankAccount, caseId: old).contains("social_security.item_requests"))
        #expect(try await rowsShowing(numbers.applicantPhone, caseId: old).contains("intake.sms_messages"))

        // The old case finished 200 days ago (the default period is 180) in every service.
        _ = try await houshi.infrastructure.database.withConnection { db in
            try db.withTransaction { tx in
                let id = old.lowercased
                try tx.execute("UPDATE intake.cases SET completed_at = now() - interval '200 days' WHERE case_id = $1::uuid", [id])
                for schema in Department.allCases.filter({ $0 != .intake }).map(\.schema) {
                    try tx.execute("UPDATE \(schema).item_requests SET received_at = now() - interval '201 days' WHERE case_id = $1::uuid", [id])
                    try tx.execute("UPDATE \(schema).case_facts SET received_at = now() - interval '201 days' WHERE case_id = $1::uuid", [id])
                    try tx.execute("UPDATE \(schema).outbox SET created_at = now() - interval '201 days' WHERE case_id = $1::uuid", [id])
                }
            }
        }
        for department in Department.allCases {
            let output = try await houshi.admin(department, ["retention", "run"])
            #expect(output.contains("1 cases erased (retention 180 days)"), "\(department.rawValue): \(output)")
        }

        // Nothing of the old case's phone, bank account or messages is left anywhere...
        for number in [numbers.applicantPhone, numbers.bankAccount] {
            let left = try await rowsShowing(number, caseId: old)
            #expect(left.isEmpty, "\(number) is still in \(left)")
        }
        for department in Department.allCases {
            #expect(try await count("SELECT count(*) AS count FROM \(department.schema).outbox WHERE case_id = $1::uuid", old) == 0)
        }
        #expect(try await count("SELECT count(*) AS count FROM intake.attachments WHERE case_id = $1::uuid AND length(data) = 0", old) == 1)
        // ...but masked, so that a reader still sees whose they were; the facts stay.
        let masked = try await houshi.infrastructure.database.withConnection { db in
            try db.execute("""
                SELECT notice #>> '{applicant,phone}' AS phone, notice #>> '{beneficiary,bankAccount}' AS account,
                       notice #>> '{deceased,idNumber}' AS id_number, status,
                       (SELECT sha256 FROM intake.attachments a WHERE a.case_id = c.case_id) AS scan_hash
                FROM intake.cases c WHERE case_id = $1::uuid
                """, [old.lowercased]).first
        }
        let phone = numbers.applicantPhone, account = numbers.bankAccount
        #expect(masked?["phone"] == "\(phone.prefix(3))****\(phone.suffix(4))")
        #expect(masked?["account"] == "\(account.prefix(3))\(String(repeating: "*", count: account.count - 7))\(account.suffix(4))")
        #expect(masked?["id_number"] == numbers.deceasedIDNumber && masked?["status"] == "completed")
        #expect(masked?["scan_hash"]?.count == 64, "the scan's hash stays, to prove what was sent")
        #expect(try await count("SELECT count(*) AS count FROM social_security.settlements WHERE case_id = $1::uuid", old) >= 1)

        // The recent case keeps everything; a second run erases nothing more.
        #expect(try await rowsShowing(recentNumbers.bankAccount, caseId: recent).contains("social_security.item_requests"))
        #expect(try await count("SELECT count(*) AS count FROM intake.attachments WHERE case_id = $1::uuid AND length(data) > 0", recent) == 1)
        #expect(try await houshi.admin(.intake, ["retention", "run"]).contains("0 cases erased"))
    }

    @Test("ids of messages consumed longer ago than HOUSHI_INBOX_RETENTION_DAYS are deleted, recent ones kept")
    func oldInboxIdsAreDeleted() async throws {
        // In every schema: 3 ids consumed 31 days ago (the default keeps 30), one 29 days ago.
        let (old, kept) = ((0..<3).map { _ in UUID().lowercased }, UUID().lowercased)
        _ = try await houshi.infrastructure.database.withConnection { db in
            try db.withTransaction { tx in
                for schema in Department.allCases.map(\.schema) {
                    for (id, age) in old.map({ ($0, 31) }) + [(kept, 29)] {
                        try tx.execute("""
                            INSERT INTO \(schema).inbox (message_id, routing_key, processed_at)
                            VALUES ($1::uuid, 'test.housekeeping.v1', now() - make_interval(days => $2::int))
                            """, [id, age])
                    }
                }
            }
        }
        for department in Department.allCases {
            // (the service's own sweep, which runs at its start, may have deleted them first)
            let output = try await houshi.admin(department, ["retention", "run"])
            #expect(output.contains(try Regex("[0-3] ids of consumed messages deleted \\(kept 30 days\\)")),
                    "\(department.rawValue): \(output)")
            let left = try await houshi.infrastructure.count("""
                SELECT count(*) AS count FROM \(department.schema).inbox WHERE message_id = ANY($1::uuid[])
                """, ["{\((old + [kept]).joined(separator: ","))}"])
            #expect(left == 1, "\(department.rawValue) keeps only the recent id")
        }
    }
}
