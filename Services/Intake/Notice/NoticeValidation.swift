import FoundationEssentials
import HoushiContract
import HoushiRuntime

/// The checks a notice must pass before a case opens: plain rules, no I/O.
enum NoticeValidation {
    /// Every problem found; empty when the notice is acceptable. `now` bounds times in the future;
    /// `localInstitution` tells whether the posting institution is in the city.
    static func problems(in notice: DeathNotice, localInstitution: Bool = true, now: Timestamp) -> [FieldError] {
        var errors: [FieldError] = []
        func fail(_ field: String, _ english: String, _ chinese: String) {
            errors.append(FieldError(field: field, message: english, messageZh: chinese))
        }
        if !localInstitution {
            fail("institution", "is not a medical institution of the city; this case goes to the offline process",
                 "非本市医疗机构，不适用一站式联办，请按线下流程办理")
        }
        let deceased = notice.deceased
        let diedOn = deceased.diedAt.beijingDate
        switch Result(catching: { () throws(ResidentIDNumber.Problem) in try ResidentIDNumber(deceased.idNumber) }) {
        case .success(let id):
            if id.sex != deceased.sex {
                fail("deceased.sex", "does not agree with the ID number", "与身份证号码的性别不符")
            }
            if id.age(on: diedOn) != deceased.age {
                fail("deceased.age", "does not agree with the ID number and the time of death (\(id.age(on: diedOn)))",
                     "与身份证号码和死亡时间推算的年龄（\(id.age(on: diedOn))岁）不符")
            }
            if diedOn < id.birthDate {
                fail("deceased.diedAt", "is before the birth date", "早于出生日期")
            }
        case .failure(let problem):
            fail("deceased.idNumber", problem.english, problem.chinese)
        }
        if deceased.diedAt > now { fail("deceased.diedAt", "is in the future", "晚于当前时间") }
        if notice.certificate.issuedAt < deceased.diedAt {
            fail("certificate.issuedAt", "is before the time of death", "早于死亡时间")
        }
        if deceased.mannerOfDeath != .natural {
            fail("deceased.mannerOfDeath",
                 "only a natural death takes the one-stop path; this case goes to the offline process",
                 "非自然死亡不适用一站式联办，请按线下流程办理")
        }
        if case .failure(let problem) = Result(catching: { () throws(ResidentIDNumber.Problem) in
            try ResidentIDNumber(notice.applicant.idNumber)
        }) {
            fail("applicant.idNumber", problem.english, problem.chinese)
        }
        if !isMainlandMobile(notice.applicant.phone) {
            fail("applicant.phone", "must be an 11-digit mainland mobile number", "须为11位大陆手机号码")
        }
        if notice.requestedItems.isEmpty {
            fail("requestedItems", "must name at least one item", "至少选择一个办理事项")
        } else if Set(notice.requestedItems).count != notice.requestedItems.count {
            fail("requestedItems", "names an item twice", "办理事项重复")
        }
        let needsBeneficiary = notice.requestedItems.contains(.pension) || notice.requestedItems.contains(.medicalAccount)
        if let beneficiary = notice.beneficiary {
            if case .failure(let problem) = Result(catching: { () throws(ResidentIDNumber.Problem) in
                try ResidentIDNumber(beneficiary.idNumber)
            }) {
                fail("beneficiary.idNumber", problem.english, problem.chinese)
            }
            if !(12...30).contains(beneficiary.bankAccount.count) || !beneficiary.bankAccount.allSatisfy(\.isASCIIDigit) {
                fail("beneficiary.bankAccount", "must be 12 to 30 digits", "须为12至30位数字")
            }
            if needsBeneficiary, beneficiary.directRelative == nil {
                fail("beneficiary.relation",
                     "must be a direct relative (spouse, child, parent, grandchild, grandparent) to receive the pension "
                         + "and medical-account benefits; got \"\(beneficiary.relation)\"",
                     "领取人须为逝者的直系亲属（配偶、子女、父母、孙子女、外孙子女、祖父母、外祖父母）")
            }
        } else if needsBeneficiary {
            fail("beneficiary", "is required when pension or medical-account is requested",
                 "申请养老保险或医保个人帐户清算时须填写领取人")
        }
        if notice.ashes.placeName.trimmingWhitespace.isEmpty {
            fail("ashes.placeName", "must name the place", "须填写骨灰安放地点")
        }
        switch notice.body {
        case .atFuneralHome(let funeralHome) where funeralHome.trimmingWhitespace.isEmpty:
            fail("body.funeralHome", "must name the funeral home", "须填写殡仪馆名称")
        case .pickup(let address, _) where address.trimmingWhitespace.isEmpty:
            fail("body.pickupAddress", "must give the pickup address", "须填写接运地址")
        case .pickup(_, let at) where at < deceased.diedAt:
            fail("body.pickupAt", "is before the time of death", "早于死亡时间")
        default:
            break
        }
        if !notice.commitments.civilizedFuneral {
            fail("commitments.civilizedFuneral", "must be accepted", "须承诺文明节俭办丧事")
        }
        if !notice.commitments.truthful {
            fail("commitments.truthful", "must be accepted", "须承诺所填信息真实")
        }
        if notice.applicantSignedAt > now { fail("applicantSignedAt", "is in the future", "晚于当前时间") }
        for (index, attachment) in (notice.attachments ?? []).enumerated() {
            guard let data = Data(base64Encoded: attachment.data) else {
                fail("attachments[\(index)].data", "must be base64", "须为base64编码")
                continue
            }
            if let problem = Attachments.check(contentType: attachment.contentType, data: data) {
                fail("attachments[\(index)]", problem.message, problem.messageZh)
            }
        }
        return errors
    }

    /// 11 digits starting with 1 and a second digit 3–9.
    static func isMainlandMobile(_ phone: String) -> Bool {
        let digits = Array(phone)
        return digits.count == 11 && digits.allSatisfy(\.isASCIIDigit) && digits[0] == "1" && ("3"..."9").contains(digits[1])
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
