import HoushiContract

/// The release of Houshi, as `SERVICE --version` prints it.
public enum HoushiVersion {
    /// Raised with every release: year, month, and the release within the month.
    public static let release = "2026.12.1"

    /// `intake 2026.12.1 (schema 25, messages up to v1)`: the release, how many migrations the
    /// service's schema has (every owner's) and the newest message version of the contract.
    public static func description<S: ServiceDefinition>(of service: S.Type) -> String {
        let schema = S.allMigrationGroups.map(\.migrations.count).reduce(0, +)
        let messages = ContractCatalog.payloadTypes.keys.map(\.version).max() ?? 1
        return "\(S.identity.name) \(release) (schema \(schema), messages up to v\(messages))"
    }
}
