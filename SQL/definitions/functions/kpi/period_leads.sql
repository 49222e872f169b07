-- Leads created in [from, to] with their current stage (their latest change): won, open (neither won nor lost),
-- the days a won lead took, and values in the organisation's currency (NULL in another currency). Grain: one row
-- per lead.
CREATE OR REPLACE FUNCTION kpi.period_leads(org uuid, from_date date, to_date date)
 RETURNS TABLE(created_on date, advocacy boolean, won boolean, open boolean, days_to_win double precision, estimated_value numeric, won_value numeric)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT (l.created_at AT TIME ZONE o.time_zone)::date, l.source_channel = 'employee_advocacy', coalesce(s.stage = 'won', false),
               coalesce(s.stage NOT IN ('won', 'lost'), true),
               CASE WHEN s.stage = 'won' THEN (extract(epoch FROM s.changed_at - l.created_at) / 86400)::float8 END,
               CASE WHEN l.currency = o.currency THEN l.estimated_value END,
               CASE WHEN s.stage = 'won' AND s.currency = o.currency THEN s.won_amount END
        FROM core.organizations AS o
        JOIN fact.leads AS l
          ON l.organization_id = o.organization_id
         AND l.created_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
         AND l.created_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
        LEFT JOIN LATERAL (
            SELECT c.stage, c.won_amount, c.currency, c.changed_at
            FROM fact.lead_stage_changes AS c
            WHERE c.organization_id = o.organization_id AND c.lead_id = l.lead_id
            ORDER BY c.changed_at DESC, c.change_id DESC
            LIMIT 1
        ) AS s ON true
        WHERE o.organization_id = org
    $function$;
