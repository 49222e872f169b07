import Computation
import Foundation
import Vocabulary

/// The dashboard pages, in the order of the navigation, and the scope each needs.
public enum DashboardPage: String, CaseIterable, Sendable {
    case overview, programme, content, ssi, results, hr
    /// An ambassador's own page (a key bound to one ambassador).
    case me

    public var title: String {
        switch self {
        case .overview: "Overview"
        case .programme: "Programme"
        case .content: "Content"
        case .ssi: "Social Selling Index"
        case .results: "Results"
        case .hr: "HR"
        case .me: "My impact"
        }
    }

    /// The filters that make sense on the page (the KPIs of the tiles are organisation-wide).
    public var filters: [BreakdownDimension] {
        switch self {
        case .overview, .hr, .me: []
        case .programme, .content: BreakdownDimension.allCases
        case .ssi: [.team]
        case .results: [.network, .campaign]
        }
    }
}

/// What a page shows: its period (named or custom), granularity and filters, all from the URL, so that a
/// URL reproduces the view.
public struct DashboardView: Sendable {
    public var page: DashboardPage
    public var period: Period
    public var periodName: String?
    public var granularity: Granularity
    public var filters: KPIFilters
    /// The pages the signed-in key may open.
    public var pages: [DashboardPage]
    public var keyName: String
    /// The ambassador an ambassador key is bound to (the `me` page's).
    public var ambassador: String?

    public init(page: DashboardPage, period: Period, periodName: String?, granularity: Granularity, filters: KPIFilters,
                pages: [DashboardPage], keyName: String, ambassador: String? = nil) {
        self.ambassador = ambassador
        self.page = page
        self.period = period
        self.periodName = periodName
        self.granularity = granularity
        self.filters = filters
        self.pages = pages
        self.keyName = keyName
    }

    var filterValues: [String: String] {
        var values: [String: String] = [:]
        for dimension in page.filters {
            if let value = filters[dimension] { values[dimension.rawValue] = value }
        }
        return values
    }

