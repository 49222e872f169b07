-- A poster bitmap padded with zeros to the length of `zeros` (the posters' count now): a day's bitmap is as long
-- as the posters were when it was computed, and bit_or needs bitmaps of one length. Grain: one bitmap.
CREATE OR REPLACE FUNCTION rollup.widened(bits varbit, zeros varbit)
 RETURNS varbit
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
        SELECT bits || substring(zeros FROM 1 FOR length(zeros) - length(bits))
    $function$;
