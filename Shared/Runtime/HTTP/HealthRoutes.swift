import FoundationEssentials
import Hummingbird
import Prometheus

extension Router {
    /// `GET /healthz`: the process answers. `GET /readyz`: 200 when every part is ready, else 503;
    /// both list the parts as JSON.
    public func addHealthRoutes(readiness: Readiness) {
        get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"status":"alive"}"#)))
        }
        get("/readyz") { _, _ in
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let body = try encoder.encode(ReadinessReport(
                status: readiness.isReady ? "ready" : "not-ready",
                parts: Dictionary(uniqueKeysWithValues: readiness.snapshot.map { ($0.part, $0.ready) })))
            return Response(status: readiness.isReady ? .ok : .serviceUnavailable,
                            headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    /// `GET /metrics`: every metric of the process in Prometheus' text format.
    public func addMetricsRoute(_ registry: PrometheusCollectorRegistry) {
        get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}

/// The body of `/readyz`.
private struct ReadinessReport: Encodable {
    let status: String
    let parts: [String: Bool]
}
