use super::*;
use crate::attendance::{Approval, Attendance, Attendee, Proof, RecordedBy, Removal};
use crate::dictionary::tests::sample;
use crate::event::EventFields;
use crate::help_request::{HelpRequestFields, HoursEntry};
use crate::meeting_note::MeetingNote;
use crate::photo::{PeopleVisible, PhotoFile, PhotoReview};
use crate::resident::ResidentFields;
use crate::workflow::{Action, HistoryEntry};

pub(crate) fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 time")
}

pub(crate) fn day(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

pub(crate) fn person(n: u128, name: &str) -> Person {
    Person {
        id: Uuid::from_u128(n),
        name: name.into(),
    }
}

pub(crate) const ANNA: u128 = 101;
pub(crate) const BOGDAN: u128 = 102;
pub(crate) const CELINA: u128 = 103;
/// Anna recorded twice; merged into Anna.
pub(crate) const ANNA_AGAIN: u128 = 104;

fn resident(n: u128, name: &str, groups: &[&str], merged_into: Option<u128>) -> Resident {
    Resident {
        id: Uuid::from_u128(n),
        fields: ResidentFields {
            name: name.into(),
            district: "jedwabnik".into(),
            target_groups: groups.iter().map(|g| g.to_string()).collect(),
            ..Default::default()
        },
        recorded_at: utc("2025-06-01T10:00:00Z"),
        merged_into: merged_into.map(Uuid::from_u128),
        image_consent: None,
        anonymised_at: None,
    }
}

fn event(n: u128, starts_at: &str, goals: &[&str]) -> Event {
    let starts_at = utc(starts_at);
    Event {
        id: Uuid::from_u128(n),
        fields: EventFields {
            title: format!("Spotkanie {n}"),
            starts_at,
            ends_at: starts_at + chrono::Duration::hours(2),
            location: "brzozowa_7".into(),
            organiser: "MAL".into(),
            target_groups: vec![],
            plan_goals: goals.iter().map(|g| g.to_string()).collect(),
            description: String::new(),
            expected: vec![],
        },
        created_by: None,
        created_at: starts_at,
    }
}

fn present(n: u128, resident: Option<u128>) -> Attendance {
    Attendance {
        id: Uuid::from_u128(n),
        attendee: Attendee {
            resident_id: resident.map(Uuid::from_u128),
            name: format!("Osoba {n}"),
            ..Default::default()
        },
        proof: Proof::Paper,
        image_consent: None,
        walk_in: resident.is_none(),
        registration: None,
        recorded_at: utc("2026-01-01T00:00:00Z"),
        recorded_by: RecordedBy::Kiosk,
        removed: None,
    }
}

fn list(event: u128, entries: Vec<Attendance>, approved: bool) -> AttendanceList {
    AttendanceList {
        entries,
        approval: approved.then(|| Approval {
            by: person(900, "Olga"),
            at: utc("2026-06-01T00:00:00Z"),
        }),
        ..AttendanceList::new(Uuid::from_u128(event))
    }
}

fn request(
    n: u128,
    recorded_at: &str,
    category: &str,
    district: &str,
    resident: Option<u128>,
    status: HelpRequestStatus,
) -> HelpRequest {
    let mut request = HelpRequest::recorded(
        Uuid::from_u128(n),
        HelpRequestFields {
            resident_name: "Mieszkaniec".into(),
            resident_id: resident.map(Uuid::from_u128),
            district: district.into(),
            category: category.into(),
            description: "Pomoc".into(),
            ..Default::default()
        },
        person(800, "Wiktor Wolontariusz"),
        utc(recorded_at),
    );
    request.status = status;
    request
}

fn hours(volunteer: u128, minutes: u32, on: &str) -> HoursEntry {
    HoursEntry {
        volunteer: person(volunteer, &format!("Wolontariusz {volunteer}")),
        minutes,
        on: day(on),
    }
}

pub(crate) struct Fixture {
    pub(crate) events: Vec<Event>,
    pub(crate) lists: Vec<AttendanceList>,
    pub(crate) requests: Vec<HelpRequest>,
    pub(crate) residents: Vec<Resident>,
    pub(crate) photos: Vec<Photo>,
    pub(crate) notes: Vec<MeetingNote>,
}

impl Fixture {
    pub(crate) fn data(&self) -> ReportData<'_> {
        ReportData {
            events: &self.events,
            lists: &self.lists,
            requests: &self.requests,
            residents: &self.residents,
            photos: &self.photos,
            notes: &self.notes,
        }
    }
}

