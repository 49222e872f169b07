-- Leaderboards under two filters that the ranked entity does not carry (a content item by a team on a network; an
-- ambassador on a network in a campaign) from the rollups: each day's posts, impressions and engagements per
-- entity and pair of values. Days only, no week rows: a pair selects few posts, so even a year of its days is a few
-- thousand rows, and a late fact rewrites nothing but its own day.
CREATE TABLE rollup.entity_pair_days (
    organization_id uuid NOT NULL,
    axis            text NOT NULL CHECK (axis IN ('poster', 'content')),
    dimensions      text NOT NULL,
    value1          text NOT NULL,
    value2          text NOT NULL,
    day             date NOT NULL,
    entity_id       text NOT NULL,
    posts           integer NOT NULL CHECK (posts > 0),
    impressions     bigint NOT NULL CHECK (impressions >= 0),
    engagements     bigint NOT NULL CHECK (engagements >= 0),
    -- The numbers ride in the key's index: a period is one index-only range.
    PRIMARY KEY (organization_id, axis, dimensions, value1, value2, day, entity_id) INCLUDE (posts, impressions, engagements),
    -- The dimensions in the order team, department, region, network, campaign.
    CHECK ((axis, dimensions) IN (('poster', 'network,campaign'),
                                  ('content', 'team,department'), ('content', 'team,region'), ('content', 'team,network'),
                                  ('content', 'department,region'), ('content', 'department,network'),
                                  ('content', 'region,network')))
);

-- A day's rows, as maintenance replaces them.
CREATE INDEX entity_pair_days_by_day ON rollup.entity_pair_days (organization_id, day);

-- Existing organisations: every posting day is recomputed in the background.
INSERT INTO rollup.dirty_days (organization_id, day)
SELECT d.organization_id, d.day FROM rollup.daily AS d WHERE d.posts > 0;
