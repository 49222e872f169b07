-- Averages at a date, with the change over the last week and the last month. Grain: one row per date.
CREATE OR REPLACE FUNCTION kpi.ssi_summary(org uuid, at date, team_filter text DEFAULT NULL::text)
 RETURNS TABLE(ambassadors bigint, average_total numeric, average_brand numeric, average_people numeric, average_insights numeric, average_relationships numeric, share_above_75 numeric, weekly_change numeric, monthly_change numeric, average_industry_rank_top_pct numeric, average_network_rank_top_pct numeric)
 LANGUAGE sql
 STABLE
AS $function$
        WITH now AS (SELECT * FROM kpi.ssi_latest(org, at, team_filter)),
             week_ago AS (SELECT avg(total_score) AS average FROM kpi.ssi_latest(org, at - 7, team_filter)),
             month_ago AS (SELECT avg(total_score) AS average FROM kpi.ssi_latest(org, (at - interval '1 month')::date, team_filter))
        SELECT count(*), round(avg(total_score), 2), round(avg(brand_score), 2), round(avg(people_score), 2),
               round(avg(insights_score), 2), round(avg(relationships_score), 2),
               round(count(*) FILTER (WHERE total_score > 75)::numeric / nullif(count(*), 0), 6),
               round(avg(total_score) - (SELECT average FROM week_ago), 2),
               round(avg(total_score) - (SELECT average FROM month_ago), 2),
               round(avg(industry_rank_top_pct), 2), round(avg(network_rank_top_pct), 2)
        FROM now
    $function$;
