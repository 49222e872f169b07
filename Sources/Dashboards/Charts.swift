import Foundation

/// Inline SVG charts with a title, axes, units and labels; an empty series is an explicit "no data" message,
/// never an empty frame.
public enum Charts {
    public struct Series: Sendable {
        public let name: String
        public let values: [Double?]
        public let colour: String

        public init(name: String, values: [Double?], colour: String) {
            self.name = name
            self.values = values
            self.colour = colour
        }
    }

    static let width = 640.0
    static let height = 240.0
    static let left = 64.0, right = 16.0, top = 28.0, bottom = 40.0

    static func noData(_ title: String) -> String {
        "<p class=\"no-data\" role=\"note\">\(Formatting.html(title)): no data for this period.</p>"
    }

    /// The axis ticks: round numbers from 0 to at least `maximum`.
    static func ticks(_ maximum: Double) -> [Double] {
        guard maximum > 0 else { return [0, 1] }
        let raw = maximum / 4
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: 0.0, through: step * 4 + step / 2, by: step).map { $0 }
    }

    /// Lines over labelled buckets (dates), one per series, with a y axis in `unit`.
    public static func line(title: String, labels: [String], series: [Series], unit: (Double) -> String) -> String {
        let values = series.flatMap { $0.values.compactMap { $0 } }
        guard !labels.isEmpty, !values.isEmpty, values.contains(where: { $0 != 0 }) else { return noData(title) }
        let yTicks = ticks(values.max() ?? 1)
        let top = yTicks.last ?? 1
        let plotWidth = width - left - right, plotHeight = height - Self.top - bottom
        func x(_ index: Int) -> Double { left + (labels.count == 1 ? plotWidth / 2 : plotWidth * Double(index) / Double(labels.count - 1)) }
        func y(_ value: Double) -> Double { Self.top + plotHeight * (1 - value / top) }
        var svg = svgOpen(title: title)
        for tick in yTicks {
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(y(tick))\" y2=\"\(y(tick))\" class=\"grid\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(tick) + 4)\" text-anchor=\"end\">\(Formatting.html(unit(tick)))</text>"
        }
        let every = max(1, labels.count / 6)
        for (index, label) in labels.enumerated() where index % every == 0 {
            svg += "<text x=\"\(x(index))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(Formatting.html(label))</text>"
        }
        svg += "<line x1=\"\(left)\" x2=\"\(left)\" y1=\"\(Self.top)\" y2=\"\(height - bottom)\" class=\"axis\"/>"
        svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(height - bottom)\" y2=\"\(height - bottom)\" class=\"axis\"/>"
        for (number, line) in series.enumerated() {
            let points = line.values.enumerated().compactMap { index, value in value.map { "\(x(index)),\(y($0))" } }
            svg += "<polyline fill=\"none\" stroke=\"\(line.colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
            svg += "<text x=\"\(left + 8 + Double(number) * 180)\" y=\"\(height - 6)\" fill=\"\(line.colour)\">■ \(Formatting.html(line.name))</text>"
        }
        return svg + "</svg></figure>"
    }

    /// Horizontal bars, one per label, with the formatted value at the end.
    public static func bars(title: String, labels: [String], values: [Double], unit: (Double) -> String) -> String {
        guard !labels.isEmpty, values.contains(where: { $0 != 0 }) else { return noData(title) }
        let maximum = values.max() ?? 1
        let rowHeight = 26.0
        let chartHeight = Self.top + rowHeight * Double(labels.count) + 8
        var svg = svgOpen(title: title, height: chartHeight)
        let barStart = 150.0, barWidth = width - barStart - 110
        for (index, label) in labels.enumerated() {
            let y = Self.top + rowHeight * Double(index)
            let length = maximum > 0 ? barWidth * max(values[index], 0) / maximum : 0
            svg += "<text x=\"\(barStart - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(Formatting.html(label))</text>"
            svg += "<rect x=\"\(barStart)\" y=\"\(y + 4)\" width=\"\(length)\" height=\"16\" class=\"bar\"/>"
            svg += "<text x=\"\(barStart + length + 6)\" y=\"\(y + 16)\">\(Formatting.html(unit(values[index])))</text>"
        }
        return svg + "</svg></figure>"
    }

    /// Rates with their 95 % intervals drawn as error bars, on a 0 to 100 % axis.
    public static func intervals(title: String, groups: [(label: String, rate: Double?, low: Double?, high: Double?)]) -> String {
        guard groups.contains(where: { $0.rate != nil }) else { return noData(title) }
        let chartHeight = Self.top + 44.0 * Double(groups.count) + bottom
        var svg = svgOpen(title: title, height: chartHeight)
        let start = 150.0, span = width - start - right - 20
        func x(_ rate: Double) -> Double { start + span * min(max(rate, 0), 1) }
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += "<line x1=\"\(x(tick))\" x2=\"\(x(tick))\" y1=\"\(Self.top)\" y2=\"\(chartHeight - bottom)\" class=\"grid\"/>"
            svg += "<text x=\"\(x(tick))\" y=\"\(chartHeight - bottom + 16)\" text-anchor=\"middle\">\(Formatting.percent(tick))</text>"
        }
        for (index, group) in groups.enumerated() {
            let y = Self.top + 44.0 * Double(index) + 20
            svg += "<text x=\"\(start - 8)\" y=\"\(y + 4)\" text-anchor=\"end\">\(Formatting.html(group.label))</text>"
            guard let rate = group.rate else {
                svg += "<text x=\"\(start + 4)\" y=\"\(y + 4)\">no cases</text>"
                continue
            }
            if let low = group.low, let high = group.high {
                svg += "<line x1=\"\(x(low))\" x2=\"\(x(high))\" y1=\"\(y)\" y2=\"\(y)\" class=\"interval\"/>"
                svg += "<line x1=\"\(x(low))\" x2=\"\(x(low))\" y1=\"\(y - 7)\" y2=\"\(y + 7)\" class=\"interval\"/>"
                svg += "<line x1=\"\(x(high))\" x2=\"\(x(high))\" y1=\"\(y - 7)\" y2=\"\(y + 7)\" class=\"interval\"/>"
            }
            svg += "<circle cx=\"\(x(rate))\" cy=\"\(y)\" r=\"5\" class=\"point\"/>"
            svg += "<text x=\"\(x(rate))\" y=\"\(y - 10)\" text-anchor=\"middle\">\(Formatting.percent(rate))</text>"
        }
        return svg + "</svg></figure>"
    }

    /// A small trend line without axes, for a tile (its title names what it draws).
    public static func sparkline(title: String, values: [Double?]) -> String {
        let known = values.compactMap { $0 }
        guard values.count > 1, let maximum = known.max(), let minimum = known.min() else { return "" }
        let range = maximum - minimum == 0 ? 1 : maximum - minimum
        let points = values.enumerated().compactMap { index, value in
            value.map { "\(120.0 * Double(index) / Double(values.count - 1)),\(28 - 24 * ($0 - minimum) / range)" }
        }
        return "<svg class=\"spark\" viewBox=\"0 0 120 32\" width=\"120\" height=\"32\" role=\"img\" aria-label=\"\(Formatting.html(title))\">"
            + "<title>\(Formatting.html(title))</title><polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/></svg>"
    }

    static func svgOpen(title: String, height: Double = Charts.height) -> String {
        "<figure><svg viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(Formatting.html(title))\"><title>\(Formatting.html(title))</title>"
            + "<text x=\"\(left)\" y=\"16\" class=\"chart-title\">\(Formatting.html(title))</text>"
    }
}
