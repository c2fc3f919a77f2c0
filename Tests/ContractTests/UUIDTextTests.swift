import Foundation
import HoushiContract
import Testing

@Suite("UUID and hex text forms")
struct UUIDTextTests {
    @Test("writes and reads what Foundation writes and reads, in either case")
    func matchesFoundation() {
        for _ in 0..<1_000 {
            let uuid = UUID()
            #expect(uuid.lowercased == uuid.uuidString.lowercased())
            #expect(UUID(text: uuid.uuidString) == uuid)
            #expect(UUID(text: uuid.lowercased) == uuid)
        }
        let text = "prefix D532E5BA-eebc-5B97-AE82-c050f464c01d"
        #expect(UUID(text: text.dropFirst(7)) == UUID(uuidString: "d532e5ba-eebc-5b97-ae82-c050f464c01d"))
    }

    @Test("time-ordered ids are version 7 of RFC 9562's variant, lead with the millisecond, and differ")
    func timeOrdered() {
        let time = Date(timeIntervalSince1970: 1_764_460_800.123)   // 2025-11-30T00:00:00.123Z
        let ids = (0..<1_000).map { _ in UUID.timeOrdered(at: time) }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.lowercased.hasPrefix("019ad20f-287b-7"))   // 1,764,460,800,123 ms, then version 7
            #expect("89ab".contains(Array(id.lowercased)[19]))     // the variant's bits 10
        }
        #expect(UUID.timeOrdered(at: time.addingTimeInterval(0.001)).lowercased > ids.map(\.lowercased).max()!)
    }

    @Test("refuses anything but the 8-4-4-4-12 form", arguments: [
        "", "d532e5ba-eebc-5b97-ae82-c050f464c01", "d532e5ba-eebc-5b97-ae82-c050f464c01d0",
        "d532e5baeebc-5b97-ae82-c050f464c01d0", "d532e5ba-eebc-5b97-ae82c-050f464c01d",
        "d532e5ba-eebc-5b97-ae82-c050f464c01g", "{532e5ba-eebc-5b97-ae82-c050f464c01}",
        " 532e5ba-eebc-5b97-ae82-c050f464c01d", "d532e5ba-eebc-5b97-ae82-c050f464c0é",
    ])
    func refuses(_ text: String) {
        #expect(UUID(text: text) == nil)
    }

    @Test("UUIDs order as their text does, the order PostgreSQL sorts and locks cases in")
    func order() {
        for _ in 0..<1_000 {
            let (left, right) = (UUID(), UUID())
            #expect((left < right) == (left.lowercased < right.lowercased))
        }
    }

    @Test("hex digits: written lowercase, read in either case, nothing else read")
    func hexDigits() {
        let digits = Array("0123456789abcdef".utf8)
        for nibble in UInt8(0)..<16 {
            #expect(Hex.digit(nibble) == digits[Int(nibble)])
            #expect(Hex.value(of: Hex.digit(nibble)) == nibble)
        }
        let accepted = Set(Array("0123456789abcdefABCDEF".utf8))
        for byte in UInt8.min...UInt8.max {
            #expect((Hex.value(of: byte) != nil) == accepted.contains(byte))
        }
        #expect(Hex.value(of: UInt8(ascii: "C")) == 12)
        #expect([0x00, 0x0f, 0xa5, 0xff].lowercaseHex == "000fa5ff")
    }
}
