import HoushiStorage

extension CaseLedger {
    /// What every department's schema has beside its own tables: the case ledger, the operators
    /// the held items, who read which case and the retention's functions (versions 2–4, 8, 25, 27
    /// and 28; a department's own migrations start at 10).
    public static let departmentMigrations = [CaseLedger.migration, Operators.migration, HeldItems.migration,
                                              CaseLedger.statisticsMigration, Operators.tokenLifetimeMigration,
                                              CaseReads.migration(version: 27), PersonalDataRetention.migration(version: 28)]
}
