-- Settings a coordinator changes on the server (the retention period); an absent key means the default.
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
