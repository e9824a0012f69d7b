//! Who receives what through the pull: one record of every kind, made through the API, pulled by every
//! kind of reader, and compared with a table written out below. A record kind added to the protocol does
//! not compile here until the table says who receives it, and fails the test until a record of it is made.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use domain::account::Role;
use domain::attendance::{Attendee, ListChange, NewAttendance, Proof};
use domain::consent::ConsentKind;
use domain::dictionary::DictionaryKind;
use domain::help_request::HelpRequestFields;
use domain::photo::{PeopleVisible, PhotoSubject};
use domain::resident::ResidentFields;
use domain::sync::protocol::{
    ChangeAttendance, CreateHelpRequest, CreateResident, Mutation, PullResponse, Record,
    RecordKind, WriteMeetingNote,
};
use uuid::Uuid;

use crate::support::{small_jpeg_attached, Browser, TestApp};

/// When the devices say the entries were made; the rules compared here do not depend on it.
const AT: &str = "2025-05-20T10:00:00Z";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    VolunteerA,
    /// A volunteer who recorded their own request and is assigned to nothing of A's.
    VolunteerB,
    Organiser,
    Coordinator,
    /// A tablet enrolled for the event.
    Kiosk,
}

const READERS: [Reader; 5] = [
    Reader::VolunteerA,
    Reader::VolunteerB,
    Reader::Organiser,
    Reader::Coordinator,
    Reader::Kiosk,
];

/// The records the test makes through the API, and those the migrations seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Made {
    RequestByA,
    RequestByB,
    Resident,
    /// Every entry of the default dictionaries.
    DefaultDictionary,
    Event,
    AttendanceList,
    /// The consent texts the migrations publish, one per consent kind.
    ConsentTexts,
    /// A's photo of A's request.
    PhotoOfRequestByA,
    /// A's photo of the event.
    PhotoOfEventByA,
    /// A's meeting note, not reviewed yet.
    NoteByA,
}

impl Made {
    fn kind(self) -> RecordKind {
        match self {
            Made::RequestByA | Made::RequestByB => RecordKind::HelpRequest,
            Made::Resident => RecordKind::Resident,
            Made::DefaultDictionary => RecordKind::DictionaryEntry,
            Made::Event => RecordKind::Event,
            Made::AttendanceList => RecordKind::AttendanceList,
            Made::ConsentTexts => RecordKind::ConsentText,
            Made::PhotoOfRequestByA | Made::PhotoOfEventByA => RecordKind::Photo,
            Made::NoteByA => RecordKind::MeetingNote,
        }
    }
}

/// What each reader receives of one kind.
struct Receives {
    volunteer_a: &'static [Made],
    volunteer_b: &'static [Made],
    organiser: &'static [Made],
    coordinator: &'static [Made],
    kiosk: &'static [Made],
}

impl Receives {
    fn by(&self, reader: Reader) -> &'static [Made] {
        match reader {
            Reader::VolunteerA => self.volunteer_a,
            Reader::VolunteerB => self.volunteer_b,
            Reader::Organiser => self.organiser,
            Reader::Coordinator => self.coordinator,
            Reader::Kiosk => self.kiosk,
        }
    }
}

/// Who receives which of the records made below, kind by kind: the readers' rules as they stand.
fn receives(kind: RecordKind) -> Receives {
    use Made::*;
    /// What everyone who records entries receives, whoever made it.
    fn field_work(made: &'static [Made]) -> Receives {
        Receives {
            volunteer_a: made,
            volunteer_b: made,
            organiser: made,
            coordinator: made,
            kiosk: &[],
        }
    }
    match kind {
        RecordKind::HelpRequest => Receives {
            volunteer_a: &[RequestByA],
            volunteer_b: &[RequestByB],
            organiser: &[RequestByA, RequestByB],
            coordinator: &[RequestByA, RequestByB],
            kiosk: &[],
        },
        RecordKind::DictionaryEntry => field_work(&[DefaultDictionary]),
        RecordKind::Resident => field_work(&[Resident]),
        RecordKind::Event => field_work(&[Event]),
        RecordKind::AttendanceList => field_work(&[AttendanceList]),
        RecordKind::ConsentText => field_work(&[ConsentTexts]),
        // Photos of events reach every volunteer (which ones they may open is decided with the thumbnail).
        RecordKind::Photo => Receives {
            volunteer_a: &[PhotoOfRequestByA, PhotoOfEventByA],
            volunteer_b: &[PhotoOfEventByA],
            organiser: &[PhotoOfRequestByA, PhotoOfEventByA],
            coordinator: &[PhotoOfRequestByA, PhotoOfEventByA],
            kiosk: &[],
        },
        // Other volunteers receive a note once approved; this one is not.
        RecordKind::MeetingNote => Receives {
            volunteer_a: &[NoteByA],
            volunteer_b: &[],
            organiser: &[NoteByA],
            coordinator: &[NoteByA],
            kiosk: &[],
        },
    }
}

