// The closed value sets of the contract; the raw values are the JSON values.

/// Sex as recorded on the ID card.
public enum Sex: String, ContractEnumeration {
    case male, female
}

/// Which death certificate was issued.
public enum CertificateForm: String, ContractEnumeration {
    /// 居民死亡医学证明（推断）书, before 2026-07-01.
    case legacy
    /// 《居民死亡医学证明》 (国卫规划发〔2026〕5号), from 2026-07-01.
    case national2026 = "national-2026"
}

/// Manner of death; only `natural` takes the one-stop path.
public enum MannerOfDeath: String, ContractEnumeration {
    case natural, unnatural
    case pendingInvestigation = "pending-investigation"
}

/// The deceased's employer kind, which decides how benefits are paid.
public enum EmployerType: String, ContractEnumeration {
    case enterprise
    /// 机关事业单位: survivor benefits keep the old process.
    case publicInstitution = "public-institution"
    /// No employer (coded `none`).
    case noEmployer = "none"
}

/// How the applicant (申请人) is related to the deceased.
public enum ApplicantRelation: String, ContractEnumeration {
    case spouse, child, parent, grandchild, sibling
    case otherRelative = "other-relative"
    /// 委托人, acting for the family.
    case agent
}

/// How a benefit recipient (抚恤金领取人) is related to the deceased: direct relatives only
/// (直系亲属: 配偶、子女、父母、孙子女、外孙子女、祖父母、外祖父母).
public enum BeneficiaryRelation: String, ContractEnumeration {
    case spouse, child, parent
    /// 孙子女, 外孙子女.
    case grandchild
    /// 祖父母, 外祖父母.
    case grandparent
}

/// Where the ashes go.
public enum AshesPlacement: String, ContractEnumeration {
    case funeralHome = "funeral-home"
    case commercialCemetery = "commercial-cemetery"
    /// 乡村公益性墓地或骨灰堂.
    case publicWelfareCemetery = "public-welfare-cemetery"
    /// 殡改前已建寿坟.
    case preReformTomb = "pre-reform-tomb"
}

/// What a scanned attachment shows.
public enum AttachmentKind: String, ContractEnumeration {
    case deathCertificateScan = "death-certificate-scan"
    case idCard = "id-card"
    case householdBooklet = "household-booklet"
    case registrationForm = "registration-form"
}
