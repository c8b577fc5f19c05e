-- Repositories the App was installed on (installation and
-- installation_repositories webhooks), so the server's schedules and
-- reconcile reach a repository before any issue event comes from it, and
-- stop at one the App was removed from.
CREATE TABLE installed_repos (
    repo             TEXT PRIMARY KEY,
    installation_id  INTEGER NOT NULL,
    removed          INTEGER NOT NULL DEFAULT 0,   -- 1: removed from the installation
    updated_at       INTEGER NOT NULL              -- ms since the epoch (UTC)
);
