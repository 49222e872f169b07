-- The traffic series under a filter from the rollups. Visits are sliced as posts are (rollup.slice_days): per day
-- and value, or pair of values, of team, department, region (of the ambassador the visit is attributed to),
-- network (the visit's utm_source, lower-cased) and campaign (its utm_campaign). Unknown values are not kept:
-- no filter selects them, and the traffic series has no breakdown.
--
-- Unique advocacy visitors are not additive. Exactly, per bucket of the series:
--   a day                the day's count (visit_slice_days.advocacy_visitors);
--   a whole week, month  the bucket's count, kept per slice (rollup.visitor_slice_buckets);
--   a clipped bucket     (the period starts or ends inside it) counted from the visitor-days of its part of the
--                        bucket (rollup.visitor_days): at most 6 or 30 days.
CREATE TABLE rollup.visit_slice_days (
    organization_id          uuid NOT NULL,
    day                      date NOT NULL,
    dimensions               text NOT NULL CHECK (dimensions IN (
                                 'team', 'department', 'region', 'network', 'campaign',
                                 'team,department', 'team,region', 'team,network', 'team,campaign', 'department,region',
                                 'department,network', 'department,campaign', 'region,network', 'region,campaign', 'network,campaign')),
    value1                   text NOT NULL,
    value2                   text NOT NULL,   -- '' for one dimension
    visits                   bigint NOT NULL CHECK (visits > 0),
    advocacy_visits          bigint NOT NULL CHECK (advocacy_visits BETWEEN 0 AND visits),
    attributed_visits        bigint NOT NULL CHECK (attributed_visits BETWEEN 0 AND advocacy_visits),
    careers_visits           bigint NOT NULL CHECK (careers_visits BETWEEN 0 AND visits),
    careers_advocacy_visits  bigint NOT NULL CHECK (careers_advocacy_visits BETWEEN 0 AND careers_visits),
    advocacy_visitors        integer NOT NULL CHECK (advocacy_visitors BETWEEN 0 AND advocacy_visits),
    PRIMARY KEY (organization_id, dimensions, value1, value2, day)
);

CREATE INDEX visit_slice_days_by_day ON rollup.visit_slice_days (organization_id, day);

CREATE TABLE rollup.visitor_slice_buckets (
    organization_id   uuid NOT NULL,
    granularity       text NOT NULL CHECK (granularity IN ('week', 'month')),
    bucket            date NOT NULL,
    dimensions        text NOT NULL,
    value1            text NOT NULL,
    value2            text NOT NULL,
    advocacy_visitors integer NOT NULL CHECK (advocacy_visitors > 0),
    PRIMARY KEY (organization_id, granularity, bucket, dimensions, value1, value2)
);

-- Each advocacy visitor of a day with the attribution of their visits (several rows when their visits differ).
CREATE TABLE rollup.visitor_days (
    organization_id uuid NOT NULL,
    day             date NOT NULL,
    visitor_hash    bytea NOT NULL,
    team            text,
    department      text,
    region          text,
    network         text,
    campaign        text
);

CREATE INDEX visitor_days_by_day ON rollup.visitor_days (organization_id, day);

-- Existing organisations: every day with visits is recomputed in the background.
INSERT INTO rollup.dirty_days (organization_id, day)
SELECT d.organization_id, d.day FROM rollup.daily AS d WHERE d.visits > 0;
