import Computation
import Foundation
import Postgres
import Vocabulary

/// Each page, rendered from the same answers as the API (`KPIReport`, `KPITable` and `SSIAnalytics`, read
/// field by field), so that a page and the API never disagree.
public enum Dashboards {
    /// The page of `view` as HTML; `hrOnly` keys see the candidate KPIs only.
    public static func render(_ view: DashboardView, organization: UUID, hrOnly: Bool, pool: ConnectionPool) async throws -> String {
        let data = PageData(view: view, organization: organization, pool: pool)
        let body: String = switch view.page {
        case .overview: try await overview(data, hrOnly: hrOnly)
        case .programme: try await programme(data)
        case .content: try await content(data)
        case .ssi: try await ssi(data)
        case .results: try await results(data)
        case .hr: try await hr(data)
        case .me: try await me(data)
        }
        return Layout.page(view, body: body)
    }

    public static func signIn(message: String?) -> String { Layout.signIn(message: message) }

    public static func message(title: String, text: String) -> String { Layout.message(title: title, text: text) }

    /// The pages' one stylesheet, served at `/dashboard.css`.
    public static var stylesheet: String { Layout.stylesheet }

    /// The twelve KPIs of docs/KPIS.md as tiles, each with the series column that draws its trend.
    static let headline: [(key: String, series: String, column: String, per: String?)] = [
        ("active_ambassadors", "activity", "active_ambassadors", nil),
        ("content_shares", "activity", "posts", nil),
        ("engagement_rate", "activity", "engagement_rate", nil),
        ("posts_per_active_ambassador", "activity", "posts", "active_ambassadors"),
        ("new_audience_members", "value", "new_audience_members", nil),
        ("ssi_average", "ssi", "average_total", nil),
        ("advocacy_visits", "traffic", "advocacy_visits", nil),
        ("emv", "value", "emv", nil),
        ("advocacy_leads", "pipeline", "advocacy_leads", nil),
        ("advocacy_lead_conversion", "pipeline", "advocacy_leads_won", "advocacy_leads"),
        ("advocacy_applications", "hiring", "advocacy_applications", nil),
        ("advocacy_hire_conversion", "hiring", "advocacy_hires", "advocacy_applications"),
    ]

    static func series(_ name: String, granularity: Granularity) -> KPITable.Kind {
        switch name {
        case "activity": .activitySeries(granularity: granularity)
        case "value": .valueSeries(granularity: granularity)
        case "ssi": .ssiSeries(granularity: granularity)
        case "traffic": .trafficSeries(granularity: granularity)
        case "hiring": .hiringSeries(granularity: granularity)
        default: .pipelineSeries(granularity: granularity)
        }
    }

    static func overview(_ data: PageData, hrOnly: Bool) async throws -> String {
        var names: [String] = []
        // An HR key's page shows the candidate tiles only, and loads nothing else.
        for tile in headline where !names.contains(tile.series) && (!hrOnly || tile.series == "hiring") { names.append(tile.series) }
        var (report, tables) = try await data.load(names.map { Self.series($0, granularity: data.view.granularity) })
        if hrOnly { report = report.only(families: [.candidates]) }
        let series = Dictionary(uniqueKeysWithValues: zip(names, tables))
        let empty = headline.allSatisfy { report[$0.key]?.value.flatMap(Double.init).map { $0 == 0 } ?? true }
        var html = empty ? "<p class=\"no-data\" role=\"note\">No data for this period.</p>" : ""
        html += "<section class=\"tiles\" aria-label=\"KPIs\">"
        for tile in headline {
            guard let row = report[tile.key] else { continue }
            let trend = (series[tile.series] ?? []).map { row -> Double? in
                guard let value = number(row[tile.column]) else { return nil }
                guard let per = tile.per else { return value }
                return number(row[per]).flatMap { $0 > 0 ? value / $0 : nil }
            }
            html += self.tile(row, currency: report.currency, trend: trend, granularity: data.view.granularity)
        }
        return html + "</section><p class=\"muted\">Definitions: <a href=\"/v1/kpis/catalog?format=csv\">KPI catalog (CSV)</a> · "
            + "<a href=\"/v1/kpis?\(data.view.periodQuery)&amp;format=csv\" download>Download these KPIs (CSV)</a></p>"
    }

