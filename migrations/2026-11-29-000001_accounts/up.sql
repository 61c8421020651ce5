-- Accounts: users, their browser sessions and API tokens, login throttling, app secrets.

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    role text NOT NULL CHECK (role IN ('admin', 'editor', 'reviewer', 'viewer')),
    password_hash text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    deactivated_at timestamptz,
    CHECK (active OR deactivated_at IS NOT NULL)
);

-- Browser sessions. The cookie carries a random key; only its SHA-256 is stored, so a copy of
-- this table cannot be replayed as cookies.
CREATE TABLE sessions (
    key_hash text PRIMARY KEY,
    user_id bigint REFERENCES users (id) ON DELETE CASCADE,
    state jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    user_agent text,
    ip text
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label text NOT NULL CHECK (length(btrim(label)) > 0),
    -- SHA-256 of the token, hex; the token itself is shown once and never stored.
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);
CREATE UNIQUE INDEX api_tokens_live_label_idx ON api_tokens (user_id, label) WHERE revoked_at IS NULL;

-- Failed logins, per account and per address, for throttling across all app instances.
CREATE TABLE login_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    ip text NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email, attempted_at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, attempted_at);

-- Secrets generated on first start (session and CSRF key), shared by every instance.
CREATE TABLE app_secrets (
    name text PRIMARY KEY,
    value bytea NOT NULL CHECK (length(value) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