/// A year of the centre's work with the awkward cases: a merged duplicate, a walk-in, a struck-off
/// entry, a list not yet approved, a meeting that starts on 1 April by Polish time but on 31 March by UTC,
/// requests outside the year, not accepted, or cancelled after acceptance, and hours given in January on a
/// December request.
pub(crate) fn fixture() -> Fixture {
    let mut struck_off = present(24, Some(BOGDAN));
    struck_off.removed = Some(Removal {
        reason: "pomyłka".into(),
        by: person(900, "Olga"),
        at: utc("2026-04-01T10:00:00Z"),
    });
    let mut done = request(
        1,
        "2026-02-02T09:00:00Z",
        "shopping",
        "jedwabnik",
        Some(ANNA),
        HelpRequestStatus::Done,
    );
    done.hours = vec![hours(1, 90, "2026-02-03"), hours(2, 30, "2026-02-03")];
    let mut cancelled = request(
        4,
        "2026-03-20T09:00:00Z",
        "transport",
        "jedwabnik",
        Some(ANNA_AGAIN),
        HelpRequestStatus::Cancelled,
    );
    cancelled.history.push(HistoryEntry {
        at: utc("2026-03-21T09:00:00Z"),
        by: person(900, "Olga"),
        event: HistoryEvent::Acted {
            action: Action::Approve,
            from: HelpRequestStatus::AwaitingApproval,
            to: HelpRequestStatus::Approved,
        },
    });
    let mut december = request(
        6,
        "2025-12-30T09:00:00Z",
        "shopping",
        "jedwabnik",
        Some(BOGDAN),
        HelpRequestStatus::Done,
    );
    december.hours = vec![hours(1, 45, "2025-12-30"), hours(1, 60, "2026-01-05")];
    let pending_photo = Photo {
        id: Uuid::from_u128(70),
        subject: PhotoSubject::Event(Uuid::from_u128(11)),
        caption: String::new(),
        people: PeopleVisible::NoIdentifiablePeople,
        file: PhotoFile {
            bytes: 100_000,
            width: 1600,
            height: 1200,
            sha256: "a".repeat(64),
        },
        taken_by: person(800, "Wiktor"),
        taken_at: utc("2026-03-10T17:00:00Z"),
        uploaded: true,
        review: PhotoReview::Pending,
        erased_at: None,
    };
    Fixture {
        residents: vec![
            resident(ANNA, "Anna", &["seniors"], None),
            resident(BOGDAN, "Bogdan", &["youth"], None),
            resident(CELINA, "Celina", &["seniors", "youth"], None),
            resident(ANNA_AGAIN, "Anna", &[], Some(ANNA)),
        ],
        events: vec![
            event(11, "2026-03-10T16:00:00Z", &["goal_3"]),
            event(12, "2026-03-31T22:30:00Z", &["goal_3", "goal_6"]),
            event(13, "2026-05-05T15:00:00Z", &["goal_6"]),
            event(14, "2025-12-20T15:00:00Z", &["goal_3"]),
        ],
        lists: vec![
            list(
                11,
                vec![present(21, Some(ANNA)), present(22, Some(BOGDAN))],
                true,
            ),
            list(
                12,
                vec![
                    present(23, Some(ANNA_AGAIN)),
                    present(25, Some(CELINA)),
                    present(26, None),
                    struck_off,
                ],
                true,
            ),
            list(13, vec![present(27, Some(BOGDAN))], false),
            list(14, vec![present(28, Some(ANNA))], true),
        ],
        requests: vec![
            done,
            request(
                2,
                "2026-02-15T09:00:00Z",
                "transport",
                "okolna",
                Some(CELINA),
                HelpRequestStatus::Assigned,
            ),
            request(
                3,
                "2026-03-01T09:00:00Z",
                "shopping",
                "stare",
                None,
                HelpRequestStatus::AwaitingApproval,
            ),
            cancelled,
            request(
                5,
                "2026-04-01T09:00:00Z",
                "shopping",
                "okolna",
                None,
                HelpRequestStatus::Rejected,
            ),
            december,
        ],
        photos: vec![pending_photo],
        notes: vec![note(31, 11, true), note(32, 12, false), note(33, 14, true)],
    }
}