    /// The tiles of these KPIs, without trend lines, for the pages below the overview.
    static func tiles(_ report: KPIReport, _ keys: [String], granularity: Granularity) -> String {
        "<section class=\"tiles\">"
            + keys.compactMap { report[$0] }.map { tile($0, currency: report.currency, trend: [], granularity: granularity) }.joined()
            + "</section>"
    }

    static func tile(_ row: KPIReport.Row, currency: String, trend: [Double?], granularity: Granularity) -> String {
        let value = row.value.flatMap(Double.init)
        // The catalog's "ratio" of posts per ambassador is a quotient, not a share: shown as a number.
        var row = row
        if row.key == "posts_per_active_ambassador" { row = row.withUnit("count") }
        var html = "<article class=\"tile\" data-kpi=\"\(row.key)\"><h2>\(Formatting.html(row.name))</h2>"
        html += "<div class=\"value\">\(Formatting.value(value, unit: row.unit, currency: currency))"
        let maturity = row.detail["maturity"]
        if maturity?["immature"]?.bool == true { html += " <span class=\"immature\">immature</span>" }
        html += "</div>"
        if value == nil, let reason = row.reason { html += "<div class=\"muted\">\(Formatting.html(reason))</div>" }
        if maturity?["immature"]?.bool == true {
            // A young cohort's rate is not yet a result: say how young it is.
            html += "<div class=\"muted\">\(percent(maturity?["open_share"])) still open, median age \(count(maturity?["median_age_days"])) days, "
            html += "under the \(count(maturity?["window_days"]))-day window</div>"
        }
        if let change = row.change.flatMap(Double.init) {
            let (arrow, style, word) = change > 0 ? ("▲", "up", "up") : change < 0 ? ("▼", "down", "down") : ("■", "flat", "unchanged")
            html += "<div class=\"\(style)\"><span aria-hidden=\"true\">\(arrow)</span> <span class=\"visually-hidden\">\(word)</span> "
            html += Formatting.change(change, unit: row.unit, currency: currency)
            html += " <span class=\"muted\">vs \(Formatting.value(row.previous.flatMap(Double.init), unit: row.unit, currency: currency))</span></div>"
        } else {
            html += "<div class=\"muted\">previous: \(Formatting.value(row.previous.flatMap(Double.init), unit: row.unit, currency: currency))</div>"
        }
        return html + Charts.sparkline(title: "\(row.name) per \(granularity.rawValue)", values: trend) + "</article>"
    }

    static func programme(_ data: PageData) async throws -> String {
        // Posts per ambassador: how many posting ambassadors posted 1, 2-3, 4-7... times in the period.
        let bins: [(label: String, from: Int)] = [("1", 1), ("2–3", 2), ("4–7", 4), ("8–15", 8), ("16–31", 16), ("32+", 32)]
        async let leaderboard = data.preview(.ambassadorLeaderboard(rankedBy: .posts), binning: (.posts, bins.map(\.from)))
        let (report, tables) = try await data.load([.activitySeries(granularity: data.view.granularity)])
        let series = tables[0]
        let (leaders, perBin) = try await leaderboard
        var html = tiles(report, ["active_ambassadors", "adoption_rate", "posts_per_active_ambassador", "return_per_active_ambassador"], granularity: data.view.granularity)
        html += Charts.line(
            title: "Active ambassadors and posts per \(data.view.granularity.rawValue)", labels: series.map { text($0["bucket"]) },
            series: [
                Charts.Series(name: "Active ambassadors", values: series.map { number($0["active_ambassadors"]) }, colour: "#1f5fa8"),
                Charts.Series(name: "Posts", values: series.map { number($0["posts"]) }, colour: "#b3261e"),
            ],
            unit: Formatting.count
        )
        html += Charts.bars(
            title: "Posting ambassadors by posts in the period", labels: bins.map { "\($0.label) posts" },
            values: perBin.map(Double.init), unit: Formatting.count
        )
        html += Layout.table(
            caption: "Ambassador leaderboard (by posts)", header: ["Rank", "Ambassador", "Team", "Posts", "Impressions", "Engagement rate"],
            rows: leaders.map { row in
                [text(row["rank"]), text(row["ambassador_id"]), text(row["team"]), count(row["posts"]), count(row["impressions"]),
                 percent(row["engagement_rate"])]
            },
            csv: "/v1/leaderboards/ambassadors?\(data.view.query)&format=csv"
        )
        return html
    }

