import Foundation
import HoushiContract
import HoushiRuntime
@testable import PublicSecurity
import Testing

@Suite struct HukouDecisionTests {
    static let resident = Resident(idNumber: "230883194103150243", name: "王桂兰", householdNumber: "H1",
                                   relationToHead: .parent, address: "通江路12号", active: true)

    @Test func anActiveRegisteredResidentIsCancelled() {
        #expect(HukouDecision.decide(name: "王桂兰", resident: Self.resident, otherActiveMembers: 2) == .cancel)
    }

    @Test func someoneNotRegisteredHereGoesOffline() {
        guard case .reject(let code, _) = HukouDecision.decide(name: "王桂兰", resident: nil, otherActiveMembers: 0) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(code == "not-local-household")
    }

    @Test(arguments: [
        (name: "王桂芝", active: true, relation: HouseholdRelation.parent, others: 0, code: "name-mismatch"),
        (name: "王桂兰", active: false, relation: .parent, others: 0, code: "already-cancelled"),
        (name: "王桂兰", active: true, relation: .head, others: 1, code: "household-head-with-dependants"),
    ])
    func doubtfulRequestsAreHeld(name: String, active: Bool, relation: HouseholdRelation, others: Int, code: String) {
        var resident = Self.resident
        resident.active = active
        resident.relationToHead = relation
        guard case .hold(let held, _) = HukouDecision.decide(name: name, resident: resident, otherActiveMembers: others) else {
            Issue.record("expected a hold")
            return
        }
        #expect(held == code)
    }

    @Test func aHeadLivingAloneIsCancelled() {
        var resident = Self.resident
        resident.relationToHead = .head
        #expect(HukouDecision.decide(name: "王桂兰", resident: resident, otherActiveMembers: 0) == .cancel)
    }
}

@Suite struct RegisterImportTests {
    @Test func goodRowsLoadAndBadRowsAreReportedByLine() throws {
        let report = try RegisterImport.parse("""
            id_number,name,household_number,relation_to_head,address
            230883194103150243,王桂兰,H1,parent,"通江路12号, 1单元"
            230883196608020312,李建国,H1,boss,通江路12号
            230883194103150243,王桂兰,H1,parent,通江路12号
            ,无名,H1,child,
            """)
        #expect(report.rows.map(\.name) == ["王桂兰"])
        #expect(report.rows.first?.address == "通江路12号, 1单元")
        #expect(report.rejected.map(\.line) == [3, 4, 5])
        #expect(report.rejected[0].problems.first?.hasPrefix("relation_to_head must be one of") == true)
        #expect(report.rejected[1].problems == ["id_number repeats line 2"])
        #expect(report.rejected[2].problems == ["id_number must be 18 characters", "address is empty"])
    }

    @Test func aFileWithoutTheColumnsIsRejectedWhole() {
        #expect(throws: CSVReader.FormatError.self) { try RegisterImport.parse("id,name\n1,x\n") }
    }

    @Test func theGeneratorWritesValidDeterministicHouseholds() throws {
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        let residents = SyntheticRegister.households(50, region: "230883", using: &first)
        #expect(residents.map(\.idNumber) == SyntheticRegister.households(50, region: "230883", using: &second).map(\.idNumber))
        #expect(Set(residents.map(\.householdNumber)).count == 50)
        for resident in residents { _ = try ResidentIDNumber(resident.idNumber) }
        let csv = ([ResidentRow.columns.joined(separator: ",")] + residents.map(RegisterImport.csvLine)).joined(separator: "\n")
        #expect(try RegisterImport.parse(csv).rows == residents)
    }
}

@Suite struct SyntheticRegisterTests {
    @Test func generatedHouseholdsAndIDNumbersKeepToTheirOwnBlocks() throws {
        var generator = SeededGenerator(seed: 1)
        let residents = SyntheticRegister.households(2_000, region: "230883", using: &generator)
        #expect(Set(residents.map(\.idNumber)).count == residents.count)
        #expect(residents.allSatisfy { $0.householdNumber.hasPrefix("2308838") && $0.householdNumber.count == 12 })
        #expect(residents.allSatisfy { ResidentIDNumber.syntheticSequenceCodes.contains(Int($0.idNumber.dropFirst(14).prefix(3))!) })
    }

    @Test func theShippedDemoRegisterStaysOutOfTheSyntheticBlocks() throws {
        let demo = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../deploy/demo/residents.csv")
        let shipped = try RegisterImport.parse(try String(contentsOf: demo, encoding: .utf8))
        #expect(shipped.rejected.isEmpty && shipped.rows.count > 20)
        for resident in shipped.rows {
            #expect(!resident.householdNumber.dropFirst(6).hasPrefix(SyntheticRegister.householdBlock), "\(resident.householdNumber)")
            #expect(!ResidentIDNumber.syntheticSequenceCodes.contains(Int(resident.idNumber.dropFirst(14).prefix(3))!),
                    "\(resident.idNumber)")
        }
    }

    @Test func theWarningNamesHeadsAndAddresses() {
        let both = InconsistentHousehold(householdNumber: "230883000001", heads: 2, addresses: ["文化路95号", "滨江路150号"])
        #expect(both.warning == "household 230883000001 has 2 heads (2名户主) and 2 addresses (2个住址): 文化路95号 / 滨江路150号; "
                + "check the file against the register")
        let heads = InconsistentHousehold(householdNumber: "H1", heads: 3, addresses: [])
        #expect(heads.warning == "household H1 has 3 heads (3名户主); check the file against the register")
    }
}

@Suite struct CSVReaderTests {
    @Test func readsQuotesCommasLineBreaksAndCRLF() throws {
        let reader = try CSVReader("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",z\r\n", required: ["a", "b"])
        #expect(reader.records.map(\.fields) == [["a": "x, y", "b": "say \"hi\""], ["a": "two\nlines", "b": "z"]])
        #expect(reader.records.map(\.line) == [2, 3])
    }

    @Test func reportsAWrongFieldCountWithItsLine() {
        let error = #expect(throws: CSVReader.FormatError.self) { try CSVReader("a,b\n1,2\n3\n", required: ["a"]) }
        #expect(error?.description == "line 3: 1 fields where the header has 2")
    }
}
