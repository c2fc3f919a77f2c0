import FoundationEssentials
import HoushiRuntime
import HummingbirdBcrypt
import NIOPosix

/// Passwords of people who sign in to the pages: bcrypt, which runs on NIO's thread pool (it is
/// slow on purpose and must not hold one of Swift concurrency's cooperative threads).
public enum Passwords {
    /// bcrypt's cost: 2^12 rounds.
    public static let cost: UInt8 = 12
    /// The shortest password accepted.
    public static let minimumLength = 10

    public struct Refused: Error, CustomStringConvertible {
        public let description: String

        public init(_ description: String) {
            self.description = description
        }
    }

    /// The first line of `file`, or a generated password without one; refused when too short.
    public static func chosen(file: String?) throws -> String {
        let password = try file.map { file in
            String(try InputFile.text(file).split(separator: "\n").first ?? "")
        } ?? String.randomHex(bytes: 12)
        guard password.count >= minimumLength else {
            throw Refused("the password must have at least \(minimumLength) characters")
        }
        return password
    }

    /// Hashes a password on the thread pool.
    public static func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether the password matches the hash, checked on the thread pool. Without a hash (no such
    /// login) a stand-in is checked, so an unknown login takes as long as a wrong password.
    public static func verify(_ password: String, hash: String?) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.verify(password, hash: hash ?? absentHash) && hash != nil
        }
    }

    private static let absentHash = Bcrypt.hash(String.randomHex(bytes: 16), cost: cost)

    /// Whether a login is letters, digits, '.', '_' or '-'.
    public static func isValidLogin(_ login: String) -> Bool {
        !login.isEmpty && login.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
