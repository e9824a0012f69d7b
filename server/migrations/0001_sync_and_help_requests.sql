-- Dictionaries (districts, help categories…) that records refer to by code.
CREATE TABLE dictionary_entry (
    kind     TEXT    NOT NULL,
    code     TEXT    NOT NULL,
    label_pl TEXT    NOT NULL,
    label_en TEXT    NOT NULL,
    position INTEGER NOT NULL,
    active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (kind, code)
) STRICT;

CREATE TABLE help_request (
    id                TEXT PRIMARY KEY,
    resident_name     TEXT NOT NULL,
    district          TEXT NOT NULL,
    category          TEXT NOT NULL,
    description       TEXT NOT NULL,
    status            TEXT NOT NULL,
    recorded_at       TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    recorded_by_device TEXT NOT NULL
) STRICT;

-- Every mutation the server has answered, with its answer: pushing it again replays that answer.
CREATE TABLE applied_mutation (
    id          TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

-- The latest state of every record, in commit order; `cursor` is what clients pull from. A record that
-- changes again moves to a new cursor, so a pull never returns stale copies of it.
CREATE TABLE change_log (
    cursor     INTEGER PRIMARY KEY AUTOINCREMENT,
    entity     TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    data       TEXT NOT NULL,
    UNIQUE (entity, entity_key)
);
