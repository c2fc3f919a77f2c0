import Hummingbird

/// The page a list endpoint is asked for: `?page=N` (from 1, default 1) of a fixed size.
public struct PageQuery: Sendable, Equatable {
    public let page: Int
    public let size: Int
    /// Rows before the page.
    public var offset: Int { (page - 1) * size }

    public init(page: Int = 1, size: Int) {
        self.page = page
        self.size = size
    }

    /// What is wrong with a `page` that is not a page number.
    public static let problem = FieldError(field: "page", message: "must be a page number from 1", messageZh: "页码须为正整数")

    /// The request's page (1 when it names none); nil when `page` is not a page number.
    public static func parse(_ request: Request, size: Int) -> PageQuery? {
        guard let text = request.uri.queryParameters["page"] else { return PageQuery(size: size) }
        guard let page = Int(String(text)), (1...100_000).contains(page) else { return nil }
        return PageQuery(page: page, size: size)
    }

    /// The request's page; throws 422 naming `page` when it is not a page number.
    public static func of(_ request: Request, size: Int) throws -> PageQuery {
        guard let page = parse(request, size: size) else { throw APIError.invalid([problem]) }
        return page
    }
}

/// One page of a list, with what a client needs to ask for the next: encoded as the list under
/// its name (`held`, `pickups`, …) beside `page`, `pageSize` and `total`.
public struct Page<Element: Encodable & Sendable>: Encodable, Sendable {
    public let name: String
    public let page: Int
    public let pageSize: Int
    /// Rows on every page together.
    public let total: Int
    public let items: [Element]

    public init(_ name: String, _ query: PageQuery, total: Int, items: [Element]) {
        self.name = name
        page = query.page
        pageSize = query.size
        self.total = total
        self.items = items
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(stringValue: name))
        try container.encode(page, forKey: Key(stringValue: "page"))
        try container.encode(pageSize, forKey: Key(stringValue: "pageSize"))
        try container.encode(total, forKey: Key(stringValue: "total"))
    }
}
