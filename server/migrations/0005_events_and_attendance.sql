-- Issue 5: events in full, attendance lists signed on the kiosk, image-consent texts, kiosk exit PINs.

-- The whole event (place, organiser, goals, expected residents) as the domain crate shapes it.
ALTER TABLE event ADD COLUMN data TEXT;
UPDATE event SET data = json_object(
    'id', id, 'title', title, 'starts_at', starts_at, 'ends_at', ends_at,
    'location', '', 'organiser', '', 'target_groups', json('[]'), 'plan_goals', json('[]'),
    'description', '', 'expected', json('[]'), 'created_by', json('null'), 'created_at', created_at);
INSERT INTO change_log (entity, entity_key, data) SELECT 'event', id, data FROM event ORDER BY starts_at;

-- One list per event: its entries (with signatures), approval and history, as the domain shapes it.
CREATE TABLE attendance_list (
    event_id TEXT PRIMARY KEY REFERENCES event (id),
    approved INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),
    data     TEXT NOT NULL
) STRICT;

-- Who attended what, for reports and for finding a resident's events when they withdraw image consent.
CREATE TABLE attendance (
    id            TEXT PRIMARY KEY,
    event_id      TEXT NOT NULL REFERENCES event (id),
    resident_id   TEXT NOT NULL,
    present       INTEGER NOT NULL CHECK (present IN (0, 1)),
    image_consent INTEGER CHECK (image_consent IN (0, 1))
) STRICT;
CREATE INDEX attendance_by_event ON attendance (event_id);
CREATE INDEX attendance_by_resident ON attendance (resident_id);

-- Every version of each consent text stays, so any answer can be shown with the text it answered.
CREATE TABLE consent_text (
    kind       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    text_pl    TEXT NOT NULL,
    text_en    TEXT NOT NULL,
    since      TEXT NOT NULL,
    created_by TEXT REFERENCES account (id),
    PRIMARY KEY (kind, version)
) STRICT;
INSERT INTO consent_text (kind, version, text_pl, text_en, since) VALUES (
    'image', 1,
    'Zgadzam się na nieodpłatne wykorzystanie mojego wizerunku utrwalonego na zdjęciach z tego spotkania przez Centrum Usług Społecznych w Milanówku w celu dokumentowania i promowania działań Miejsca Aktywności Lokalnej. Zgodę mogę w każdej chwili wycofać.',
    'I agree that the Social Services Centre in Milanówek may use photos of me taken at this meeting, free of charge, to document and promote the Local Activity Place. I can withdraw this consent at any time.',
    '2026-01-01T00:00:00.000Z');
INSERT INTO change_log (entity, entity_key, data)
SELECT 'image_consent_text', 'image',
       json_object('version', version, 'text_pl', text_pl, 'text_en', text_en, 'since', since)
FROM consent_text WHERE kind = 'image';

-- Staff leave the kiosk flow with this PIN; the tablet checks it offline against a salted hash.
ALTER TABLE device_enrolment ADD COLUMN exit_pin TEXT NOT NULL DEFAULT '';

INSERT INTO dictionary_entry (kind, code, label_pl, label_en, position) VALUES
    ('location', 'brzozowa_7', 'ul. Brzozowa 7', 'ul. Brzozowa 7', 1),
    ('location', 'sosnowa_1c', 'ul. Sosnowa 1C', 'ul. Sosnowa 1C', 2),
    ('location', 'inzynierska_3a', 'ul. Inżynierska 3A', 'ul. Inżynierska 3A', 3),
    ('plan_goal', 'goal_1', '1. Wzmocnienie zdolności samoorganizowania się mieszkańców i poczucia ich sprawczości',
        '1. Strengthening residents'' capacity to organise themselves and their sense of agency', 1),
    ('plan_goal', 'goal_2', '2. Wzmacnianie środowiska lokalnych organizacji pozarządowych',
        '2. Strengthening local non-governmental organisations', 2),
    ('plan_goal', 'goal_3', '3. Tworzenie i stymulowanie więzi wspólnotowych oraz budowanie poczucia tożsamości i współdziałania',
        '3. Creating community bonds and building a sense of identity and cooperation', 3),
    ('plan_goal', 'goal_4', '4. Wyrównywanie szans poprzez wspieranie grup zagrożonych wykluczeniem społecznym i biernością',
        '4. Equal opportunities: supporting groups at risk of social exclusion and passivity', 4),
    ('plan_goal', 'goal_5', '5. Wzmocnienie solidarności społecznej, w tym sąsiedzkiej; pomoc wzajemna; wspólnota miejsca',
        '5. Social and neighbourly solidarity; mutual help; a community of place', 5),
    ('plan_goal', 'goal_6', '6. Tworzenie wspólnot zapobiegających izolacji i osamotnieniu',
        '6. Communities that prevent isolation and loneliness', 6),
    ('plan_goal', 'goal_7', '7. Przestrzeń do współpracy międzysektorowej (wymiana wiedzy, doświadczeń i usług społecznych)',
        '7. Cross-sector cooperation (sharing knowledge, experience and social services)', 7);

INSERT INTO change_log (entity, entity_key, data)
SELECT 'dictionary_entry', kind || ':' || code,
       json_object('kind', kind, 'code', code, 'label_pl', label_pl, 'label_en', label_en,
                   'position', position, 'active', json(CASE active WHEN 1 THEN 'true' ELSE 'false' END))
FROM dictionary_entry
WHERE kind IN ('location', 'plan_goal')
ORDER BY kind, position;