    /// The query string of this view, for links to the API's CSV and to the other pages.
    public var query: String {
        var items = periodName.map { [("period", $0)] } ?? [("from", period.from), ("to", period.to)]
        items.append(("granularity", granularity.rawValue))
        items += filterValues.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return items.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    /// The period only, for the links of the navigation.
    var periodQuery: String {
        periodName.map { "period=\($0)" } ?? "from=\(period.from)&to=\(period.to)"
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}

enum Layout {
    static func page(_ view: DashboardView, body: String) -> String {
        let title = "\(view.page.title) · Employee advocacy"
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>\(Formatting.html(title))</title>"
        html += "<link rel=\"stylesheet\" href=\"/dashboard.css\"></head><body>"
        html += "<header><nav aria-label=\"Dashboards\"><ul>"
        for page in view.pages {
            let current = page == view.page ? " aria-current=\"page\"" : ""
            html += "<li><a href=\"/dashboard/\(page.rawValue)?\(view.periodQuery)\"\(current)>\(Formatting.html(page.title))</a></li>"
        }
        html += "</ul></nav><form method=\"post\" action=\"/sign-out\" class=\"sign-out\"><span>\(Formatting.html(view.keyName))</span>"
        html += "<button type=\"submit\">Sign out</button></form></header><main>"
        html += "<h1>\(Formatting.html(view.page.title))</h1>"
        html += picker(view)
        html += "<p class=\"period\">\(Formatting.html(view.period.from)) to \(Formatting.html(view.period.to))</p>"
        return html + body + "</main></body></html>"
    }

    /// The period picker and the page's filters: a plain GET form.
    static func picker(_ view: DashboardView) -> String {
        var form = "<form method=\"get\" class=\"picker\" aria-label=\"Period and filters\">"
        form += "<label>Period <select name=\"period\"><option value=\"\">Custom dates</option>"
        for period in NamedPeriod.allCases {
            form += "<option value=\"\(period.rawValue)\"\(view.periodName == period.rawValue ? " selected" : "")>\(period.label)</option>"
        }
        form += "</select></label>"
        form += "<label>From <input type=\"date\" name=\"from\" value=\"\(view.periodName == nil ? view.period.from : "")\"></label>"
        form += "<label>To <input type=\"date\" name=\"to\" value=\"\(view.periodName == nil ? view.period.to : "")\"></label>"
        form += "<label>Granularity <select name=\"granularity\">"
        for value in Granularity.allCases {
            form += "<option\(view.granularity == value ? " selected" : "")>\(value.rawValue)</option>"
        }
        form += "</select></label>"
        for dimension in view.page.filters {
            let name = dimension.rawValue
            let value = view.filterValues[name] ?? ""
            if dimension == .network {
                form += "<label>Network <select name=\"network\"><option value=\"\">Any</option>"
                for network in Network.names {
                    form += "<option\(value == network ? " selected" : "")>\(network)</option>"
                }
                form += "</select></label>"
            } else {
                form += "<label>\(name.capitalized) <input type=\"text\" name=\"\(name)\" value=\"\(Formatting.html(value))\"></label>"
            }
        }
        return form + "<button type=\"submit\">Apply</button></form>"
    }

    /// A table with a CSV download link (the API's CSV of the same rows).
    static func table(caption: String, header: [String], rows: [[String]], csv: String?) -> String {
        var html = "<section class=\"table\"><h2>\(Formatting.html(caption))</h2>"
        if let csv { html += "<p><a href=\"\(Formatting.html(csv))\" download>Download CSV</a></p>" }
        guard !rows.isEmpty else { return html + "<p class=\"no-data\" role=\"note\">No data for this period.</p></section>" }
        html += "<div class=\"scroll\"><table><thead><tr>"
        html += header.map { "<th scope=\"col\">\(Formatting.html($0))</th>" }.joined()
        html += "</tr></thead><tbody>"
        for row in rows {
            html += "<tr>" + row.map { "<td>\(Formatting.html($0))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table></div></section>"
    }

    static func signIn(message: String?) -> String {
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>Sign in · Employee advocacy</title>"
        html += "<link rel=\"stylesheet\" href=\"/dashboard.css\"></head><body><main class=\"sign-in\"><h1>Employee advocacy dashboards</h1>"
        if let message { html += "<p class=\"error\" role=\"alert\">\(Formatting.html(message))</p>" }
        html += "<form method=\"post\" action=\"/sign-in\"><label for=\"key\">Organisation key</label>"
        html += "<input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"current-password\" required placeholder=\"adv_...\">"
        return html + "<button type=\"submit\">Sign in</button></form></main></body></html>"
    }

    static func message(title: String, text: String) -> String {
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(Formatting.html(title))</title><link rel=\"stylesheet\" href=\"/dashboard.css\"></head>"
            + "<body><main><h1>\(Formatting.html(title))</h1><p>\(Formatting.html(text))</p><p><a href=\"/dashboard/overview\">Overview</a></p></main></body></html>"
    }

    // Colours chosen for contrast of at least 4.5:1 on white (WCAG AA).
    /// Served at `/dashboard.css`: pages carry no inline style, so their Content-Security-Policy allows none.
    static let stylesheet = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}
        header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;background:#0b3d6e;color:#fff;padding:.5rem 1rem}
        header ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0}
        header a{color:#fff}header a[aria-current]{font-weight:700;text-decoration:underline}
        .sign-out span{margin-right:.5rem}
        main{padding:1rem;max-width:1100px;margin:auto}
        .picker{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin-bottom:1rem}
        .picker label{display:flex;flex-direction:column;font-size:.85rem}
        .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.75rem}
        .tile{border:1px solid #c8c8c8;border-radius:6px;padding:.75rem}
        .tile h2{font-size:.95rem;margin:0 0 .25rem}.tile .value{font-size:1.6rem;font-weight:700}
        .immature{font-size:.8rem;font-weight:600;color:#7a4d00;border:1px solid #7a4d00;border-radius:4px;padding:0 .3rem;vertical-align:middle}
        .up{color:#146c2e}.down{color:#b3261e}.flat{color:#4a4a4a}.muted{color:#4a4a4a;font-size:.85rem}
        figure{margin:1rem 0}svg{max-width:100%;height:auto;font-size:12px}svg text{fill:#1a1a1a}
        .grid{stroke:#e0e0e0}.axis{stroke:#4a4a4a}.bar{fill:#1f5fa8}.interval{stroke:#1a1a1a;stroke-width:2}.point{fill:#b3261e}
        .chart-title{font-weight:700;font-size:13px}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e0e0e0}
        .no-data{color:#4a4a4a;font-style:italic}.error{color:#b3261e}
        .sign-in form{display:flex;flex-direction:column;gap:.5rem;max-width:24rem}
        .grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem}
        """
}
