import HoushiText

extension String {
    /// The string with zeros in front up to `width` characters (`"7".leftPadded(to: 3)` is `"007"`).
    public func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }

    /// `count` random bytes (from the system's generator) as lowercase hex.
    public static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }.lowercaseHex
    }
}
