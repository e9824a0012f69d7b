//! Attendance through the sync API against real SQLite: a kiosk's signatures, staff entries, approval
//! and its lock, a late signature, the CSV export, and the withdrawal of image consent.

use crate::support::{Browser, TestApp};
use axum::http::{header, Method, StatusCode};
use chrono::{DateTime, Duration, Utc};
use domain::account::Role;
use domain::attendance::{
    resident_id_for_attendance, AttendanceList, Attendee, ListChange, ListEvent, NewAttendance,
    Proof, Registration, Signature,
};
use domain::consent::ConsentAnswer;
use domain::report::local_date;
use domain::resident::{DataConsent, Resident, ResidentFields};
use domain::sync::protocol::{
    ChangeAttendance, CreateResident, EditResident, Mutation, Outcome, PullResponse, PushRequest,
    PushResponse, Record, RejectReason, WithdrawImageConsent,
};
use uuid::Uuid;

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + Duration::days(20_400) + Duration::minutes(minutes)
}

async fn push(app: &TestApp, browser: &mut Browser, mutations: Vec<Mutation>) -> Vec<Outcome> {
    let body = PushRequest {
        device_id: Uuid::now_v7(),
        mutations: mutations
            .into_iter()
            .enumerate()
            .map(|(i, m)| m.into_envelope(Uuid::now_v7(), at(i as i64)))
            .collect(),
    };
    let answer = app
        .call(
            browser,
            Method::POST,
            "/api/v1/sync/push",
            Some(serde_json::to_value(body).unwrap()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    let response: PushResponse = serde_json::from_value(answer.json).unwrap();
    response.results.into_iter().map(|r| r.outcome).collect()
}

async fn pull(app: &TestApp, browser: &mut Browser) -> PullResponse {
    let answer = app
        .call(
            browser,
            Method::GET,
            "/api/v1/sync/pull?since=0&limit=1000",
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    serde_json::from_value(answer.json).unwrap()
}

async fn list_of(app: &TestApp, browser: &mut Browser, event: Uuid) -> AttendanceList {
    pull(app, browser)
        .await
        .changes
        .into_iter()
        .find_map(|c| match c.record {
            Record::AttendanceList(l) if l.event_id == event => Some(l),
            _ => None,
        })
        .expect("the event's list")
}

async fn resident(app: &TestApp, browser: &mut Browser, id: Uuid) -> Resident {
    pull(app, browser)
        .await
        .changes
        .into_iter()
        .find_map(|c| match c.record {
            Record::Resident(r) if r.id == id => Some(r),
            _ => None,
        })
        .expect("the resident")
}

fn scribble() -> Signature {
    let mut signature = Signature::default();
    signature.begin_stroke(100.0, 300.0);
    for (x, y) in [(160.0, 120.0), (220.0, 300.0), (280.0, 140.0)] {
        signature.extend_stroke(x, y);
    }
    signature
}

/// A newcomer's answers to the two questions the kiosk asks them, under text version 1.
fn registration(data_processing: bool, kiosk_listing: bool) -> Registration {
    let answer = |given| ConsentAnswer {
        given,
        text_version: 1,
    };
    Registration {
        data_processing: answer(data_processing),
        kiosk_listing: answer(kiosk_listing),
    }
}

/// A kiosk signature; a newcomer agreed to the processing of their data and not to being listed.
fn signed(event: Uuid, id: Uuid, attendee: Attendee, given: bool) -> Mutation {
    Mutation::ChangeAttendance(ChangeAttendance {
        event_id: event,
        change: ListChange::Record(NewAttendance {
            attendance_id: id,
            walk_in: attendee.resident_id.is_none(),
            registration: attendee
                .resident_id
                .is_none()
                .then(|| registration(true, false)),
            attendee,
            proof: Proof::Signature {
                signature: scribble(),
            },
            image_consent: Some(ConsentAnswer {
                given,
                text_version: 1,
            }),
            reason: None,
        }),
    })
}

fn on_paper(event: Uuid, name: &str, reason: Option<&str>) -> Mutation {
    Mutation::ChangeAttendance(ChangeAttendance {
        event_id: event,
        change: ListChange::Record(NewAttendance {
            attendance_id: Uuid::now_v7(),
            attendee: Attendee {
                name: name.into(),
                ..Default::default()
            },
            proof: Proof::Paper,
            image_consent: None,
            walk_in: false,
            registration: None,
            reason: reason.map(str::to_owned),
        }),
    })
}

fn approve(event: Uuid) -> Mutation {
    Mutation::ChangeAttendance(ChangeAttendance {
        event_id: event,
        change: ListChange::Approve,
    })
}

fn refusal(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Rejected {
            reason: RejectReason::ListRefused { refusal },
        } => serde_json::to_value(refusal).unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_owned(),
        other => panic!("expected a list refusal, got {other:?}"),
    }
}

struct Meeting {
    app: TestApp,
    organiser: Browser,
    volunteer: Browser,
    kiosk: Browser,
    event: Uuid,
    anna: Uuid,
}

async fn meeting() -> Meeting {
    let app = TestApp::new().await;
    app.add_account("organizator", Role::Organiser).await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    let mut organiser = app.signed_in("organizator").await;
    let volunteer = app.signed_in("wolontariusz").await;
    let event = app.create_event(&mut organiser, "Klub seniora").await;
    let (kiosk, _) = app.kiosk(&mut organiser, event).await;
    let anna = Uuid::now_v7();
    let created = push(
        &app,
        &mut organiser,
        vec![Mutation::CreateResident(CreateResident {
            resident_id: anna,
            fields: ResidentFields {
                name: "Anna Nowak".into(),
                district: "okolna".into(),
                listed_at_kiosk: true,
                ..Default::default()
            },
        })],
    )
    .await;
    assert_eq!(created, [Outcome::Applied]);
    Meeting {
        app,
        organiser,
        volunteer,
        kiosk,
        event,
        anna,
    }
}

#[tokio::test]
async fn kiosk_signatures_make_the_list_approval_locks_it_and_a_late_signature_reopens_it() {
    let Meeting {
        app,
        mut organiser,
        mut volunteer,
        mut kiosk,
        event,
        anna,
    } = meeting().await;
    let package = app
        .call(&mut kiosk, Method::GET, "/api/v1/kiosk/event", None)
        .await;
    assert_eq!(package.json["roster"][0]["name"], "Anna Nowak");

    let walk_in = Uuid::now_v7();
    let batch = vec![
        signed(
            event,
            Uuid::now_v7(),
            Attendee {
                resident_id: Some(anna),
                name: "Anna Nowak".into(),
                ..Default::default()
            },
            true,
        ),
        signed(
            event,
            walk_in,
            Attendee {
                name: "Kowalska, Maria".into(),
                phone: "600 100 200".into(),
                district: "jedwabnik".into(),
                ..Default::default()
            },
            false,
        ),
    ];
    assert_eq!(
        push(&app, &mut kiosk, batch.clone()).await,
        [Outcome::Applied, Outcome::Applied]
    );
    // Signing twice (a second tap on another tablet) keeps one entry.
    let again = signed(
        event,
        Uuid::now_v7(),
        Attendee {
            resident_id: Some(anna),
            name: "Anna Nowak".into(),
            ..Default::default()
        },
        true,
    );
    assert_eq!(
        push(&app, &mut kiosk, vec![again]).await,
        [Outcome::Duplicate]
    );

    let list = list_of(&app, &mut organiser, event).await;
    assert_eq!(list.present().count(), 2);
    assert!(list.awaits_approval());
    // The walk-in joined the registry with what they typed, and both answers are on their residents.
    let added = resident(&app, &mut organiser, resident_id_for_attendance(walk_in)).await;
    assert_eq!(added.fields.name, "Kowalska, Maria");
    assert_eq!(added.fields.district, "jedwabnik");
    assert!(!added.image_consent.unwrap().given);
    assert!(resident(&app, &mut organiser, anna)
        .await
        .image_consent
        .unwrap()
        .permits_photos());

    // A volunteer marks presence but does not approve; the organiser does, which locks the list.
    assert_eq!(
        refusal(&push(&app, &mut volunteer, vec![approve(event)]).await[0]),
        "not_permitted"
    );
    assert_eq!(
        push(&app, &mut organiser, vec![approve(event)]).await,
        [Outcome::Applied]
    );
    assert_eq!(
        refusal(
            &push(
                &app,
                &mut volunteer,
                vec![on_paper(event, "Ewa Papier", None)]
            )
            .await[0]
        ),
        "reason_required"
    );
    assert_eq!(
        push(
            &app,
            &mut volunteer,
            vec![on_paper(
                event,
                "Ewa Papier",
                Some("Podpisała listę papierową")
            )]
        )
        .await,
        [Outcome::Applied]
    );
    let locked = list_of(&app, &mut organiser, event).await;
    assert!(locked.is_locked());
    assert_eq!(locked.present().count(), 3);

    // A signature made on the kiosk before the approval, arriving after it, sends the list back.
    let late = signed(
        event,
        Uuid::now_v7(),
        Attendee {
            name: "Zofia Późna".into(),
            ..Default::default()
        },
        true,
    );
    assert_eq!(push(&app, &mut kiosk, vec![late]).await, [Outcome::Applied]);
    let reopened = list_of(&app, &mut organiser, event).await;
    assert!(reopened.awaits_approval());
    assert!(matches!(
        reopened.history.last().unwrap().event,
        ListEvent::LateSignature { .. }
    ));

    // The walk-in's district is corrected in the registry after the meeting.
    let corrected = push(
        &app,
        &mut organiser,
        vec![Mutation::EditResident(EditResident {
            resident_id: added.id,
            fields: ResidentFields {
                district: "krolewska".into(),
                ..added.fields.clone()
            },
            seen: Some(added.fields.clone()),
        })],
    )
    .await;
    assert_eq!(corrected, [Outcome::Applied]);

    // The CSV: a byte-order mark, Polish letters, a comma inside a name quoted, struck-off rows kept;
    // districts as the registry has them, whether or not the kiosk was told one.
    let csv = app
        .call(
            &mut organiser,
            Method::GET,
            &format!("/api/v1/events/{event}/attendance.csv"),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(csv.text.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 5, "{}", csv.text);
    assert!(lines[0].starts_with("Lp.,Imię i nazwisko,Osiedle"));
    assert!(lines[1].starts_with("1,Anna Nowak,Okólna,podpis na tablecie,tak,1,"));
    assert!(lines[2].starts_with("2,\"Kowalska, Maria\",Królewska,podpis na tablecie,nie,1,"));
    assert!(lines[3].contains("Ewa Papier,,podpis na liście papierowej,nie pytano"));
    assert!(lines[4].starts_with("4,Zofia Późna,"));
    let volunteer_csv = app
        .call(
            &mut volunteer,
            Method::GET,
            &format!("/api/v1/events/{event}/attendance.csv"),
            None,
        )
        .await;
    assert_eq!(volunteer_csv.status, StatusCode::FORBIDDEN);
}

/// A kiosk signature of a newcomer with the given answers to the kiosk's two registration questions.
fn newcomer(event: Uuid, id: Uuid, name: &str, registration: Option<Registration>) -> Mutation {
    let Mutation::ChangeAttendance(mut change) = signed(
        event,
        id,
        Attendee {
            name: name.into(),
            ..Default::default()
        },
        true,
    ) else {
        unreachable!("signed() changes attendance")
    };
    if let ListChange::Record(new) = &mut change.change {
        new.registration = registration;
    }
    Mutation::ChangeAttendance(change)
}

#[tokio::test]
async fn a_newcomer_is_kept_only_with_consent_and_found_at_the_next_event_if_they_agreed() {
    let Meeting {
        app,
        mut organiser,
        mut kiosk,
        event,
        ..
    } = meeting().await;
    app.add_account("koordynator", Role::Coordinator).await;
    let mut coordinator = app.signed_in("koordynator").await;
    let revised = app
        .call(
            &mut coordinator,
            Method::PUT,
            "/api/v1/consent-texts/data_processing",
            Some(serde_json::json!({"text_pl": "Zgadzam się na zapis moich danych.", "text_en": "I agree."})),
        )
        .await;
    assert_eq!(revised.status, StatusCode::OK);
    assert_eq!(revised.json["version"], 2);
    let unknown = app
        .call(
            &mut coordinator,
            Method::PUT,
            "/api/v1/consent-texts/newsletter",
            Some(serde_json::json!({"text_pl": "Tak.", "text_en": "Yes."})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // The kiosk asks the newcomer under the revised text; the other texts stay at their first version.
    let package = app
        .call(&mut kiosk, Method::GET, "/api/v1/kiosk/event", None)
        .await;
    assert_eq!(
        package.json["consent_texts"]["data_processing"]["version"],
        2
    );
    assert_eq!(package.json["consent_texts"]["kiosk_listing"]["version"], 1);
    assert_eq!(package.json["consent_texts"]["image"]["version"], 1);

    // Without consent to the processing of their data nothing about a newcomer is kept.
    let refused = Uuid::now_v7();
    let outcomes = push(
        &app,
        &mut kiosk,
        vec![
            newcomer(event, refused, "Bez Zgody", None),
            newcomer(event, refused, "Bez Zgody", Some(registration(false, true))),
        ],
    )
    .await;
    assert_eq!(
        outcomes.iter().map(refusal).collect::<Vec<_>>(),
        ["data_consent_missing", "data_consent_missing"]
    );
    let answer = app
        .call(
            &mut organiser,
            Method::GET,
            "/api/v1/sync/pull?since=0",
            None,
        )
        .await;
    assert!(!answer.text.contains("Bez Zgody"));

    let (listed, unlisted) = (Uuid::now_v7(), Uuid::now_v7());
    let mut agreed = registration(true, true);
    agreed.data_processing.text_version = 2;
    assert_eq!(
        push(
            &app,
            &mut kiosk,
            vec![
                newcomer(event, listed, "Genowefa Nowicka", Some(agreed)),
                newcomer(
                    event,
                    unlisted,
                    "Stefan Cichy",
                    Some(registration(true, false))
                ),
            ],
        )
        .await,
        [Outcome::Applied, Outcome::Applied]
    );
    let genowefa = resident(&app, &mut organiser, resident_id_for_attendance(listed)).await;
    assert_eq!(
        genowefa.fields.consent,
        Some(DataConsent {
            text_version: 2,
            given_on: local_date(genowefa.recorded_at),
        })
    );
    assert!(genowefa.fields.listed_at_kiosk);
    let list = list_of(&app, &mut organiser, event).await;
    assert_eq!(list.entries[0].registration, Some(agreed));

    // At the next event Genowefa finds her name; Stefan, who did not agree, is not offered.
    let next = app.create_event(&mut organiser, "Kawiarenka").await;
    let (mut next_kiosk, _) = app.kiosk(&mut organiser, next).await;
    let package = app
        .call(&mut next_kiosk, Method::GET, "/api/v1/kiosk/event", None)
        .await;
    let names: Vec<&str> = package.json["roster"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Anna Nowak", "Genowefa Nowicka"]);
}

#[tokio::test]
async fn withdrawing_image_consent_flags_the_events_the_resident_attended() {
    let Meeting {
        app,
        mut organiser,
        mut kiosk,
        event,
        anna,
        ..
    } = meeting().await;
    let other = app.create_event(&mut organiser, "Warsztaty").await;
    let anna_signs = signed(
        event,
        Uuid::now_v7(),
        Attendee {
            resident_id: Some(anna),
            name: "Anna Nowak".into(),
            ..Default::default()
        },
        true,
    );
    assert_eq!(
        push(&app, &mut kiosk, vec![anna_signs]).await,
        [Outcome::Applied]
    );
    let withdraw = Mutation::WithdrawImageConsent(WithdrawImageConsent { resident_id: anna });
    assert_eq!(
        push(&app, &mut organiser, vec![withdraw.clone()]).await,
        [Outcome::Applied]
    );
    let list = list_of(&app, &mut organiser, event).await;
    assert_eq!(list.consent_withdrawals.len(), 1);
    assert_eq!(list.consent_withdrawals[0].name, "Anna Nowak");
    assert!(!resident(&app, &mut organiser, anna)
        .await
        .image_consent
        .unwrap()
        .permits_photos());
    // Only the events she attended are flagged, and there is nothing left to withdraw.
    let lists: Vec<Uuid> = pull(&app, &mut organiser)
        .await
        .changes
        .into_iter()
        .filter_map(|c| match c.record {
            Record::AttendanceList(l) => Some(l.event_id),
            _ => None,
        })
        .collect();
    assert!(!lists.contains(&other));
    assert_eq!(
        push(&app, &mut organiser, vec![withdraw]).await,
        [Outcome::Rejected {
            reason: RejectReason::NoImageConsent
        }]
    );
}

/// Issue 19 (6): one mutation that the database refuses must not hold the batch (and the outbox behind it)
/// for ever.
#[tokio::test]
async fn an_entry_the_database_refuses_is_refused_alone_and_the_rest_of_the_batch_goes_through() {
    let Meeting {
        app,
        mut organiser,
        event,
        ..
    } = meeting().await;
    let other_event = app.create_event(&mut organiser, "Kawiarenka").await;
    let entry = |event: Uuid, id: Uuid, name: &str| match on_paper(event, name, None) {
        Mutation::ChangeAttendance(ChangeAttendance {
            event_id,
            change: ListChange::Record(mut new),
        }) => {
            new.attendance_id = id;
            Mutation::ChangeAttendance(ChangeAttendance {
                event_id,
                change: ListChange::Record(new),
            })
        }
        _ => unreachable!("on_paper records an entry"),
    };
    let reused = Uuid::now_v7();
    let first = push(
        &app,
        &mut organiser,
        vec![entry(event, reused, "Anna Nowak")],
    )
    .await;
    assert_eq!(first, [Outcome::Applied]);

    // A device that (by a bug or a copy) uses the same entry id at another event, with a good entry after it.
    let batch = push(
        &app,
        &mut organiser,
        vec![
            entry(other_event, reused, "Jan Kowalski"),
            entry(other_event, Uuid::now_v7(), "Ewa Zielińska"),
        ],
    )
    .await;
    assert_eq!(
        batch,
        [
            Outcome::Rejected {
                reason: RejectReason::Conflict
            },
            Outcome::Applied
        ]
    );
    let names: Vec<String> = list_of(&app, &mut organiser, other_event)
        .await
        .entries
        .iter()
        .map(|e| e.attendee.name.clone())
        .collect();
    assert_eq!(names, ["Ewa Zielińska"]);
    let first_list = list_of(&app, &mut organiser, event).await;
    assert_eq!(first_list.entries.len(), 1);
}
