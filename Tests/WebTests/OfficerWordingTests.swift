import Foundation
import HoushiContract
@testable import HoushiWeb
import Testing

@Suite struct OfficerWordingTests {
    static let durationCases: [(Double, String)] = [
        (0, "0秒"), (42.4, "42秒"), (60, "1分"), (3599, "59分"), (3600, "1小时0分"), (7500, "2小时5分"),
        (86_400, "1天0小时"), (273_659, "3天4小时"), (-5, "0秒"),
    ]

    @Test(arguments: durationCases)
    func durations(seconds: Double, text: String) {
        #expect(durationText(seconds: seconds) == text)
    }

    static let stateCases: [(String, String)] = [
        ("received", "办理中"), ("held", "待审核"), ("rejected", "已退回线下办理"), ("cancelled", "已注销"),
        ("certified", "已开具火化证明"), ("cremated", "已火化"), ("settled", "已结算"), ("something-new", "something-new"),
    ]

    @Test(arguments: stateCases)
    func itemStates(status: String, label: String) {
        #expect(itemStateLabel(status) == label)
    }

    @Test func eachDepartmentHasItsConsoleAndItems() {
        #expect(Department.allCases.map(\.consoleRoot) == ["/yiyuan", "/gongan", "/minzheng", "/renshe"])
        #expect(Department.publicSecurity.items == [.hukou])
        #expect(Department.civilAffairs.items == [.cremation])
        #expect(Department.socialSecurity.items == [.pension, .medicalAccount])
        #expect(Department.intake.items.isEmpty)
    }

    @Test func onlyReviewersDecide() {
        #expect(OfficerRole.allCases.filter(\.decides) == [.reviewer])
    }

    static let loginCases: [(String, Bool)] = [
        ("gongan-1", true), ("a.b_c-9", true), ("", false), ("王", false), ("a b", false), ("a/b", false),
    ]

    @Test(arguments: loginCases)
    func logins(login: String, valid: Bool) {
        #expect(Passwords.isValidLogin(login) == valid)
    }

    @Test func signInIsHeldAfterFiveFailuresOfALoginOrTwentyOfAnAddress() {
        let throttle = LoginThrottle()
        #expect(throttle.allows(accountFailures: 4, addressFailures: 19))
        #expect(!throttle.allows(accountFailures: 5, addressFailures: 0))
        #expect(!throttle.allows(accountFailures: 0, addressFailures: 20))
    }
}

@Suite struct PageSecurityTests {
    static func fields(_ pairs: [(String, String)]) -> FormFields {
        let boundary = "b"
        let body = pairs.map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"\($0.0)\"\r\n\r\n\($0.1)\r\n" }
            .joined() + "--\(boundary)--\r\n"
        return try! FormFields(body: .init(string: body), boundary: boundary)
    }

    @Test func aFormPassesOnlyWithTheSessionsToken() throws {
        let token = CSRF.newToken()
        try CSRF.check(Self.fields([("_csrf", token), ("reason", "理由")]), expected: token)
        #expect(throws: (any Error).self) { try CSRF.check(Self.fields([("reason", "理由")]), expected: token) }
        #expect(throws: (any Error).self) { try CSRF.check(Self.fields([("_csrf", token + "0")]), expected: token) }
        #expect(throws: (any Error).self) { try CSRF.check(Self.fields([("_csrf", "")]), expected: "") }
    }

    @Test func formFieldsAreTrimmedAndRepeatable() {
        let form = Self.fields([("reason", "  核实无误 "), ("item", "a"), ("item", "b"), ("empty", "  ")])
        #expect(form["reason"] == "核实无误")
        #expect(form.values("item") == ["a", "b"])
        #expect(form.text("empty") == nil)
        #expect(form["missing"] == "")
    }
}

@Suite struct PageTemplatesTests {
    @Test func aServicesTemplateReplacesTheSharedOneOfTheSameName() throws {
        let root = FileManager.default.temporaryDirectory.appending(path: "templates-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/shared", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/service", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "shared {{name}}".write(toFile: root + "/shared/layout.mustache", atomically: true, encoding: .utf8)
        try "shared page".write(toFile: root + "/shared/page.mustache", atomically: true, encoding: .utf8)
        try "own <{{name}}>".write(toFile: root + "/service/layout.mustache", atomically: true, encoding: .utf8)
        let templates = try PageTemplates.load(from: [root + "/shared", root + "/service", root + "/missing"])
        #expect(try templates.render("layout", ["name": "<b>"]) == "own <&lt;b&gt;>")
        #expect(try templates.render("page", [String: String]()) == "shared page")
        #expect(throws: (any Error).self) { try templates.render("absent", [String: String]()) }
    }

    @Test func anEmptyFolderStopsTheStart() {
        #expect(throws: (any Error).self) { try PageTemplates.load(from: ["/nonexistent-\(UUID())"]) }
    }
}
