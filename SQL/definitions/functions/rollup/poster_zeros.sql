-- A bitmap of zeros as long as the organisation's posters (see rollup.widened). Grain: one organisation.
CREATE OR REPLACE FUNCTION rollup.poster_zeros(org uuid)
 RETURNS varbit
 LANGUAGE sql
 STABLE
AS $function$
        SELECT repeat('0', greatest(coalesce(max(cardinality(p.ambassador_ids)), 0), 1))::varbit
        FROM rollup.posters AS p WHERE p.organization_id = org
    $function$;
