import ArgumentParser
import HoushiContract

extension ResidentIDNumber {
    /// A valid ID number for synthetic data: region, a birth date in `year`, a random sequence, the check digit.
    public static func synthetic<G: RandomNumberGenerator>(region: String, year: Int, using generator: inout G) -> String {
        let month = Int.random(in: 1...12, using: &generator)
        let day = Int.random(in: 1...28, using: &generator)
        let body = region + String(year) + String(month).leftPadded(to: 2) + String(day).leftPadded(to: 2)
            + String(Int.random(in: 0...999, using: &generator)).leftPadded(to: 3)
        return body + String(checkCharacter(for: body))
    }
}

/// A small deterministic generator (SplitMix64), so a seed gives the same synthetic data every time.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The options every synthetic-data generator takes.
public struct SyntheticDataOptions: ParsableArguments {
    @Option(help: "The six-digit region code of the ID numbers.") public var region = "230883"
    @Option(help: "Seed, for the same data every time.") public var seed: UInt64 = 1

    public init() {}

    public func validate() throws {
        guard region.count == 6, region.allSatisfy(\.isNumber) else { throw ValidationError("--region takes six digits") }
    }

    /// A generator that gives the same data for the same seed.
    public var generator: SeededGenerator { SeededGenerator(seed: seed) }
}
