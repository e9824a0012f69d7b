-- Issue 20: a person's device seals its data under a key that a PIN unwraps, and also under a secret the
-- server keeps for that person on that device and gives only in the answer to a sign-in with the
-- password. A forgotten PIN then costs an online sign-in, never the unsent entries.
CREATE TABLE unlock_key (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, device_id)
);
