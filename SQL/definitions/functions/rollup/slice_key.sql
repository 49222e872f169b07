-- The slice of a GROUPING SETS row over (team, department, region, network, campaign): its dimensions in that
-- order, the first one's value, and the second one's ('' when there is one). `absent` is GROUPING() of the five
-- (a bit set per dimension the row is not grouped by: team 16 ... campaign 1). Grain: one grouped row.
CREATE OR REPLACE FUNCTION rollup.slice_key(absent integer, team text, department text, region text, network text, campaign text, OUT dimensions text, OUT value1 text, OUT value2 text)
 RETURNS record
 LANGUAGE sql
 IMMUTABLE
AS $function$
        SELECT array_to_string(ARRAY[CASE WHEN absent & 16 = 0 THEN 'team' END, CASE WHEN absent & 8 = 0 THEN 'department' END,
                                     CASE WHEN absent & 4 = 0 THEN 'region' END, CASE WHEN absent & 2 = 0 THEN 'network' END,
                                     CASE WHEN absent & 1 = 0 THEN 'campaign' END], ','),
               CASE WHEN absent & 16 = 0 THEN team WHEN absent & 8 = 0 THEN department WHEN absent & 4 = 0 THEN region
                    WHEN absent & 2 = 0 THEN network ELSE campaign END,
               CASE WHEN bit_count((31 - absent)::bit(5)) = 1 THEN ''
                    WHEN absent & 1 = 0 THEN campaign WHEN absent & 2 = 0 THEN network WHEN absent & 4 = 0 THEN region
                    ELSE department END
    $function$;
