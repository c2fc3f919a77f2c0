import FoundationEssentials

/// A file an operator names on the command line or in a variable, read with an error that says
/// which file and why in plain words.
public enum InputFile {
    /// The file's bytes.
    public static func data(_ path: String) throws(InputFileError) -> Data {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputFileError(path: path, reason: "no such file (文件不存在)")
        }
        guard !isDirectory else { throw InputFileError(path: path, reason: "is a directory, not a file (这是目录)") }
        do {
            return try Data(contentsOf: URL(filePath: path))
        } catch let error as CocoaError where error.code == .fileReadNoPermission {
            throw InputFileError(path: path, reason: "permission denied (无读取权限)")
        } catch {
            throw InputFileError(path: path, reason: "cannot be read (无法读取): \(error)")
        }
    }

    /// The file's text, which must be UTF-8.
    public static func text(_ path: String) throws(InputFileError) -> String {
        guard let text = String(validating: try data(path), as: UTF8.self) else {
            throw InputFileError(path: path, reason: "is not UTF-8 text (不是UTF-8编码的文本)")
        }
        return text
    }
}

/// Why a named file could not be read.
public struct InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "\(path): \(reason)" }
}
