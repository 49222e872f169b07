-- SSI challenges (seed 000: "lunch for whoever gains 5 points by the end of the month", a team competition,
-- "50 by Christmas"): a period, the teams taking part (NULL: everyone), and one target: a gain in points over
-- the period or a score to reach by its end. Standings are computed from the snapshots (kpi.ssi_challenge_standings).
CREATE TABLE core.ssi_challenges (
    organization_id uuid NOT NULL REFERENCES core.organizations ON DELETE CASCADE,
    challenge_id    uuid NOT NULL DEFAULT gen_random_uuid(),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The ambassadors' current teams taking part; NULL: every ambassador.
    teams           text[] CHECK (cardinality(teams) BETWEEN 1 AND 100 AND array_position(teams, NULL) IS NULL),
    starts_on       date NOT NULL,
    ends_on         date NOT NULL,
    target_gain     numeric(5, 2) CHECK (target_gain > 0 AND target_gain <= 100),
    target_score    numeric(5, 2) CHECK (target_score > 0 AND target_score <= 100),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, challenge_id),
    CONSTRAINT challenge_ends_after_start CHECK (ends_on >= starts_on),
    CONSTRAINT challenge_has_one_target CHECK (num_nonnulls(target_gain, target_score) = 1)
);

CREATE INDEX ssi_challenges_by_end ON core.ssi_challenges (organization_id, ends_on);
