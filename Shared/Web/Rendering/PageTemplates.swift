import FoundationEssentials
import HoushiRuntime
import Hummingbird
import Mustache

/// Where a service's page files are: the shared ones (`Shared/Web/Templates` and `Static`) first,
/// then the service's own, whose files of the same name take their place (e.g. a `layout`).
/// `HOUSHI_PAGES_DIR` names an installed tree instead: `web/templates`, `web/static`,
/// `<service>/templates`, `<service>/static` (the image's `/usr/local/share/houshi/pages`).
public struct PageFolders: Sendable {
    public let templates: [String]
    public let statics: [String]

    /// - Parameters:
    ///   - service: the service's folder name in an installed tree (its department's raw value).
    ///   - sourceFolder: the folder of the service's `Templates` and `Static` in the source tree.
    public static func of(service: String, sourceFolder: String) -> PageFolders {
        if let installed = ProcessInfo.processInfo.environment["HOUSHI_PAGES_DIR"], !installed.isEmpty {
            return PageFolders(templates: ["\(installed)/web/templates", "\(installed)/\(service)/templates"],
                               statics: ["\(installed)/web/static", "\(installed)/\(service)/static"])
        }
        let shared = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path
        return PageFolders(templates: [shared + "/Templates", sourceFolder + "/Templates"],
                           statics: [shared + "/Static", sourceFolder + "/Static"])
    }
}

/// The pages' HTML templates (Mustache, escaping by default), read at start.
public struct PageTemplates: Sendable {
    let library: MustacheLibrary

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads every `*.mustache` file of the folders, later folders replacing earlier ones' files of
    /// the same name; a folder that does not exist is skipped; a template that does not parse stops the start.
    public static func load(from folders: [String]) throws -> PageTemplates {
        var templates: [String: String] = [:]
        for folder in folders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where name.hasSuffix(".mustache") {
                templates[String(name.dropLast(".mustache".count))] =
                    try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            }
        }
        guard !templates.isEmpty else { throw Missing(description: "no page templates in \(folders)") }
        var library = MustacheLibrary()
        for (name, text) in templates {
            try library.register(text, named: name)
        }
        return PageTemplates(library: library)
    }

    /// The page as HTML text.
    public func render(_ name: String, _ view: Any) throws -> String {
        guard let html = library.render(view, withTemplate: name) else {
            throw Missing(description: "no page template \(name)")
        }
        return html
    }

    /// The page as an HTML response.
    public func page(_ name: String, _ view: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: try render(name, view))))
    }
}

/// The pages' style sheets and scripts, read at start from the same folders.
public struct StaticFiles: Sendable {
    let files: [String: (contentType: String, data: ByteBuffer)]

    public static func load(from folders: [String]) throws -> StaticFiles {
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"]
        var files: [String: (String, ByteBuffer)] = [:]
        for folder in folders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names {
                guard let type = name.split(separator: ".").last.flatMap({ types[String($0)] }) else { continue }
                let data = try Data(contentsOf: URL(filePath: folder + "/" + name))
                files[name] = (type, ByteBuffer(bytes: data))
            }
        }
        return StaticFiles(files: files)
    }

    public func response(_ name: String) -> Response {
        guard let file = files[name] else { return Response(status: .notFound) }
        return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "public, max-age=3600"],
                        body: .init(byteBuffer: file.data))
    }
}
