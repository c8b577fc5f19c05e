-- vayu's store, PostgreSQL flavour.

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,          -- X-GitHub-Delivery
    event           TEXT NOT NULL,
    action          TEXT,
    installation_id BIGINT,
    repo            TEXT,
    received_at     TIMESTAMPTZ NOT NULL,
    payload         TEXT NOT NULL
);

CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL,
    dedupe_key   TEXT UNIQUE,
    payload      JSONB NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL CHECK (max_attempts > 0),
    run_at       TIMESTAMPTZ NOT NULL,
    lease_until  TIMESTAMPTZ,
    leased_by    TEXT,
    lease_token  UUID,                         -- one per lease; fences late workers
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_lease ON jobs (state, lease_until);

CREATE TABLE tasks (
    repo         TEXT NOT NULL,
    issue_number BIGINT NOT NULL,
    parent       BIGINT,
    key          TEXT,
    type         TEXT NOT NULL,
    priority     TEXT NOT NULL,
    owner        TEXT,
    status       TEXT NOT NULL,
    progress     BIGINT NOT NULL DEFAULT 0,
    heartbeat_at TIMESTAMPTZ,
    retries      BIGINT NOT NULL DEFAULT 0,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repo, issue_number)
);
CREATE INDEX tasks_status ON tasks (status);
CREATE INDEX tasks_owner ON tasks (owner);

CREATE TABLE plans (
    repo         TEXT NOT NULL,
    issue_number BIGINT NOT NULL,
    hash         TEXT NOT NULL,
    json         JSONB NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repo, issue_number)
);

CREATE TABLE events (
    id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts    TIMESTAMPTZ NOT NULL,
    kind  TEXT NOT NULL,
    repo  TEXT,
    issue BIGINT,
    data  JSONB NOT NULL
);

CREATE TABLE effects (
    key     TEXT PRIMARY KEY,
    done_at TIMESTAMPTZ NOT NULL,
    result  JSONB NOT NULL
);
