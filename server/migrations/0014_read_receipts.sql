-- Issue 20: staff's openings of personal data (a resident's full record, signatures) are noted on their
-- devices, often offline, and reported later, possibly more than once: `receipt` is the device-made id of
-- one opening, kept once.
ALTER TABLE audit_log ADD COLUMN receipt TEXT;
CREATE UNIQUE INDEX audit_log_by_receipt ON audit_log (receipt) WHERE receipt IS NOT NULL;
