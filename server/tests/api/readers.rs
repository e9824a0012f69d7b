//! Who receives what through the pull, built from the need-to-know table (`domain::need_to_know::need`):
//! records of every kind made through the API, pulled by every kind of reader. The table says how far a
//! kind reaches each reader; this file says, independently of the server's queries, which of the records
//! made here lie within each scope. A record kind added to the protocol fails the test until a record of
//! it is made; a scope added to the table does not compile here until it says what lies within it.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use domain::account::Role;
use domain::attendance::{Attendee, ListChange, Proof, Signature};
use domain::consent::ConsentKind;
use domain::dictionary::DictionaryKind;
use domain::help_request::HelpRequestFields;
use domain::need_to_know::{self, need, Reach, Scope};
use domain::photo::{PeopleVisible, PhotoSubject};
use domain::resident::ResidentFields;
use domain::sync::protocol::{
    ChangeAttendance, CreateHelpRequest, CreateResident, Mutation, PullResponse, Record,
    RecordKind, WriteMeetingNote,
};
use uuid::Uuid;

use crate::support::{on_list, small_jpeg_attached, Browser, TestApp};

/// When the devices say the entries were made; the rules compared here do not depend on it.
const AT: &str = "2025-05-20T10:00:00Z";
/// The phone a resident gave when signing at the kiosk: it stays with the organisers.
const SIGNED_PHONE: &str = "600 700 800";

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

impl Reader {
    fn in_table(self) -> need_to_know::Reader {
        match self {
            Reader::VolunteerA | Reader::VolunteerB => need_to_know::Reader::Volunteer,
            Reader::Organiser => need_to_know::Reader::Organiser,
            Reader::Coordinator => need_to_know::Reader::Coordinator,
            Reader::Kiosk => need_to_know::Reader::Kiosk,
        }
    }
}

/// The records the test makes through the API, and those the migrations seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Made {
    RequestByA,
    RequestByB,
    /// Entered by A; named by A's and B's requests.
    Resident,
    /// Entered by the organiser; no volunteer's request names them.
    ResidentOfNobody,
    /// Every entry of the default dictionaries.
    DefaultDictionary,
    /// Both events.
    Events,
    /// The list still being taken: a signature with a phone and a paper line, both by the organiser.
    OpenList,
    /// The other event's list, approved.
    ApprovedList,
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
            Made::Resident | Made::ResidentOfNobody => RecordKind::Resident,
            Made::DefaultDictionary => RecordKind::DictionaryEntry,
            Made::Events => RecordKind::Event,
            Made::OpenList | Made::ApprovedList => RecordKind::AttendanceList,
            Made::ConsentTexts => RecordKind::ConsentText,
            Made::PhotoOfRequestByA | Made::PhotoOfEventByA => RecordKind::Photo,
            Made::NoteByA => RecordKind::MeetingNote,
        }
    }

    /// Whether this record lies within `scope` for `reader`: the facts of the records made below.
    fn within(self, scope: Scope, reader: Reader) -> bool {
        use Made::*;
        use Reader::*;
        match scope {
            Scope::TheirRequests => {
                matches!(
                    (self, reader),
                    (RequestByA, VolunteerA) | (RequestByB, VolunteerB)
                )
            }
            Scope::ResidentsOfTheirRequests => self == Resident,
            Scope::PhotosOfTheirWork => match self {
                PhotoOfRequestByA => reader == VolunteerA,
                _ => self == PhotoOfEventByA,
            },
            Scope::OwnOrApprovedNotes => self == NoteByA && reader == VolunteerA,
            Scope::OpenLists => self == OpenList,
        }
    }

    fn reaches(self, reader: Reader) -> bool {
        match need(self.kind(), reader.in_table()).reach {
            Reach::Nothing => false,
            Reach::Everything => true,
            Reach::Within(scope) => self.within(scope, reader),
        }
    }
}

/// How each reader's pull is answered: the kiosk may not pull at all.
fn pull_answer(reader: Reader) -> StatusCode {
    match reader {
        Reader::Kiosk => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    }
}

