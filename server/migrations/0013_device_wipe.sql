-- Issue 20: a deactivated account's devices erase its data on their next contact. Deactivation orders the
-- wipe on each of the account's sessions instead of deleting them, so the device can still send what it
-- has, learn the order, and confirm; the coordinator sees which devices did. `device` names the browser
-- the session was opened in (its User-Agent), so the coordinator can tell the phones apart.
ALTER TABLE session ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE session ADD COLUMN wipe_ordered_at TEXT;
ALTER TABLE session ADD COLUMN wiped_at TEXT;
