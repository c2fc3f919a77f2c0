import ArgumentParser
import HoushiContract

extension ResidentIDNumber {
    /// The sequence codes (the three digits after the birth date) kept for synthetic people;
    /// shipped data (`deploy/demo`) never uses them, so generated data never overwrites it.
    public static let syntheticSequenceCodes = 900...999

    /// A valid ID number for synthetic data: region, a birth date in `year`, a sequence code of
    /// `syntheticSequenceCodes`, the check digit.
    public static func synthetic<G: RandomNumberGenerator>(region: String, year: Int, using generator: inout G) -> String {
        let month = Int.random(in: 1...12, using: &generator)
        let day = Int.random(in: 1...28, using: &generator)
        let body = region + String(year) + String(month).leftPadded(to: 2) + String(day).leftPadded(to: 2)
            + String(Int.random(in: syntheticSequenceCodes, using: &generator))
        return body + String(checkCharacter(for: body))
    }
}

/// Synthetic ID numbers, none twice in one run.
public struct SyntheticIDNumbers {
    private var issued: Set<String> = []

    public init() {}

    /// A synthetic ID number not issued before by this generator.
    public mutating func next<G: RandomNumberGenerator>(region: String, year: Int, using generator: inout G) -> String {
        while true {
            let idNumber = ResidentIDNumber.synthetic(region: region, year: year, using: &generator)
            if issued.insert(idNumber).inserted { return idNumber }
        }
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
