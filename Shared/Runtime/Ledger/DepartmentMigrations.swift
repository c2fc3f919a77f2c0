import HoushiStorage

extension CaseLedger {
    /// What every department's schema has beside its own tables: the case ledger, the operators
    /// and the held items (versions 2–4, 8 and 25; a department's own migrations start at 10).
    public static let departmentMigrations = [CaseLedger.migration, Operators.migration, HeldItems.migration,
                                              CaseLedger.statisticsMigration, Operators.tokenLifetimeMigration]
}
