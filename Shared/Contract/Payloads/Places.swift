/// A medical institution of the city, by its registration code.
public struct MedicalInstitutionRef: Codable, Sendable, Equatable {
    public var code: String
    public var name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// A funeral home (殡仪馆), by its code.
public struct FuneralHomeRef: Codable, Sendable, Equatable {
    public var code: String
    public var name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// Where the ashes are placed.
public struct Ashes: Codable, Sendable, Equatable {
    public var placement: AshesPlacement
    /// The cemetery, columbarium or tomb, by name.
    public var placeName: String

    public init(placement: AshesPlacement, placeName: String) {
        self.placement = placement
        self.placeName = placeName
    }
}

/// Where the body is: already at a funeral home, or to be picked up.
///
/// Coded as `{"atFuneralHome": true, "funeralHome": NAME}` or
/// `{"atFuneralHome": false, "pickupAddress": TEXT, "pickupAt": TIME}`.
public enum BodyLocation: Codable, Sendable, Equatable {
    case atFuneralHome(funeralHome: String)
    case pickup(address: String, at: Timestamp)

    enum CodingKeys: String, CodingKey {
        case atFuneralHome, funeralHome, pickupAddress, pickupAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if try container.decode(Bool.self, forKey: .atFuneralHome) {
            self = .atFuneralHome(funeralHome: try container.decode(String.self, forKey: .funeralHome))
        } else {
            self = .pickup(address: try container.decode(String.self, forKey: .pickupAddress),
                           at: try container.decode(Timestamp.self, forKey: .pickupAt))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .atFuneralHome(let funeralHome):
            try container.encode(true, forKey: .atFuneralHome)
            try container.encode(funeralHome, forKey: .funeralHome)
        case .pickup(let address, let at):
            try container.encode(false, forKey: .atFuneralHome)
            try container.encode(address, forKey: .pickupAddress)
            try container.encode(at, forKey: .pickupAt)
        }
    }
}
