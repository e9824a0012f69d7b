use super::*;
use crate::attendance::Signature;
use crate::dictionary::tests::sample;
use crate::help_request::HelpRequestStatus;
use crate::photo::{PeopleVisible, PhotoReview};
use crate::report::tests::{
    day, fixture, person, photo, utc, year_2026, Fixture, ANNA, ANNA_AGAIN, BOGDAN, CELINA,
};
use crate::report::{dashboard, gallery_photos};
use crate::resident::{DataConsent, ResidentFields};
use crate::workflow::HistoryEntry;

fn ids(ns: &[u128]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ns.iter().copied().map(Uuid::from_u128).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids
}

fn one_year() -> RetentionPeriod {
    RetentionPeriod::new(1).expect("a valid period")
}

/// The fixture with photos of the December 2025 meeting, of a closed and of an open request.
fn with_photos() -> Fixture {
    let mut fixture = fixture();
    let approved = PhotoReview::Approved {
        by: person(900, "Olga"),
        at: utc("2026-03-11T10:00:00Z"),
    };
    fixture.photos.extend([
        photo(
            71,
            PhotoSubject::Event(Uuid::from_u128(14)),
            PeopleVisible::WithConsent,
            approved.clone(),
        ),
        photo(
            72,
            PhotoSubject::HelpRequest(Uuid::from_u128(1)),
            PeopleVisible::NoIdentifiablePeople,
            approved.clone(),
        ),
        photo(
            73,
            PhotoSubject::HelpRequest(Uuid::from_u128(2)),
            PeopleVisible::NoIdentifiablePeople,
            approved,
        ),
    ]);
    fixture
}

#[test]
fn a_period_is_whole_years_within_bounds_counted_after_the_year_of_last_activity() {
    assert!(RetentionPeriod::new(0).is_err());
    assert!(RetentionPeriod::new(MAX_YEARS + 1).is_err());
    let five = RetentionPeriod::new(5).expect("a valid period");
    assert_eq!(five.expires_on(day("2020-01-01")), day("2026-01-01"));
    assert_eq!(five.expires_on(day("2020-12-31")), day("2026-01-01"));
    assert_eq!(five.last_expired_year(day("2026-01-01")), 2020);
    assert_eq!(five.last_expired_year(day("2025-12-31")), 2019);
}

#[test]
fn nothing_is_due_while_the_period_runs() {
    let fixture = with_photos();
    let plan = plan(one_year(), day("2026-12-31"), &fixture.data());
    assert!(plan.is_empty(), "{plan:?}");
}

#[test]
fn a_meeting_expires_with_its_year_while_people_active_since_stay() {
    let fixture = with_photos();
    let plan = plan(one_year(), day("2027-01-01"), &fixture.data());
    assert_eq!(plan.attendance_lists, ids(&[14]));
    assert_eq!(plan.photos, ids(&[71]));
    // Anna signed that list but came again in 2026; the December request got hours in January 2026.
    assert!(plan.residents.is_empty());
    assert!(plan.help_requests.is_empty());
}

#[test]
fn closed_requests_and_inactive_people_expire_and_an_open_request_keeps_its_resident() {
    let fixture = with_photos();
    let plan = plan(one_year(), day("2028-01-01"), &fixture.data());
    assert_eq!(sorted(plan.help_requests.clone()), ids(&[1, 4, 5, 6]));
    // Celina's request is still being handled: she stays, and so do its photos.
    assert_eq!(
        sorted(plan.residents.clone()),
        ids(&[ANNA, BOGDAN, ANNA_AGAIN])
    );
    assert!(!plan.residents.contains(&Uuid::from_u128(CELINA)));
    assert_eq!(
        sorted(plan.attendance_lists.clone()),
        ids(&[11, 12, 13, 14])
    );
    assert_eq!(sorted(plan.photos.clone()), ids(&[70, 71, 72]));
    assert_eq!(plan.counts().total(), 4 + 3 + 4 + 3);
}

#[test]
fn a_withdrawn_image_consent_is_activity_that_restarts_the_period() {
    let mut fixture = with_photos();
    let bogdan = fixture
        .residents
        .iter_mut()
        .find(|r| r.id == Uuid::from_u128(BOGDAN))
        .expect("Bogdan");
    bogdan.image_consent = Some(crate::attendance::ImageConsent {
        given: true,
        text_version: 1,
        answered_at: utc("2026-03-10T16:00:00Z"),
        withdrawn_at: Some(utc("2027-02-01T10:00:00Z")),
    });
    let plan = plan(one_year(), day("2028-01-01"), &fixture.data());
    assert!(!plan.residents.contains(&Uuid::from_u128(BOGDAN)));
}

/// Applies a plan the way the server does.
fn apply(fixture: &mut Fixture, plan: &RetentionPlan, at: DateTime<Utc>) {
    for r in fixture
        .residents
        .iter_mut()
        .filter(|r| plan.residents.contains(&r.id))
    {
        *r = anonymise_resident(r, at);
    }
    for r in fixture
        .requests
        .iter_mut()
        .filter(|r| plan.help_requests.contains(&r.id))
    {
        *r = anonymise_help_request(r, at);
    }
    for l in fixture
        .lists
        .iter_mut()
        .filter(|l| plan.attendance_lists.contains(&l.event_id))
    {
        *l = anonymise_attendance_list(l, at);
    }
    for p in fixture
        .photos
        .iter_mut()
        .filter(|p| plan.photos.contains(&p.id))
    {
        *p = erase_photo(p, at);
    }
}

