import Metrics
import Prometheus

/// Every metric of the process (swift-metrics, from any module) lands in one Prometheus registry, which
/// `GET /metrics` writes out in the text format.
///
/// Names follow Prometheus's conventions: `_total` for counters, base units in the name (`_seconds`), labels
/// with a small, fixed set of values (a route pattern, never a path; an outcome, never an organisation id).
public enum MetricsExport {
    public static let registry = PrometheusCollectorRegistry()

    /// Points swift-metrics at `registry`. Safe to call more than once; only the first call does anything.
    public static func bootstrap() {
        _ = bootstrapped
    }

    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Requests of an API on rollups take milliseconds; a slow read or a big batch, seconds.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        // Value histograms count things: events in a batch.
        factory.defaultValueHistogramBuckets = [1, 10, 100, 500, 1000, 2500, 5000, 10000]
        MetricsSystem.bootstrap(factory)
    }()

    /// `advocacy_build_info{version, commit} 1`: which build each instance runs, for dashboards and alerts.
    public static func recordBuild(version: String, commit: String) {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "advocacy", metricName: "build", unitName: "info", helpText: "The version and commit this instance runs."), labels: [("version", version), ("commit", commit)]).set(to: 1.0)
    }

    /// The registry in the Prometheus text exposition format (version 0.0.4).
    public static func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