/// How each reader's pull is answered: the kiosk may not pull at all.
fn pull_answer(reader: Reader) -> StatusCode {
    match reader {
        Reader::Kiosk => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    }
}

/// How the pull identifies a record of each kind.
fn key(record: &Record) -> String {
    match record {
        Record::HelpRequest(request) => request.id.to_string(),
        Record::DictionaryEntry(entry) => entry.key(),
        Record::Resident(resident) => resident.id.to_string(),
        Record::Event(event) => event.id.to_string(),
        Record::AttendanceList(list) => list.event_id.to_string(),
        Record::ConsentText(text) => text.kind.as_str().to_owned(),
        Record::Photo(photo) => photo.id.to_string(),
        Record::MeetingNote(note) => note.id.to_string(),
    }
}

/// Every record `reader` receives, by kind; nothing when the pull is refused (its status is returned).
async fn pull_everything(
    app: &TestApp,
    reader: &mut Browser,
) -> (StatusCode, BTreeMap<&'static str, BTreeSet<String>>) {
    let mut received: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut since = 0;
    loop {
        let uri = format!("/api/v1/sync/pull?since={since}&limit=1000");
        let answer = app.call(reader, Method::GET, &uri, None).await;
        if answer.status != StatusCode::OK {
            return (answer.status, received);
        }
        let page: PullResponse = serde_json::from_value(answer.json).unwrap();
        for change in page.changes {
            let new = received
                .entry(change.record.kind().as_str())
                .or_default()
                .insert(key(&change.record));
            assert!(new, "{} pulled twice", key(&change.record));
        }
        since = page.next_cursor;
        if !page.has_more {
            return (StatusCode::OK, received);
        }
    }
}

fn request(id: Uuid, resident: Uuid, description: &str) -> Mutation {
    Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: id,
        fields: HelpRequestFields {
            // Picked from the registry, so the server adds no resident of its own.
            resident_id: Some(resident),
            resident_name: "Irena Kowalska".into(),
            district: "okolna".into(),
            category: "shopping".into(),
            description: description.into(),
            ..Default::default()
        },
    })
}

fn photo(id: Uuid, subject: PhotoSubject) -> Mutation {
    small_jpeg_attached(
        id,
        subject,
        "Zakupy dostarczone",
        PeopleVisible::NoIdentifiablePeople,
    )
}

