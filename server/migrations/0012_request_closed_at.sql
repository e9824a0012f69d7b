-- Issue 20: when the server saw a request reach a final status, so it leaves volunteers' devices a set time
-- later (domain::need_to_know). Requests closed before this count as closed now.
ALTER TABLE help_request ADD COLUMN closed_at TEXT;
UPDATE help_request SET closed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE status IN ('rejected', 'done', 'cancelled');
