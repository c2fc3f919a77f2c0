import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import Logging

/// The one way a notice opens a case, whether a hospital's system posts it as JSON or a staff
/// member submits the 登记表 page: validated by `NoticeValidation`, opened with the notices
/// that arrive together in one transaction, its messages published once that commits.
struct NoticeOpening: Sendable {
    let context: ServiceContext
    let links: FamilyLinkSource
    /// Seals the notices' attachments.
    let sealKey: SealKey
    /// Notices submitted together open their cases in one transaction.
    let openings: GroupCommit<PreparedNotice, OpenedNotice>
    /// The most notices opened in one transaction.
    static let openingBatchLimit = 32

    init(context: ServiceContext, links: FamilyLinkSource, sealKey: SealKey) {
        self.context = context
        self.links = links
        self.sealKey = sealKey
        openings = GroupCommit(limit: Self.openingBatchLimit) { notices in
            await Self.open(notices, context: context, links: links, sealKey: sealKey)
        }
    }

    /// Validates the notice (throwing `APIError.invalidNotice` with every problem) and opens its
    /// case, or finds the case its deceased already has. `enteredBy` is the staff member who
    /// entered it on the page (nil for a system posting through the API).
    func submit(_ notice: DeathNotice, institution: Institution, enteredBy: UUID?,
                trace: TraceParent) async throws -> OpenedNotice {
        let notice = notice.inBeijingTime
        let problems = NoticeValidation.problems(in: notice, localInstitution: institution.local, now: .now())
        guard problems.isEmpty else { throw APIError.invalidNotice(problems) }
        let opened = try await openings.submit(try PreparedNotice(notice, institution: institution, enteredBy: enteredBy,
                                                                  trace: trace))
        var logger = context.logger
        logger[metadataKey: "trace_id"] = "\(trace.traceId)"
        switch opened.outcome {
        case .opened(let caseId):
            logger.info("case opened", metadata: ["case": "\(caseId.lowercased)", "institution": "\(institution.code)",
                                                  "entered_by": "\(enteredBy?.lowercased ?? "api")",
                                                  "items": "\(notice.requestedItems.map(\.rawValue))"])
        case .repeated(let caseId):
            logger.info("notice repeated, case unchanged", metadata: ["case": "\(caseId.lowercased)"])
        case .conflicting(let caseId):
            logger.warning("different notice for a deceased with a case", metadata: ["case": "\(caseId.lowercased)"])
        case .openedElsewhere(let caseId):
            logger.warning("notice for a deceased whose case another institution opened",
                           metadata: ["case": "\(caseId.lowercased)", "institution": "\(institution.code)"])
        }
        return opened
    }

    /// Opens the notices' cases in one transaction, and hands their messages to the publisher once
    /// it commits; if it fails with anything but the database being unavailable, each notice alone
    /// in a transaction of its own, so that one notice's problem is its own.
    private static func open(_ notices: [PreparedNotice],
                             context: ServiceContext, links: FamilyLinkSource,
                             sealKey: SealKey) async -> [Result<OpenedNotice, any Error>] {
        func transaction(_ notices: [PreparedNotice]) async -> Result<[OpenedNotice], any Error> {
            await Result(asyncCatching: {
                let opened = try await context.withDatabase { db in
                    try db.withTransaction { tx in
                        let opened = try CaseStore.open(notices, sealingWith: sealKey, on: tx)
                        try links.links(on: tx).record(caseIds: opened.compactMap {
                            if case .opened(let caseId) = $0.outcome { caseId } else { nil }
                        }, on: tx)
                        return opened
                    }
                }
                context.publisher.handOver(opened.flatMap(\.messages))
                return opened
            })
        }
        switch await transaction(notices) {
        case .success(let opened):
            return opened.map { .success($0) }
        case .failure(let error) where notices.count == 1 || error is APIError:
            return notices.map { _ in .failure(error) }
        case .failure(let error):
            context.logger.warning("notices failed together; opening each alone",
                                   metadata: ["count": "\(notices.count)", "error": "\(error)"])
            var results: [Result<OpenedNotice, any Error>] = []
            for notice in notices {
                results.append(await transaction([notice]).map { $0[0] })
            }
            return results
        }
    }

}
