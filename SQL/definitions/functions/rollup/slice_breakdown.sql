-- Posting results in [from, to] per value of one dimension of a slice family (rollup.slice_days): of the first
-- dimension, or of the second (by_second), the other one's value fixed when given (NULL: any). Values unknown
-- (no team...) are a row of their own, as NULL. EMV unrounded. Grain: one row per value.
CREATE OR REPLACE FUNCTION rollup.slice_breakdown(org uuid, from_date date, to_date date, dims text, first_value text, second_value text, by_second boolean)
 RETURNS TABLE(value text, posts bigint, active_ambassadors bigint, impressions bigint, engagements bigint, emv numeric)
 LANGUAGE plpgsql
 STABLE
AS $function$
    BEGIN
        -- Planned for the values given: a fixed value is an index condition, an absent one no condition at all.
        RETURN QUERY EXECUTE format(
            $q$
            SELECT %s, sum(x.posts)::bigint, bit_count(bit_or(rollup.widened(x.posters, z.zeros))), sum(x.impressions)::bigint,
                   sum(x.engagements)::bigint, sum(x.emv)
            FROM rollup.slice_days AS x, rollup.poster_zeros($1) AS z (zeros)
            WHERE x.organization_id = $1 AND x.dimensions = $4 AND x.day BETWEEN $2 AND $3 %s %s
            GROUP BY 1
            $q$,
            CASE WHEN by_second THEN 'x.value2' ELSE 'x.value1' END,
            CASE WHEN first_value IS NOT NULL THEN 'AND x.value1 = $5' END,
            CASE WHEN second_value IS NOT NULL THEN 'AND x.value2 = $6' END)
        USING org, from_date, to_date, dims, first_value, second_value;
    END
    $function$;
