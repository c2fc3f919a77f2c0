import HoushiStorage

extension CaseLedger {
    /// The case ledger's migrations, in every department's schema.
    public static let migrationGroup = MigrationGroup(owner: "case-ledger", [migration, statisticsMigration, withdrawalMigration])

    /// What every department's schema has beside its own tables, owner by owner: the case
    /// ledger, the operators, the held items, who read which case and the retention's functions.
    public static let departmentMigrationGroups = [
        migrationGroup, Operators.migrationGroup, HeldItems.migrationGroup, CaseReads.migrationGroup(formerly: 27),
        PersonalDataRetention.migrationGroup,
    ]
}

extension Operators {
    /// The operators' migrations, in every department's schema.
    public static let migrationGroup = MigrationGroup(owner: "operators", [migration, tokenLifetimeMigration])
}

extension HeldItems {
    /// The held items' migrations, in every department's schema.
    public static let migrationGroup = MigrationGroup(owner: "held-items", [migration, purposeMigration])
}
