-- Issue 20: a kiosk tablet seals its signatures and roster under a key that the exit PIN unwraps, and
-- also under a secret the server keeps for that event on that tablet and gives only in the answer to an
-- enrolment code. Too many wrong PINs then cost a new code from the organiser, never the signatures.
CREATE TABLE kiosk_unlock_key (
    event_id TEXT NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (event_id, device_id)
);
