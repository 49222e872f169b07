-- Leaderboards under a filter the ranked entity does not carry (a network or a campaign for ambassadors; a team,
-- department, region or network for content items) from two arrays, as the unfiltered ones from
-- rollup.posts_through: per value and each day with posts in it, everyone's cumulative numbers through that day by
-- ordinal (rollup.posters, rollup.contents). A period is "through to" minus "through from - 1", one pass over two
-- rows' arrays whatever the number of days, instead of a week row and up to six days of rows at each end summed per
-- entity. A late fact rewrites the value's rows from its day on.
CREATE TABLE rollup.slice_through (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    axis            text NOT NULL,
    dimension       text NOT NULL,
    value           text NOT NULL,
    day             date NOT NULL,
    posts           integer[] NOT NULL,
    impressions     bigint[] NOT NULL,
    engagements     bigint[] NOT NULL,
    PRIMARY KEY (organization_id, axis, dimension, value, day),
    CHECK ((axis, dimension) IN (('poster', 'network'), ('poster', 'campaign'), ('content', 'team'), ('content', 'department'),
                                 ('content', 'region'), ('content', 'network'))),
    CHECK (cardinality(impressions) = cardinality(posts) AND cardinality(engagements) = cardinality(posts))
);

DROP TABLE rollup.slice_weeks;

-- Existing organisations: every posting day is recomputed in the background (reads answer from the facts until it
-- is done), which builds the rows.
INSERT INTO rollup.dirty_days (organization_id, day)
SELECT d.organization_id, d.day FROM rollup.daily AS d WHERE d.posts > 0;
