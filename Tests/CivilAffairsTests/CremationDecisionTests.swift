@testable import CivilAffairs
import Foundation
import HoushiContract
import Testing

@Suite struct CremationDecisionTests {
    static let local = FuneralHome(code: "FY01", name: "抚远市殡仪馆", local: true, address: "殡仪馆路1号")
    static let elsewhere = FuneralHome(code: "JMS01", name: "佳木斯市殡仪馆", local: false, address: "佳木斯")
    static let diedAt = Timestamp(rfc3339: "2026-11-28T06:15:00+08:00")!

    static func request(_ body: BodyLocation) -> CremationRequested {
        CremationRequested(
            certificateNumber: "H2308832026000123",
            deceased: DeceasedIdentity(name: "王桂兰", idNumber: "230883194103150243", sex: .female,
                                       birthDate: CalendarDate(year: 1941, month: 3, day: 15)!, age: 85),
            diedAt: diedAt, body: body, ashes: Ashes(placement: .commercialCemetery, placeName: "抚远市福寿园公墓"),
            contact: FamilyContact(name: "李建国", phone: "13904561234", relation: .child), civilizedFuneral: true,
            attachments: [])
    }

    @Test func aBodyAtALocalFuneralHomeIsCertifiedThere() {
        let decision = CremationDecision.decide(Self.request(.atFuneralHome(funeralHome: "抚远市殡仪馆")),
                                                named: Self.local, pickupHome: Self.local)
        #expect(decision == .certify(Self.local, pickup: nil))
    }

    @Test func aPickupGoesToTheLocalFuneralHome() {
        let at = Timestamp(rfc3339: "2026-11-28T14:00:00+08:00")!
        let decision = CremationDecision.decide(Self.request(.pickup(address: "抚远市人民医院住院部", at: at)),
                                                named: nil, pickupHome: Self.local)
        #expect(decision == .certify(Self.local, pickup: Pickup(address: "抚远市人民医院住院部", at: at)))
    }

    @Test func cremationOutsideTheCityIsRejected() {
        let decision = CremationDecision.decide(Self.request(.atFuneralHome(funeralHome: "佳木斯市殡仪馆")),
                                                named: Self.elsewhere, pickupHome: Self.local)
        guard case .reject(let code, _) = decision else { Issue.record("expected a rejection"); return }
        #expect(code == "funeral-home-not-local")
    }

    @Test(arguments: [
        (BodyLocation.atFuneralHome(funeralHome: "某殡仪馆"), "unknown-funeral-home"),
        (.pickup(address: "医院", at: Timestamp(rfc3339: "2026-11-27T14:00:00+08:00")!), "pickup-before-death"),
        (.pickup(address: "  ", at: Timestamp(rfc3339: "2026-11-28T14:00:00+08:00")!), "pickup-address-missing"),
    ])
    func missingOrContradictoryDataIsHeld(body: BodyLocation, code: String) {
        guard case .hold(let held, _) = CremationDecision.decide(Self.request(body), named: nil, pickupHome: Self.local)
        else { Issue.record("expected a hold"); return }
        #expect(held == code)
    }

    @Test func aPickupWithoutALocalFuneralHomeIsHeld() {
        let decision = CremationDecision.decide(
            Self.request(.pickup(address: "医院", at: Timestamp(rfc3339: "2026-11-28T14:00:00+08:00")!)),
            named: nil, pickupHome: nil)
        guard case .hold(let code, _) = decision else { Issue.record("expected a hold"); return }
        #expect(code == "no-local-funeral-home")
    }

    @Test func certificateNumbersHaveTheDocumentedFormat() {
        #expect(Certificates.number(funeralHome: "FY01", year: 2026, serial: 42) == "HZ-FY01-2026-000042")
        #expect(Certificates.number(funeralHome: "FY01", year: 2027, serial: 1_234_567) == "HZ-FY01-2027-1234567")
    }

    @Test func aCremationRecordMustFollowTheDeathAndNameThePlace() throws {
        let json = #"{"crematedAt": "2026-11-27T10:00:00+08:00", "ashes": {"placement": "funeral-home", "placeName": " "}}"#
        let record = try JSONDecoder().decode(CremationRecord.self, from: Data(json.utf8))
        let problems = record.problems(diedAt: Self.diedAt, now: Timestamp(rfc3339: "2026-11-29T10:00:00+08:00")!)
        #expect(problems.map(\.field) == ["crematedAt", "ashes.placeName"])
    }
}
