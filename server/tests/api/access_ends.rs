//! Access that ends leaves the device (docs/security.md, "What reaches each device"): a phone running the
//! device's own sync code against the server, through the same API the browser calls. What the person
//! changed on the phone reaches the server first; then the record leaves.

use app::device::{sync_once, LocalData, MemoryStore, Pass, SyncFailure};
use app::state::SyncProblem;
use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use domain::account::{Account, Principal, Role};
use domain::api as v1;
use domain::attendance::{Attendee, ListChange, NewAttendance, Proof};
use domain::audit::PersonalRead;
use domain::help_request::{HelpRequestFields, Person};
use domain::need_to_know::ClosedRequestDays;
use domain::photo::{PeopleVisible, PhotoSubject};
use domain::sync::protocol::{ActOnHelpRequest, ChangeAttendance, Mutation, PullResponse, Record};
use domain::workflow::{Action, Actor};
use serde_json::json;
use uuid::Uuid;

use crate::support::{pull_uri, request_for, small_jpeg_attached, Browser, DeviceLink, TestApp};

const AT: &str = "2025-05-20T10:00:00Z";

fn act(id: Uuid, seen_revision: u32, action: Action) -> Mutation {
    Mutation::ActOnHelpRequest(ActOnHelpRequest {
        help_request_id: id,
        seen_revision,
        action,
    })
}

fn actor(account: &Account) -> Actor {
    Actor {
        person: Person {
            id: account.id,
            name: account.display_name.clone(),
        },
        role: account.role,
    }
}

/// What the phone holds, as text: a name or a key in it is on the device.
async fn held(phone: &LocalData<MemoryStore>) -> String {
    format!("{:?}", phone.snapshot().await.unwrap())
}

/// A centre with a volunteer, Anna, and an organiser, signed in.
async fn centre() -> (TestApp, Account, Browser) {
    let app = TestApp::new().await;
    let anna = app.add_account("anna", Role::Volunteer).await;
    app.add_account("olga", Role::Organiser).await;
    let organiser = app.signed_in("olga").await;
    (app, anna, organiser)
}

fn pass() -> Pass {
    Pass {
        device_id: Uuid::now_v7(),
        pulls: true,
        now: Utc::now(),
    }
}

#[tokio::test]
async fn a_request_the_volunteer_declines_leaves_their_phone_with_its_resident_and_photo_after_their_steps_arrive(
) {
    let (app, anna, mut organiser) = centre().await;
    let phone = LocalData::new(MemoryStore::default());
    let link = DeviceLink::new(&app, app.signed_in("anna").await);
    let pass = pass();

    let request = Uuid::now_v7();
    let photo = Uuid::now_v7();
    app.push_applied(
        &mut organiser,
        AT,
        vec![
            request_for(request, "Zofia Zielińska", "Zakupy na tydzień"),
            small_jpeg_attached(
                photo,
                PhotoSubject::HelpRequest(request),
                "Lista zakupów",
                PeopleVisible::NoIdentifiablePeople,
            ),
            act(request, 1, Action::Approve),
        ],
    )
    .await;
    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();
    let before = held(&phone).await;
    assert!(!before.contains("Zofia"), "not hers yet: {before}");

    // Assigned: the request comes with its resident and photo, pulled long before.
    let volunteers = vec![Person {
        id: anna.id,
        name: anna.display_name.clone(),
    }];
    app.push_applied(
        &mut organiser,
        AT,
        vec![act(request, 2, Action::Assign { volunteers })],
    )
    .await;
    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();
    let snapshot = phone.snapshot().await.unwrap();
    assert_eq!(snapshot.requests.len(), 1);
    assert_eq!(snapshot.residents.len(), 1);
    assert_eq!(snapshot.residents[0].fields.name, "Zofia Zielińska");
    assert_eq!(snapshot.photos.len(), 1);

    // Offline, she accepts and then declines; both reach the server before the request leaves.
    for action in [Action::Accept, Action::Decline] {
        phone
            .act_on_help_requests(&actor(&anna), vec![request], action, Utc::now())
            .await
            .unwrap();
    }
    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();
    let after = held(&phone).await;
    for gone in ["Zofia", &request.to_string(), &photo.to_string()] {
        assert!(!after.contains(gone), "{gone} is still on the phone");
    }
    assert_eq!(phone.unsent_count().await.unwrap(), 0);
    let answer = app
        .call(&mut organiser, Method::GET, &pull_uri(0, 1000), None)
        .await;
    let page: PullResponse = serde_json::from_value(answer.json).unwrap();
    let on_server = page
        .changes
        .into_iter()
        .find_map(|change| match change.record {
            Record::HelpRequest(r) if r.id == request => Some(r),
            _ => None,
        })
        .expect("the request");
    let by_her = on_server
        .history
        .iter()
        .filter(|entry| entry.by.id == anna.id);
    assert_eq!(by_her.count(), 2, "{:?}", on_server.history);
    assert!(on_server.assignees.is_empty());
}

