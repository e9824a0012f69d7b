use super::*;
use crate::attendance::{Author, ListChange};
use crate::dictionary::tests::sample;
use crate::help_request::Person;
use crate::workflow::Actor;
use chrono::DateTime;

const EVENT: Uuid = Uuid::from_u128(1);
const VOLUNTEER: Uuid = Uuid::from_u128(7);

fn volunteer() -> Author {
    Author::Staff(Actor {
        person: Person {
            id: VOLUNTEER,
            name: "Wanda Wolontariuszka".into(),
        },
        role: Role::Volunteer,
    })
}

/// A walk-in's signature (with their registration), who gave `phone`.
fn signed(id: u128, name: &str, phone: &str) -> ListChange {
    let mut change = crate::attendance::tests::signed(id, None, name);
    if let ListChange::Record(new) = &mut change {
        new.attendee.phone = phone.into();
        new.attendee.district = "okolna".into();
    }
    change
}

/// A list with a line the kiosk took and a line the volunteer took on their phone.
fn list() -> AttendanceList {
    let kiosk = Author::Kiosk { event_id: EVENT };
    let at = DateTime::UNIX_EPOCH;
    let list = AttendanceList::new(EVENT)
        .apply(
            &kiosk,
            &signed(10, "Anna Nowak", "600100200"),
            &sample(),
            at,
        )
        .unwrap();
    list.apply(
        &volunteer(),
        &signed(11, "Jan Gość", "600300400"),
        &sample(),
        at,
    )
    .unwrap()
}

#[test]
fn a_volunteer_sees_who_is_on_a_list_but_only_their_own_lines_signatures_and_phones() {
    let whole = list();
    let Need { reach, fields } = need(RecordKind::AttendanceList, Reader::Volunteer);
    assert_eq!(reach, Reach::Within(Scope::OpenLists));
    let seen = whole.clone().as_needed(fields, VOLUNTEER);

    let others = &seen.entries[0];
    assert_eq!(others.attendee.name, "Anna Nowak");
    assert_eq!(others.attendee.district, "okolna");
    assert_eq!(others.attendee.phone, "");
    assert_eq!(others.proof, Proof::Withheld);
    assert_eq!(others.registration, None);
    // Whoever takes photos must know who refused.
    assert_eq!(others.image_consent, whole.entries[0].image_consent);

    assert_eq!(seen.entries[1], whole.entries[1]);
}

#[test]
fn organisers_and_coordinators_receive_every_record_whole_and_a_kiosk_none() {
    for kind in RecordKind::ALL {
        for reader in [Reader::Organiser, Reader::Coordinator] {
            assert_eq!(
                need(kind, reader),
                EVERYTHING,
                "{reader:?} {}",
                kind.as_str()
            );
        }
        assert_eq!(need(kind, Reader::Kiosk).reach, Reach::Nothing);
    }
    let whole = list();
    assert_eq!(whole.clone().as_needed(Fields::Whole, VOLUNTEER), whole);
}

#[test]
fn a_volunteer_receives_personal_records_only_within_their_own_work() {
    for kind in [
        RecordKind::HelpRequest,
        RecordKind::Resident,
        RecordKind::AttendanceList,
        RecordKind::Photo,
        RecordKind::MeetingNote,
    ] {
        assert!(
            matches!(need(kind, Reader::Volunteer).reach, Reach::Within(_)),
            "{}",
            kind.as_str()
        );
    }
}

#[test]
fn the_security_doc_carries_the_table_as_the_code_applies_it() {
    let doc = include_str!("../../../docs/security.md");
    assert!(
        doc.contains(&table()),
        "docs/security.md must contain, as written here:\n{}",
        table()
    );
}

#[test]
fn closed_requests_stay_the_days_the_coordinator_sets_up_to_a_year() {
    let now = Utc::now();
    assert_eq!(
        ClosedRequestDays::default().leave_before(now),
        now - chrono::Duration::days(30)
    );
    assert_eq!(ClosedRequestDays::new(0).unwrap().leave_before(now), now);
    assert!(ClosedRequestDays::new(ClosedRequestDays::MAX).is_some());
    assert_eq!(ClosedRequestDays::new(ClosedRequestDays::MAX + 1), None);
}
