import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiWeb

/// The 登记表 as the hospital's page posts it: each input is named by the API field it fills
/// (`deceased.idNumber`), so the API's field errors land beside the same inputs. Turning the
/// form into a `DeathNotice` is all this does; the notice is then checked by `NoticeValidation`,
/// as a posted JSON notice is.
struct NoticeForm {
    let fields: FormFields

    /// The largest form body: four scans at the attachments' limit and the fields.
    static let bodyLimit = 4 * Attachments.sizeLimit + FormFields.textFormLimit

    /// The notice; throws `APIError.invalidNotice` with the problems that keep the form from
    /// being one (missing or unreadable inputs), each at its input.
    func notice() throws -> DeathNotice {
        var problems: [FieldError] = []
        func required(_ name: String) -> String {
            if let value = fields.text(name) { return value }
            problems.append(FieldError(field: name, message: "is required", messageZh: "须填写"))
            return ""
        }
        func choice<T: RawRepresentable<String>>(_ name: String, _: T.Type) -> T? {
            guard let raw = fields.text(name) else {
                problems.append(FieldError(field: name, message: "choose one", messageZh: "请选择"))
                return nil
            }
            guard let value = T(rawValue: raw) else {
                problems.append(FieldError(field: name, message: "is not one of the choices", messageZh: "选项无效"))
                return nil
            }
            return value
        }
        func time(_ name: String) -> Timestamp? {
            let text = required(name)
            guard !text.isEmpty else { return nil }
            guard let time = Self.beijingTime(text) else {
                problems.append(FieldError(field: name, message: "must be a date and time like 2026-11-28 06:15",
                                           messageZh: "须为日期和时间，如2026-11-28 06:15"))
                return nil
            }
            return time
        }

        let certificateForm = choice("certificate.form", CertificateForm.self)
        let certificateNumber = required("certificate.number")
        let issuedAt = time("certificate.issuedAt")
        let name = required("deceased.name")
        let idNumber = required("deceased.idNumber").uppercased()
        let sex = choice("deceased.sex", Sex.self)
        let ageText = required("deceased.age")
        let age = Int(ageText)
        if !ageText.isEmpty, age.map({ !(0...150).contains($0) }) ?? true {
            problems.append(FieldError(field: "deceased.age", message: "must be a whole number of years",
                                       messageZh: "须为整数岁"))
        }
        let hukouAddress = required("deceased.hukouAddress")
        let diedAt = time("deceased.diedAt")
        let manner = choice("deceased.mannerOfDeath", MannerOfDeath.self)
        let employer = choice("deceased.employerType", EmployerType.self)
        let applicant = DeathNotice.Applicant(
            name: required("applicant.name"), phone: required("applicant.phone"),
            idNumber: required("applicant.idNumber").uppercased(), address: required("applicant.address"),
            relation: choice("applicant.relation", ApplicantRelation.self) ?? .child)
        let beneficiary = self.beneficiary(required: required)
        let body = self.body(required: required, time: time)
        let placement = choice("ashes.placement", AshesPlacement.self)
        let placeName = required("ashes.placeName")
        var items: [Item] = []
        for raw in fields.values("requestedItems") {
            guard let item = Item(rawValue: raw) else {
                problems.append(FieldError(field: "requestedItems", message: "names an unknown item", messageZh: "办理事项无效"))
                continue
            }
            items.append(item)
        }
        let signedAt = time("applicantSignedAt")
        let attachments = self.attachments()

        guard problems.isEmpty, let certificateForm, let issuedAt, let sex, let age, let diedAt, let manner,
              let employer, let body, let placement, let signedAt
        else { throw APIError.invalidNotice(problems) }
        return DeathNotice(
            certificate: DeathCertificate(form: certificateForm, number: certificateNumber, issuedAt: issuedAt,
                                          doctor: fields.text("certificate.doctor")),
            deceased: DeathNotice.Deceased(
                name: name, idNumber: idNumber, sex: sex, age: age, ethnicity: fields.text("deceased.ethnicity"),
                hukouAddress: hukouAddress, residenceTownship: fields.text("deceased.residenceTownship"),
                diedAt: diedAt, causeOfDeath: fields.text("deceased.causeOfDeath"), mannerOfDeath: manner,
                employerType: employer),
            applicant: applicant, beneficiary: beneficiary, body: body,
            ashes: Ashes(placement: placement, placeName: placeName), requestedItems: items,
            commitments: DeathNotice.Commitments(civilizedFuneral: fields.text("commitments.civilizedFuneral") != nil,
                                                 truthful: fields.text("commitments.truthful") != nil),
            applicantSignedAt: signedAt, attachments: attachments.isEmpty ? nil : attachments)
    }

    /// The beneficiary when any of its inputs is filled; all of them are then required.
    private func beneficiary(required: (String) -> String) -> DeathNotice.NoticeBeneficiary? {
        let names = ["beneficiary.name", "beneficiary.relation", "beneficiary.idNumber", "beneficiary.bankAccount",
                     "beneficiary.bank"]
        guard names.contains(where: { fields.text($0) != nil }) else { return nil }
        return DeathNotice.NoticeBeneficiary(
            name: required(names[0]), relation: required(names[1]), idNumber: required(names[2]).uppercased(),
            bankAccount: required(names[3]).filter { $0 != " " }, bank: required(names[4]))
    }

    /// At a funeral home (which), or to be picked up (where and when).
    private func body(required: (String) -> String, time: (String) -> Timestamp?) -> BodyLocation? {
        switch fields.text("body.atFuneralHome") {
        case "true":
            return .atFuneralHome(funeralHome: required("body.funeralHome"))
        case "false":
            let address = required("body.pickupAddress")
            return time("body.pickupAt").map { .pickup(address: address, at: $0) }
        default:
            _ = required("body.atFuneralHome")
            return nil
        }
    }

    /// The chosen scans, one input each, base64 as the API takes them (checked by `NoticeValidation`).
    private func attachments() -> [NoticeAttachment] {
        AttachmentKind.allCases.compactMap { kind in
            fields.file(Self.fileInput(kind)).map {
                NoticeAttachment(kind: kind, contentType: $0.contentType, data: $0.data.base64EncodedString())
            }
        }
    }

    /// The file input of a scan.
    static func fileInput(_ kind: AttachmentKind) -> String { "attachments.\(kind.rawValue)" }

    /// `2026-11-28T06:15` (a `datetime-local` input), with seconds or a space too, read as Beijing time.
    static func beijingTime(_ text: String) -> Timestamp? {
        var text = text.replacingOccurrences(of: " ", with: "T")
        if text.count == 16 { text += ":00" }
        guard text.count == 19 else { return nil }
        return Timestamp(rfc3339: text + "+08:00")
    }
}
