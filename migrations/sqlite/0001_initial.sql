-- vayu's store, SQLite flavour. Instants are INTEGER milliseconds since the
-- epoch (UTC) so that backoff and lease expiry are plain integer arithmetic in SQL.

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,          -- X-GitHub-Delivery
    event           TEXT NOT NULL,
    action          TEXT,
    installation_id INTEGER,
    repo            TEXT,
    received_at     INTEGER NOT NULL,
    payload         TEXT NOT NULL
);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    dedupe_key   TEXT UNIQUE,
    payload      TEXT NOT NULL,                -- JSON
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
    run_at       INTEGER NOT NULL,
    lease_until  INTEGER,
    leased_by    TEXT,
    lease_token  TEXT,                         -- one per lease; fences late workers
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_lease ON jobs (state, lease_until);

CREATE TABLE tasks (
    repo         TEXT NOT NULL,
    issue_number INTEGER NOT NULL,
    parent       INTEGER,
    key          TEXT,
    type         TEXT NOT NULL,
    priority     TEXT NOT NULL,
    owner        TEXT,
    status       TEXT NOT NULL,
    progress     INTEGER NOT NULL DEFAULT 0,
    heartbeat_at INTEGER,
    retries      INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (repo, issue_number)
);
CREATE INDEX tasks_status ON tasks (status);
CREATE INDEX tasks_owner ON tasks (owner);

CREATE TABLE plans (
    repo         TEXT NOT NULL,
    issue_number INTEGER NOT NULL,
    hash         TEXT NOT NULL,
    json         TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (repo, issue_number)
);

CREATE TABLE events (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    ts    INTEGER NOT NULL,
    kind  TEXT NOT NULL,
    repo  TEXT,
    issue INTEGER,
    data  TEXT NOT NULL
);

CREATE TABLE effects (
    key     TEXT PRIMARY KEY,
    done_at INTEGER NOT NULL,
    result  TEXT NOT NULL
);
