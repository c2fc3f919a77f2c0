import Testing
@testable import Intake

/// The schema's migrations, numbered per owner, keep the numbers the former single numbering
/// gave the release before (its `Migration(version:)` values), so its schemas convert.
@Test func migrationsKeepTheirFormerNumbers() {
    #expect(IntakeService.formerMigrationNumbers == [1, 2, 5, 6, 7, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 28, 29])
}