    static func content(_ data: PageData) async throws -> String {
        async let leaderboard = data.preview(.contentLeaderboard(rankedBy: .shares))
        let (report, tables) = try await data.load([.postBreakdown(dimension: .network)])
        let networks = tables[0]
        let leaders = try await leaderboard.rows
        var html = tiles(report, ["content_shares", "engagement_rate", "impressions", "members_reached", "potential_reach"], granularity: data.view.granularity)
        html += Layout.table(
            caption: "Most shared content", header: ["Rank", "Content", "Campaign", "Shares", "Impressions", "Engagements", "Engagement rate"],
            rows: leaders.map { row in
                [text(row["rank"]), text(present(row["title"]) ?? row["content_id"]), text(row["campaign"]), count(row["shares"]),
                 count(row["impressions"]), count(row["engagements"]), percent(row["engagement_rate"])]
            },
            csv: "/v1/leaderboards/content?\(data.view.query)&format=csv"
        )
        html += Charts.bars(
            title: "Engagement rate by network", labels: networks.map { text($0["value"]) },
            values: networks.map { number($0["engagement_rate"]) ?? 0 }, unit: Formatting.percent
        )
        html += Layout.table(
            caption: "Posting results by network", header: ["Network", "Posts", "Ambassadors", "Impressions", "Engagement rate", "EMV"],
            rows: networks.map { row in
                [text(row["value"]), count(row["posts"]), count(row["active_ambassadors"]), count(row["impressions"]),
                 percent(row["engagement_rate"]), money(row["emv"], report.currency)]
            },
            csv: "/v1/breakdowns/posts?\(data.view.query)&by=network&format=csv"
        )
        return html
    }

