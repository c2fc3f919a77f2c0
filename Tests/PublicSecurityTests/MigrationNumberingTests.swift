import Testing
@testable import PublicSecurity

/// The schema's migrations, numbered per owner, keep the numbers the former single numbering
/// gave the release before (its `Migration(version:)` values), so its schemas convert.
@Test func migrationsKeepTheirFormerNumbers() {
    #expect(PublicSecurityService.formerMigrationNumbers == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 21, 25, 27, 28, 29])
}
