-- Stores a batch of SSI snapshots. Facts that describe one thing: the newest fact about each ambassador's snapshot
-- of a day wins, whatever the order of arrival. Grain: one row per (ambassador, day).
CREATE OR REPLACE FUNCTION ingest.upsert_ssi_snapshots(org uuid, event_ids text[], occurred timestamp with time zone[], ambassador_ids text[], days date[], brand numeric[], people numeric[], insights numeric[], relationships numeric[], totals numeric[], industry_ranks numeric[], network_ranks numeric[], industry_averages numeric[], network_averages numeric[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$#variable_conflict use_column
BEGIN

        INSERT INTO fact.ssi_snapshots AS t (organization_id, ambassador_id, snapshot_date, brand_score, people_score,
            insights_score, relationships_score, total_score, industry_rank_top_pct, network_rank_top_pct,
            industry_average, network_average, source_event_id, source_occurred_at)
        SELECT DISTINCT ON (e.ambassador_id, e.day) org, e.ambassador_id, e.day, e.brand, e.people, e.insights,
               e.relationships, e.total, e.industry_rank, e.network_rank, e.industry_average, e.network_average,
               e.event_id, e.occurred_at
        FROM unnest(event_ids, occurred, ambassador_ids, days, brand, people, insights, relationships, totals,
                    industry_ranks, network_ranks, industry_averages, network_averages)
             AS e (event_id, occurred_at, ambassador_id, day, brand, people, insights, relationships, total,
                   industry_rank, network_rank, industry_average, network_average)
        ORDER BY e.ambassador_id, e.day, e.occurred_at DESC, e.event_id DESC
        ON CONFLICT (organization_id, ambassador_id, snapshot_date) DO UPDATE
        SET brand_score = excluded.brand_score, people_score = excluded.people_score,
            insights_score = excluded.insights_score, relationships_score = excluded.relationships_score,
            total_score = excluded.total_score, industry_rank_top_pct = excluded.industry_rank_top_pct,
            network_rank_top_pct = excluded.network_rank_top_pct, industry_average = excluded.industry_average,
            network_average = excluded.network_average, source_event_id = excluded.source_event_id,
            source_occurred_at = excluded.source_occurred_at
        WHERE (excluded.source_occurred_at, excluded.source_event_id) > (t.source_occurred_at, t.source_event_id);
END$function$;