#[tokio::test]
async fn an_approved_list_leaves_volunteers_phones_and_an_erased_resident_leaves_with_their_request(
) {
    let (app, anna, mut organiser) = centre().await;
    app.add_account("kasia", Role::Coordinator).await;
    let mut coordinator = app.signed_in("kasia").await;
    let phone = LocalData::new(MemoryStore::default());
    let link = DeviceLink::new(&app, app.signed_in("anna").await);
    let pass = pass();
    let event = app.create_event(&mut organiser, "Klub seniora").await;
    let request = Uuid::now_v7();

    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();
    let dictionary = app.store.dictionary().await.unwrap();
    phone
        .change_attendance(
            actor(&anna),
            event,
            ListChange::Record(NewAttendance {
                attendance_id: Uuid::now_v7(),
                attendee: Attendee {
                    name: "Tadeusz Nowak".into(),
                    ..Default::default()
                },
                proof: Proof::Paper,
                image_consent: None,
                walk_in: false,
                registration: None,
                reason: None,
            }),
            &dictionary,
            Utc::now(),
        )
        .await
        .unwrap();
    app.push_applied(
        &mut link.browser(),
        AT,
        vec![request_for(request, "Halina Paprocka", "Zakupy na tydzień")],
    )
    .await;
    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();
    let snapshot = phone.snapshot().await.unwrap();
    assert_eq!(snapshot.attendance.len(), 1);
    assert_eq!(snapshot.requests.len(), 1);
    let halina = snapshot
        .residents
        .iter()
        .find(|r| r.fields.name == "Halina Paprocka")
        .expect("the resident of her request")
        .id;

    app.push_applied(
        &mut organiser,
        AT,
        vec![Mutation::ChangeAttendance(ChangeAttendance {
            event_id: event,
            change: ListChange::Approve,
        })],
    )
    .await;
    let uri = format!("/api/v1/residents/{halina}/erasure");
    let body = Some(json!({"reason": "wniosek mieszkanki"}));
    let answer = app.call(&mut coordinator, Method::POST, &uri, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);

    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();
    let after = phone.snapshot().await.unwrap();
    assert!(after.attendance.is_empty(), "{:?}", after.attendance);
    assert!(after.requests.is_empty(), "{:?}", after.requests);
    let held = format!("{after:?}");
    assert!(!held.contains("Halina"), "{held}");
    assert_eq!(after.events.len(), 1, "the event itself stays");
}

