-- Issue 6: photos attached to help requests and events. The record arrives with the sync push; the bytes
-- follow separately and are stored content-addressed under the data directory (photos/originals, photos/thumbnails).
CREATE TABLE photo (
    id              TEXT PRIMARY KEY,
    subject_kind    TEXT NOT NULL CHECK (subject_kind IN ('help_request', 'event')),
    subject_id      TEXT NOT NULL,
    taken_by        TEXT NOT NULL REFERENCES account (id),
    -- SHA-256 the device declared for its upload: with the id, the upload's idempotency key.
    declared_sha256 TEXT NOT NULL,
    -- SHA-256 of the stored original (its file name), once the bytes have arrived.
    file_sha256     TEXT,
    data            TEXT NOT NULL
) STRICT;
CREATE INDEX photo_by_subject ON photo (subject_kind, subject_id);
