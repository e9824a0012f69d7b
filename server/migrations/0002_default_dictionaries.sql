-- Default configuration of the centre in Milanówek (shared/domain.md); a coordinator edits it later.
INSERT INTO dictionary_entry (kind, code, label_pl, label_en, position) VALUES
    ('district', 'gospodarska', 'Gospodarska', 'Gospodarska', 1),
    ('district', 'inzynierska', 'Inżynierska', 'Inżynierska', 2),
    ('district', 'jedwabnik', 'Jedwabnik', 'Jedwabnik', 3),
    ('district', 'krolewska', 'Królewska', 'Królewska', 4),
    ('district', 'okolna', 'Okólna', 'Okólna', 5),
    ('district', 'wojska_polskiego', 'Wojska Polskiego', 'Wojska Polskiego', 6),
    ('district', 'berliny', '„Berliny”', '“Berliny”', 7),
    ('district', 'tbs', '„TBS”', '“TBS”', 8),
    ('help_category', 'shopping', 'Zakupy', 'Shopping', 1),
    ('help_category', 'transport', 'Transport „od drzwi do drzwi”', 'Door-to-door transport', 2),
    ('help_category', 'companionship', 'Odwiedziny i towarzystwo', 'Visits and companionship', 3),
    ('help_category', 'respite_care', 'Usługi sąsiedzkie i wytchnieniowe', 'Neighbour and respite care', 4),
    ('help_category', 'equipment_loan', 'Wypożyczenie sprzętu rehabilitacyjnego', 'Rehabilitation equipment loan', 5),
    ('help_category', 'paperwork', 'Pomoc w sprawach urzędowych', 'Help with paperwork', 6),
    ('help_category', 'small_repairs', 'Drobne naprawy', 'Small repairs', 7),
    ('help_category', 'other', 'Inne', 'Other', 8);

-- Clients learn the dictionaries through the ordinary pull.
INSERT INTO change_log (entity, entity_key, data)
SELECT 'dictionary_entry', kind || ':' || code,
       json_object('kind', kind, 'code', code, 'label_pl', label_pl, 'label_en', label_en,
                   'position', position, 'active', json(CASE active WHEN 1 THEN 'true' ELSE 'false' END))
FROM dictionary_entry
ORDER BY kind, position;
