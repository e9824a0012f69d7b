-- People who sign in. Usernames are stored lower-cased; the password as an argon2id PHC string.
CREATE TABLE account (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('volunteer', 'organiser', 'coordinator')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

-- Events as far as kiosk enrolment needs them (title and time); the events issue adds the rest.
CREATE TABLE event (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES account (id),
    created_at TEXT NOT NULL
) STRICT;

-- A tablet enrolled as the attendance kiosk of one event. The short code is single-use: cleared on claim.
CREATE TABLE device_enrolment (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES event (id),
    code_hash       TEXT UNIQUE,
    code_expires_at TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES account (id),
    created_at      TEXT NOT NULL,
    claimed_at      TEXT,
    revoked_at      TEXT
) STRICT;

-- Server-side sessions of people and of kiosk tablets. Only a hash of the cookie's token is stored, so a
-- copy of the database does not let anyone sign in.
CREATE TABLE session (
    token_hash   TEXT PRIMARY KEY,
    account_id   TEXT REFERENCES account (id) ON DELETE CASCADE,
    enrolment_id TEXT REFERENCES device_enrolment (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    CHECK ((account_id IS NULL) <> (enrolment_id IS NULL))
) STRICT;
CREATE INDEX session_by_account ON session (account_id);
CREATE INDEX session_by_enrolment ON session (enrolment_id);

-- Who did what, when: sign-ins, account changes, enrolments, reviews, exports, deletions.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    actor_id TEXT,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT,
    details  TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_log_by_action ON audit_log (action, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, id);

-- Requests recorded before accounts existed have no author; only organisers see those.
ALTER TABLE help_request ADD COLUMN recorded_by TEXT REFERENCES account (id);
CREATE INDEX help_request_by_author ON help_request (recorded_by);
