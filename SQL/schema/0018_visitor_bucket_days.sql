-- The unique advocacy visitors of a week or month that a period cuts, from two numbers instead of its visitor-days.
-- Per bucket (week or month), slice and day on which some visitor's first or last visit of the bucket falls: the
-- bucket's unique visitors from its first day through that day, and from that day through its last day. A period
-- that starts inside a bucket counts the visitors "from" its first day (the bucket's earliest row on or after it),
-- one that ends inside a bucket those "through" its last day (the latest row on or before it); a whole bucket is
-- either number at its end. Exact: a visitor is counted once, on their first (or last) day in the bucket.
-- Replaces rollup.visitor_slice_buckets, whose whole-bucket counts these rows hold too.
CREATE TABLE rollup.visitor_bucket_days (
    organization_id  uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    granularity      text NOT NULL CHECK (granularity IN ('week', 'month')),
    bucket           date NOT NULL CHECK (bucket = date_trunc(granularity, bucket::timestamp)::date),
    dimensions       text NOT NULL,
    value1           text NOT NULL,
    value2           text NOT NULL,   -- '' for one dimension
    day              date NOT NULL CHECK (day >= bucket),
    visitors_through integer NOT NULL CHECK (visitors_through >= 0),
    visitors_from    integer NOT NULL CHECK (visitors_from >= 0),
    PRIMARY KEY (organization_id, granularity, bucket, dimensions, value1, value2, day) INCLUDE (visitors_through, visitors_from)
);

DROP TABLE rollup.visitor_slice_buckets;

-- Existing organisations: every day with visits is recomputed in the background (reads answer from the facts until
-- it is done), which counts its weeks and months anew.
INSERT INTO rollup.dirty_days (organization_id, day)
SELECT d.organization_id, d.day FROM rollup.daily AS d WHERE d.visits > 0;
