-- Programme costs in the organisation's currency, prorated by the days their period shares with [from, to]. Grain:
-- one amount per period.
CREATE OR REPLACE FUNCTION kpi.period_cost(org uuid, from_date date, to_date date)
 RETURNS numeric
 LANGUAGE sql
 STABLE
AS $function$
        SELECT round(coalesce(sum(c.amount * (least(c.period_end, to_date) - greatest(c.period_start, from_date) + 1)
                                  / (c.period_end - c.period_start + 1)), 0), 2)
        FROM core.organizations AS o
        JOIN core.programme_costs AS c
          ON c.organization_id = o.organization_id AND c.currency = o.currency
         AND c.period_start <= to_date AND c.period_end >= from_date
        WHERE o.organization_id = org
    $function$;
