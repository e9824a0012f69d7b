-- A push answered with anything but a fresh change moves the records it targets to a new cursor, found
-- by their key alone (the mutation does not name the kind of record).
CREATE INDEX change_log_by_key ON change_log (entity_key);
