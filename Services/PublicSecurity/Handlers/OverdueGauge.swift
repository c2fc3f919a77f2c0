import HoushiRuntime
import HoushiStorage
import Metrics
import ServiceLifecycle

/// Keeps `houshi_hukou_held_overdue` (held requests past their deadline) current, so an
/// operator's dashboard shows what nobody has decided in time.
struct OverdueGauge: Service {
    let context: ServiceContext
    var interval: Duration = .seconds(15)

    func run() async throws {
        let gauge = Gauge(label: "houshi_hukou_held_overdue")
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let overdue = try? await context.database.withConnection({ db in try HeldRequests.overdueCount(on: db) }) {
                    gauge.record(overdue)
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
