import FoundationEssentials
import HoushiContract
import HoushiRuntime

/// A correction of a notice's facts (更正): the changes merged into the notice as stored, checked
/// like a new notice, and the fields that changed. Only what does not change who died may be
/// corrected; a wrong deceased is a withdrawal and a new notice.
enum NoticeCorrection {
    /// The notice's fields a correction may change: these objects' members, or these fields (the
    /// age with the time of death it follows from, checked against the ID number).
    static let correctable = [
        "deceased.diedAt", "deceased.age", "deceased.causeOfDeath", "deceased.mannerOfDeath", "deceased.hukouAddress",
        "deceased.residenceTownship", "deceased.ethnicity", "certificate", "applicant.phone", "applicant.address",
        "beneficiary", "body", "ashes",
    ]

    /// The notice with `changes` (an object shaped like the notice, holding only what changes)
    /// merged in, and the dotted paths of the fields whose values changed; or every problem, at
    /// its field in Chinese and English: a field that may not be corrected, a notice that would
    /// not pass as new, or no change at all.
    static func apply(_ changes: JSONValue, to notice: DeathNotice, localInstitution: Bool,
                      now: Timestamp) -> Result<(notice: DeathNotice, changed: [String]), APIError> {
        guard case .object = changes else {
            return .failure(.invalidCorrection([FieldError(field: "changes", message: "must be an object of the notice's fields",
                                                           messageZh: "须为登记内容中要更正的字段")]))
        }
        let refused = leaves(of: changes).filter { path in !correctable.contains { path == $0 || path.hasPrefix($0 + ".") } }
        if !refused.isEmpty {
            return .failure(.invalidCorrection(refused.map { path in
                path == "deceased.idNumber"
                    ? FieldError(field: "changes.\(path)",
                                 message: "a wrong deceased ID number is not a correction: withdraw the notice (POST /v1/cases/{id}/withdrawal) and post a new one",
                                 messageZh: "逝者身份证号错误不能更正：请撤回本登记后重新登记")
                    : FieldError(field: "changes.\(path)", message: "cannot be corrected (it says who died or what was asked)",
                                 messageZh: "该项不能更正；如逝者或申请事项有误，请撤回后重新登记")
            }))
        }
        let stored: JSONValue
        let corrected: DeathNotice
        do {
            stored = try JSONDecoder().decode(JSONValue.self, from: MessageCodec().encodeValue(notice))
            corrected = try JSONDecoder().decode(DeathNotice.self, from: JSONEncoder().encode(merged(stored, changes)))
                .inBeijingTime
        } catch {
            return .failure(.invalidCorrection([FieldError(decoding: error, body: Data())].map {
                FieldError(field: "changes." + $0.field, message: $0.message, messageZh: $0.messageZh)
            }))
        }
        let problems = NoticeValidation.problems(in: corrected, localInstitution: localInstitution, now: now)
        guard problems.isEmpty else { return .failure(.invalidCorrection(problems)) }
        let after: JSONValue
        do {
            after = try JSONDecoder().decode(JSONValue.self, from: MessageCodec().encodeValue(corrected))
        } catch {
            return .failure(.invalidCorrection([FieldError(field: "changes", message: "\(error)", messageZh: "更正内容无法处理")]))
        }
        let changed = differences(stored, after)
        guard !changed.isEmpty else {
            return .failure(.invalidCorrection([FieldError(field: "changes", message: "changes nothing",
                                                           messageZh: "更正内容与原登记相同")]))
        }
        return .success((corrected, changed))
    }

    /// `base` with `changes` merged in: objects member by member, anything else replaced.
    static func merged(_ base: JSONValue, _ changes: JSONValue) -> JSONValue {
        guard case .object(var members) = base, case .object(let updates) = changes else { return changes }
        for (key, value) in updates { members[key] = members[key].map { merged($0, value) } ?? value }
        return .object(members)
    }

    /// The dotted paths of the leaves (non-objects) of a document, in order.
    static func leaves(of value: JSONValue, at path: String = "") -> [String] {
        guard case .object(let members) = value else { return path.isEmpty ? [] : [path] }
        return members.keys.sorted().flatMap { key in leaves(of: members[key]!, at: path.isEmpty ? key : "\(path).\(key)") }
    }

    /// The dotted paths where two documents differ (a whole array counts as one field), in order.
    static func differences(_ before: JSONValue, _ after: JSONValue, at path: String = "") -> [String] {
        guard case .object(let old) = before, case .object(let new) = after else {
            return before == after ? [] : [path]
        }
        return Set(old.keys).union(new.keys).sorted().flatMap { key in
            differences(old[key] ?? .null, new[key] ?? .null, at: path.isEmpty ? key : "\(path).\(key)")
        }
    }
}

extension APIError {
    static func invalidCorrection(_ fields: [FieldError]) -> APIError {
        invalid(fields, code: "invalid-correction", message: "the correction has errors")
    }

    /// A correction of a withdrawn case.
    static let caseWithdrawn = APIError(
        status: .conflict, code: "case-withdrawn", message: "the case was withdrawn; a withdrawn notice cannot be corrected",
        messageZh: "该登记已撤回，不能更正；如需办理请重新登记")
}
