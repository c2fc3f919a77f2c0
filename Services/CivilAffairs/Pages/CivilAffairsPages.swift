import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiStorage
import HoushiWeb
import Hummingbird
import Logging

/// The funeral home staff's pages: the day's and the next day's pickups, the cremation record,
/// the certificate to print, finding a certificate by the deceased's ID number, and the shared
/// held-item pages.
struct CivilAffairsPages: Sendable {
    let console: OfficerConsole
    let work: CremationWork

    init(context: ServiceContext) throws {
        console = try OfficerConsole(context: context, navigation: [("/pickups", "接运"), ("/certificates", "火化证明")],
                                     sourceFolder: URL(filePath: #filePath).deletingLastPathComponent().path)
        work = CremationWork(context: context)
    }

    var root: String { console.site.root }

    func register(on router: Router<BasicRequestContext>) {
        let pages = console.routes(on: router, home: "/pickups", desk: CremationDesk(work: work))
        pages.get("/pickups") { request, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let day = try DayNavigation(request, path: "\(root)/pickups")
            let days = [day.date, day.date.adding(days: 1)]
            let scope = try await scope(of: signedIn)
            var lists: [PickupsView.Day] = []
            for date in days {
                // A city's day has far fewer pickups than a page this size.
                let entries = try await work.pickups(on: date, page: PageQuery(size: 1_000), scope: scope,
                                                     readBy: .officer(id: signedIn.officer.id)).items
                lists.append(PickupsView.Day(label: date == day.date ? day.label : "次日（\(date.chineseMonthDay)）",
                                             rows: entries.map(pickupRow)))
            }
            return try console.page("pickups", PickupsView(site: console.site, chrome: signedIn.chrome, day: day, days: lists,
                                                           back: "\(root)/pickups?date=\(day.date)"))
        }
        pages.post("/pickups/:caseId/confirm") { request, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let fields = try await console.form(request, signedIn)
            let caseId = try caseId(requestContext)
            do {
                try await work.confirmPickup(caseId: caseId, scope: try await scope(of: signedIn), by: signedIn.officer.login,
                                             logger: console.logger(caseId: caseId, officer: signedIn.officer))
            } catch let error as APIError where error.status == .conflict {
                // Confirmed already (by a colleague, or a second click): the list shows it.
            }
            // Back to the day the list showed (the pages send no Referer).
            let back = fields["back"]
            return seeOther(back.hasPrefix("\(root)/pickups") && !back.contains("//") ? back : "\(root)/pickups")
        }
        pages.get("/cremations/:caseId") { _, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            return try await cremationForm(try caseId(requestContext), signedIn)
        }
        pages.post("/cremations/:caseId") { request, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let caseId = try caseId(requestContext)
            let fields = try await console.form(request, signedIn)
            let form = CremationForm(fields: fields)
            guard let record = form.record else {
                return try await cremationForm(caseId, signedIn, sent: form, problems: form.problems)
            }
            do {
                _ = try await work.recordCremation(caseId: caseId, record: record, scope: try await scope(of: signedIn),
                                                   by: signedIn.officer.login,
                                                   logger: console.logger(caseId: caseId, officer: signedIn.officer))
            } catch let error as APIError where error.status == .unprocessableContent || error.status == .conflict {
                return try await cremationForm(caseId, signedIn, sent: form,
                                               problems: error.fields.isEmpty ? ["": error.pageMessage]
                                                   : Dictionary(error.fields.map { ($0.field, $0.messageZh) },
                                                                uniquingKeysWith: { first, _ in first }),
                                               status: error.status)
            }
            return seeOther("\(root)/certificates/\(caseId.lowercased)")
        }
        pages.get("/certificates") { request, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let query = request.uri.queryParameters["q"].map { String($0).trimmingWhitespace.uppercased() } ?? ""
            let scope = try await scope(of: signedIn)
            let (found, walkIn) = query.isEmpty ? ([], nil) : try await console.context.database.withConnection { db in
                (try Certificates.issued(idNumber: String(query.prefix(18)), scope: scope, on: db),
                 try WalkIns.id(forIdNumber: String(query.prefix(18)), on: db))
            }
            return try console.page("certificates", SearchView(
                site: console.site, chrome: signedIn.chrome, q: query, searched: !query.isEmpty,
                walkInHref: walkIn.map { "\(root)/walk-ins/\($0.lowercased)" },
                newWalkInHref: found.isEmpty && walkIn == nil && !query.isEmpty
                    ? "\(root)/walk-ins/new?q=\(query.filter { $0.isASCII && ($0.isNumber || $0 == "X") })" : nil,
                rows: found.map { SearchView.Row(href: "\(root)/certificates/\($0.caseId.lowercased)", number: $0.number,
                                                 deceasedName: $0.deceasedName, issuedAt: $0.issuedAt.chineseDateTime,
                                                 cremated: $0.crematedAt != nil) }))
        }
        pages.get("/walk-ins/new") { request, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let idNumber = request.uri.queryParameters["q"].map(String.init) ?? ""
            return try await walkInForm(signedIn, values: ["deceasedIdNumber": idNumber])
        }
        pages.post("/walk-ins") { request, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let fields = try await console.form(request, signedIn)
            let form = WalkInForm(fields: fields)
            guard form.problems.isEmpty else {
                return try await walkInForm(signedIn, values: form.values, problems: form.problems,
                                            status: .unprocessableContent)
            }
            let officer = signedIn.officer.login
            let scope = try await scope(of: signedIn)
            let outcome = try await console.context.database.withConnection { db -> Result<UUID, WalkInRefusal> in
                try db.withTransaction { tx in
                    try WalkIns.lockDeceased(form["deceasedIdNumber"], on: tx)
                    guard let home = try FuneralHomes.withCode(form["funeralHomeCode"], on: tx), home.local
                    else { return .failure(.unknownHome) }
                    guard scope.allows(home.code) else { return .failure(.otherHome) }
                    if let existing = try Certificates.issued(idNumber: form["deceasedIdNumber"], on: tx).first {
                        return .failure(.certified(existing.caseId))
                    }
                    return .success(try WalkIns.record(
                        idNumber: form["deceasedIdNumber"], name: form["deceasedName"],
                        deathCertificateNumber: form["deathCertificateNumber"], checked: form["checked"], home: home,
                        by: officer, on: tx))
                }
            }
            switch outcome {
            case .success(let id):
                console.context.logger.info("walk-in recorded at the funeral home", metadata: ["officer": "\(officer)"])
                return seeOther("\(root)/walk-ins/\(id.lowercased)")
            case .failure(.certified(let caseId)):
                return seeOther("\(root)/certificates/\(caseId.lowercased)")
            case .failure(.unknownHome):
                return try await walkInForm(signedIn, values: form.values, problems: ["funeralHomeCode": "请选择本市殡仪馆"],
                                            status: .unprocessableContent)
            case .failure(.otherHome):
                return try await walkInForm(signedIn, values: form.values, problems: ["funeralHomeCode": "只能登记本殡仪馆的火化"],
                                            status: .unprocessableContent)
            }
        }
        pages.get("/walk-ins/:id") { _, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let scope = try await scope(of: signedIn)
            guard let id = requestContext.parameters.get("id").flatMap(UUID.init(text:)),
                  let walkIn = try await console.context.database.withConnection({ db in try WalkIns.find(id: id, on: db) }),
                  scope.allows(walkIn.funeralHome.code)
            else { throw HTTPError(.notFound) }
            return try console.page("certificate", CertificateView(walkIn, site: console.site, chrome: signedIn.chrome))
        }
        pages.get("/certificates/:caseId") { _, requestContext in
            let signedIn = try await console.signedIn(requestContext)
            let caseId = try caseId(requestContext)
            let scope = try await scope(of: signedIn)
            guard let issued = try await console.context.database.withConnection({ db in
                let issued = try Certificates.issued(caseId: caseId, scope: scope, on: db).first
                if issued != nil {
                    try CaseReads.record(caseId: caseId, by: .officer(id: signedIn.officer.id), view: .certificate, on: db)
                }
                return issued
            }) else { throw HTTPError(.notFound) }
            return try console.page("certificate", CertificateView(issued, site: console.site, chrome: signedIn.chrome))
        }
    }

    /// The funeral homes whose work the signed-in officer sees: theirs, when assigned to one.
    private func scope(of signedIn: OfficerConsole.SignedIn) async throws -> FuneralHomeScope {
        try await console.context.database.withConnection { db in
            try FuneralHomeStaff.scope(of: .officer, signedIn.officer.login, on: db)
        }
    }

    private func caseId(_ requestContext: PageRequestContext) throws -> UUID {
        guard let caseId = requestContext.parameters.get("caseId").flatMap(UUID.init(text:)) else { throw HTTPError(.notFound) }
        return caseId
    }

    private func pickupRow(_ entry: CremationWork.PickupEntry) -> PickupsView.Row {
        PickupsView.Row(
            time: entry.requestedAt.dropFirst(11).prefix(5).description, deceasedName: entry.deceasedName,
            address: entry.address, certificateNumber: entry.certificateNumber,
            confirmAction: entry.status == "requested" ? "\(root)/pickups/\(entry.caseId)/confirm" : nil,
            recordHref: entry.cremated ? nil : "\(root)/cremations/\(entry.caseId)",
            certificateHref: "\(root)/certificates/\(entry.caseId)",
            state: entry.cremated ? "已火化" : entry.status == "confirmed" ? "已确认接运" : "待确认")
    }

    private func walkInForm(_ signedIn: OfficerConsole.SignedIn, values: [String: String], problems: [String: String] = [:],
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let homes = try await console.context.database.withConnection { db in try FuneralHomes.local(on: db) }
        let chosen = values["funeralHomeCode"] ?? homes.first?.code
        return try console.page("walk-in-form", WalkInFormView(
            site: console.site, chrome: signedIn.chrome, action: "\(root)/walk-ins", values: values,
            checked: values["checked"] ?? WalkInForm.usualChecks,
            homes: homes.map { DecisionOptions.Choice(value: $0.code, label: $0.name, selected: $0.code == chosen) },
            problems: problems), status: status)
    }

    private func cremationForm(_ caseId: UUID, _ signedIn: OfficerConsole.SignedIn, sent: CremationForm? = nil,
                               problems: [String: String] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let scope = try await scope(of: signedIn)
        let found = try await console.context.database.withConnection { db -> (Certificates.Issued, CremationRequested)? in
            guard let issued = try Certificates.issued(caseId: caseId, scope: scope, on: db).first,
                  let (request, _) = try CaseLedger.request(item: .cremation, caseId: caseId, as: CremationRequested.self, on: db)
            else { return nil }
            try CaseReads.record(caseId: caseId, by: .officer(id: signedIn.officer.id), view: .cremationForm, on: db)
            return (issued, request)
        }
        guard let (issued, request) = found else { throw HTTPError(.notFound) }
        if issued.crematedAt != nil, sent == nil { return seeOther("\(root)/certificates/\(caseId.lowercased)") }
        let placement = sent?.fields.text("ashes.placement") ?? request.ashes.placement.rawValue
        return try console.page("cremation-form", CremationFormView(
            site: console.site, chrome: signedIn.chrome, action: "\(root)/cremations/\(caseId.lowercased)",
            deceasedName: issued.deceasedName, certificateNumber: issued.number, funeralHome: issued.funeralHome.name,
            familyChoice: "\(request.ashes.placement.chineseName)：\(request.ashes.placeName)",
            crematedAt: sent?.fields["crematedAt"] ?? "",
            placements: AshesPlacement.allCases.map { DecisionOptions.Choice(value: $0.rawValue, label: $0.chineseName,
                                                                              selected: $0.rawValue == placement) },
            placeName: sent?.fields["ashes.placeName"] ?? request.ashes.placeName,
            receivedBy: sent?.fields["ashesReceivedBy"] ?? request.contact.name,
            problems: problems.sorted { $0.key < $1.key }.map(\.value),
            crematedAtError: problems["crematedAt"], placeNameError: problems["ashes.placeName"]), status: status)
    }
}

/// Why a walk-in was not recorded.
enum WalkInRefusal: Error {
    case unknownHome
    /// A home other than the officer's own.
    case otherHome
    /// The hospital's notice came first: its certificate.
    case certified(UUID)
}

/// A walk-in as the funeral home's page posts it, checked field by field.
struct WalkInForm: Sendable {
    static let usualChecks = "死亡医学证明（推断）书原件；逝者居民身份证；经办家属居民身份证"
    let values: [String: String]
    let problems: [String: String]

    init(fields: FormFields) {
        let names = ["deceasedName", "deceasedIdNumber", "deathCertificateNumber", "checked", "funeralHomeCode"]
        var values = Dictionary(uniqueKeysWithValues: names.map { ($0, fields[$0]) })
        values["deceasedIdNumber"] = values["deceasedIdNumber"]?.uppercased()
        var problems: [String: String] = [:]
        for (name, message) in [("deceasedName", "请填写逝者姓名"), ("deathCertificateNumber", "请填写死亡证明编号"),
                                ("checked", "请写明核验了哪些材料"), ("funeralHomeCode", "请选择本市殡仪馆")]
        where values[name, default: ""].isEmpty {
            problems[name] = message
        }
        do {
            _ = try ResidentIDNumber(values["deceasedIdNumber", default: ""])
        } catch {
            problems["deceasedIdNumber"] = "身份证号" + error.chinese
        }
        self.values = values
        self.problems = problems
    }

    /// A field's value, "" when it was left empty.
    subscript(_ name: String) -> String { values[name, default: ""] }
}

/// The cremation record as the page posts it: the time in Beijing time (`datetime-local`).
struct CremationForm: Sendable {
    let fields: FormFields
    let record: CremationRecord?
    let problems: [String: String]

    init(fields: FormFields) {
        self.fields = fields
        var problems: [String: String] = [:]
        let crematedAt = fields.text("crematedAt").flatMap { Timestamp(rfc3339: $0 + ($0.count == 16 ? ":00" : "") + "+08:00") }
        if crematedAt == nil { problems["crematedAt"] = "请填写火化时间" }
        let placement = fields.text("ashes.placement").flatMap(AshesPlacement.init(rawValue:))
        if placement == nil { problems["ashes.placement"] = "请选择骨灰安放方式" }
        self.problems = problems
        record = if let crematedAt, let placement {
            CremationRecord(crematedAt: crematedAt, ashes: Ashes(placement: placement, placeName: fields["ashes.placeName"]),
                            ashesReceivedBy: fields.text("ashesReceivedBy"))
        } else {
            nil
        }
    }
}

/// Civil affairs' part of the held-item pages: the request's body location and the family's
/// choice, the funeral home to approve at, and the decision through `CremationWork`.
struct CremationDesk: HeldItemDesk {
    let work: CremationWork

    func details(of held: HeldEntry, on db: PostgresConnection) throws -> [DetailSection] {
        guard let (request, _) = try CaseLedger.request(item: .cremation, caseId: held.caseId, as: CremationRequested.self,
                                                        on: db)
        else { return [] }
        let body: [DetailSection.Row] = switch request.body {
        case .atFuneralHome(let name): [.init("遗体所在", "殡仪馆：\(name)")]
        case .pickup(let address, let at): [.init("接运地址", address.isEmpty ? "（未填写）" : address),
                                             .init("接运时间", at.chineseDateTime)]
        }
        return [DetailSection(title: "火化申请", rows: [.init("死亡证明编号", request.certificateNumber)] + body + [
            .init("骨灰安放", "\(request.ashes.placement.chineseName)：\(request.ashes.placeName)"),
            .init("联系人", "\(request.contact.name)（\(Redact.phone(request.contact.phone))）"),
        ])]
    }

    func options(for held: HeldEntry, on db: PostgresConnection) throws -> DecisionOptions {
        // A withdrawn case's body already cremated: either way the staff record what they did.
        if held.reasonCode.hasSuffix("-before-withdrawal") {
            return DecisionOptions(approveLabel: "记录处理结果", rejectLabel: "记录处理结果（未能联系家属）")
        }
        let homes = try FuneralHomes.local(on: db)
        let preferred = try FuneralHomes.pickupHome(on: db)?.code
        return DecisionOptions(approveLabel: "批准，开具火化证明", fields: [
            .init(name: "funeralHomeCode", label: "承办殡仪馆",
                  choices: homes.map { .init(value: $0.code, label: $0.name, selected: $0.code == preferred) }),
        ])
    }

    func decide(_ decision: HeldDecision, officer: Officer, logger: Logger) async throws {
        if decision.approved {
            try await work.approve(caseId: decision.caseId, reason: decision.reason,
                                   funeralHomeCode: decision.fields.text("funeralHomeCode"), by: officer.login, logger: logger)
        } else {
            try await work.reject(caseId: decision.caseId, reason: decision.reason, by: officer.login, logger: logger)
        }
    }
}