#[tokio::test]
async fn a_lowered_role_takes_the_records_only_the_old_role_could_hold() {
    let app = TestApp::new().await;
    let ewa = app.add_account("ewa", Role::Organiser).await;
    app.add_account("anna", Role::Volunteer).await;
    app.add_account("kasia", Role::Coordinator).await;
    let mut coordinator = app.signed_in("kasia").await;
    let mut volunteer = app.signed_in("anna").await;
    let (hers, annas) = (Uuid::now_v7(), Uuid::now_v7());
    let phone = LocalData::new(MemoryStore::default());
    let link = DeviceLink::new(&app, app.signed_in("ewa").await);
    let pass = pass();
    phone.signed_in_as(&ewa).await.unwrap();
    app.push_applied(
        &mut link.browser(),
        AT,
        vec![request_for(hers, "Jan Nowak", "Zakupy na tydzień")],
    )
    .await;
    app.push_applied(
        &mut volunteer,
        AT,
        vec![request_for(annas, "Irena Kowalska", "Zakupy na tydzień")],
    )
    .await;
    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();
    assert!(held(&phone).await.contains("Irena Kowalska"));

    let uri = format!("/api/v1/users/{}", ewa.id);
    let body = Some(json!({"role": "volunteer"}));
    let answer = app.call(&mut coordinator, Method::PATCH, &uri, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);

    // The change ended her sessions; she signs in again on the same phone.
    let link = DeviceLink::new(&app, app.signed_in("ewa").await);
    let lowered = Account {
        role: Role::Volunteer,
        ..ewa
    };
    phone.signed_in_as(&lowered).await.unwrap();
    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();
    let after = held(&phone).await;
    assert!(after.contains("Jan Nowak"), "her own request stays");
    assert!(!after.contains("Irena Kowalska"), "{after}");
}

