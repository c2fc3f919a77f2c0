/// The public fact stream (数据共享): the few facts of a death that departments outside Houshi
/// (公积金, 低保, 高龄补贴, 残疾人补贴) act on, on an exchange of their own and versioned apart
/// from Houshi's own messages (`public-facts.asyncapi.yaml`). Intake publishes them in the
/// envelope every message travels in; each subscriber reads its own queue (`Subscriber`).
/// Nothing of the applicant, the beneficiary, their phones or accounts (个人信息保护法: no more
/// than the purpose needs).
public enum PublicFacts {
    /// The durable topic exchange the facts travel on; only intake may publish there.
    public static let exchange = "houshi.facts"

    /// A death was recorded; sent again with the corrected facts when the notice is corrected.
    public static let deathRecorded = MessageType("death.recorded")
    /// The funeral home recorded the cremation.
    public static let cremationRecorded = MessageType("cremation.recorded")
    /// The notice was withdrawn (the wrong person, a mistaken notice): the death is no fact.
    public static let deathWithdrawn = MessageType("death.withdrawn")

    /// Every public fact type with its payload type.
    public static let payloadTypes: [MessageType: any (Codable & Sendable).Type] = [
        deathRecorded: DeathRecorded.self,
        cremationRecorded: CremationRecorded.self,
        deathWithdrawn: DeathWithdrawn.self,
    ]

    /// Every public fact type, by routing key.
    public static var types: [MessageType] { payloadTypes.keys.sorted { $0.routingKey < $1.routingKey } }

    /// The durable topic exchange subscribers publish their outcomes on; only intake reads it.
    public static let outcomesExchange = "houshi.outcomes"
    /// What a subscriber did on a case's facts (`SubscriberOutcome`), published by any
    /// subscriber's broker user, which the AMQP `user_id` names.
    public static let subscriberOutcome = MessageType("subscriber.outcome")

    /// Every type of the public contract (`public-facts.asyncapi.yaml`) with its payload type:
    /// the facts and the subscribers' outcome.
    public static let contractTypes: [MessageType: any (Codable & Sendable).Type] =
        payloadTypes.merging([subscriberOutcome: SubscriberOutcome.self]) { $1 }
}

/// `subscriber.outcome`: what a subscriber did on the facts of a case, shown with the case beside
/// the four departments' items. Which subscriber sent it is the AMQP `user_id`
/// (`subscriber.<name>`), which the broker checks; the envelope's `producer` is the same.
public struct SubscriberOutcome: Codable, Sendable, Equatable {
    /// Where the case stands at the subscriber.
    public enum Status: String, ContractEnumeration {
        /// Done (e.g. the account frozen and a withdrawal opened for the heirs).
        case done
        /// Waiting for people (e.g. the heirs to come with their papers).
        case waiting
        /// Nothing to do (e.g. no account under the ID number).
        case notApplicable = "not-applicable"
        /// Undone after `death.withdrawn`.
        case reversed
    }

    /// The department as people know it, e.g. 抚远市住房公积金中心.
    public var department: String
    public var status: Status
    /// What was done, one or two sentences for the family and the hospital (Chinese).
    public var summary: String
    /// The subscriber's own reference (its case number), when it has one.
    public var reference: String?

    public init(department: String, status: Status, summary: String, reference: String? = nil) {
        self.department = department
        self.status = status
        self.summary = summary
        self.reference = reference
    }
}

/// `death.recorded`: who died, when, on which medical certificate.
public struct DeathRecorded: Codable, Sendable, Equatable {
    /// 18-character ID number (GB 11643): the key a subscriber finds its records by.
    public var idNumber: String
    public var name: String
    public var sex: Sex
    public var diedAt: Timestamp
    /// The medical death certificate's number.
    public var certificateNumber: String

    public init(idNumber: String, name: String, sex: Sex, diedAt: Timestamp, certificateNumber: String) {
        self.idNumber = idNumber
        self.name = name
        self.sex = sex
        self.diedAt = diedAt
        self.certificateNumber = certificateNumber
    }
}

/// `cremation.recorded`: when and where the body was cremated.
public struct CremationRecorded: Codable, Sendable, Equatable {
    public var idNumber: String
    public var crematedAt: Timestamp
    /// The funeral home's name.
    public var funeralHome: String

    public init(idNumber: String, crematedAt: Timestamp, funeralHome: String) {
        self.idNumber = idNumber
        self.crematedAt = crematedAt
        self.funeralHome = funeralHome
    }
}

/// `death.withdrawn`: the case's death is no fact; a subscriber undoes what it did on it.
public struct DeathWithdrawn: Codable, Sendable, Equatable {
    public var idNumber: String
    public var withdrawnAt: Timestamp

    public init(idNumber: String, withdrawnAt: Timestamp) {
        self.idNumber = idNumber
        self.withdrawnAt = withdrawnAt
    }
}
