/// An item the family can request on the registration form (登记表), and the department that does it.
public enum Item: String, ContractEnumeration {
    /// 火化前期手续
    case cremation
    /// 户口注销
    case hukou
    /// 养老保险、丧葬费、抚恤金
    case pension
    /// 医保个人帐户清算
    case medicalAccount = "medical-account"

    public var department: Department {
        switch self {
        case .cremation: .civilAffairs
        case .hukou: .publicSecurity
        case .pension, .medicalAccount: .socialSecurity
        }
    }
}

/// The services of Houshi; each is a message producer, owns one queue and one database schema.
public enum Department: String, ContractEnumeration {
    case intake
    case publicSecurity = "public-security"
    case civilAffairs = "civil-affairs"
    case socialSecurity = "social-security"

    /// The service's database schema and login role.
    public var schema: String { rawValue.replacing("-", with: "_") }
}
