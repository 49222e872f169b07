-- ingestion that spends its time storing facts. Under the ingestion benchmark (README, "Ingestion throughput")
-- PostgreSQL took twice the CPU per event that \copy of the same rows takes. The changes (1, 5 and 6 gave what
-- the benchmark could measure; 2 to 4 are within its noise, and kept as plain good practice): 1. The ledger of
-- ids, the observations and the visits are nearly always new: they are inserted plainly (one look-up of the
-- unique index per row, not two as with ON CONFLICT); a batch holding a known key falls back to the ON CONFLICT
-- statement of 0002. 2. The other batch writers of 0002 (one statement each, LANGUAGE sql, planned at every
-- call) become PL/pgSQL functions with the same statement, whose plan the connection keeps. 3. The queueing
-- triggers of 0010 ran their day query through EXECUTE: each watched table gets a trigger function of its own
-- with the query written in (planned once per connection). 4. The tenant rule compared organization_id with
-- core.current_organization() row by row, parsing the setting each time: (SELECT core.current_organization()) is
-- computed once per statement. 5. The background maintenance leaves an organisation alone while its queue keeps
-- growing: recomputing days that the next batch touches again took a core from the ingestion. 6. A post's latest
-- metrics are read from its observations instead of being kept in a second table. 1. Observations and visits:
-- nearly all new. ON CONFLICT looks each row up before inserting it; a plain insert checks uniqueness once, as
-- it inserts. A batch that holds a stored key (a correction, a retry under another event id) fails on it and is
-- written the careful way, which keeps the newer fact (0002). A batch's observations, one per post and
-- observed_at (the newest event's), as 0002 stores them.
CREATE OR REPLACE FUNCTION ingest.post_metric_rows(event_ids text[], occurred timestamp with time zone[], post_ids text[], observed timestamp with time zone[], impressions bigint[], members_reached bigint[], reactions bigint[], comments bigint[], reshares bigint[], clicks bigint[], saves bigint[], sends bigint[], followers_gained bigint[])
 RETURNS TABLE(event_id text, occurred_at timestamp with time zone, post_id text, observed_at timestamp with time zone, impressions bigint, members_reached bigint, reactions bigint, comments bigint, reshares bigint, clicks bigint, saves bigint, sends bigint, followers_gained bigint)
 LANGUAGE sql
 IMMUTABLE
AS $function$
        SELECT DISTINCT ON (e.post_id, e.observed_at) *
        FROM unnest(event_ids, occurred, post_ids, observed, impressions, members_reached, reactions, comments,
                    reshares, clicks, saves, sends, followers_gained)
             AS e (event_id, occurred_at, post_id, observed_at, impressions, members_reached, reactions, comments,
                   reshares, clicks, saves, sends, followers_gained)
        ORDER BY e.post_id, e.observed_at, e.occurred_at DESC, e.event_id DESC
    $function$;
