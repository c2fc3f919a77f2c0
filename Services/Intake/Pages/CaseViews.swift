import FoundationEssentials
import HoushiContract
import HoushiRuntime
import HoushiWeb

/// A case's page and the printed 登记表 for the hospital, built from its record (the departments'
/// answers as `HospitalDisclosure` shows them).
struct CaseView {
    struct TimelineRow {
        let time: String
        let text: String
    }

    let chrome: IntakePages.Chrome?
    let number: String
    let caseId: String
    let deceasedName: String
    let openedAt: String
    let statusLabel: String
    let completed: Bool
    let items: [ItemProgress]
    /// What subscribers of the public facts did (公积金中心, …), as items of their own.
    let others: [ItemProgress]
    let hasOthers: Bool
    let timeline: [TimelineRow]
    let enteredBy: String?
    /// The withdrawal as the page states it, once withdrawn.
    let withdrawal: WithdrawalView?
    /// The form to withdraw the case, while it is not withdrawn (and the page is a staff member's).
    let withdrawalForm: WithdrawalForm?

    struct WithdrawalView {
        let at: String
        let by: String
        let reason: String
        let reversedAt: String?
    }

    /// The withdrawal form: the reason typed and its problem, when it came back (then it is open).
    struct WithdrawalForm {
        var reason = ""
        var error: String?
        var csrf = ""
        /// Stored, as the templates see only stored properties.
        var open = false

        init(reason: String = "", error: String? = nil) {
            self.reason = reason
            self.error = error
            open = error != nil
        }
    }

    init(_ record: CaseRecord, chrome: IntakePages.Chrome?, withdrawalForm form: WithdrawalForm = WithdrawalForm()) {
        self.chrome = chrome
        number = record.number.description
        caseId = record.caseId.lowercased
        deceasedName = record.notice.deceased.name
        openedAt = record.openedAt.chineseDateTime
        completed = record.status == "completed"
        withdrawal = record.withdrawal.map {
            WithdrawalView(at: $0.at.chineseDateTime, by: $0.by, reason: $0.reason,
                           reversedAt: $0.reversedAt?.chineseDateTime)
        }
        statusLabel = switch (record.status, record.withdrawal?.reversedAt) {
        case ("withdrawn", nil): "已撤回，各部门撤销中"
        case ("withdrawn", _): "已撤回，各部门已撤销"
        case ("completed", _): "已办结"
        default: "办理中"
        }
        var form = form
        form.csrf = chrome?.csrf ?? ""
        withdrawalForm = record.withdrawal == nil && chrome != nil ? form : nil
        items = record.items.map { row in
            ItemProgress.of(item: row.item, status: row.status,
                            result: row.result.map { HospitalDisclosure.visible(item: row.item, result: $0) },
                            waitingFor: row.waitingFor)
        }
        others = record.subscribers.map(ItemProgress.of)
        hasOthers = !others.isEmpty
        timeline = record.events.map { TimelineRow(time: $0.occurredAt.chineseDateTime, text: Self.eventText($0.type)) }
        enteredBy = record.enteredBy
    }

    /// A timeline event in words (`hukou.cancelled` → 户口注销：已办结).
    static func eventText(_ versionedType: String) -> String {
        var components = versionedType.split(separator: ".").map(String.init)
        if let last = components.last, last.first == "v", last.dropFirst().allSatisfy(\.isNumber) { components.removeLast() }
        let type = components.joined(separator: ".")
        switch type {
        case "death.notified": return "医疗机构受理登记，已推送公安、民政、人社等部门"
        case "death.voided": return "登记已撤回，已通知各部门撤销"
        case "death.corrected": return "登记内容已更正，已通知相关部门"
        case "case.completed": return "所申请事项均已有结果"
        default:
            let parts = type.split(separator: ".", maxSplits: 1).map(String.init)
            let item = parts.first.flatMap(Item.init(rawValue:))?.chineseName ?? parts.first ?? type
            let what = switch parts.last ?? "" {
            case "cancelled", "settled": "已办结"
            case "certified": "火化证明已开具"
            case "completed": "火化已完成"
            case "held": "转人工审核"
            case "rejected": "不适用联办，需到窗口办理"
            case "reversed": "已撤销"
            default: parts.last ?? ""
            }
            return "\(item)：\(what)"
        }
    }
}

