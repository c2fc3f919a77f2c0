import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiText

/// What the officers' pages read of settlements, the register and the payment runs.
enum SettlementRecords {
    /// A recorded settlement with its figures as published.
    struct Entry: Sendable {
        let caseId: UUID
        let item: Item
        let name: String
        let idNumber: String
        let settledAt: Timestamp
        let ruleVersion: String?
        let pension: PensionSettled?
        let medicalAccount: MedicalAccountSettled?
        /// When and why a withdrawal cancelled it, if one did.
        let cancelled: (at: Timestamp, reason: String)?
        /// What a withdrawal left to recover of it, by kind (`funeral-grant`, …), in fen.
        let recoveries: [(kind: String, amountFen: Int64)]
        /// The corrections that changed it: their reason and, once paid out, the difference.
        let adjustments: [(at: Timestamp, reason: String, differenceFen: Int64?, note: String?)]
    }

    /// Settlements, the latest first: all, one case's item, or those handed to the old process.
    enum Filter {
        case all
        case one(UUID, Item)
        case oldProcess
    }

    static func entries(_ filter: Filter, limit: Int = 100, on db: PostgresConnection) throws -> [Entry] {
        let (condition, parameters): (String, [any SQLValue]) = switch filter {
        case .all: ("true", [])
        case .one(let caseId, let item): ("s.case_id = $2 AND s.item = $3", [caseId, item.rawValue])
        case .oldProcess: ("s.item = 'pension' AND (s.figures->>'benefitsByOldProcess')::boolean", [])
        }
        return try db.execute("""
            SELECT s.case_id, s.item, coalesce(p.name, '') AS name, s.id_number, s.rule_version, s.figures::text AS figures,
                   \(beijingTimeSQL("s.settled_at")) AS settled_at, \(beijingTimeSQL("s.cancelled_at")) AS cancelled_at,
                   s.cancel_reason,
                   (SELECT string_agg(r.kind || ' ' || r.amount_fen, ',' ORDER BY r.kind) FROM recoveries r
                    WHERE r.case_id = s.case_id AND r.item = s.item) AS recoveries,
                   (SELECT json_agg(json_build_object('at', \(beijingTimeSQL("a.adjusted_at")), 'reason', a.reason,
                                                      'difference', a.difference_fen, 'note', a.note) ORDER BY a.sequence)
                    FROM settlement_adjustments a WHERE a.case_id = s.case_id AND a.item = s.item)::text AS adjustments
            FROM settlements s LEFT JOIN insured_persons p ON p.id_number = s.id_number
            WHERE \(condition) ORDER BY s.settled_at DESC, s.case_id LIMIT $1
            """, [limit] + parameters).rows.map { row in
            let item = Item(rawValue: try row.string("item")) ?? .pension
            let figures = try row.string("figures")
            return Entry(
                caseId: try row.uuid("case_id"), item: item, name: try row.string("name"), idNumber: try row.string("id_number"),
                settledAt: row.timestamp("settled_at") ?? .now(), ruleVersion: row["rule_version"],
                pension: item == .pension ? try JSONDecoder().decode(PensionSettled.self, from: Data(figures.utf8)) : nil,
                medicalAccount: item == .medicalAccount
                    ? try JSONDecoder().decode(MedicalAccountSettled.self, from: Data(figures.utf8)) : nil,
                cancelled: row.timestamp("cancelled_at").map { ($0, row["cancel_reason"] ?? "") },
                recoveries: (row["recoveries"] ?? "").split(separator: ",").compactMap { entry in
                    let parts = entry.split(separator: " ")
                    return parts.count == 2 ? Int64(parts[1]).map { (String(parts[0]), $0) } : nil
                },
                adjustments: try adjustments(row["adjustments"]))
        }
    }

