-- Issue 4: the help-request workflow, assignments and the residents registry.

-- The whole record (history, assignees, hours) as the domain crate shapes it; the columns beside it are
-- for queries and reports.
ALTER TABLE help_request ADD COLUMN data TEXT;
ALTER TABLE help_request ADD COLUMN resident_id TEXT;
UPDATE help_request
SET data = (SELECT c.data FROM change_log c WHERE c.entity = 'help_request' AND c.entity_key = help_request.id);
CREATE INDEX help_request_by_status ON help_request (status);

-- Who is assigned to what: volunteers pull the requests they are assigned to.
CREATE TABLE help_request_assignee (
    help_request_id TEXT NOT NULL REFERENCES help_request (id),
    account_id      TEXT NOT NULL REFERENCES account (id),
    PRIMARY KEY (help_request_id, account_id)
) STRICT;
CREATE INDEX help_request_assignee_by_account ON help_request_assignee (account_id);

CREATE TABLE resident (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    district    TEXT NOT NULL,
    merged_into TEXT REFERENCES resident (id),
    recorded_by TEXT REFERENCES account (id),
    data        TEXT NOT NULL
) STRICT;

INSERT INTO dictionary_entry (kind, code, label_pl, label_en, position) VALUES
    ('target_group', 'seniors', 'Seniorzy 60+', 'Seniors 60+', 1),
    ('target_group', 'disabilities', 'Osoby z niepełnosprawnościami', 'People with disabilities', 2),
    ('target_group', 'young_families', 'Rodziny z małymi dziećmi (do 5 lat)', 'Families with children under 5', 3),
    ('target_group', 'youth', 'Młodzież', 'Youth', 4);

INSERT INTO change_log (entity, entity_key, data)
SELECT 'dictionary_entry', kind || ':' || code,
       json_object('kind', kind, 'code', code, 'label_pl', label_pl, 'label_en', label_en,
                   'position', position, 'active', json(CASE active WHEN 1 THEN 'true' ELSE 'false' END))
FROM dictionary_entry
WHERE kind = 'target_group'
ORDER BY position;
