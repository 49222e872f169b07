-- 0008: erasure of personal data. A person's identifying fields are removed, and their identifiers are
-- replaced by new random ones, the same in every table, so that every aggregate KPI stays exactly what it
-- was (the same rows, the same joins, the same distinct counts) and nothing points back to the person.
-- Refused items whose raw text names the person are deleted. Each function returns how many rows changed.

-- A replacement identifier: random, never reused, recognisable as erased.
CREATE FUNCTION core.erased_id() RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT 'erased-' || replace(gen_random_uuid()::text, '-', '') $$;

CREATE FUNCTION core.erase_ambassador(org uuid, ambassador text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
    DECLARE
        replacement text := core.erased_id();
        changed bigint := 0;
        n bigint;
        keyed regclass;
    BEGIN
        -- The ambassador row carries the key core.ambassador_networks refers to: copy it under the new id,
        -- move the networks, then remove the old row.
        INSERT INTO core.ambassadors (organization_id, ambassador_id, display_name, team, department, region, enrolled_at,
                                      left_at, attributes_as_of, erased_at)
        SELECT organization_id, replacement, NULL, team, department, region, enrolled_at, left_at, attributes_as_of, now()
        FROM core.ambassadors WHERE organization_id = org AND ambassador_id = ambassador;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        UPDATE core.ambassador_networks SET ambassador_id = replacement WHERE organization_id = org AND ambassador_id = ambassador;
        DELETE FROM core.ambassadors WHERE organization_id = org AND ambassador_id = ambassador;
        UPDATE core.ambassador_events SET ambassador_id = replacement, attributes = attributes - 'display_name'
        WHERE organization_id = org AND ambassador_id = ambassador;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        -- Every other table naming ambassadors, found by its ambassador_id column, so a new one is not forgotten.
        FOR keyed IN
            SELECT a.attrelid::regclass
            FROM pg_catalog.pg_attribute AS a
            JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid AND c.relkind = 'r'
            JOIN pg_catalog.pg_namespace AS ns ON ns.oid = c.relnamespace
            WHERE a.attname = 'ambassador_id' AND NOT a.attisdropped AND ns.nspname IN ('core', 'fact', 'ingest')
              AND c.relname NOT IN ('ambassadors', 'ambassador_networks', 'ambassador_events')
        LOOP
            EXECUTE format('UPDATE %s SET ambassador_id = $1 WHERE organization_id = $2 AND ambassador_id = $3', keyed)
                USING replacement, org, ambassador;
            GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        END LOOP;
        DELETE FROM ingest.rejected_items
        WHERE organization_id = org AND position(convert_to(ambassador, 'UTF8') IN raw) > 0;
        RETURN changed;
    END
    $$;

-- A candidate, by one of their applications: the ATS reference goes, and every application with the same
-- reference (or this one alone, without a reference) gets a new id, in its stage history too.
CREATE FUNCTION core.erase_candidate(org uuid, application text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
    DECLARE
        reference text;
        target record;
        replacement text;
        changed bigint := 0;
    BEGIN
        SELECT candidate_ref INTO reference FROM fact.applications WHERE organization_id = org AND application_id = application;
        FOR target IN
            SELECT application_id FROM fact.applications
            WHERE organization_id = org AND (application_id = application OR (reference IS NOT NULL AND candidate_ref = reference))
        LOOP
            replacement := core.erased_id();
            UPDATE fact.applications SET application_id = replacement, candidate_ref = NULL
            WHERE organization_id = org AND application_id = target.application_id;
            UPDATE fact.application_stage_changes SET application_id = replacement
            WHERE organization_id = org AND application_id = target.application_id;
            DELETE FROM ingest.rejected_items
            WHERE organization_id = org AND position(convert_to(target.application_id, 'UTF8') IN raw) > 0;
            changed := changed + 1;
        END LOOP;
        IF reference IS NOT NULL THEN
            DELETE FROM ingest.rejected_items WHERE organization_id = org AND position(convert_to(reference, 'UTF8') IN raw) > 0;
        END IF;
        RETURN changed;
    END
    $$;

-- An audience member or a web visitor, by the identifier the sources send: its keyed hash is replaced by
-- random bytes everywhere, so distinct counts and first touches stay as they were.
CREATE FUNCTION core.erase_person_hash(org uuid, identifier text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
    DECLARE
        old_hash bytea;
        replacement bytea := core.random_key();
        changed bigint := 0;
        n bigint;
    BEGIN
        SELECT core.pseudonym(o.pseudonym_key, identifier) INTO old_hash FROM core.organizations AS o WHERE o.organization_id = org;
        UPDATE fact.audience_touches SET member_hash = replacement WHERE organization_id = org AND member_hash = old_hash;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        UPDATE fact.audience_members SET member_hash = replacement WHERE organization_id = org AND member_hash = old_hash;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        UPDATE fact.web_visits SET visitor_hash = replacement WHERE organization_id = org AND visitor_hash = old_hash;
        GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;
        DELETE FROM ingest.rejected_items WHERE organization_id = org AND position(convert_to(identifier, 'UTF8') IN raw) > 0;
        RETURN changed;
    END
    $$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA core TO advocacy_service;

-- ---------------------------------------------------------------------------------------------------------
-- Candidate-level rows, for HR only (the API checks the scope): applications in a period with their
-- current stage, job, source and ambassador.
CREATE FUNCTION kpi.applications(org uuid, from_date date, to_date date)
    RETURNS TABLE (application_id text, job_id text, applied_at timestamptz, source_channel text, ambassador_id text,
                   stage text, stage_changed_at timestamptz)
    LANGUAGE sql STABLE
    AS $$
        SELECT a.application_id, a.job_id, a.applied_at, a.source_channel::text, a.ambassador_id, s.stage::text, s.changed_at
        FROM core.organizations AS o
        JOIN fact.applications AS a
          ON a.organization_id = o.organization_id
         AND a.applied_at >= (from_date::timestamp AT TIME ZONE o.time_zone)
         AND a.applied_at < ((to_date + 1)::timestamp AT TIME ZONE o.time_zone)
        LEFT JOIN LATERAL (
            SELECT c.stage, c.changed_at FROM fact.application_stage_changes AS c
            WHERE c.organization_id = o.organization_id AND c.application_id = a.application_id
            ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1
        ) AS s ON true
        WHERE o.organization_id = org
        ORDER BY a.applied_at, a.application_id
    $$;

GRANT EXECUTE ON FUNCTION kpi.applications(uuid, date, date) TO advocacy_service;
