-- Scheduled tasks (issue #7): one row per fired slot. The primary key makes
-- "at most once per slot" hold across replicas and restarts; the newest slot
-- per (repo, schedule) is where the next catch-up starts.
CREATE TABLE schedule_runs (
    repo      TEXT NOT NULL,
    schedule  TEXT NOT NULL,
    slot      INTEGER NOT NULL,                -- ms since the epoch (UTC)
    fired_at  INTEGER NOT NULL,
    PRIMARY KEY (repo, schedule, slot)
);
