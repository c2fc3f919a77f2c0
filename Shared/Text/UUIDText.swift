import FoundationEssentials

/// UUIDs to and from their 8-4-4-4-12 text form without Foundation's `snprintf` and `sscanf`,
/// which cost about 1.2 % of the machine under load (every message id and case id is written
/// or read several times per message).
extension UUID {
    /// The canonical text form, lowercase as RFC 9562 asks.
    public var lowercased: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var end = 0
                for (position, byte) in bytes.enumerated() {
                    switch position {
                    case 4, 6, 8, 10:
                        text[end] = UInt8(ascii: "-")
                        end += 1
                    default:
                        break
                    }
                    text[end] = Hex.digit(byte >> 4)
                    text[end + 1] = Hex.digit(byte & 0x0f)
                    end += 2
                }
                return end
            }
        }
    }

    /// Parses the 8-4-4-4-12 text form in either case; nil for anything else (`UUID(uuidString:)`
    /// lets `sscanf` skip white space too).
    public init?(text: String) {
        var text = text
        guard let uuid = text.withUTF8(Self.parse) else { return nil }
        self.init(uuid: uuid)
    }

    /// Parses the 8-4-4-4-12 text form in either case, as `init?(text: String)`.
    public init?(text: Substring) {
        var text = text
        guard let uuid = text.withUTF8(Self.parse) else { return nil }
        self.init(uuid: uuid)
    }

    /// The UUID of the text's UTF-8 bytes, on the bytes themselves: a generic walk over
    /// `StringProtocol`'s view, unspecialized across modules, took about 8 % of intake's CPU.
    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard text.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &uuid) { bytes in
            var digits = 0
            for position in 0..<36 {
                let character = text[position]
                switch position {
                case 8, 13, 18, 23:
                    guard character == UInt8(ascii: "-") else { return false }
                default:
                    guard let value = Hex.value(of: character) else { return false }
                    bytes[digits / 2] |= digits % 2 == 0 ? value << 4 : value
                    digits += 1
                }
            }
            return true
        }
        return parsed ? uuid : nil
    }
}
