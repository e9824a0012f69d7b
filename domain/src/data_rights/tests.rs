use super::*;
use crate::attendance::Signature;
use crate::help_request::Person;
use crate::photo::{PeopleVisible, PhotoReview};
use crate::report::tests::{fixture, photo, utc, Fixture, ANNA, ANNA_AGAIN, BOGDAN, CELINA};

/// The fixture with Anna expected at the March meeting, signing its list with a finger, and photos of
/// her request and of Celina's.
fn with_anna_everywhere() -> Fixture {
    let mut fixture = fixture();
    fixture.events[0].fields.expected = vec![
        Person {
            id: Uuid::from_u128(ANNA_AGAIN),
            name: "Anna".into(),
        },
        Person {
            id: Uuid::from_u128(CELINA),
            name: "Celina".into(),
        },
    ];
    fixture.lists[0].entries[0].proof = Proof::Signature {
        signature: Signature::default(),
    };
    fixture.lists[0].entries[1].proof = Proof::Signature {
        signature: Signature::default(),
    };
    fixture.photos.extend([
        photo(
            72,
            PhotoSubject::HelpRequest(Uuid::from_u128(1)),
            PeopleVisible::NoIdentifiablePeople,
            PhotoReview::Pending,
        ),
        photo(
            73,
            PhotoSubject::HelpRequest(Uuid::from_u128(2)),
            PeopleVisible::NoIdentifiablePeople,
            PhotoReview::Pending,
        ),
    ]);
    fixture
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> Uuid) -> Vec<u128> {
    let mut ids: Vec<u128> = items.iter().map(|item| id(item).as_u128()).collect();
    ids.sort();
    ids
}

#[test]
fn access_gives_every_record_of_the_person_under_either_id_and_nothing_of_anyone_else() {
    let fixture = with_anna_everywhere();
    let at = utc("2026-11-30T10:00:00Z");
    let from_duplicate = subject_access(Uuid::from_u128(ANNA_AGAIN), &fixture.data(), at).unwrap();
    let from_entry = subject_access(Uuid::from_u128(ANNA), &fixture.data(), at).unwrap();
    assert_eq!(from_duplicate, from_entry, "one person, whichever id");

    let access = from_entry;
    assert_eq!(
        access.residents[0].id,
        Uuid::from_u128(ANNA),
        "the entry first"
    );
    assert_eq!(ids(&access.residents, |r| r.id), [ANNA, ANNA_AGAIN]);
    assert_eq!(ids(&access.help_requests, |r| r.id), [1, 4]);
    assert_eq!(ids(&access.photos, |p| p.id), [72]);
    let events: Vec<(u128, bool, Vec<u128>)> = access
        .events
        .iter()
        .map(|e| (e.event_id.as_u128(), e.expected, ids(&e.entries, |a| a.id)))
        .collect();
    assert_eq!(
        events,
        [
            (14, false, vec![28]),
            (11, true, vec![21]),
            (12, false, vec![23]),
        ],
        "oldest first, her own entries only"
    );
    let text = serde_json::to_string(&access).unwrap();
    for other in ["Bogdan", "Celina", "Osoba 22", "Osoba 25", "Osoba 26"] {
        assert!(!text.contains(other), "{other} is not hers to see");
    }
    assert_eq!(
        access.audit_targets().len(),
        5,
        "two registry entries, two requests, one photo"
    );
}

#[test]
fn erasure_removes_what_names_the_person_and_keeps_what_reports_count() {
    let fixture = with_anna_everywhere();
    let at = utc("2026-11-30T10:00:00Z");
    let erasure = erase(Uuid::from_u128(ANNA_AGAIN), &fixture.data(), at).unwrap();
    assert_eq!(
        erasure.counts(),
        ErasureCounts {
            residents: 2,
            help_requests: 2,
            attendance_lists: 3,
            events: 1,
            photos: 1,
        }
    );
    assert!(erasure
        .residents
        .iter()
        .all(|r| r.fields.name == ANONYMISED && r.anonymised_at == Some(at)));
    assert!(erasure
        .help_requests
        .iter()
        .all(|r| r.fields.resident_name == ANONYMISED && r.anonymised_at == Some(at)));
    assert_eq!(erasure.photos[0].id, Uuid::from_u128(72));
    assert_eq!(erasure.photos[0].erased_at, Some(at));

    let march = &erasure.attendance_lists[0];
    assert_eq!(march.event_id, Uuid::from_u128(11));
    assert_eq!(march.entries.len(), 2, "the count stays");
    assert_eq!(march.entries[0].attendee.name, ANONYMISED);
    assert_eq!(march.entries[0].proof, Proof::Erased);
    assert_eq!(march.entries[1].attendee.name, "Osoba 22", "Bogdan stays");
    assert!(
        matches!(march.entries[1].proof, Proof::Signature { .. }),
        "and so does his signature"
    );
    assert_eq!(march.anonymised_at, None, "the list itself is not expired");

    let expected = &erasure.events[0].fields.expected;
    assert_eq!(expected[0].name, ANONYMISED);
    assert_eq!(
        expected[0].id,
        Uuid::from_u128(ANNA_AGAIN),
        "the count stays"
    );
    assert_eq!(expected[1].name, "Celina");

    let text = format!("{erasure:?}");
    assert!(!text.contains("Anna"), "nothing names her: {text}");
    assert!(!text.contains("Osoba 21") && !text.contains("Osoba 23") && !text.contains("Osoba 28"));
}

#[test]
fn someone_not_in_the_registry_has_nothing_to_give_or_erase() {
    let fixture = fixture();
    let stranger = Uuid::from_u128(999);
    let at = utc("2026-11-30T10:00:00Z");
    assert!(subject_access(stranger, &fixture.data(), at).is_none());
    assert!(erase(stranger, &fixture.data(), at).is_none());
    assert!(subject_access(Uuid::from_u128(BOGDAN), &fixture.data(), at).is_some());
}

#[test]
fn an_erasure_needs_a_reason() {
    let reason = |text: &str| {
        EraseSubject {
            reason: text.into(),
        }
        .reason()
        .map(str::to_owned)
    };
    let problem = |text: &str| reason(text).map_err(|e| (e.field, e.problem));
    assert_eq!(
        problem("  "),
        Err((ErasureField::Reason, Problem::Required))
    );
    assert_eq!(
        problem(&"x".repeat(MAX_REASON_CHARS + 1)),
        Err((
            ErasureField::Reason,
            Problem::TooLong {
                max: MAX_REASON_CHARS
            }
        ))
    );
    assert_eq!(
        reason(" wniosek z 30.11 "),
        Ok("wniosek z 30.11".to_owned())
    );
}
