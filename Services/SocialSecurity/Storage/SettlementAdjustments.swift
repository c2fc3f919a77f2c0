import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// Settlements changed by a correction of the notice: what they were, and once paid out, the
/// difference to pay (positive) or recover (negative), in the caller's transaction.
enum SettlementAdjustments {
    static let migration = Migration(version: 5, name: "settlement adjustments", sql: """
        CREATE TABLE settlement_adjustments (
            case_id uuid NOT NULL,
            item text NOT NULL,
            sequence integer NOT NULL,
            adjusted_at timestamptz NOT NULL DEFAULT now(),
            reason text NOT NULL,
            changed_fields text[] NOT NULL,
            figures_before jsonb NOT NULL,
            figures_after jsonb,
            paid_out boolean NOT NULL,
            difference_fen bigint,
            note text,
            PRIMARY KEY (case_id, item, sequence));
        """)

    /// Replaces the case's settlement figures of the item with `figures`, keeping the old ones
    /// in an adjustment; returns the difference to pay (or recover, negative) when the old ones
    /// had been paid out, else nil.
    static func replace<P: Encodable>(caseId: UUID, item: Item, with figures: P, netPayableFen: Int64, ruleVersion: String,
                                      correction: RequestCorrection, on db: PostgresConnection) throws -> Int64? {
        let json = String(decoding: try MessageCodec().encodeValue(figures), as: UTF8.self)
        guard let row = try db.execute("""
            WITH before AS (
                SELECT figures, paid_out_at IS NOT NULL AS paid_out FROM settlements
                WHERE case_id = $1 AND item = $2 AND cancelled_at IS NULL FOR UPDATE),
            adjusted AS (
                INSERT INTO settlement_adjustments (case_id, item, sequence, reason, changed_fields, figures_before,
                                                    figures_after, paid_out, difference_fen)
                SELECT $1, $2, $5, $6, $7::text[], b.figures, $3::jsonb, b.paid_out,
                       CASE WHEN b.paid_out THEN $8::bigint - (b.figures->>'netPayableFen')::bigint END
                FROM before b
                ON CONFLICT DO NOTHING
                RETURNING paid_out, difference_fen),
            replaced AS (
                UPDATE settlements SET figures = $3::jsonb, rule_version = $4, settled_at = now()
                WHERE case_id = $1 AND item = $2 AND cancelled_at IS NULL)
            SELECT paid_out, difference_fen FROM adjusted
            """, [caseId, item.rawValue, json, ruleVersion, correction.sequence, correction.reason,
                  SQLArray(correction.changedFields), netPayableFen]).first
        else { return nil }
        return try row.bool("paid_out") ? row.int64("difference_fen") : nil
    }

    /// Records a correction that changes no figure but needs an officer (`note` says why).
    static func record(caseId: UUID, item: Item, correction: RequestCorrection, note: String,
                       on db: PostgresConnection) throws {
        try db.execute("""
            INSERT INTO settlement_adjustments (case_id, item, sequence, reason, changed_fields, figures_before, paid_out, note)
            SELECT case_id, item, $3, $4, $5::text[], figures, paid_out_at IS NOT NULL, $6 FROM settlements
            WHERE case_id = $1 AND item = $2 AND cancelled_at IS NULL
            ON CONFLICT DO NOTHING
            """, [caseId, item.rawValue, correction.sequence, correction.reason, SQLArray(correction.changedFields), note])
    }
}
