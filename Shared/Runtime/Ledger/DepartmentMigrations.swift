import HoushiStorage

extension CaseLedger {
    /// What every department's schema has beside its own tables: the case ledger, the operators
    /// the held items and who read which case (versions 2–4, 8, 25 and 27; a department's own
    /// migrations start at 10).
    public static let departmentMigrations = [CaseLedger.migration, Operators.migration, HeldItems.migration,
                                              CaseLedger.statisticsMigration, Operators.tokenLifetimeMigration,
                                              CaseReads.migration(version: 27)]
}
