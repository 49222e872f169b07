-- Leaderboards under one or two filters the ranked entity does not carry (a network, a campaign or both for
-- ambassadors; a team, department, region or network, or two of them, for content items) from two arrays, as the
-- unfiltered ones from rollup.posts_through: per value (or pair of values, as rollup.slice_days keys them: value2 is
-- '' for one dimension) and each day with posts in it, everyone's cumulative numbers through that day by ordinal
-- (rollup.posters, rollup.contents). A period is "through to" minus "through from - 1", one pass over two rows'
-- arrays whatever the number of days, instead of a week row and up to six days of rows at each end, or every day
-- of a pair, summed per entity. A late fact rewrites the value's rows from its day on.
CREATE TABLE rollup.slice_through (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    axis            text NOT NULL,
    dimensions      text NOT NULL,
    value1          text NOT NULL,
    value2          text NOT NULL,
    day             date NOT NULL,
    posts           integer[] NOT NULL,
    impressions     bigint[] NOT NULL,
    engagements     bigint[] NOT NULL,
    PRIMARY KEY (organization_id, axis, dimensions, value1, value2, day),
    CHECK ((axis, dimensions) IN (('poster', 'network'), ('poster', 'campaign'), ('poster', 'network,campaign'),
                                  ('content', 'team'), ('content', 'department'), ('content', 'region'), ('content', 'network'),
                                  ('content', 'team,department'), ('content', 'team,region'), ('content', 'team,network'),
                                  ('content', 'department,region'), ('content', 'department,network'),
                                  ('content', 'region,network'))),
    CHECK ((value2 = '') = (dimensions NOT LIKE '%,%')),
    CHECK (cardinality(impressions) = cardinality(posts) AND cardinality(engagements) = cardinality(posts))
);

DROP TABLE rollup.slice_weeks;
DROP FUNCTION IF EXISTS rollup.slice_entity_totals(uuid, date, date, text, text, text);
DROP FUNCTION IF EXISTS rollup.pair_entity_totals(uuid, date, date, text, text, text, text);
-- Its team column, which no reader took, goes.
DROP FUNCTION IF EXISTS rollup.ambassador_totals(uuid, date, date);

-- Existing organisations: every posting day is recomputed in the background (reads answer from the facts until it
-- is done), which builds the rows.
INSERT INTO rollup.dirty_days (organization_id, day)
SELECT d.organization_id, d.day FROM rollup.daily AS d WHERE d.posts > 0;
