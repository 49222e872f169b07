-- Applications get the sources of applicant-tracking systems instead of the lead channels, so that an ATS export
-- imports as it is. employee_advocacy stays the advocacy marker of both lists. Existing applications keep what
-- their lead channel meant: paid -> job_board, organic -> careers_site, referral -> referral, the rest -> other.
CREATE TYPE core.application_channel AS ENUM (
    'employee_advocacy', 'job_board', 'agency', 'careers_site', 'internal', 'referral', 'social', 'other'
);

ALTER TABLE fact.applications DROP CONSTRAINT application_attribution_only_for_advocacy;

ALTER TABLE fact.applications
    ALTER COLUMN source_channel TYPE core.application_channel
    USING (CASE source_channel::text
               WHEN 'employee_advocacy' THEN 'employee_advocacy'
               WHEN 'paid' THEN 'job_board'
               WHEN 'organic' THEN 'careers_site'
               WHEN 'referral' THEN 'referral'
               ELSE 'other'
           END)::core.application_channel;

ALTER TABLE fact.applications
    ADD CONSTRAINT application_attribution_only_for_advocacy
        CHECK (source_channel = 'employee_advocacy' OR ambassador_id IS NULL);