#[tokio::test]
async fn a_closed_request_leaves_the_volunteers_phone_when_the_days_the_coordinator_set_are_over() {
    let (app, anna, mut organiser) = centre().await;
    app.add_account("kasia", Role::Coordinator).await;
    let mut coordinator = app.signed_in("kasia").await;
    let setting = v1::path::<v1::ChangeClosedRequestDays>(&[]);
    let too_long = json!({"days": ClosedRequestDays::MAX + 1});
    let refused = app
        .call(&mut coordinator, Method::PUT, &setting, Some(too_long))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let days = 7;
    let set = app
        .call(
            &mut coordinator,
            Method::PUT,
            &setting,
            Some(json!({"days": days})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.json);
    let shown = app
        .call(&mut coordinator, Method::GET, &setting, None)
        .await;
    assert_eq!(shown.json, json!({"days": days}));
    let phone = LocalData::new(MemoryStore::default());
    let link = DeviceLink::new(&app, app.signed_in("anna").await);
    let request = Uuid::now_v7();
    app.push_applied(
        &mut link.browser(),
        AT,
        vec![request_for(request, "Zofia Zielińska", "Zakupy na tydzień")],
    )
    .await;
    let comment = "Tym zajmuje się MOPS".to_owned();
    app.push_applied(
        &mut organiser,
        AT,
        vec![act(request, 1, Action::Reject { comment })],
    )
    .await;
    sync_once(&phone, &link, &pass(), |_| {}).await.unwrap();
    assert!(held(&phone).await.contains("Tym zajmuje się MOPS"));

    // The server's clock, moved on: the days count from when the server saw the request closed.
    let pulled_at = |days| Utc::now() + Duration::days(days);
    let anna = Principal::User {
        id: anna.id,
        role: Role::Volunteer,
    };
    let cursor = phone.pull_cursor().await.unwrap();
    let still = app
        .store
        .pull(anna, cursor, 1000, pulled_at(days - 1))
        .await
        .unwrap();
    assert!(phone.apply_pull(cursor, &still).await.unwrap());
    assert!(held(&phone).await.contains("Zofia Zielińska"));

    let over = app
        .store
        .pull(anna, cursor, 1000, pulled_at(days + 1))
        .await
        .unwrap();
    assert!(phone.apply_pull(cursor, &over).await.unwrap());
    let after = held(&phone).await;
    assert!(!after.contains("Zofia"), "{after}");
    let from_scratch = app
        .store
        .pull(anna, 0, 1000, pulled_at(days + 1))
        .await
        .unwrap();
    assert!(!format!("{from_scratch:?}").contains("Zofia"));
}

#[tokio::test]
async fn a_deactivated_accounts_phone_sends_what_it_had_then_erases_everything_and_the_coordinator_sees_it(
) {
    let app = TestApp::new().await;
    let anna = app.add_account("anna", Role::Volunteer).await;
    app.add_account("kasia", Role::Coordinator).await;
    let mut coordinator = app.signed_in("kasia").await;
    let phone = LocalData::new(MemoryStore::default());
    let link = DeviceLink::new(&app, app.signed_in("anna").await);
    let pass = pass();
    let synced = Uuid::now_v7();
    app.push_applied(
        &mut link.browser(),
        AT,
        vec![request_for(synced, "Zofia Zielińska", "Zakupy na tydzień")],
    )
    .await;
    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();
    // Without signal, she records one more; meanwhile the coordinator deactivates her account.
    let unsent = phone
        .record_help_request(
            &actor(&anna),
            HelpRequestFields {
                resident_name: "Irena Kowalska".into(),
                district: "okolna".into(),
                category: "shopping".into(),
                description: "Leki z apteki".into(),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
    // …and opens that resident's entry: the audit log must hear of it before the phone forgets it.
    phone
        .note_read(
            PersonalRead::Resident {
                resident_id: synced,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let uri = v1::path::<v1::UpdateUser>(&[&anna.id]);
    let answer = app
        .call(
            &mut coordinator,
            Method::PATCH,
            &uri,
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    let devices = |answer: &crate::support::Answer| answer.json["device_wipes"].clone();
    assert_eq!(
        devices(&answer)[0]["wiped_at"],
        json!(null),
        "ordered, not done"
    );

    // Its next contact: what it had arrives, then the server orders the wipe.
    let contact = sync_once(&phone, &link, &pass, |_| {}).await;
    assert_eq!(contact, Err(SyncFailure::WipeOrdered));
    let arrived = app
        .call(&mut coordinator, Method::GET, &pull_uri(0, 1000), None)
        .await;
    assert!(
        arrived.text.contains(&unsent.to_string()),
        "the entry made offline reached the server before the wipe"
    );
    assert!(phone.unsent_count().await.unwrap() == 0);
    let opened = app
        .call(
            &mut coordinator,
            Method::GET,
            "/api/v1/audit?action=resident_record_opened&actor=anna",
            None,
        )
        .await;
    assert_eq!(opened.json["entries"][0]["target"], synced.to_string());
    // Nothing else is open to the order: it is not a session.
    let mut device = link.browser();
    let session = app
        .call(
            &mut device,
            Method::GET,
            &v1::path::<v1::CheckSession>(&[]),
            None,
        )
        .await;
    assert_eq!(session.status, StatusCode::GONE);
    let users = app
        .call(
            &mut device,
            Method::GET,
            &v1::path::<v1::ListUsers>(&[]),
            None,
        )
        .await;
    assert_eq!(users.status, StatusCode::UNAUTHORIZED);

    phone.erase().await.unwrap();
    assert_eq!(
        held(&phone).await,
        held(&LocalData::new(MemoryStore::default())).await
    );
    assert_eq!(phone.pull_cursor().await.unwrap(), 0);
    let confirmed = app
        .call(
            &mut device,
            Method::POST,
            &v1::path::<v1::ConfirmWipe>(&[]),
            None,
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::NO_CONTENT,
        "{}",
        confirmed.json
    );

    let accounts = app
        .call(
            &mut coordinator,
            Method::GET,
            &v1::path::<v1::ListUsers>(&[]),
            None,
        )
        .await;
    let hers = accounts
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "anna")
        .unwrap();
    assert!(hers["device_wipes"][0]["wiped_at"].is_string(), "{hers}");
    // Done, the order opens nothing any more, and her phone's next contact is a plain "sign in".
    assert_eq!(
        sync_once(&phone, &link, &pass, |_| {}).await,
        Err(SyncFailure::Problem(SyncProblem::SignInRequired))
    );
    let audit = app
        .call(
            &mut coordinator,
            Method::GET,
            "/api/v1/audit?action=device_wiped&actor=anna",
            None,
        )
        .await;
    assert_eq!(
        audit.json["entries"].as_array().unwrap().len(),
        1,
        "{}",
        audit.json
    );
}