#[test]
fn anonymising_keeps_every_number_of_the_yearly_report_and_is_not_due_again() {
    let mut fixture = with_photos();
    let dictionary = sample();
    let before = dashboard(year_2026(true), &fixture.data(), &dictionary);
    let today = day("2028-01-01");
    let due = plan(one_year(), today, &fixture.data());
    apply(&mut fixture, &due, utc("2028-01-01T09:00:00Z"));
    let after = dashboard(year_2026(true), &fixture.data(), &dictionary);
    assert_eq!(after.attendances, before.attendances);
    assert_eq!(after.unique_residents, before.unique_residents);
    assert_eq!(after.requests_by_category, before.requests_by_category);
    assert_eq!(after.requests_by_district, before.requests_by_district);
    assert_eq!(
        after.requests_by_target_group,
        before.requests_by_target_group
    );
    assert_eq!(after.volunteer_minutes, before.volunteer_minutes);
    assert_eq!(after.by_goal, before.by_goal);
    assert!(plan(one_year(), today, &fixture.data()).is_empty());
}

#[test]
fn an_anonymised_resident_keeps_district_and_groups_and_leaves_search_and_the_kiosk() {
    let resident = Resident {
        id: Uuid::from_u128(1),
        fields: ResidentFields {
            name: "Zofia Nowak".into(),
            phone: "600 100 200".into(),
            address: "ul. Brzozowa 7/3".into(),
            district: "jedwabnik".into(),
            target_groups: vec!["seniors".into()],
            notes: "Trzecie piętro, bez windy".into(),
            consent: Some(DataConsent {
                text_version: 1,
                given_on: day("2020-01-02"),
            }),
            listed_at_kiosk: true,
        },
        recorded_at: utc("2020-01-02T10:00:00Z"),
        merged_into: None,
        image_consent: None,
        anonymised_at: None,
    };
    let gone = anonymise_resident(&resident, utc("2026-01-02T10:00:00Z"));
    assert_eq!(gone.fields.name, ANONYMISED);
    assert!(gone.fields.phone.is_empty() && gone.fields.address.is_empty());
    assert!(gone.fields.notes.is_empty() && gone.fields.consent.is_none());
    assert!(!gone.fields.listed_at_kiosk);
    assert_eq!(gone.fields.district, "jedwabnik");
    assert_eq!(gone.fields.target_groups, vec!["seniors".to_owned()]);
    let registry = [gone];
    assert!(crate::resident::search(&registry, "").is_empty());
}

#[test]
fn an_anonymised_request_loses_names_and_texts_and_keeps_what_reports_count() {
    let fixture = fixture();
    let mut request = fixture.requests[0].clone();
    request.fields.place = "Przychodnia, ul. Sosnowa 1".into();
    request.outcome = Some("Zakupy dla pani Zofii".into());
    request.history.push(HistoryEntry {
        at: utc("2026-02-02T10:00:00Z"),
        by: person(900, "Olga"),
        event: HistoryEvent::Acted {
            action: Action::Return {
                comment: "Dopisz numer mieszkania pani Zofii".into(),
            },
            from: HelpRequestStatus::AwaitingApproval,
            to: HelpRequestStatus::Returned,
        },
    });
    let gone = anonymise_help_request(&request, utc("2028-01-01T09:00:00Z"));
    let json = serde_json::to_string(&gone).expect("serialisable");
    assert!(!json.contains("Zofi"), "{json}");
    assert!(!json.contains("Sosnowa"), "{json}");
    assert_eq!(gone.fields.resident_name, ANONYMISED);
    assert_eq!(gone.status, request.status);
    assert_eq!(gone.hours, request.hours);
    assert_eq!(gone.fields.category, request.fields.category);
    assert_eq!(gone.fields.resident_id, request.fields.resident_id);
}

#[test]
fn an_anonymised_list_has_no_names_or_signatures_but_the_same_people_present() {
    let fixture = fixture();
    let mut list = fixture.lists[0].clone();
    let mut signature = Signature::default();
    signature.begin_stroke(0.1, 0.1);
    signature.extend_stroke(0.9, 0.9);
    list.entries[0].proof = Proof::Signature { signature };
    let gone = anonymise_attendance_list(&list, utc("2028-01-01T09:00:00Z"));
    assert!(gone.entries.iter().all(|e| e.attendee.name == ANONYMISED));
    assert!(gone
        .entries
        .iter()
        .all(|e| e.proof != list.entries[0].proof));
    assert_eq!(gone.entries[0].proof, Proof::Erased);
    assert_eq!(gone.entries[1].proof, Proof::Paper);
    let people = |l: &AttendanceList| l.present().map(|e| e.resident_id()).collect::<Vec<_>>();
    assert_eq!(people(&gone), people(&list));
    // A list nobody approved before it expired leaves the review queue: it can no longer be approved.
    let unapproved = &fixture.lists[2];
    assert!(unapproved.awaits_approval());
    assert!(!anonymise_attendance_list(unapproved, utc("2028-01-01T09:00:00Z")).awaits_approval());
}

#[test]
fn an_erased_photo_leaves_the_gallery_and_the_review_queue() {
    let fixture = with_photos();
    let event_photo = fixture
        .photos
        .iter()
        .find(|p| p.id == Uuid::from_u128(71))
        .expect("the photo");
    let erased = erase_photo(event_photo, utc("2027-01-01T09:00:00Z"));
    assert!(!erased.in_gallery(&[]));
    assert!(!erased.awaits_review(&[]));
    let mut fixture = with_photos();
    fixture.photos.retain(|p| p.id != erased.id);
    fixture.photos.push(erased);
    let gallery = gallery_photos(&year_2026(true), &fixture.data());
    assert!(gallery.iter().any(|p| p.photo.id == Uuid::from_u128(72)));
    assert!(gallery.iter().all(|p| p.photo.id != Uuid::from_u128(71)));
}
