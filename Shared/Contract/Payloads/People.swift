/// Who died, as on the ID card (居民身份证).
public struct DeceasedIdentity: Codable, Sendable, Equatable {
    public var name: String
    /// 18-character ID number (GB 11643).
    public var idNumber: String
    public var sex: Sex
    public var birthDate: CalendarDate
    /// Age in whole years at death.
    public var age: Int

    public init(name: String, idNumber: String, sex: Sex, birthDate: CalendarDate, age: Int) {
        self.name = name
        self.idNumber = idNumber
        self.sex = sex
        self.birthDate = birthDate
        self.age = age
    }
}

/// The benefit recipient (抚恤金领取人) with the account benefits are paid to; social security only.
public struct Beneficiary: Codable, Sendable, Equatable {
    public var name: String
    public var relation: BeneficiaryRelation
    public var idNumber: String
    public var bankAccount: String
    /// The bank and branch, e.g. 中国建设银行抚远支行.
    public var bank: String

    public init(name: String, relation: BeneficiaryRelation, idNumber: String, bankAccount: String, bank: String) {
        self.name = name
        self.relation = relation
        self.idNumber = idNumber
        self.bankAccount = bankAccount
        self.bank = bank
    }
}

/// Who was paid, without the full account number.
public struct Payee: Codable, Sendable, Equatable {
    public var name: String
    public var relation: BeneficiaryRelation
    /// The last four digits of the account paid to.
    public var bankAccountLast4: String

    public init(name: String, relation: BeneficiaryRelation, bankAccountLast4: String) {
        self.name = name
        self.relation = relation
        self.bankAccountLast4 = bankAccountLast4
    }
}