/// The filled 登记表 laid out as the paper form, for printing on A4.
struct PrintView {
    struct Line {
        let label: String
        let value: String
    }

    let number: String
    let caseId: String
    let institutionName: String
    let applicant: [Line]
    let beneficiary: [Line]
    let publicInstitutionNote: Bool
    let deceased: [Line]
    let certificate: [Line]
    let body: [Line]
    let ashes: String
    let items: [FieldView.Choice]
    let civilizedFuneral: Bool
    let truthful: Bool
    let signedAt: String

    init(_ record: CaseRecord, institutionName: String) {
        let notice = record.notice
        func choice(_ name: String, _ value: String) -> String {
            NoticeFormView.choices[name]?.first { $0.0 == value }?.1 ?? value
        }
        number = record.number.description
        caseId = record.caseId.lowercased
        self.institutionName = institutionName
        applicant = [Line(label: "申请人姓名", value: notice.applicant.name),
                     Line(label: "联系电话", value: notice.applicant.phone),
                     Line(label: "身份证号码", value: notice.applicant.idNumber),
                     Line(label: "申请人地址", value: notice.applicant.address),
                     Line(label: "与亡故人关系", value: choice("applicant.relation", notice.applicant.relation.rawValue))]
        beneficiary = notice.beneficiary.map { b in
            [Line(label: "丧葬抚恤金领取人姓名", value: b.name),
             Line(label: "与逝者关系", value: choice("beneficiary.relation", b.relation)),
             Line(label: "身份证号码", value: b.idNumber),
             Line(label: "领取人银行帐号", value: "\(b.bank) \(b.bankAccount)")]
        } ?? []
        publicInstitutionNote = notice.deceased.employerType == .publicInstitution
        let d = notice.deceased
        deceased = [Line(label: "亡故人姓名", value: d.name), Line(label: "性别", value: choice("deceased.sex", d.sex.rawValue)),
                    Line(label: "年龄", value: "\(d.age)岁"), Line(label: "民族", value: d.ethnicity ?? ""),
                    Line(label: "身份证号码", value: d.idNumber), Line(label: "户籍所在地", value: d.hukouAddress),
                    Line(label: "暂住地/单位所在乡镇", value: d.residenceTownship ?? ""),
                    Line(label: "亡故时间", value: d.diedAt.chineseDateTime), Line(label: "亡故原因", value: d.causeOfDeath ?? "")]
        certificate = [Line(label: "《居民死亡医学证明（推断）书》编号", value: notice.certificate.number),
                       Line(label: "签发时间", value: notice.certificate.issuedAt.chineseDateTime),
                       Line(label: "签发医师", value: notice.certificate.doctor ?? "")]
        switch notice.body {
        case .atFuneralHome(let home):
            body = [Line(label: "是否已运达殡仪馆", value: "是"), Line(label: "殡仪馆名称", value: home)]
        case .pickup(let address, let at):
            body = [Line(label: "是否已运达殡仪馆", value: "否"), Line(label: "遗体接运地址", value: address),
                    Line(label: "接运时间", value: at.chineseDateTime)]
        }
        ashes = "\(choice("ashes.placement", notice.ashes.placement.rawValue))：\(notice.ashes.placeName)"
        items = (NoticeFormView.choices["requestedItems"] ?? []).map { value, label in
            FieldView.Choice(value: value, label: label, selected: notice.requestedItems.contains { $0.rawValue == value })
        }
        civilizedFuneral = notice.commitments.civilizedFuneral
        truthful = notice.commitments.truthful
        signedAt = notice.applicantSignedAt.chineseDate
    }
}

