import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// The minimal facts of a death that other departments may learn (数据共享: 公积金, 低保, 高龄补贴,
/// 残疾人补贴 stop or settle on them): who died and when, on which medical certificate, and whether
/// and where the body was cremated. Nothing of the applicant, the beneficiary or their accounts
/// (个人信息保护法: no more than the purpose needs). A withdrawn notice is no fact; a case past
/// its retention period (its notice masked) is shared no more.
struct DeathFact: Encodable, Sendable, Equatable {
    var idNumber: String
    var name: String
    var sex: String
    /// When the death occurred (RFC 3339, Beijing time), as the medical certificate states it.
    var diedAt: String
    /// The medical death certificate's number (《居民死亡医学证明（推断）书》).
    var certificateNumber: String
    /// When the death was recorded here (the notice's case opened).
    var recordedAt: String
    /// The cremation, once the funeral home recorded it.
    var cremation: Cremation?

    struct Cremation: Encodable, Sendable, Equatable {
        var crematedAt: String
        var funeralHome: String
    }

    /// The facts' SELECT list and source over `cases c`; add a WHERE on `c`.
    static let selectSQL = """
        SELECT c.deceased_id_number AS id_number, c.notice->'deceased'->>'name' AS name,
               c.notice->'deceased'->>'sex' AS sex, c.notice->'deceased'->>'diedAt' AS died_at,
               c.notice->'certificate'->>'number' AS certificate_number,
               \(beijingTimeSQL("c.created_at")) AS recorded_at,
               cremation.payload->>'crematedAt' AS cremated_at, cremation.payload->'funeralHome'->>'name' AS funeral_home
        FROM cases c
        LEFT JOIN LATERAL (
            SELECT payload FROM case_events e WHERE e.case_id = c.case_id AND e.type = '\(MessageType.cremationCompleted.routingKey)'
            ORDER BY e.occurred_at DESC LIMIT 1) cremation ON true
        WHERE c.status <> 'withdrawn'
          AND NOT EXISTS (SELECT 1 FROM case_erasures x WHERE x.case_id = c.case_id)
        """
}

extension DeathFact {
    /// A row of `selectSQL`.
    init(row: Row) throws {
        let crematedAt = row["cremated_at"]
        self.init(idNumber: try row.string("id_number"), name: try row.string("name"), sex: try row.string("sex"),
                  diedAt: try row.string("died_at"), certificateNumber: try row.string("certificate_number"),
                  recordedAt: try row.string("recorded_at"),
                  cremation: crematedAt.map { Cremation(crematedAt: $0, funeralHome: row["funeral_home"] ?? "") })
    }
}
