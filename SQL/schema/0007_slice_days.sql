-- Filtered views from the rollups: each day's posting results for every value, and every pair of values, of the
-- dashboard's filter dimensions (team, department, region: the ambassador's current ones; network: the post's;
-- campaign: the content item's current one), with the set of ambassadors who posted as a bitmap.
--
-- A filtered series or breakdown then reads one row a day and value instead of every post: sums add up, and the
-- active ambassadors of any period are the bits set in the OR of its days' bitmaps (exact, not an estimate).
-- Bit i (0-based, from the left) stands for the poster of ordinal i + 1 in rollup.posters; a bitmap is as long as
-- the posters were when its day was computed, so readers pad the shorter ones with zeros before OR-ing them.
CREATE TABLE rollup.slice_days (
    organization_id uuid NOT NULL,
    day             date NOT NULL,
    -- The dimensions, in the order team, department, region, network, campaign: 'team' or 'team,network'.
    dimensions      text NOT NULL CHECK (dimensions IN (
                        'team', 'department', 'region', 'network', 'campaign',
                        'team,department', 'team,region', 'team,network', 'team,campaign', 'department,region',
                        'department,network', 'department,campaign', 'region,network', 'region,campaign', 'network,campaign')),
    -- The values of the first and second dimension; NULL: unknown (no team, no campaign...), which no filter
    -- selects and a breakdown shows as its own row. value2 is '' for one dimension.
    value1          text,
    value2          text,
    posts           integer NOT NULL CHECK (posts > 0),
    impressions     bigint NOT NULL CHECK (impressions >= 0),
    engagements     bigint NOT NULL CHECK (engagements >= 0),
    emv             numeric NOT NULL CHECK (emv >= 0),   -- unrounded: rounded once on the period's sum
    posters         varbit NOT NULL CHECK (length(posters) > 0),
    CHECK ((value2 = '') = (dimensions NOT LIKE '%,%'))
);

-- A filter on the first value, or a breakdown by it; the second index serves a filter on the second value.
CREATE UNIQUE INDEX slice_days_by_first ON rollup.slice_days (organization_id, dimensions, value1, value2, day) NULLS NOT DISTINCT;

CREATE INDEX slice_days_by_second ON rollup.slice_days (organization_id, dimensions, value2, day);

-- Existing organisations: every posting day is recomputed in the background (reads answer from the facts until
-- it is done), and the posters' refresh marker with them.
INSERT INTO rollup.dirty_days (organization_id, day)
SELECT d.organization_id, d.day FROM rollup.daily AS d WHERE d.posts > 0
UNION ALL
SELECT DISTINCT d.organization_id, '-infinity'::date FROM rollup.daily AS d WHERE d.posts > 0;

-- The breakdown by network is read from rollup.slice_days like every other breakdown.
DROP FUNCTION IF EXISTS rollup.network_totals(uuid, date, date);   -- made by the definitions of a build before
DROP TABLE rollup.network_days;
