import FoundationEssentials

extension UUID {
    /// A version 7 UUID (RFC 9562): the Unix time in milliseconds in its first 48 bits, random
    /// bits after. Ids made one after another sort by time, so that their index entries go to an
    /// index's last pages, which stay in memory, instead of a random page each.
    public static func timeOrdered(at time: Date = Date()) -> UUID {
        let milliseconds = UInt64(max(0, time.timeIntervalSince1970 * 1000))
        var random = SystemRandomNumberGenerator()
        let high = random.next() as UInt64, low = random.next() as UInt64
        func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
        return UUID(uuid: (byte(milliseconds, 40), byte(milliseconds, 32), byte(milliseconds, 24), byte(milliseconds, 16),
                           byte(milliseconds, 8), byte(milliseconds, 0),
                           0x70 | (byte(high, 56) & 0x0F), byte(high, 48),   // version 7
                           0x80 | (byte(low, 56) & 0x3F), byte(low, 48),     // the RFC's variant
                           byte(low, 40), byte(low, 32), byte(low, 24), byte(low, 16), byte(low, 8), byte(low, 0)))
    }
}
