-- Averages at a date, with the change over the last week and the last month, optionally of one team (the
-- ambassador's current one), from the sums of the three dates' SSI rows (rollup.ssi_days, a row per team: the same
-- sums and counts avg() divides). Grain: one row per date.
CREATE OR REPLACE FUNCTION kpi.ssi_summary(org uuid, at date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(ambassadors bigint, average_total numeric, average_brand numeric, average_people numeric, average_insights numeric, average_relationships numeric, share_above_75 numeric, weekly_change numeric, monthly_change numeric, average_industry_rank_top_pct numeric, average_network_rank_top_pct numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    #variable_conflict use_column
    BEGIN
        IF NOT rollup.settled(org, at) THEN
            -- Days still queued: from the snapshots (kpi.ssi_latest answers from them then).
            RETURN QUERY
            WITH now AS (SELECT * FROM kpi.ssi_latest(org, at, team_filter)),
                 week_ago AS (SELECT avg(l.total_score) AS average FROM kpi.ssi_latest(org, at - 7, team_filter) AS l),
                 month_ago AS (SELECT avg(l.total_score) AS average FROM kpi.ssi_latest(org, (at - interval '1 month')::date, team_filter) AS l)
            SELECT count(*), round(avg(n.total_score), 2), round(avg(n.brand_score), 2), round(avg(n.people_score), 2),
                   round(avg(n.insights_score), 2), round(avg(n.relationships_score), 2),
                   round(count(*) FILTER (WHERE n.total_score > 75)::numeric / nullif(count(*), 0), 6),
                   round(avg(n.total_score) - (SELECT w.average FROM week_ago AS w), 2),
                   round(avg(n.total_score) - (SELECT m.average FROM month_ago AS m), 2),
                   round(avg(n.industry_rank_top_pct), 2), round(avg(n.network_rank_top_pct), 2)
            FROM now AS n;
            RETURN;
        END IF;
        RETURN QUERY
        WITH dated AS (
            SELECT k.which, sum(r.ambassadors) AS ambassadors, sum(r.total_sum) AS total_sum, sum(r.brand_sum) AS brand_sum,
                   sum(r.people_sum) AS people_sum, sum(r.insights_sum) AS insights_sum, sum(r.relationships_sum) AS relationships_sum,
                   sum(r.above_75) AS above_75, sum(r.industry_rank_sum) AS industry_rank_sum, sum(r.industry_ranked) AS industry_ranked,
                   sum(r.network_rank_sum) AS network_rank_sum, sum(r.network_ranked) AS network_ranked
            FROM (
                -- Each date's latest SSI day.
                SELECT v.which, (SELECT max(x.day) FROM rollup.ssi_days AS x WHERE x.organization_id = org AND x.day <= v.at) AS day
                FROM (VALUES ('now', at), ('week', at - 7), ('month', (at - interval '1 month')::date)) AS v (which, at)
            ) AS k
            LEFT JOIN rollup.ssi_days AS r
                   ON r.organization_id = org AND r.day = k.day
                  AND (team_filter IS NULL OR r.team = nullif(team_filter, ''))
            GROUP BY k.which
        )
        SELECT coalesce(n.ambassadors, 0)::bigint, round(n.total_sum / n.ambassadors, 2), round(n.brand_sum / n.ambassadors, 2),
               round(n.people_sum / n.ambassadors, 2), round(n.insights_sum / n.ambassadors, 2),
               round(n.relationships_sum / n.ambassadors, 2), round(n.above_75::numeric / n.ambassadors, 6),
               round(n.total_sum / n.ambassadors - w.total_sum / w.ambassadors, 2),
               round(n.total_sum / n.ambassadors - m.total_sum / m.ambassadors, 2),
               round(n.industry_rank_sum / nullif(n.industry_ranked, 0), 2), round(n.network_rank_sum / nullif(n.network_ranked, 0), 2)
        FROM dated AS n, dated AS w, dated AS m
        WHERE n.which = 'now' AND w.which = 'week' AND m.which = 'month';
    END
    $function$;