pub(crate) fn note(n: u128, event: u128, approved: bool) -> MeetingNote {
    MeetingNote {
        id: Uuid::from_u128(n),
        event_id: Uuid::from_u128(event),
        text: "Notatka".into(),
        author: person(800, "Wiktor"),
        written_at: utc("2026-03-11T10:00:00Z"),
        review: if approved {
            crate::meeting_note::NoteReview::Approved {
                by: person(900, "Olga"),
                at: utc("2026-03-12T10:00:00Z"),
            }
        } else {
            crate::meeting_note::NoteReview::Pending
        },
    }
}

pub(crate) fn year_2026(include_unapproved: bool) -> ReportScope {
    ReportScope {
        period: Period::year(2026).unwrap(),
        include_unapproved,
    }
}

fn counts(rows: &[Count]) -> Vec<(&str, u32)> {
    rows.iter().map(|c| (c.code.as_str(), c.count)).collect()
}

#[test]
fn attendance_counts_approved_lists_and_residents_once_across_events() {
    let fixture = fixture();
    let report = dashboard(year_2026(false), &fixture.data(), &sample());
    assert_eq!(report.events, 3, "the December event is outside the year");
    assert_eq!(
        report.attendances, 5,
        "the struck-off entry and the unapproved list do not count"
    );
    // Anna (also as her merged duplicate), Bogdan, Celina and the walk-in.
    assert_eq!(report.unique_residents, 4);
    assert_eq!(
        report.meeting_notes, 1,
        "the December note is outside, one waits for approval"
    );

    let with_unapproved = dashboard(year_2026(true), &fixture.data(), &sample());
    assert_eq!(with_unapproved.attendances, 6);
    assert_eq!(
        with_unapproved.unique_residents, 4,
        "Bogdan was already counted"
    );
}

#[test]
fn months_follow_the_centres_calendar() {
    let fixture = fixture();
    let report = dashboard(year_2026(false), &fixture.data(), &sample());
    assert_eq!(report.by_month.len(), 12);
    let month = |m: u32| &report.by_month[m as usize - 1];
    assert_eq!(month(1).month, day("2026-01-01"));
    assert_eq!((month(3).events, month(3).attendances), (1, 2));
    // 22:30 UTC on 31 March is 00:30 on 1 April in Warsaw.
    assert_eq!((month(4).events, month(4).attendances), (1, 3));
    assert_eq!((month(5).events, month(5).attendances), (1, 0));
    assert_eq!((month(2).requests, month(3).requests), (2, 1));
    assert_eq!(
        (month(1).volunteer_minutes, month(2).volunteer_minutes),
        (60, 120)
    );
}

#[test]
fn goals_count_each_tagged_event_with_its_residents() {
    let fixture = fixture();
    let rows = |include| {
        dashboard(year_2026(include), &fixture.data(), &sample())
            .by_goal
            .into_iter()
            .map(|g| (g.goal, g.events, g.attendances, g.unique_residents))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rows(false),
        [("goal_3".into(), 2, 5, 4), ("goal_6".into(), 2, 3, 3)]
    );
    assert_eq!(
        rows(true),
        [("goal_3".into(), 2, 5, 4), ("goal_6".into(), 2, 4, 4)]
    );
}

