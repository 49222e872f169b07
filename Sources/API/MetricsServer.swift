import Hummingbird
import Logging
import Telemetry

/// `GET /metrics` on a listener of its own, apart from the API: Prometheus scrapes it without a key, so it
/// listens where only the monitoring network reaches (loopback by default), never behind the public proxy.
public func buildMetricsApplication(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
    let router = Router()
    router.get("metrics") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: MetricsExport.exposition()))
        )
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: "advocacy-metrics"),
        logger: logger
    )
}
