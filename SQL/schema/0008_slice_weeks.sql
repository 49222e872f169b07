-- Leaderboards under a filter from the rollups. A filter that the ranked entity does not carry itself (a network
-- or a campaign for ambassadors; a team, department, region or network for content items) selects part of each
-- entity's posts, so each entity's numbers are kept per value of that dimension:
--   rollup.entity_slice_days  each day's posts, impressions and engagements per entity and value;
--   rollup.slice_weeks        per value, everyone's cumulative numbers by ordinal (rollup.posters, rollup.contents)
--                             through the day before each Monday that follows a week with posts, up to the last
--                             complete week.
-- A period is then two week rows and the days after each: a few thousand rows, whatever its length. The week
-- grain keeps the arrays' storage and rewriting a seventh of a daily one: a late fact rewrites the rows of the
-- weeks after it, and a fact of the current week none.
CREATE TABLE rollup.entity_slice_days (
    organization_id uuid NOT NULL,
    day             date NOT NULL,
    axis            text NOT NULL CHECK (axis IN ('poster', 'content')),
    dimension       text NOT NULL,
    value           text NOT NULL,
    entity_id       text NOT NULL,
    posts           integer NOT NULL CHECK (posts > 0),
    impressions     bigint NOT NULL CHECK (impressions >= 0),
    engagements     bigint NOT NULL CHECK (engagements >= 0),
    PRIMARY KEY (organization_id, axis, dimension, value, day, entity_id),
    CHECK ((axis, dimension) IN (('poster', 'network'), ('poster', 'campaign'), ('content', 'team'), ('content', 'department'),
                                 ('content', 'region'), ('content', 'network')))
);

-- A day's rows, as maintenance replaces them.
CREATE INDEX entity_slice_days_by_day ON rollup.entity_slice_days (organization_id, day);

CREATE TABLE rollup.slice_weeks (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    axis            text NOT NULL,
    dimension       text NOT NULL,
    value           text NOT NULL,
    week            date NOT NULL CHECK (extract(isodow FROM week) = 1),   -- cumulative through week - 1
    posts           integer[] NOT NULL,
    impressions     bigint[] NOT NULL,
    engagements     bigint[] NOT NULL,
    PRIMARY KEY (organization_id, axis, dimension, value, week)
);

-- The breakdown by network reads rollup.slice_days; the ambassador leaderboard on a network, rollup.slice_weeks.
DROP TABLE rollup.network_posts_through;

-- Existing organisations: every posting day is recomputed in the background.
INSERT INTO rollup.dirty_days (organization_id, day)
SELECT d.organization_id, d.day FROM rollup.daily AS d WHERE d.posts > 0;