#[test]
fn requests_count_when_accepted_by_category_district_status_and_group() {
    let fixture = fixture();
    let report = dashboard(year_2026(false), &fixture.data(), &sample());
    assert_eq!(report.requests, 3);
    assert_eq!(
        counts(&report.requests_by_status),
        [
            ("approved", 0),
            ("assigned", 1),
            ("in_progress", 0),
            ("done", 1),
            ("cancelled", 1)
        ]
    );
    assert_eq!(
        counts(&report.requests_by_category),
        [("shopping", 1), ("transport", 2)]
    );
    assert_eq!(
        counts(&report.requests_by_district),
        [("jedwabnik", 2), ("okolna", 1)]
    );
    // The cancelled request is for Anna's duplicate, so it counts in Anna's group.
    assert_eq!(
        counts(&report.requests_by_target_group),
        [("seniors", 3), ("youth", 1)]
    );
}

#[test]
fn asking_for_unapproved_requests_adds_them_and_their_retired_codes() {
    let fixture = fixture();
    let report = dashboard(year_2026(true), &fixture.data(), &sample());
    assert_eq!(report.requests, 5);
    assert_eq!(report.requests_by_status.len(), 8);
    assert_eq!(
        counts(&report.requests_by_district),
        [("jedwabnik", 2), ("okolna", 2), ("stare", 1)]
    );
    assert_eq!(
        counts(&report.requests_by_target_group),
        [("seniors", 3), ("youth", 1), ("", 2)]
    );
}

#[test]
fn volunteer_hours_count_by_the_day_given() {
    let fixture = fixture();
    let report = dashboard(year_2026(false), &fixture.data(), &sample());
    assert_eq!(report.volunteer_minutes, 180);
    let volunteers: Vec<_> = report
        .volunteers
        .iter()
        .map(|v| (v.volunteer.id.as_u128(), v.minutes, v.requests))
        .collect();
    assert_eq!(volunteers, [(1, 150, 2), (2, 30, 1)]);
}

#[test]
fn the_review_backlog_is_counted_whatever_the_period() {
    let fixture = fixture();
    let report = dashboard(
        ReportScope {
            period: Period::year(2030).unwrap(),
            include_unapproved: false,
        },
        &fixture.data(),
        &sample(),
    );
    assert_eq!(report.events, 0);
    assert_eq!(
        report.awaiting_review,
        AwaitingReview {
            help_requests: 1,
            attendance_lists: 1,
            photos: 1,
            meeting_notes: 1,
        }
    );
}

#[test]
fn a_period_must_run_forwards_not_for_ever_and_within_the_years_spreadsheets_know() {
    assert_eq!(
        Period::new(day("2026-02-01"), day("2026-01-31")),
        Err(PeriodProblem::EndsBeforeStart)
    );
    assert_eq!(
        Period::new(day("2020-01-01"), day("2026-01-01")),
        Err(PeriodProblem::TooLong)
    );
    for (from, to) in [
        (day("1899-12-31"), day("1900-01-01")),
        (day("9999-12-31"), day("+10000-01-01")),
        (NaiveDate::MAX - chrono::Days::new(40), NaiveDate::MAX),
        (NaiveDate::MIN, NaiveDate::MIN),
    ] {
        assert_eq!(
            Period::new(from, to),
            Err(PeriodProblem::OutsideYears),
            "{from}–{to}"
        );
    }
    assert_eq!(Period::year(999_999_999), Err(PeriodProblem::OutsideYears));
    assert_eq!(Period::year(9999).unwrap().months().len(), 12);
    let one_day = Period::new(day("2026-02-01"), day("2026-02-01")).unwrap();
    assert_eq!(one_day.months(), [day("2026-02-01")]);
    assert_eq!(
        Period::new(day("2025-11-15"), day("2026-02-03"))
            .unwrap()
            .months(),
        [
            day("2025-11-01"),
            day("2025-12-01"),
            day("2026-01-01"),
            day("2026-02-01")
        ]
    );
}