    static func ssi(_ data: PageData) async throws -> String {
        async let analytics = SSIAnalytics.overview(
            organization: data.organization, date: data.view.period.to, team: data.view.filters.team,
            improvedSince: data.view.period.from, pool: data.pool
        )
        async let challenges = SSIChallenges.current(organization: data.organization, date: data.view.period.to, pool: data.pool)
        // The organisation's series only: a team's SSI has no rollup series.
        let series = data.view.filters.team == nil ? try await data.tables([.ssiSeries(granularity: data.view.granularity)])[0] : []
        let overview = try await analytics
        let summary = overview.summary
        var html = "<section class=\"tiles\">"
        for (label, key, isRatio) in [("Average SSI", "average_total", false), ("Share above 75", "share_above_75", true),
                                      ("Weekly change", "weekly_change", false), ("Monthly change", "monthly_change", false),
                                      ("Average industry rank (top %)", "average_industry_rank_top_pct", false),
                                      ("Average network rank (top %)", "average_network_rank_top_pct", false)] {
            let value = number(summary?[key])
            html += "<article class=\"tile\" data-kpi=\"ssi.\(key)\"><h2>\(label)</h2><div class=\"value\">"
            html += value.map { isRatio ? Formatting.percent($0) : Formatting.decimal($0, fractionDigits: 2) } ?? "n/a"
            html += "</div></article>"
        }
        html += "</section>"
        let pillars = ["average_brand": "Brand", "average_people": "People", "average_insights": "Insights", "average_relationships": "Relationships"]
        html += Charts.bars(
            title: "Average of each pillar (out of 25)", labels: pillars.keys.sorted().map { pillars[$0] ?? $0 },
            values: pillars.keys.sorted().map { number(summary?[$0]) ?? 0 }, unit: { Formatting.decimal($0, fractionDigits: 2) }
        )
        if data.view.filters.team == nil {
            html += Charts.line(
                title: "Average SSI at the end of each \(data.view.granularity.rawValue)", labels: series.map { text($0["bucket"]) },
                series: [Charts.Series(name: "Average SSI", values: series.map { number($0["average_total"]) }, colour: "#1f5fa8")],
                unit: { Formatting.decimal($0, fractionDigits: 0) }
            )
        }
        let bands = overview.bands
        html += Charts.bars(title: "Ambassadors per SSI band", labels: bands.map { text($0["band"]) },
                            values: bands.map { number($0["ambassadors"]) ?? 0 }, unit: Formatting.count)
        html += Layout.table(
            caption: "SSI bands", header: ["Band", "Ambassadors", "Share", "Relative post reach"],
            rows: bands.map { [text($0["band"]), count($0["ambassadors"]), percent($0["share"]), percent($0["relative_reach"])] }, csv: nil
        )
        let leaderboard = overview.leaderboard
        let teamQuery = data.view.filters.team.map { "&team=\(DashboardView.encode($0))" } ?? ""
        html += Layout.table(
            caption: "SSI leaderboard", header: ["Rank", "Ambassador", "Team", "SSI", "Snapshot"],
            rows: leaderboard.prefix(20).map { [text($0["rank"]), text($0["ambassador_id"]), text($0["team"]), score($0["total_score"]), text($0["snapshot_date"])] },
            csv: "/v1/ssi/leaderboard?date=\(data.view.period.to)\(teamQuery)&format=csv"
        )
        let improved = overview.mostImproved
        html += Layout.table(
            caption: "Most improved since \(data.view.period.from)", header: ["Rank", "Ambassador", "Team", "From", "To", "Gain"],
            rows: improved.map { [text($0["rank"]), text($0["ambassador_id"]), text($0["team"]), score($0["score_from"]), score($0["score_to"]), score($0["gain"])] },
            csv: nil
        )
        let goals = overview.goals
        html += Layout.table(
            caption: "Goals", header: ["Ambassador", "Target", "By", "Current", "Progress", "Projected date"],
            rows: goals.map { [text($0["ambassador_id"]), score($0["target_score"]), text($0["target_date"]), score($0["current_score"]),
                               percent($0["progress"]), text($0["projected_date"], default: "not on the current trend")] },
            csv: nil
        )
        for challenge in try await challenges {
            html += try await challengeStandings(challenge, data)
        }
        return html
    }

    /// A challenge under way (or just ended): who leads, who reached the target, and the teams' averages.
    static func challengeStandings(_ challenge: SSIChallenges.Challenge, _ data: PageData) async throws -> String {
        let standings = try await SSIChallenges.standings(of: challenge, organization: data.organization, date: data.view.period.to, pool: data.pool)
        let target = challenge.targetGain.map { "gain \($0) points" } ?? challenge.targetScore.map { "reach \($0)" } ?? ""
        let who = challenge.teams.map { $0.joined(separator: ", ") } ?? "everyone"
        var html = Layout.table(
            caption: "Challenge \u{201C}\(challenge.name)\u{201D} (\(who), \(challenge.startsOn) to \(challenge.endsOn), \(target)): "
                + "\(standings.reached) of \(standings.participants) reached it as of \(standings.asOf)",
            header: ["Rank", "Ambassador", "Team", "Start", "Now", "Gain", "Reached"],
            rows: standings.standings.prefix(20).map {
                [text($0["rank"]), text($0["ambassador_id"]), text($0["team"]), score($0["start_score"]), score($0["current_score"]),
                 score($0["gain"]), $0["reached"]?.bool == true ? "yes" : "no"]
            },
            csv: nil
        )
        html += Layout.table(
            caption: "Challenge \u{201C}\(challenge.name)\u{201D}: teams", header: ["Team", "Ambassadors", "Average start", "Average now", "Average gain", "Reached"],
            rows: standings.teams.map {
                [text($0["team"], default: "no team"), count($0["ambassadors"]), score($0["average_start"]), score($0["average_current"]),
                 score($0["average_gain"]), count($0["reached"])]
            },
            csv: nil
        )
        return html
    }

