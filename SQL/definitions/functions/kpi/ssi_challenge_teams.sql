-- A challenge's standings per team (kpi.ssi_challenge_standings): how many take part, their average start and
-- current scores and gain, and how many reached the target. Grain: one row per team taking part (NULL: no team).
CREATE OR REPLACE FUNCTION kpi.ssi_challenge_teams(org uuid, challenge uuid, as_of date)
 RETURNS TABLE(team text, ambassadors bigint, average_start numeric, average_current numeric, average_gain numeric, reached bigint)
 LANGUAGE sql
 STABLE
AS $function$
        SELECT s.team, count(*), round(avg(s.start_score), 2), round(avg(s.current_score), 2), round(avg(s.gain), 2),
               count(*) FILTER (WHERE s.reached)
        FROM kpi.ssi_challenge_standings(org, challenge, as_of) AS s
        GROUP BY s.team
        ORDER BY round(avg(s.gain), 2) DESC NULLS LAST, s.team NULLS LAST
    $function$;
