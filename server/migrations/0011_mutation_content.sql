-- Issue 19: what each answered mutation said (a hash of its kind and payload), so that the same id sent
-- again with other content is answered as the conflict it is, not with the first mutation's answer.
-- Answers stored before this have none and are replayed as before.
ALTER TABLE applied_mutation ADD COLUMN content_sha256 TEXT;