    /// An ambassador's own page (`AmbassadorView`, what `GET /v1/me` answers): their numbers and ranks, their SSI,
    /// their goal, what to share next, and the first five by posts as ranks.
    static func me(_ data: PageData) async throws -> String {
        guard let ambassador = data.view.ambassador,
              let me = try await AmbassadorView.load(organization: data.organization, ambassador: ambassador, period: data.view.period, pool: data.pool)
        else { return "<p class=\"no-data\" role=\"note\">No ambassador of this organisation goes by this key's ambassador id.</p>" }
        let summary = me.summary
        func tile(_ label: String, _ value: String, _ note: String? = nil) -> String {
            "<article class=\"tile\"><h2>\(Formatting.html(label))</h2><div class=\"value\">\(Formatting.html(value))</div>"
                + (note.map { "<div class=\"muted\">\(Formatting.html($0))</div>" } ?? "") + "</article>"
        }
        /// "rank 2 of 3 in the organisation, rank 1 of 2 in Sales" for the ranking by `by` (posts or engagement).
        func ranks(by: String) -> String {
            func rank(_ key: String, of ranked: String) -> String {
                present(summary[key]).map { "rank \(text($0)) of \(count(summary[ranked]))" } ?? "no post in the period"
            }
            let team = present(summary["team"]).map { "\(rank("team_rank_by_\(by)", of: "team_ranked")) in \(text($0))" } ?? "no team"
            return "\(rank("rank_by_\(by)", of: "ranked")) in the organisation, \(team)"
        }
        var html = "<section class=\"tiles\">"
        html += tile("Posts", count(summary["posts"]), ranks(by: "posts"))
        html += tile("Engagements", count(summary["engagements"]), ranks(by: "engagement"))
        html += tile("Impressions", count(summary["impressions"]))
        html += tile("Engagement rate", percent(summary["engagement_rate"]))
        html += tile("Website visits you brought", count(summary["visits"]))
        html += tile("Leads and applications", "\(count(summary["leads"])) / \(count(summary["applications"]))")
        html += tile("Earned media value", Formatting.decimal(number(summary["emv"]) ?? 0, fractionDigits: 2))
        if let ssi = me.ssi {
            let change = number(ssi["weekly_change"]).map { ($0 >= 0 ? "+" : "") + Formatting.decimal($0, fractionDigits: 2) + " this week" }
            html += tile("Your SSI", score(ssi["total_score"]), change ?? "no snapshot a week before")
        }
        html += "</section>"
        if let ssi = me.ssi {
            html += Charts.bars(
                title: "Your SSI pillars (out of 25)", labels: ["Brand", "People", "Insights", "Relationships"],
                values: ["brand_score", "people_score", "insights_score", "relationships_score"].map { number(ssi[$0]) ?? 0 },
                unit: { Formatting.decimal($0, fractionDigits: 2) }
            )
        }
        if let goal = me.goal {
            html += Layout.table(
                caption: "Your SSI goal", header: ["Target", "By", "Now", "Progress", "Trend per week", "Reached on current trend"],
                rows: [[score(goal["target_score"]), text(goal["target_date"]), score(goal["current_score"]), percent(goal["progress"]),
                        score(goal["trend_per_week"]), text(goal["projected_date"], default: "not on the current trend")]],
                csv: nil
            )
        }
        html += Layout.table(
            caption: "Worth sharing next: your team's best content you have not shared", header: ["Content", "Campaign", "Team shares", "Engagement rate"],
            rows: me.suggestions.map { [text($0["title"], default: text($0["content_id"])), text($0["campaign"]), count($0["team_shares"]),
                                        percent($0["engagement_rate"])] },
            csv: nil
        )
        html += Layout.table(
            caption: "The organisation's first five by posts", header: ["Rank", "Ambassador", "Posts"],
            rows: me.leaders.map { [text($0["rank"]), $0["you"]?.bool == true ? "you" : text($0["display_name"], default: "—"), count($0["posts"])] },
            csv: nil
        )
        return html
    }

