-- A change of an ambassador's team, department or region, or of a content item's campaign, moves its posts (and
-- the ambassador's attributed visits) to other slices (rollup.slice_days, rollup.visit_slice_days keep them by the
-- current values): every day it has posts, and every day of a visit attributed to the ambassador, is queued; a new
-- team also moves the ambassador's SSI rows (rollup.ssi_days). A new ambassador or item may have posts already
-- (stored under an unknown value): its days are queued too. Trigger
-- arguments: the rollup.entity_days kind and the column holding the entity's id. Grain: one changed row (a row
-- trigger, fired only when one of those values changed).
CREATE OR REPLACE FUNCTION rollup.queue_attribute_days()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
    BEGIN
        INSERT INTO rollup.dirty_days (organization_id, day)
        SELECT e.organization_id, e.day
        FROM rollup.entity_days AS e
        WHERE e.organization_id = NEW.organization_id
          AND e.kind = TG_ARGV[0]
          AND e.entity = convert_to(to_jsonb(NEW) ->> TG_ARGV[1], 'UTF8');
        IF TG_ARGV[0] = 'poster' THEN
            -- The visits carrying the token of one of its posts or of a link issued to it (kpi.attributed_visits).
            INSERT INTO rollup.dirty_days (organization_id, day)
            SELECT DISTINCT v.organization_id, (v.occurred_at AT TIME ZONE o.time_zone)::date
            FROM core.organizations AS o
            JOIN (SELECT p.utm_token AS token FROM fact.posts AS p
                  WHERE p.organization_id = NEW.organization_id AND p.ambassador_id = NEW.ambassador_id AND p.utm_token IS NOT NULL
                  UNION
                  SELECT l.token FROM ingest.tracked_links AS l
                  WHERE l.organization_id = NEW.organization_id AND l.ambassador_id = NEW.ambassador_id) AS t ON true
            JOIN fact.web_visits AS v ON v.organization_id = o.organization_id AND v.is_advocacy AND v.utm_content = t.token
            WHERE o.organization_id = NEW.organization_id;
            -- The SSI rows group ambassadors by their current team: a new team takes every row since their first
            -- snapshot, rebuilt from that day (rollup.rebuild_ssi_days; reads answer from the snapshots meanwhile).
            IF (to_jsonb(OLD) ->> 'team') IS DISTINCT FROM (to_jsonb(NEW) ->> 'team') THEN
                WITH first AS (
                    SELECT min(s.snapshot_date) AS day FROM rollup.ssi_spans AS s
                    WHERE s.organization_id = NEW.organization_id AND s.ambassador_id = NEW.ambassador_id
                ),
                gone AS (
                    DELETE FROM rollup.ssi_days AS r USING first AS f
                    WHERE r.organization_id = NEW.organization_id AND r.day >= f.day
                )
                INSERT INTO rollup.dirty_days (organization_id, day)
                SELECT NEW.organization_id, f.day FROM first AS f WHERE f.day IS NOT NULL;
            END IF;
        END IF;
        RETURN NULL;
    END
    $function$;
