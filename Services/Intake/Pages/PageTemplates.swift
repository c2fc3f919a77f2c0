import FoundationEssentials
import HoushiRuntime
import Hummingbird
import Mustache

/// The pages' HTML templates (Mustache, escaping by default), read from
/// `Services/Intake/Pages/Templates` (`HOUSHI_PAGE_TEMPLATES` names another folder) at start.
struct PageTemplates: Sendable {
    let library: MustacheLibrary

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads every `*.mustache` file of the folder; a template that does not parse stops the start.
    static func load(directory: String = shippedDataPath("HOUSHI_PAGE_TEMPLATES", relativePath: "Templates")) throws
        -> PageTemplates {
        var library = MustacheLibrary()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".mustache") }
        guard !names.isEmpty else { throw Missing(description: "no page templates in \(directory)") }
        for name in names {
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            try library.register(text, named: String(name.dropLast(".mustache".count)))
        }
        return PageTemplates(library: library)
    }

    /// The page as an HTML response.
    func page(_ name: String, _ view: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = library.render(view, withTemplate: name) else {
            throw Missing(description: "no page template \(name)")
        }
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// The pages' style sheet and script, read from `Services/Intake/Pages/Static` at start.
struct StaticFiles: Sendable {
    let files: [String: (contentType: String, data: ByteBuffer)]

    static func load(directory: String = shippedDataPath("HOUSHI_PAGE_STATIC", relativePath: "Static")) throws -> StaticFiles {
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"]
        var files: [String: (String, ByteBuffer)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            guard let type = name.split(separator: ".").last.flatMap({ types[String($0)] }) else { continue }
            let data = try Data(contentsOf: URL(filePath: directory + "/" + name))
            files[name] = (type, ByteBuffer(bytes: data))
        }
        return StaticFiles(files: files)
    }

    func response(_ name: String) -> Response {
        guard let file = files[name] else { return Response(status: .notFound) }
        return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "public, max-age=3600"],
                        body: .init(byteBuffer: file.data))
    }
}
