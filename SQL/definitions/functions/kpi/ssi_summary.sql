-- Averages at a date, with the change over the last week and the last month, optionally of one team (the
-- ambassador's current one). The organisation's from the sums of the three dates' SSI rows (rollup.ssi_days: the
-- same sums and counts avg() divides); a team's from its ambassadors' scores (kpi.ssi_latest). Grain: one row per
-- date.
CREATE OR REPLACE FUNCTION kpi.ssi_summary(org uuid, at date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(ambassadors bigint, average_total numeric, average_brand numeric, average_people numeric, average_insights numeric, average_relationships numeric, share_above_75 numeric, weekly_change numeric, monthly_change numeric, average_industry_rank_top_pct numeric, average_network_rank_top_pct numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    #variable_conflict use_column
    BEGIN
        IF team_filter IS NULL AND rollup.settled(org, at) THEN
            RETURN QUERY
            WITH dated AS (
                SELECT k.which, r.*
                FROM (VALUES ('now', at), ('week', at - 7), ('month', (at - interval '1 month')::date)) AS k (which, day)
                LEFT JOIN LATERAL (
                    SELECT x.ambassadors, x.total_sum, x.brand_sum, x.people_sum, x.insights_sum, x.relationships_sum, x.above_75,
                           x.industry_rank_sum, x.industry_ranked, x.network_rank_sum, x.network_ranked
                    FROM rollup.ssi_days AS x
                    WHERE x.organization_id = org AND x.day <= k.day
                    ORDER BY x.day DESC
                    LIMIT 1
                ) AS r ON true
            )
            SELECT coalesce(n.ambassadors, 0)::bigint, round(n.total_sum / n.ambassadors, 2), round(n.brand_sum / n.ambassadors, 2),
                   round(n.people_sum / n.ambassadors, 2), round(n.insights_sum / n.ambassadors, 2),
                   round(n.relationships_sum / n.ambassadors, 2), round(n.above_75::numeric / n.ambassadors, 6),
                   round(n.total_sum / n.ambassadors - w.total_sum / w.ambassadors, 2),
                   round(n.total_sum / n.ambassadors - m.total_sum / m.ambassadors, 2),
                   round(n.industry_rank_sum / nullif(n.industry_ranked, 0), 2), round(n.network_rank_sum / nullif(n.network_ranked, 0), 2)
            FROM dated AS n, dated AS w, dated AS m
            WHERE n.which = 'now' AND w.which = 'week' AND m.which = 'month';
            RETURN;
        END IF;
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
    END
    $function$;
