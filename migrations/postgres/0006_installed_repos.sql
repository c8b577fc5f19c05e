-- Repositories the App was installed on (installation and
-- installation_repositories webhooks), so the server's schedules and
-- reconcile reach a repository before any issue event comes from it, and
-- stop at one the App was removed from.
CREATE TABLE installed_repos (
    repo             TEXT PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    removed          BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       TIMESTAMPTZ NOT NULL
);
