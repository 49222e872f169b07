-- 0012: background maintenance that lets a burst of ingestion settle.
--
-- Every batch queues the days it touches; a sender streaming a day's visits queues the same day again every
-- few milliseconds. The background worker recomputed it each time, so during a burst it spent a core
-- recomputing days about to change again. It now leaves an organisation alone until its queue has been quiet
-- for a moment, or until its oldest queued day has waited too long. Reads are not affected: a request first
-- recomputes the queued days it reads (rollup.maintain(..., wait => true)).

DROP FUNCTION rollup.organizations_to_maintain();

-- The organisations with queued days whose newest entry is older than settled_for, or whose oldest is older
-- than at_most_behind: ids only, across tenants (the worker reads them before it acts for any organisation).
CREATE FUNCTION rollup.organizations_to_maintain(settled_for interval DEFAULT '0 s', at_most_behind interval DEFAULT '0 s')
    RETURNS SETOF uuid
    LANGUAGE sql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, rollup
    AS $$
        SELECT q.organization_id
        FROM rollup.dirty_days AS q
        GROUP BY q.organization_id
        HAVING max(q.queued_at) <= now() - settled_for OR min(q.queued_at) <= now() - at_most_behind
    $$;
