import Foundation
import HoushiContract
import HoushiMessaging
import Testing

extension Houshi {
    /// Takes every message of `caseId` off the departments' queues (waiting until `expected` of
    /// each are there) and publishes them again in the order `first` puts them: the out-of-order
    /// delivery a retry or a restart can cause. A type routed to several of the queues goes out
    /// once; anything else found there goes back as it was.
    func redeliver(caseId: UUID, expected: [Department: Int], first: (Delivery) -> Bool) async throws {
        func isOurs(_ delivery: Delivery) -> Bool { String(decoding: delivery.body, as: UTF8.self).contains(caseId.lowercased) }
        var ours: [Delivery] = []
        var others: [Delivery] = []
        for (department, count) in expected.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            var deliveries: [Delivery] = []
            try await eventually("\(count) messages of the case in \(department.rawValue)'s queue") {
                deliveries += try await infrastructure.drain(queue: Topology.queue(of: department))
                return deliveries.filter(isOurs).count >= count
            }
            #expect(deliveries.filter(isOurs).count == count, "\(department.rawValue): \(deliveries.map(\.routingKey))")
            ours += deliveries.filter(isOurs)
            others += deliveries.filter { !isOurs($0) }
        }
        var seen: Set<String> = []
        let once = ours.filter { seen.insert($0.properties.messageId ?? UUID().lowercased).inserted }
        for delivery in once.filter(first) + once.filter({ !first($0) }) + others {
            try await infrastructure.publish(routingKey: delivery.routingKey, body: delivery.body, properties: delivery.properties)
        }
    }
}
