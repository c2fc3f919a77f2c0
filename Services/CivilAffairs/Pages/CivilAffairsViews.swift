import HoushiContract
import HoushiRuntime
import HoushiWeb

struct PickupsView {
    struct Row {
        let time: String
        let deceasedName: String
        let address: String
        let certificateNumber: String
        let confirmAction: String?
        let recordHref: String?
        let certificateHref: String
        let state: String
    }

    struct Day {
        let label: String
        let rows: [Row]
    }

    let site: Site
    let chrome: OfficerConsole.Chrome
    let day: DayNavigation
    let days: [Day]
    /// Where a confirmation returns to: this day's list.
    let back: String
}

struct CremationFormView {
    let site: Site
    let chrome: OfficerConsole.Chrome
    let action: String
    let deceasedName: String
    let certificateNumber: String
    let funeralHome: String
    let familyChoice: String
    let crematedAt: String
    let placements: [DecisionOptions.Choice]
    let placeName: String
    let receivedBy: String
    let problems: [String]
    let crematedAtError: String?
    let placeNameError: String?
}

struct SearchView {
    struct Row {
        let href: String
        let number: String
        let deceasedName: String
        let issuedAt: String
        let cremated: Bool
    }

    let site: Site
    let chrome: OfficerConsole.Chrome
    let q: String
    let searched: Bool
    /// The funeral home's own record of the ID number, when there is one.
    let walkInHref: String?
    /// Where to record a walk-in, when nothing is known of the ID number.
    let newWalkInHref: String?
    let rows: [Row]
}

struct WalkInFormView {
    let site: Site
    let chrome: OfficerConsole.Chrome
    let action: String
    let values: [String: String]
    let checked: String
    let homes: [DecisionOptions.Choice]
    let problems: [String: String]
}

/// The cremation certificate (火化证明) as printed on A4.
struct CertificateView {
    let site: Site
    let chrome: OfficerConsole.Chrome
    let number: String
    let deceasedName: String
    let idNumber: String
    let funeralHome: String
    let funeralHomeAddress: String
    let issuedAt: String
    let issuedBy: String
    let pickup: String?
    let crematedAt: String?
    let ashes: String?
    let receivedBy: String?
    let recordHref: String?
    /// What the staff checked when the family came before the hospital's notice.
    let checked: String?
    let deathCertificateNumber: String?

    init(_ issued: Certificates.Issued, site: Site, chrome: OfficerConsole.Chrome) {
        self.site = site
        self.chrome = chrome
        number = issued.number
        deceasedName = issued.deceasedName
        idNumber = issued.deceasedIdNumber
        funeralHome = issued.funeralHome.name
        funeralHomeAddress = issued.funeralHome.address
        issuedAt = issued.issuedAt.chineseDateTime
        issuedBy = OfficerAccounts.display(login: issued.issuedBy, name: issued.issuedByName)
        pickup = issued.pickupAt.map { "\($0.chineseDateTime)，\(issued.pickupAddress ?? "")" }
        crematedAt = issued.crematedAt?.chineseDateTime
        ashes = issued.ashesPlacement.map { "\($0.chineseName)：\(issued.ashesPlaceName ?? "")" }
        receivedBy = issued.ashesReceivedBy
        recordHref = issued.crematedAt == nil ? "\(site.root)/cremations/\(issued.caseId.lowercased)" : nil
        checked = nil
        deathCertificateNumber = nil
    }

    init(_ walkIn: WalkIn, site: Site, chrome: OfficerConsole.Chrome) {
        self.site = site
        self.chrome = chrome
        number = walkIn.certificateNumber
        deceasedName = walkIn.deceasedName
        idNumber = walkIn.deceasedIdNumber
        funeralHome = walkIn.funeralHome.name
        funeralHomeAddress = walkIn.funeralHome.address
        issuedAt = walkIn.recordedAt.chineseDateTime
        issuedBy = OfficerAccounts.display(login: walkIn.recordedBy, name: walkIn.recordedByName)
        pickup = nil
        crematedAt = nil
        ashes = nil
        receivedBy = nil
        recordHref = walkIn.caseId.map { "\(site.root)/cremations/\($0.lowercased)" }
        checked = walkIn.checked
        deathCertificateNumber = walkIn.deathCertificateNumber
    }
}