    static func results(_ data: PageData) async throws -> String {
        let (report, tables) = try await data.load([.trafficSeries(granularity: data.view.granularity)])
        let traffic = tables[0]
        var html = tiles(report, ["advocacy_visits", "advocacy_traffic_share", "emv", "programme_cost", "roi", "advocacy_leads"], granularity: data.view.granularity)
        html += Charts.line(
            title: "Advocacy share of website visits per \(data.view.granularity.rawValue)", labels: traffic.map { text($0["bucket"]) },
            series: [Charts.Series(name: "Advocacy share", values: traffic.map { number($0["advocacy_share"]) }, colour: "#1f5fa8")],
            unit: Formatting.percent
        )
        if let detail = report["emv"]?.detail {
            html += Charts.bars(
                title: "EMV by part", labels: ["Impressions", "Clicks", "Engagements"],
                values: ["impressions", "clicks", "engagements"].map { number(detail[$0]) ?? 0 },
                unit: { Formatting.money($0, currency: report.currency) }
            )
        }
        if let roi = report["roi"] {
            let detail = roi.detail
            html += Layout.table(
                caption: "Return on investment", header: ["EMV", "Won value", "Programme cost", "ROI"],
                rows: [[money(detail["emv"], report.currency), money(detail["won_value"], report.currency), money(detail["cost"], report.currency),
                        roi.value.flatMap(Double.init).map(Formatting.percent) ?? "n/a"]],
                csv: "/v1/series/value?\(data.view.periodQuery)&granularity=\(data.view.granularity.rawValue)&format=csv"
            )
        }
        html += comparison(report["advocacy_lead_conversion"], title: "Lead conversion: advocacy against every other channel (95 % intervals)")
        return html
    }

    static func hr(_ data: PageData) async throws -> String {
        let (report, tables) = try await data.load([.hiringSeries(granularity: data.view.granularity),
                                                    .trafficSeries(granularity: data.view.granularity)])
        let (pipeline, traffic) = (tables[0], tables[1])
        var html = tiles(report, ["advocacy_applications", "advocacy_hire_conversion", "careers_advocacy_visits"], granularity: data.view.granularity)
        html += Charts.line(
            title: "Applications and hires sourced by ambassadors per \(data.view.granularity.rawValue)", labels: pipeline.map { text($0["bucket"]) },
            series: [
                Charts.Series(name: "Applications", values: pipeline.map { number($0["advocacy_applications"]) }, colour: "#1f5fa8"),
                Charts.Series(name: "Hires", values: pipeline.map { number($0["advocacy_hires"]) }, colour: "#b3261e"),
            ],
            unit: Formatting.count
        )
        let conversion = report["advocacy_hire_conversion"]
        html += comparison(conversion, title: "Application-to-hire conversion: advocacy against other sources (95 % intervals)")
        let detail = conversion?.detail
        html += Layout.table(
            caption: "Median time to hire", header: ["Advocacy", "Other sources"],
            rows: [[days(detail?["median_days_to_hire_advocacy"]), days(detail?["median_days_to_hire_others"])]], csv: nil
        )
        html += Charts.line(
            title: "Careers-portal visits per \(data.view.granularity.rawValue)", labels: traffic.map { text($0["bucket"]) },
            series: [
                Charts.Series(name: "All careers visits", values: traffic.map { number($0["careers_visits"]) }, colour: "#4a4a4a"),
                Charts.Series(name: "From ambassadors", values: traffic.map { number($0["careers_advocacy_visits"]) }, colour: "#1f5fa8"),
            ],
            unit: Formatting.count
        )
        html += Layout.table(
            caption: "Applications and hires", header: ["Bucket", "Applications", "Advocacy", "Advocacy hires", "Other hires"],
            rows: pipeline.map { [text($0["bucket"]), count($0["applications"]), count($0["advocacy_applications"]), count($0["advocacy_hires"]),
                                  count($0["other_hires"])] },
            csv: "/v1/series/hiring?\(data.view.periodQuery)&granularity=\(data.view.granularity.rawValue)&format=csv"
        )
        return html
    }