#[tokio::test]
async fn each_record_kind_reaches_exactly_the_readers_its_rule_names() {
    let app = TestApp::new().await;
    app.add_account("anna", Role::Volunteer).await;
    app.add_account("bartek", Role::Volunteer).await;
    app.add_account("organizator", Role::Organiser).await;
    app.add_account("koordynator", Role::Coordinator).await;
    let mut volunteer_a = app.signed_in("anna").await;
    let mut volunteer_b = app.signed_in("bartek").await;
    let mut organiser = app.signed_in("organizator").await;
    let mut coordinator = app.signed_in("koordynator").await;

    let event = app.create_event(&mut organiser, "Klub seniora").await;
    let (mut kiosk, _) = app.kiosk(&mut organiser, event).await;
    let resident = Uuid::now_v7();
    let (request_by_a, request_by_b) = (Uuid::now_v7(), Uuid::now_v7());
    let (photo_of_request, photo_of_event, note) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    app.push_applied(
        &mut volunteer_a,
        AT,
        vec![
            Mutation::CreateResident(CreateResident {
                resident_id: resident,
                fields: ResidentFields {
                    name: "Irena Kowalska".into(),
                    ..Default::default()
                },
            }),
            request(request_by_a, resident, "Zakupy na tydzień"),
            photo(photo_of_request, PhotoSubject::HelpRequest(request_by_a)),
            photo(photo_of_event, PhotoSubject::Event(event)),
            Mutation::WriteMeetingNote(WriteMeetingNote {
                note_id: note,
                event_id: event,
                text: "Było 12 osób.".into(),
            }),
        ],
    )
    .await;
    app.push_applied(
        &mut volunteer_b,
        AT,
        vec![request(request_by_b, resident, "Wizyta w urzędzie")],
    )
    .await;
    // Marked present by hand, without asking for image consent, so the resident stays as recorded.
    app.push_applied(
        &mut organiser,
        AT,
        vec![Mutation::ChangeAttendance(ChangeAttendance {
            event_id: event,
            change: ListChange::Record(NewAttendance {
                attendance_id: Uuid::now_v7(),
                attendee: Attendee {
                    resident_id: Some(resident),
                    name: "Irena Kowalska".into(),
                    ..Default::default()
                },
                proof: Proof::Paper,
                image_consent: None,
                walk_in: false,
                registration: None,
                reason: None,
            }),
        })],
    )
    .await;

    let dictionary = app.store.dictionary().await.unwrap();
    let made: BTreeMap<Made, BTreeSet<String>> = [
        (Made::RequestByA, [request_by_a.to_string()].into()),
        (Made::RequestByB, [request_by_b.to_string()].into()),
        (Made::Resident, [resident.to_string()].into()),
        (
            Made::DefaultDictionary,
            DictionaryKind::ALL
                .into_iter()
                .flat_map(|kind| dictionary.all(kind).map(|entry| entry.key()))
                .collect(),
        ),
        (Made::Event, [event.to_string()].into()),
        (Made::AttendanceList, [event.to_string()].into()),
        (
            Made::ConsentTexts,
            ConsentKind::ALL
                .iter()
                .map(|kind| kind.as_str().to_owned())
                .collect(),
        ),
        (
            Made::PhotoOfRequestByA,
            [photo_of_request.to_string()].into(),
        ),
        (Made::PhotoOfEventByA, [photo_of_event.to_string()].into()),
        (Made::NoteByA, [note.to_string()].into()),
    ]
    .into();
    for kind in RecordKind::ALL {
        assert!(
            made.keys().any(|m| m.kind() == kind),
            "make a record of kind {} above, so the table's row for it is tested",
            kind.as_str()
        );
    }

    let mut failures = Vec::new();
    for (reader, browser) in READERS.into_iter().zip([
        &mut volunteer_a,
        &mut volunteer_b,
        &mut organiser,
        &mut coordinator,
        &mut kiosk,
    ]) {
        let (status, received) = pull_everything(&app, browser).await;
        if status != pull_answer(reader) {
            failures.push(format!("{reader:?}: the pull answers {status}"));
        }
        for kind in RecordKind::ALL {
            let expected_made = receives(kind).by(reader);
            for m in expected_made {
                assert_eq!(m.kind(), kind, "{m:?} is not a {}", kind.as_str());
            }
            let expected: BTreeSet<String> = expected_made
                .iter()
                .flat_map(|m| made[m].iter().cloned())
                .collect();
            let got = received.get(kind.as_str()).cloned().unwrap_or_default();
            if got != expected {
                let named = |keys: &BTreeSet<String>| -> Vec<String> {
                    keys.iter()
                        .map(|key| {
                            made.iter()
                                .find(|(_, keys)| keys.contains(key))
                                .map_or(key.clone(), |(m, _)| format!("{m:?}"))
                        })
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect()
                };
                failures.push(format!(
                    "{reader:?} receives {:?} of {}, the table says {:?}",
                    named(&got),
                    kind.as_str(),
                    named(&expected)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
