import HoushiContract
import HoushiRuntime
import HoushiWeb

/// One input of the 登记表 page: its name (the API field), what was typed or chosen, the error
/// beside it, and the choices of a select, radio group or checkbox group.
struct FieldView {
    struct Choice {
        let value: String
        let label: String
        let selected: Bool
    }

    let name: String
    /// The element id: the name with `.` and `-` as `_` (also the key the template uses).
    let id: String
    let value: String
    let error: String?
    let errorEnglish: String?
    let choices: [Choice]
    /// A single checkbox that is ticked.
    let checked: Bool
}

/// What the 登记表 page shows: every input with its value and error, keyed by `FieldView.id`
/// (`{{#f.deceased_name}}` in the template), and the problems listed at the top.
struct NoticeFormView {
    /// A problem in the list at the top, linking to its input.
    struct Problem {
        let id: String
        let text: String
    }

    let chrome: IntakePages.Chrome
    let f: [String: FieldView]
    let problems: [Problem]
    let problemCount: Int
    let hasProblems: Bool
    /// Files were chosen but must be chosen again (a browser does not keep them).
    let filesToChooseAgain: Bool
    let general: [String]

    /// The choices of each select, radio and checkbox group, in the order the paper form lists them.
    static let choices: [String: [(String, String)]] = [
        "certificate.form": [("national-2026", "居民死亡医学证明（2026年7月1日起）"),
                             ("legacy", "居民死亡医学证明（推断）书（2026年7月1日前）")],
        "deceased.sex": [("male", "男"), ("female", "女")],
        "deceased.mannerOfDeath": [("natural", "正常死亡"), ("unnatural", "非正常死亡"),
                                   ("pending-investigation", "死因待查")],
        "deceased.employerType": [("enterprise", "企业职工或城乡居民"), ("public-institution", "机关事业单位人员"),
                                  ("none", "无工作单位")],
        "applicant.relation": [("child", "子女"), ("spouse", "配偶"), ("parent", "父母"), ("grandchild", "孙子女、外孙子女"),
                               ("sibling", "兄弟姐妹"), ("other-relative", "其他亲属"), ("agent", "委托人")],
        "beneficiary.relation": [("", "请选择"), ("child", "子女"), ("spouse", "配偶"), ("parent", "父母"),
                                 ("grandchild", "孙子女、外孙子女"), ("grandparent", "祖父母、外祖父母"),
                                 ("sibling", "兄弟姐妹"), ("other-relative", "其他亲属")],
        "body.atFuneralHome": [("true", "是，已运达殡仪馆"), ("false", "否，需接运遗体")],
        "ashes.placement": [("funeral-home", "殡仪馆"), ("commercial-cemetery", "经营性公墓"),
                            ("public-welfare-cemetery", "乡村公益性墓地或骨灰堂"), ("pre-reform-tomb", "殡改前已建寿坟")],
        "requestedItems": [("cremation", "火化前期手续办理"), ("hukou", "亡故人户口注销"),
                           ("pension", "亡故人养老保险、丧葬费、抚恤金申领"), ("medical-account", "亡故人医疗保险个人帐户清算")],
    ]

    /// Every input's name.
    static let names = [
        "certificate.form", "certificate.number", "certificate.issuedAt", "certificate.doctor",
        "deceased.name", "deceased.sex", "deceased.age", "deceased.ethnicity", "deceased.idNumber",
        "deceased.hukouAddress", "deceased.residenceTownship", "deceased.diedAt", "deceased.causeOfDeath",
        "deceased.mannerOfDeath", "deceased.employerType",
        "applicant.name", "applicant.phone", "applicant.idNumber", "applicant.address", "applicant.relation",
        "beneficiary.name", "beneficiary.relation", "beneficiary.idNumber", "beneficiary.bankAccount", "beneficiary.bank",
        "body.atFuneralHome", "body.funeralHome", "body.pickupAddress", "body.pickupAt",
        "ashes.placement", "ashes.placeName", "requestedItems",
        "commitments.civilizedFuneral", "commitments.truthful", "applicantSignedAt",
    ] + AttachmentKind.allCases.map(NoticeForm.fileInput)

    /// A new, empty form: the current certificate form and the signature time now.
    static func empty(chrome: IntakePages.Chrome, now: Timestamp) -> NoticeFormView {
        let minute = String(now.inBeijingTime.rfc3339.prefix(16))
        return NoticeFormView(chrome: chrome, values: ["certificate.form": ["national-2026"],
                                                       "applicantSignedAt": [minute]],
                              problems: [], filesChosen: false)
    }

    /// The form as it was sent, with its problems beside their inputs.
    static func sent(_ fields: FormFields, problems: [FieldError], chrome: IntakePages.Chrome) -> NoticeFormView {
        var values: [String: [String]] = [:]
        for name in names { values[name] = fields.values(name) }
        let chosen = AttachmentKind.allCases.filter { fields.file(NoticeForm.fileInput($0)) != nil }
        return NoticeFormView(chrome: chrome, values: values, problems: problems.map { inputOf($0, chosenScans: chosen) },
                              filesChosen: !chosen.isEmpty)
    }

    private init(chrome: IntakePages.Chrome, values: [String: [String]], problems: [FieldError], filesChosen: Bool) {
        self.chrome = chrome
        var byInput: [String: FieldView] = [:]
        for name in Self.names {
            let sent = values[name] ?? []
            let problem = problems.first { $0.field == name }
            let choices = (Self.choices[name] ?? []).map { value, label in
                FieldView.Choice(value: value, label: label, selected: sent.contains(value))
            }
            let view = FieldView(name: name, id: Self.id(name), value: sent.first?.trimmingWhitespace ?? "",
                                 error: problem?.messageZh, errorEnglish: problem?.message, choices: choices,
                                 checked: !(sent.first ?? "").isEmpty)
            byInput[view.id] = view
        }
        f = byInput
        self.problems = problems.map { Problem(id: Self.id($0.field), text: $0.messageZh) }
        problemCount = problems.count
        hasProblems = !problems.isEmpty
        filesToChooseAgain = filesChosen && !problems.isEmpty
        general = problems.filter { !Self.names.contains($0.field) }.map(\.messageZh)
    }

    static func id(_ name: String) -> String {
        String(name.map { $0 == "." || $0 == "-" ? "_" : $0 })
    }

    /// The input a problem belongs beside: `attachments[i]` is the i-th chosen scan's input,
    /// `beneficiary` (missing) the beneficiary's name.
    private static func inputOf(_ problem: FieldError, chosenScans: [AttachmentKind]) -> FieldError {
        var problem = problem
        if problem.field == "beneficiary" { problem.field = "beneficiary.name" }
        if problem.field.hasPrefix("attachments["),
           let index = Int(problem.field.dropFirst("attachments[".count).prefix { $0.isNumber }),
           chosenScans.indices.contains(index) {
            problem.field = NoticeForm.fileInput(chosenScans[index])
        }
        return problem
    }
}
