-- The distinct entities of a kind seen in [from, to], and those seen for the first time ever, from the gaps: an
-- entity counts on the first day of the period it is seen, where its gap is 0 or reaches before from. Grain: one
-- row per call.
CREATE OR REPLACE FUNCTION rollup.distinct_entities(org uuid, entity_kind text, from_date date, to_date date, OUT seen bigint, OUT first_seen bigint)
 RETURNS record
 LANGUAGE sql
 STABLE
AS $function$
        SELECT coalesce(sum(s.first_time + coalesce(s.seen_again[s.day - from_date + 1], 0)), 0), coalesce(sum(s.first_time), 0)
        FROM rollup.entities_seen AS s
        WHERE s.organization_id = org AND s.kind = entity_kind AND s.day BETWEEN from_date AND to_date
    $function$;
