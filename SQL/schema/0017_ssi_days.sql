-- Everyone's SSI at a date from a few rows. On each day an SSI snapshot is dated, the snapshots in force that day
-- (each ambassador's latest on or before it), one row per team (the ambassadors' current one), as arrays of equal
-- length by position, and their sums. A date's SSI is the rows of the latest such day on or before it (one row for
-- a team): however many spans the organisation has and however far back the date is. Maintenance rebuilds the rows
-- from the first day whose snapshots changed, each from the one before, and from an ambassador's first snapshot on
-- when their team changes. The functions of this change define recompute_ssi_spans anew (it tells whether the
-- rows must be rebuilt).
DROP FUNCTION IF EXISTS rollup.recompute_ssi_spans(uuid, date);

CREATE TABLE rollup.ssi_days (
    organization_id      uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    day                  date NOT NULL,
    team                 text NOT NULL,           -- '' for the ambassadors without a team
    ambassador_ids       text[] NOT NULL,
    snapshot_dates       date[] NOT NULL,
    total_scores         numeric[] NOT NULL,
    brand_scores         numeric[] NOT NULL,
    people_scores        numeric[] NOT NULL,
    insights_scores      numeric[] NOT NULL,
    relationships_scores numeric[] NOT NULL,
    industry_ranks       numeric[] NOT NULL,
    network_ranks        numeric[] NOT NULL,
    first_scores         numeric[] NOT NULL,      -- each ambassador's first snapshot's total (the most improved)
    -- The sums over the arrays: averages at a date without reading them.
    ambassadors          integer NOT NULL CHECK (ambassadors = cardinality(ambassador_ids)),
    total_sum            numeric NOT NULL,
    brand_sum            numeric NOT NULL,
    people_sum           numeric NOT NULL,
    insights_sum         numeric NOT NULL,
    relationships_sum    numeric NOT NULL,
    above_75             integer NOT NULL CHECK (above_75 BETWEEN 0 AND ambassadors),
    industry_rank_sum    numeric,
    industry_ranked      integer NOT NULL CHECK (industry_ranked BETWEEN 0 AND ambassadors),
    network_rank_sum     numeric,
    network_ranked       integer NOT NULL CHECK (network_ranked BETWEEN 0 AND ambassadors),
    PRIMARY KEY (organization_id, day, team),
    CHECK (cardinality(snapshot_dates) = cardinality(ambassador_ids) AND cardinality(total_scores) = cardinality(ambassador_ids)
           AND cardinality(brand_scores) = cardinality(ambassador_ids) AND cardinality(people_scores) = cardinality(ambassador_ids)
           AND cardinality(insights_scores) = cardinality(ambassador_ids)
           AND cardinality(relationships_scores) = cardinality(ambassador_ids)
           AND cardinality(industry_ranks) = cardinality(ambassador_ids) AND cardinality(network_ranks) = cardinality(ambassador_ids)
           AND cardinality(first_scores) = cardinality(ambassador_ids))
);

-- Existing organisations: their first SSI day is queued, and maintaining it builds every row after it.
INSERT INTO rollup.dirty_days (organization_id, day)
SELECT s.organization_id, min(s.snapshot_date) FROM rollup.ssi_spans AS s GROUP BY s.organization_id;

-- A date's spans in force and the ambassadors' first scores are read from rollup.ssi_days: the spans' ends and
-- first-snapshot marks (with their indexes and check) go.
ALTER TABLE rollup.ssi_spans DROP COLUMN next_date, DROP COLUMN first_snapshot;
