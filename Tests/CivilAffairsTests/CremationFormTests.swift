@testable import CivilAffairs
import Foundation
import HoushiContract
import HoushiWeb
import NIOCore
import Testing

@Suite struct CremationFormTests {
    static func form(_ pairs: [(String, String)]) -> FormFields {
        let body = pairs.map { "--b\r\nContent-Disposition: form-data; name=\"\($0.0)\"\r\n\r\n\($0.1)\r\n" }.joined() + "--b--\r\n"
        return try! FormFields(body: ByteBuffer(string: body), boundary: "b")
    }

    @Test func theBrowsersLocalTimeIsBeijingTime() throws {
        let form = CremationForm(fields: Self.form([
            ("crematedAt", "2026-11-29T09:30"), ("ashes.placement", "funeral-home"), ("ashes.placeName", "抚远市殡仪馆骨灰堂"),
            ("ashesReceivedBy", "李建国"),
        ]))
        let record = try #require(form.record)
        #expect(record.crematedAt.date == Timestamp(rfc3339: "2026-11-29T01:30:00Z")?.date)
        #expect(record.crematedAt.rfc3339 == "2026-11-29T09:30:00+08:00")
        #expect(record.ashes == Ashes(placement: .funeralHome, placeName: "抚远市殡仪馆骨灰堂"))
        #expect(record.ashesReceivedBy == "李建国")
        #expect(form.problems.isEmpty)
    }

    @Test func aMissingTimeOrPlacementIsNamedAtItsField() {
        let form = CremationForm(fields: Self.form([("crematedAt", "昨天"), ("ashes.placement", "sea")]))
        #expect(form.record == nil)
        #expect(form.problems == ["crematedAt": "请填写火化时间", "ashes.placement": "请选择骨灰安放方式"])
    }
}
