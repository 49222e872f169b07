-- The SSI rows (rollup.ssi_days) of every day from `since` on that an SSI snapshot is dated, after the spans of
-- those days were recomputed: each day is the day before it with the ambassadors of its own snapshots replaced (a
-- span ends only where the ambassador's next one starts), grouped by the ambassadors' current team. An ambassador
-- absent from the day before has no earlier snapshot: this one is their first. The rows before `since` stand: a
-- change on a day changes no earlier day. Grain: one organisation.
CREATE OR REPLACE FUNCTION rollup.rebuild_ssi_days(org uuid, since date)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
    DECLARE
        d date;
        previous date;
    BEGIN
        DELETE FROM rollup.ssi_days WHERE organization_id = org AND day >= since;
        SELECT max(r.day) INTO previous FROM rollup.ssi_days AS r WHERE r.organization_id = org AND r.day < since;
        FOR d IN SELECT DISTINCT p.snapshot_date FROM rollup.ssi_spans AS p
                 WHERE p.organization_id = org AND p.snapshot_date >= since ORDER BY 1
        LOOP
            WITH before AS MATERIALIZED (
                SELECT u.*
                FROM rollup.ssi_days AS r
                CROSS JOIN LATERAL unnest(r.ambassador_ids, r.snapshot_dates, r.total_scores, r.brand_scores, r.people_scores,
                                          r.insights_scores, r.relationships_scores, r.industry_ranks, r.network_ranks,
                                          r.first_scores)
                    AS u (ambassador_id, snapshot_date, total_score, brand_score, people_score, insights_score, relationships_score,
                          industry_rank_top_pct, network_rank_top_pct, first_score)
                WHERE r.organization_id = org AND r.day = previous
            ),
            today AS (
                SELECT p.ambassador_id, p.snapshot_date, p.total_score, p.brand_score, p.people_score, p.insights_score,
                       p.relationships_score, p.industry_rank_top_pct, p.network_rank_top_pct
                FROM rollup.ssi_spans AS p
                WHERE p.organization_id = org AND p.snapshot_date = d
            ),
            in_force AS (
                SELECT t.*, coalesce(b.first_score, t.total_score) AS first_score
                FROM today AS t
                LEFT JOIN before AS b USING (ambassador_id)
                UNION ALL
                SELECT b.* FROM before AS b WHERE NOT EXISTS (SELECT FROM today AS t WHERE t.ambassador_id = b.ambassador_id)
            ),
            teams AS MATERIALIZED (
                SELECT a.ambassador_id::text AS ambassador_id, a.team::text AS team FROM core.ambassadors AS a WHERE a.organization_id = org
            )
            -- One aggregation feeds every array the same rows in the same order: positions match.
            INSERT INTO rollup.ssi_days (organization_id, day, team, ambassador_ids, snapshot_dates, total_scores, brand_scores,
                                         people_scores, insights_scores, relationships_scores, industry_ranks, network_ranks,
                                         first_scores, ambassadors, total_sum, brand_sum, people_sum, insights_sum, relationships_sum,
                                         above_75, industry_rank_sum, industry_ranked, network_rank_sum, network_ranked)
            SELECT org, d, coalesce(t.team, ''), array_agg(x.ambassador_id), array_agg(x.snapshot_date), array_agg(x.total_score),
                   array_agg(x.brand_score), array_agg(x.people_score), array_agg(x.insights_score), array_agg(x.relationships_score),
                   array_agg(x.industry_rank_top_pct), array_agg(x.network_rank_top_pct), array_agg(x.first_score),
                   count(*), sum(x.total_score), sum(x.brand_score), sum(x.people_score), sum(x.insights_score),
                   sum(x.relationships_score), count(*) FILTER (WHERE x.total_score > 75),
                   sum(x.industry_rank_top_pct), count(x.industry_rank_top_pct), sum(x.network_rank_top_pct),
                   count(x.network_rank_top_pct)
            FROM in_force AS x
            LEFT JOIN teams AS t USING (ambassador_id)
            GROUP BY coalesce(t.team, '');
            previous := d;
        END LOOP;
    END
    $function$;
