-- 0015: the rollup queue follows its organisations.
--
-- rollup.dirty_days had no foreign key (0010: an append-only queue, written by every ingestion statement). An
-- organisation deleted by a plain DELETE, not core.delete_organization, left queued days behind: the cascade
-- deleted its facts, whose triggers queued their days again. The background worker then failed on them at
-- every pass (rollup rows have a foreign key), and no other organisation's days were maintained. The
-- triggers now skip an organisation that is gone (0012's rollup.watch), and the queue goes with its
-- organisation. The check costs one look-up per queued row; a statement queues a few distinct days.

DELETE FROM rollup.dirty_days AS q
WHERE NOT EXISTS (SELECT FROM core.organizations AS o WHERE o.organization_id = q.organization_id);

ALTER TABLE rollup.dirty_days
    ADD CONSTRAINT dirty_days_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES core.organizations ON DELETE CASCADE;
