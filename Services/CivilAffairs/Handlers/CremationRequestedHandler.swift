import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage

/// `cremation.requested`: record the request, then certify, reject or hold it. A redelivered or
/// repeated request for the case changes nothing.
struct CremationRequestedHandler: MessageHandler {
    /// How long the funeral home's staff have to decide a held request (殡仪馆 work every day).
    static let reviewTime: Duration = .seconds(24 * 3600)
    var messageType: MessageType { .cremationRequested }

    func handle(_ message: Envelope<CremationRequested>, context: HandlerContext) throws {
        let request = message.payload
        let pickupHome: FuneralHome?
        let walkInWaits: Bool
        switch try CaseLedger.recordRequest(item: .cremation, context: context, along: {
            try WalkIns.lockDeceased(request.deceased.idNumber, on: context.db)
            return try FuneralHomes.pickupHome(walkInOf: request.deceased.idNumber, on: context.db)
        }) {
        case .new(let found):
            (pickupHome, walkInWaits) = found
        case .corrected(let status):
            if status == "certified", case .pickup(let address, let at) = request.body {
                let moved = try Certificates.movePickup(caseId: message.caseId, address: address, at: at, on: context.db)
                context.logger.info("corrected request applied", metadata: ["pickup_moved": "\(moved)"])
            }
            return
        case .nothing:
            context.logger.info("case already has a cremation request")
            return
        }
        if walkInWaits, let walkIn = try WalkIns.find(unjoinedIdNumber: request.deceased.idNumber, on: context.db) {
            // The family came to the funeral home first: the notice gets the certificate issued then.
            try WalkIns.join(walkIn, caseId: message.caseId, on: context.db)
            try Certificates.issue(caseId: message.caseId, request: request, home: walkIn.funeralHome, pickup: nil,
                                   issuedBy: walkIn.recordedBy, existing: walkIn.certificateNumber, context: context)
            context.logger.info("notice joined the funeral home's walk-in record")
            return
        }
        let named: FuneralHome? = if case .atFuneralHome(let name) = request.body {
            try FuneralHomes.named(name, on: context.db)
        } else {
            nil
        }
        switch CremationDecision.decide(request, named: named, pickupHome: pickupHome) {
        case .certify(let home, let pickup):
            try Certificates.issue(caseId: message.caseId, request: request, home: home, pickup: pickup,
                                   issuedBy: "system", context: context)
        case .reject(let code, let reason):
            try context.reject(.cremation, reasonCode: code, reason: reason)
            context.logger.info("cremation request rejected", metadata: ["reason_code": "\(code)"])
        case .hold(let code, let reason):
            let receivedAt = Timestamp.now()
            let deadline = Timestamp(receivedAt.date.addingTimeInterval(Self.reviewTime.seconds))
            try context.hold(.cremation, reasonCode: code, reason: reason, receivedAt: receivedAt, deadline: deadline)
            context.logger.info("cremation request held for the funeral home", metadata: ["reason_code": "\(code)"])
        }
    }
}