/// Every record `reader` receives, by kind and key; nothing when the pull is refused (its status is
/// returned).
async fn pull_everything(
    app: &TestApp,
    reader: &mut Browser,
) -> (StatusCode, BTreeMap<&'static str, BTreeMap<String, Record>>) {
    let mut received: BTreeMap<&'static str, BTreeMap<String, Record>> = BTreeMap::new();
    let mut since = 0;
    loop {
        let uri = format!("/api/v1/sync/pull?since={since}&limit=1000");
        let answer = app.call(reader, Method::GET, &uri, None).await;
        if answer.status != StatusCode::OK {
            return (answer.status, received);
        }
        let page: PullResponse = serde_json::from_value(answer.json).unwrap();
        for change in page.changes {
            let key = change.record.key();
            let earlier = received
                .entry(change.record.kind().as_str())
                .or_default()
                .insert(key.clone(), change.record);
            assert!(earlier.is_none(), "{key} pulled twice");
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

fn resident(id: Uuid, name: &str) -> Mutation {
    Mutation::CreateResident(CreateResident {
        resident_id: id,
        fields: ResidentFields {
            name: name.into(),
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

fn listed(event: Uuid, resident: Uuid, name: &str, proof: Proof, phone: &str) -> Mutation {
    let attendee = Attendee {
        resident_id: Some(resident),
        name: name.into(),
        phone: phone.into(),
        ..Default::default()
    };
    on_list(event, attendee, proof)
}

fn a_signature() -> Proof {
    let mut signature = Signature::default();
    signature.begin_stroke(100.0, 300.0);
    signature.extend_stroke(160.0, 120.0);
    Proof::Signature { signature }
}

#[tokio::test]
async fn each_record_reaches_exactly_the_readers_the_need_to_know_table_names_with_the_fields_it_names(
) {
    let app = TestApp::new().await;
    let anna = app.add_account("anna", Role::Volunteer).await;
    let bartek = app.add_account("bartek", Role::Volunteer).await;
    let olga = app.add_account("organizator", Role::Organiser).await;
    let kasia = app.add_account("koordynator", Role::Coordinator).await;
    let mut volunteer_a = app.signed_in("anna").await;
    let mut volunteer_b = app.signed_in("bartek").await;
    let mut organiser = app.signed_in("organizator").await;
    let mut coordinator = app.signed_in("koordynator").await;

    let event = app.create_event(&mut organiser, "Klub seniora").await;
    let other_event = app.create_event(&mut organiser, "Warsztaty").await;
    let (mut kiosk, _) = app.kiosk(&mut organiser, event).await;
    let (resident_of_a, resident_of_nobody) = (Uuid::now_v7(), Uuid::now_v7());
    let (request_by_a, request_by_b) = (Uuid::now_v7(), Uuid::now_v7());
    let (photo_of_request, photo_of_event, note) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    app.push_applied(
        &mut volunteer_a,
        AT,
        vec![
            resident(resident_of_a, "Irena Kowalska"),
            request(request_by_a, resident_of_a, "Zakupy na tydzień"),
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
        vec![request(request_by_b, resident_of_a, "Wizyta w urzędzie")],
    )
    .await;
    app.push_applied(
        &mut organiser,
        AT,
        vec![
            resident(resident_of_nobody, "Tadeusz Nowak"),
            // Signed with a finger on the organiser's tablet.
            listed(
                event,
                resident_of_nobody,
                "Tadeusz Nowak",
                a_signature(),
                SIGNED_PHONE,
            ),
            listed(event, resident_of_a, "Irena Kowalska", Proof::Paper, ""),
            listed(
                other_event,
                resident_of_a,
                "Irena Kowalska",
                Proof::Paper,
                "",
            ),
            Mutation::ChangeAttendance(ChangeAttendance {
                event_id: other_event,
                change: ListChange::Approve,
            }),
        ],
    )
    .await;

    let dictionary = app.store.dictionary().await.unwrap();
    let made: BTreeMap<Made, BTreeSet<String>> = [
        (Made::RequestByA, [request_by_a.to_string()].into()),
        (Made::RequestByB, [request_by_b.to_string()].into()),
        (Made::Resident, [resident_of_a.to_string()].into()),
        (
            Made::ResidentOfNobody,
            [resident_of_nobody.to_string()].into(),
        ),
        (
            Made::DefaultDictionary,
            DictionaryKind::ALL
                .into_iter()
                .flat_map(|kind| dictionary.all(kind).map(|entry| entry.key()))
                .collect(),
        ),
        (
            Made::Events,
            [event.to_string(), other_event.to_string()].into(),
        ),
        (Made::OpenList, [event.to_string()].into()),
        (Made::ApprovedList, [other_event.to_string()].into()),
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

    // The coordinator's copies are whole (the table says so); each reader's must be them, cut as the table
    // says.
    let (_, whole) = pull_everything(&app, &mut coordinator.clone()).await;
    let mut failures = Vec::new();
    for (reader, (browser, account)) in READERS.into_iter().zip([
        (&mut volunteer_a, anna.id),
        (&mut volunteer_b, bartek.id),
        (&mut organiser, olga.id),
        (&mut coordinator, kasia.id),
        (&mut kiosk, Uuid::nil()),
    ]) {
        let (status, received) = pull_everything(&app, browser).await;
        if status != pull_answer(reader) {
            failures.push(format!("{reader:?}: the pull answers {status}"));
        }
        for kind in RecordKind::ALL {
            let expected: BTreeSet<String> = made
                .iter()
                .filter(|(m, _)| m.kind() == kind && m.reaches(reader))
                .flat_map(|(_, keys)| keys.iter().cloned())
                .collect();
            let got_records = received.get(kind.as_str()).cloned().unwrap_or_default();
            let got: BTreeSet<String> = got_records.keys().cloned().collect();
            if got != expected {
                let named = |keys: &BTreeSet<String>| -> BTreeSet<String> {
                    keys.iter()
                        .map(|key| {
                            made.iter()
                                .find(|(_, keys)| keys.contains(key))
                                .map_or(key.clone(), |(m, _)| format!("{m:?}"))
                        })
                        .collect()
                };
                failures.push(format!(
                    "{reader:?} receives {:?} of {}, the table says {:?}",
                    named(&got),
                    kind.as_str(),
                    named(&expected)
                ));
            }
            let fields = need(kind, reader.in_table()).fields;
            for (key, record) in got_records {
                let cut = match whole[kind.as_str()][&key].clone() {
                    Record::AttendanceList(list) => {
                        Record::AttendanceList(list.as_needed(fields, account))
                    }
                    other => other,
                };
                if record != cut {
                    failures.push(format!(
                        "{reader:?} receives {} {key} with other fields than the table's",
                        kind.as_str()
                    ));
                }
            }
        }
        // Spelled out for the one kind cut today: no one else's signature or phone on a volunteer's phone.
        if reader.in_table() == need_to_know::Reader::Volunteer {
            let list = format!("{:?}", received.get("attendance_list"));
            assert!(!list.contains(SIGNED_PHONE), "{reader:?}: {list}");
            assert!(!list.contains("Signature {"), "{reader:?}: {list}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
