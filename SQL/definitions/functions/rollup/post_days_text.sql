-- What the cumulative rows are built from, for one day: its numbers per ambassador and network, per content item
-- and per entity and slice, as text. Grain: one organisation-day.
CREATE OR REPLACE FUNCTION rollup.post_days_text(org uuid, d date)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
        SELECT coalesce((SELECT string_agg(p::text, ';' ORDER BY p.ambassador_id, p.network) FROM rollup.poster_days AS p
                         WHERE p.organization_id = org AND p.day = d), '')
               || '|' || coalesce((SELECT string_agg(c::text, ';' ORDER BY c.content_id) FROM rollup.content_days AS c
                                   WHERE c.organization_id = org AND c.day = d), '')
               || '|' || coalesce((SELECT string_agg(s::text, ';' ORDER BY s.axis, s.dimension, s.value, s.entity_id)
                                   FROM rollup.entity_slice_days AS s WHERE s.organization_id = org AND s.day = d), '')
    $function$;