    private static func adjustments(_ json: String?) throws -> [(at: Timestamp, reason: String, differenceFen: Int64?, note: String?)] {
        struct Adjustment: Decodable {
            let at: Timestamp
            let reason: String
            let difference: Int64?
            let note: String?
        }
        guard let json else { return [] }
        return try JSONDecoder().decode([Adjustment].self, from: Data(json.utf8)).map { ($0.at, $0.reason, $0.difference, $0.note) }
    }

    /// The register's entry for a person, as label and value pairs for an officer.
    static func insured(_ idNumber: String, on db: PostgresConnection) throws -> [(String, String)]? {
        try db.execute("""
            SELECT p.name, p.insured_here, p.employer_type, p.retired, p.pension_start, p.monthly_pension_fen,
                   p.personal_account_balance_fen, p.pension_status, p.contribution_months,
                   (SELECT max(month) FROM pension_payments m WHERE m.id_number = p.id_number) AS last_paid,
                   a.balance_fen AS medical_balance, a.status AS medical_status,
                   (SELECT count(*) FROM medical_reimbursements r WHERE r.id_number = p.id_number AND r.status = 'open')
                       AS open_claims
            FROM insured_persons p LEFT JOIN medical_accounts a ON a.id_number = p.id_number WHERE p.id_number = upper($1)
            """, [idNumber]).first.map { row in
            let employer = EmployerType(rawValue: try row.string("employer_type"))
            return [
                ("参保姓名", try row.string("name")),
                ("本市参保", try row.bool("insured_here") ? "是" : "否"),
                ("单位类型", try employer?.chineseName ?? row.string("employer_type")),
                ("退休", try row.bool("retired") ? "是，\(row["pension_start"] ?? "")起领取养老金" : "否"),
                ("月养老金", yuan(try row.int64("monthly_pension_fen"))),
                ("养老金状态", ["active": "正常发放", "suspended": "暂停发放", "stopped": "已停发"][try row.string("pension_status")] ?? ""),
                ("最近发放月份", row["last_paid"] ?? "无"),
                ("缴费月数", "\(try row.int("contribution_months"))"),
                ("养老保险个人帐户余额", yuan(try row.int64("personal_account_balance_fen"))),
                ("医保个人帐户", row["medical_balance"].flatMap(Int64.init).map { balance in
                    let status = ["open": "正常", "frozen": "已冻结，等待报销结清", "closed": "已销户"][row["medical_status"] ?? ""]
                    return "\(yuan(balance))（\(status ?? row["medical_status"] ?? "")）"
                } ?? "无"),
                ("未结报销", "\(try row.int("open_claims"))笔"),
            ]
        }
    }

    /// What the payment run of a month paid, and whom it withheld (retired here, due, not active).
    struct MonthRun: Sendable {
        let paidCount: Int
        let paidTotalFen: Int64
        let withheld: [(name: String, idNumber: String, status: String, monthlyFen: Int64)]
    }

    static func month(_ month: YearMonth, on db: PostgresConnection) throws -> MonthRun {
        let paid = try db.execute("""
            SELECT count(*) AS count, coalesce(sum(amount_fen), 0) AS total FROM pension_payments WHERE month = $1
            """, [month.description]).first!
        let withheld = try db.execute("""
            SELECT p.name, p.id_number, p.pension_status, p.monthly_pension_fen FROM insured_persons p
            WHERE p.retired AND p.insured_here AND p.pension_start <= $1 AND p.pension_status <> 'active'
              AND NOT EXISTS (SELECT 1 FROM pension_payments m WHERE m.id_number = p.id_number AND m.month = $1)
            ORDER BY p.name LIMIT 500
            """, [month.description]).rows.map { row in
            (try row.string("name"), try row.string("id_number"), try row.string("pension_status"),
             try row.int64("monthly_pension_fen"))
        }
        return MonthRun(paidCount: try paid.int("count"), paidTotalFen: try paid.int64("total"), withheld: withheld)
    }
}

extension EmployerType {
    var chineseName: String {
        switch self {
        case .enterprise: "企业"
        case .publicInstitution: "机关事业单位"
        case .noEmployer: "无单位（灵活就业等）"
        }
    }
}
