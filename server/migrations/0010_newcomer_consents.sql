-- A newcomer at the kiosk is asked two more consents (issue 17): to the processing of their data, and to
-- being offered by name at later events. Each kind has its own versioned text, and devices learn every kind
-- through one change-log entity that names it.
UPDATE change_log SET entity = 'consent_text', data = json_set(data, '$.kind', entity_key)
WHERE entity = 'image_consent_text';

INSERT INTO consent_text (kind, version, text_pl, text_en, since) VALUES (
    'data_processing', 1,
    'Zgadzam się, aby Centrum Usług Społecznych w Milanówku zapisało moje imię i nazwisko, telefon i osiedle, żeby prowadzić listy obecności i kontaktować się ze mną w sprawie spotkań Miejsca Aktywności Lokalnej. W każdej chwili mogę zobaczyć swoje dane, poprawić je, poprosić o ich usunięcie albo wycofać zgodę.',
    'I agree that the Social Services Centre in Milanówek records my name, phone and neighbourhood to keep attendance lists and to contact me about the meetings of the Local Activity Place. At any time I can see my data, correct it, ask for it to be deleted or withdraw this consent.',
    '2026-01-01T00:00:00.000Z'
), (
    'kiosk_listing', 1,
    'Zgadzam się, aby na kolejnych spotkaniach tablet przy wejściu podpowiadał moje imię i nazwisko, gdy zacznę je wpisywać. Dzięki temu nie muszę zapisywać się od nowa.',
    'I agree that at later meetings the tablet at the door suggests my name when I start typing it, so I do not have to register again.',
    '2026-01-01T00:00:00.000Z'
);
INSERT INTO change_log (entity, entity_key, data)
SELECT 'consent_text', kind,
       json_object('kind', kind, 'version', version, 'text_pl', text_pl, 'text_en', text_en, 'since', since)
FROM consent_text WHERE kind IN ('data_processing', 'kiosk_listing');
