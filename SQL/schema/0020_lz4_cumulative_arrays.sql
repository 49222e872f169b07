-- The cumulative arrays (a value per ambassador or content item, rewritten from a late fact's day on) are compressed
-- with lz4 rather than pglz: compressing them was most of the time of rewriting the rows, and lz4 also reads back
-- faster. Rows already written keep their compression until they are rewritten.
ALTER TABLE rollup.slice_through
    ALTER COLUMN posts SET COMPRESSION lz4,
    ALTER COLUMN impressions SET COMPRESSION lz4,
    ALTER COLUMN engagements SET COMPRESSION lz4;

ALTER TABLE rollup.posts_through
    ALTER COLUMN posts SET COMPRESSION lz4,
    ALTER COLUMN impressions SET COMPRESSION lz4,
    ALTER COLUMN engagements SET COMPRESSION lz4;

ALTER TABLE rollup.content_through
    ALTER COLUMN shares SET COMPRESSION lz4,
    ALTER COLUMN impressions SET COMPRESSION lz4,
    ALTER COLUMN engagements SET COMPRESSION lz4;

-- A pair's cumulative rows are now weekly (rollup.rebuild_through); the daily rows already written stay right (a
-- reader adds the days after the latest row, none after a daily one) and are thinned as they are rewritten.
