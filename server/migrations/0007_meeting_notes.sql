-- Issue 7: meeting notes, linked to events and reviewed like the other entries.
CREATE TABLE meeting_note (
    id       TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES event (id),
    author   TEXT NOT NULL REFERENCES account (id),
    approved INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),
    data     TEXT NOT NULL
) STRICT;
CREATE INDEX meeting_note_by_event ON meeting_note (event_id);