    /// Advocacy against the others with their intervals, the lift, and whether the samples allow a conclusion.
    static func comparison(_ row: KPIReport.Row?, title: String) -> String {
        let detail = row?.detail
        func group(_ name: String, _ label: String) -> (label: String, rate: Double?, low: Double?, high: Double?) {
            let group = detail?[name]
            return ("\(label) (\(count(group?["successes"])) of \(count(group?["trials"])))", number(group?["rate"]), number(group?["ci95_low"]),
                    number(group?["ci95_high"]))
        }
        var html = Charts.intervals(title: title, groups: [group("advocacy", "Advocacy"), group("others", "Others")])
        if let lift = number(detail?["lift"]) {
            html += "<p>Lift: ×\(Formatting.decimal(lift, fractionDigits: 2))"
            if let low = number(detail?["lift_ci95_low"]), let high = number(detail?["lift_ci95_high"]) {
                html += " (95 % interval ×\(Formatting.decimal(low, fractionDigits: 2)) to ×\(Formatting.decimal(high, fractionDigits: 2)))"
            }
            html += "</p>"
        }
        if let note = detail?["note"]?.string { html += "<p class=\"muted\">\(Formatting.html(note))</p>" }
        if let within = detail?["within_window"] {
            let window = count(within["window_days"])
            func cell(_ name: String) -> String {
                let group = within[name]
                return "\(percent(group?["rate"])) (\(count(group?["successes"])) of \(count(group?["trials"])))"
            }
            html += Layout.table(
                caption: "Converted within \(window) days of creation, over the cohorts at least \(window) days old",
                header: ["Advocacy", "Others", "Lift"],
                rows: [[cell("advocacy"), cell("others"), number(within["lift"]).map { "×" + Formatting.decimal($0, fractionDigits: 2) } ?? "n/a"]],
                csv: nil
            )
        }
        return html
    }

    /// A value that is there and not NULL.
    static func present(_ value: Value?) -> Value? {
        if case .null? = value { return nil }
        return value
    }

    static func number(_ value: Value?) -> Double? { value?.double }

    static func text(_ value: Value?, default fallback: String = "") -> String { value?.string ?? fallback }

    static func count(_ value: Value?) -> String { number(value).map(Formatting.count) ?? "n/a" }
    static func percent(_ value: Value?) -> String { number(value).map(Formatting.percent) ?? "n/a" }
    static func score(_ value: Value?) -> String { number(value).map { Formatting.decimal($0, fractionDigits: 2) } ?? "n/a" }
    static func money(_ value: Value?, _ currency: String) -> String { number(value).map { Formatting.money($0, currency: currency) } ?? "n/a" }
    static func days(_ value: Value?) -> String { number(value).map { Formatting.decimal($0, fractionDigits: 1) + " days" } ?? "n/a" }
}

/// One page's view and where its data comes from. A page asks for its report and its tables at once:
/// they run on as many pooled connections, so a page waits for its slowest read, not for their sum.
struct PageData: Sendable {
    let view: DashboardView
    let organization: UUID
    let pool: ConnectionPool

    /// The period's report and these tables, read concurrently.
    func load(_ kinds: [KPITable.Kind]) async throws -> (KPIReport, [[Record]]) {
        async let report = KPIReport.load(organization: organization, period: view.period, pool: pool)
        let tables = try await tables(kinds)
        return (try await report, tables)
    }

    /// These tables, read concurrently.
    func tables(_ kinds: [KPITable.Kind]) async throws -> [[Record]] {
        try await withThrowingTaskGroup(of: (Int, [Record]).self) { group in
            for (index, kind) in kinds.enumerated() {
                group.addTask {
                    (index, try await KPITable.rows(kind, organization: organization, period: view.period, filters: view.filters,
                                                    pool: pool))
                }
            }
            var tables = Array(repeating: [Record](), count: kinds.count)
            for try await (index, rows) in group { tables[index] = rows }
            return tables
        }
    }

    /// A leaderboard's first 20 rows, and its histogram when asked (`KPITable.preview`).
    func preview(
        _ kind: KPITable.Kind, binning: (column: KPITable.BinnedColumn, bounds: [Int])? = nil
    ) async throws -> (rows: [Record], bins: [Int]) {
        try await KPITable.preview(kind, organization: organization, period: view.period, filters: view.filters, rows: 20,
                                   binning: binning, pool: pool)
    }
}
