-- Saves the organisation's posters by ordinal, with their enrolment dates and teams from core.ambassadors. Grain:
-- one organisation.
CREATE OR REPLACE FUNCTION rollup.save_posters(org uuid, ids text[])
 RETURNS void
 LANGUAGE sql
AS $function$
        INSERT INTO rollup.posters (organization_id, ambassador_ids, enrolled_at, teams)
        SELECT org, ids, coalesce(array_agg(a.enrolled_at ORDER BY s.ordinal), '{}'), coalesce(array_agg(a.team ORDER BY s.ordinal), '{}')
        FROM unnest(ids) WITH ORDINALITY AS s (id, ordinal)
        LEFT JOIN core.ambassadors AS a ON a.organization_id = org AND a.ambassador_id = s.id
        ON CONFLICT (organization_id) DO UPDATE
        SET ambassador_ids = excluded.ambassador_ids, enrolled_at = excluded.enrolled_at, teams = excluded.teams
    $function$;