#[test]
fn a_time_at_the_ends_of_the_calendar_has_a_local_day() {
    assert_eq!(local_date(DateTime::<Utc>::MAX_UTC), NaiveDate::MAX);
    assert_eq!(local_date(DateTime::<Utc>::MIN_UTC), NaiveDate::MIN);
    assert_eq!(local_date(utc("2026-03-31T22:30:00Z")), day("2026-04-01"));
}

#[test]
fn the_months_of_any_period_end_even_at_the_calendars_end() {
    // Fields are public, so a period can be built without `Period::new`; listing its months still ends.
    let at_the_end = Period {
        from: NaiveDate::MAX - chrono::Days::new(40),
        to: NaiveDate::MAX,
    };
    assert_eq!(at_the_end.months().len(), 2);
}

pub(crate) fn photo(
    n: u128,
    subject: PhotoSubject,
    people: PeopleVisible,
    review: PhotoReview,
) -> Photo {
    Photo {
        id: Uuid::from_u128(n),
        subject,
        caption: format!("Zdjęcie {n}"),
        people,
        file: PhotoFile {
            bytes: 100_000,
            width: 1600,
            height: 1200,
            sha256: "b".repeat(64),
        },
        taken_by: person(800, "Wiktor"),
        taken_at: utc("2026-03-10T17:00:00Z"),
        uploaded: true,
        review,
        erased_at: None,
    }
}

#[test]
fn the_evidence_pack_takes_approved_photos_nobody_withdrew_consent_for() {
    let mut fixture = fixture();
    let approved = || PhotoReview::Approved {
        by: person(900, "Olga"),
        at: utc("2026-03-11T10:00:00Z"),
    };
    let march = PhotoSubject::Event(Uuid::from_u128(11));
    let april = PhotoSubject::Event(Uuid::from_u128(12));
    fixture.photos = vec![
        photo(71, march, PeopleVisible::WithConsent, approved()),
        photo(72, march, PeopleVisible::WithConsent, PhotoReview::Pending),
        photo(73, april, PeopleVisible::WithConsent, approved()),
        photo(74, april, PeopleVisible::NoIdentifiablePeople, approved()),
        photo(
            75,
            PhotoSubject::HelpRequest(Uuid::from_u128(1)),
            PeopleVisible::WithConsent,
            approved(),
        ),
    ];
    // Someone at the April meeting, and Anna (the resident of request 1), withdrew after the approval.
    fixture.lists[1]
        .consent_withdrawals
        .push(crate::attendance::ConsentWithdrawal {
            resident_id: Uuid::from_u128(CELINA),
            name: "Celina".into(),
            at: utc("2026-04-02T10:00:00Z"),
        });
    fixture.residents[0].image_consent = Some(crate::attendance::ImageConsent {
        given: false,
        text_version: 1,
        answered_at: utc("2026-01-01T10:00:00Z"),
        withdrawn_at: Some(utc("2026-04-02T10:00:00Z")),
    });
    for include_unapproved in [false, true] {
        let photos = gallery_photos(&year_2026(include_unapproved), &fixture.data());
        let kept: Vec<_> = photos
            .iter()
            .map(|p| (p.photo.id.as_u128(), p.subject_title.as_str()))
            .collect();
        assert_eq!(kept, [(71, "Spotkanie 11"), (74, "Spotkanie 12")]);
    }
    assert!(gallery_photos(
        &ReportScope {
            period: Period::year(2025).unwrap(),
            include_unapproved: true,
        },
        &fixture.data()
    )
    .is_empty());
}
