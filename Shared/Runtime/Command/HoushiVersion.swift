import HoushiContract

/// The release of Houshi, as `SERVICE --version` prints it.
public enum HoushiVersion {
    /// Raised with every release: year, month, and the release within the month.
    public static let release = "2026.12.1"

    /// `intake 2026.12.1 (schema 20, messages up to v1)`: the release, the newest migration of
    /// the service's schema and the newest message version of the contract.
    public static func description<S: ServiceDefinition>(of service: S.Type) -> String {
        let schema = S.allMigrations.map(\.version).max() ?? 0
        let messages = ContractCatalog.payloadTypes.keys.map(\.version).max() ?? 1
        return "\(S.department.rawValue) \(release) (schema \(schema), messages up to v\(messages))"
    }
}
