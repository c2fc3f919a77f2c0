import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Logging
import Metrics

/// `hukou.cancellation-requested`: record the request, then cancel, reject or hold it as the
/// register decides. A redelivered or repeated request for the case changes nothing.
struct CancellationRequestedHandler: MessageHandler {
    let calendar: OfficialCalendar
    var messageType: MessageType { .hukouCancellationRequested }

    func handle(_ message: Envelope<HukouCancellationRequested>, context: HandlerContext) throws {
        let request = message.payload
        let found: (Resident, otherActiveMembers: Int)?
        switch try CaseLedger.recordRequest(item: .hukou, context: context, along: {
            try Register.lookUp(request.deceased.idNumber, on: context.db)
        }) {
        case .new(let resident):
            found = resident
        case .corrected(let status):
            if status == "cancelled" {
                try Register.correctCancellation(caseId: message.caseId, certificateNumber: request.certificate.number,
                                                 on: context.db)
            }
            return
        case .nothing:
            context.logger.info("case already has a cancellation request")
            return
        }
        // The one-working-day clock starts when intake accepted the notice and wrote this request.
        let acceptedAt = message.occurredAt.inBeijingTime
        let decision = HukouDecision.decide(name: request.deceased.name, resident: found?.0,
                                            otherActiveMembers: found?.otherActiveMembers ?? 0)
        switch decision {
        case .cancel:
            try Cancellation.cancel(caseId: message.caseId, request: request, decidedBy: "system", reason: nil,
                                    context: context)
        case .reject(let code, let reason):
            try context.reject(.hukou, reasonCode: code, reason: reason)
            context.logger.info("cancellation rejected", metadata: ["reason_code": "\(code)"])
        case .hold(let code, let reason):
            let deadline = try StoredCalendar.current(shipped: calendar, on: context.db)
                .deadline(oneWorkingDayFrom: acceptedAt).reported(to: context.logger).time
            try context.hold(.hukou, reasonCode: code, reason: reason, receivedAt: acceptedAt, deadline: deadline)
            context.logger.info("cancellation held for review", metadata: ["reason_code": "\(code)",
                                                                          "deadline": "\(deadline)"])
        }
    }
}

/// Cancelling a registration: the register, the cancellation record, the ledger and the
/// `hukou.cancelled` event, in one transaction. Used by the handler and by officers' approvals.
enum Cancellation {
    static func cancel(caseId: UUID, request: HukouCancellationRequested, decidedBy: String, reason: String?,
                       context: HandlerContext) throws {
        let now = Timestamp.now()
        let household = try Register.cancel(idNumber: request.deceased.idNumber, caseId: caseId,
                                            certificateNumber: request.certificate.number, at: now,
                                            decidedBy: decidedBy, reason: reason, on: context.db)
        try CaseLedger.setStatus("cancelled", item: .hukou, caseId: caseId, on: context.db)
        try context.emit(.hukouCancelled, HukouCancelled(deceasedIdNumber: request.deceased.idNumber,
                                                         householdNumber: household, cancelledAt: now,
                                                         decidedBy: decidedBy))
        context.logger.info("registration cancelled", metadata: ["decided_by": "\(decidedBy)"])
    }
}

extension WorkingDayDeadline {
    /// Warns, and sets `houshi_calendar_missing_year{year}`, for each year counted without data.
    func reported(to logger: Logger) -> WorkingDayDeadline {
        for year in yearsWithoutData.sorted() {
            Gauge(label: "houshi_calendar_missing_year", dimensions: [("year", "\(year)")]).record(1)
            logger.warning("no official calendar for the year: its deadline counts weekends only; load it with `public-security calendar import`",
                           metadata: ["year": "\(year)"])
        }
        return self
    }
}

extension Cancellation {
    /// An officer's approval of a held request: cancels an active registration (`cancelled`), or
    /// confirms one already cancelled outside this case (`confirmed-cancelled`, the
    /// `already-cancelled` hold); `RegisterConflict` when the register allows neither.
    static func approve(caseId: UUID, request: HukouCancellationRequested, officer: String, reason: String,
                        context: HandlerContext) throws -> String {
        do {
            try cancel(caseId: caseId, request: request, decidedBy: officer, reason: reason, context: context)
            return "cancelled"
        } catch is RegisterConflict {
            try confirmEarlier(caseId: caseId, request: request, confirmedBy: officer, reason: reason, context: context)
            return "confirmed-cancelled"
        }
    }

    /// An officer confirms that the registration was cancelled before this case (the `already-cancelled`
    /// hold): recorded with who and why, and published as `hukou.cancelled`, so that nothing waits on it.
    static func confirmEarlier(caseId: UUID, request: HukouCancellationRequested, confirmedBy officer: String,
                               reason: String, context: HandlerContext) throws {
        let now = Timestamp.now()
        let (household, cancelledAt) = try Register.confirmEarlierCancellation(
            idNumber: request.deceased.idNumber, caseId: caseId, at: now, confirmedBy: officer, reason: reason, on: context.db)
        try CaseLedger.setStatus("cancelled", item: .hukou, caseId: caseId, on: context.db)
        try context.emit(.hukouCancelled, HukouCancelled(deceasedIdNumber: request.deceased.idNumber,
                                                         householdNumber: household, cancelledAt: cancelledAt ?? now,
                                                         decidedBy: officer, previouslyCancelled: true))
        context.logger.info("earlier cancellation confirmed", metadata: ["decided_by": "\(officer)"])
    }
}
