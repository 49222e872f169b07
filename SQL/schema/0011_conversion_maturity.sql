-- Conversion maturity (kpi.kpis_from): a cohort of leads or applications converts over weeks, so a recent period's
-- conversion is low because its cohort is young, not because it converts badly. Per day, the rollups now keep the
-- advocacy leads and applications still open and the days each won lead took (the days to hire are there already);
-- per organisation, the windows of the "converted within N days of creation" rates.

ALTER TABLE core.organizations
    -- A conversion within the window counts only cohorts at least this many days old.
    ADD COLUMN lead_conversion_window_days integer NOT NULL DEFAULT 90
        CHECK (lead_conversion_window_days BETWEEN 1 AND 730),
    ADD COLUMN hire_conversion_window_days integer NOT NULL DEFAULT 60
        CHECK (hire_conversion_window_days BETWEEN 1 AND 730);

ALTER TABLE rollup.daily
    -- Advocacy leads created that day whose latest stage is neither won nor lost (none yet, or qualified).
    ADD COLUMN advocacy_open_leads bigint NOT NULL DEFAULT 0,
    -- For each lead created that day whose latest stage is won: the days from its creation to that stage.
    ADD COLUMN advocacy_days_to_win double precision[] NOT NULL DEFAULT '{}',
    ADD COLUMN other_days_to_win double precision[] NOT NULL DEFAULT '{}',
    -- Advocacy applications received that day whose latest stage is neither hired nor rejected.
    ADD COLUMN advocacy_open_applications bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT daily_open_leads CHECK (advocacy_open_leads BETWEEN 0 AND advocacy_leads - advocacy_won),
    ADD CONSTRAINT daily_open_applications CHECK (advocacy_open_applications BETWEEN 0 AND advocacy_applications - advocacy_hired),
    -- NOT VALID: the days already rolled up have empty arrays until they are recomputed (queued below); every row
    -- written from now on is checked.
    ADD CONSTRAINT daily_days_to_win CHECK (cardinality(advocacy_days_to_win) = advocacy_won
                                            AND cardinality(other_days_to_win) = other_won) NOT VALID;

-- kpi.totals carries the cohorts' maturity and the rates within the windows, as of the organisation's today.
ALTER TYPE kpi.totals
    ADD ATTRIBUTE as_of date,
    ADD ATTRIBUTE lead_window integer,
    ADD ATTRIBUTE advocacy_open_leads bigint,
    ADD ATTRIBUTE advocacy_lead_median_age numeric,
    ADD ATTRIBUTE advocacy_leads_mature bigint,
    ADD ATTRIBUTE advocacy_won_within bigint,
    ADD ATTRIBUTE other_leads_mature bigint,
    ADD ATTRIBUTE other_won_within bigint,
    ADD ATTRIBUTE hire_window integer,
    ADD ATTRIBUTE advocacy_open_applications bigint,
    ADD ATTRIBUTE advocacy_application_median_age numeric,
    ADD ATTRIBUTE advocacy_applications_mature bigint,
    ADD ATTRIBUTE advocacy_hired_within bigint,
    ADD ATTRIBUTE other_applications_mature bigint,
    ADD ATTRIBUTE other_hired_within bigint;

-- The lead and application rows gain whether they are open and the days a won lead took: new signatures.
DROP FUNCTION IF EXISTS kpi.period_leads(uuid, date, date);
DROP FUNCTION IF EXISTS kpi.period_applications(uuid, date, date);

-- Existing organisations: every day with a lead or an application is recomputed in the background (reads answer
-- from the facts until it is done).
INSERT INTO rollup.dirty_days (organization_id, day)
SELECT d.organization_id, d.day FROM rollup.daily AS d
WHERE d.advocacy_leads + d.other_leads + d.advocacy_applications + d.other_applications > 0;
