//! The retention period against real SQLite and real photo files: a coordinator sets it and sees what is
//! due, nothing changes until they confirm, and the confirmation anonymises old records (which devices
//! pull) while open matters, recent people and the yearly numbers stay.

use crate::support::{small_jpeg, small_jpeg_attached, Browser, TestApp};
use axum::http::{Method, StatusCode};
use chrono::{Datelike, Utc};
use domain::account::Role;
use domain::attendance::{Attendee, ListChange, NewAttendance, Proof};
use domain::help_request::HelpRequestFields;
use domain::photo::{PeopleVisible, PhotoSubject};
use domain::report::{local_date, Dashboard};
use domain::resident::ResidentFields;
use domain::retention::{RetentionApplied, RetentionOverview, ANONYMISED};
use domain::sync::protocol::{
    ActOnHelpRequest, ChangeAttendance, CreateHelpRequest, CreateResident, EditResident, Mutation,
    Outcome, PullResponse, Record, RejectReason,
};
use domain::workflow::Action;
use serde_json::json;
use uuid::Uuid;

fn resident(id: Uuid, name: &str) -> Mutation {
    Mutation::CreateResident(CreateResident {
        resident_id: id,
        fields: ResidentFields {
            name: name.into(),
            phone: "600 100 200".into(),
            address: "ul. Brzozowa 7/3".into(),
            district: "okolna".into(),
            target_groups: vec!["seniors".into()],
            ..Default::default()
        },
    })
}

fn request(id: Uuid, resident: Uuid, name: &str) -> Mutation {
    Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: id,
        fields: HelpRequestFields {
            resident_name: name.into(),
            resident_id: Some(resident),
            district: "okolna".into(),
            category: "shopping".into(),
            description: format!("Zakupy dla: {name}"),
            ..Default::default()
        },
    })
}

fn on_paper(event: Uuid, resident: Option<Uuid>, name: &str) -> Mutation {
    Mutation::ChangeAttendance(ChangeAttendance {
        event_id: event,
        change: ListChange::Record(NewAttendance {
            attendance_id: Uuid::now_v7(),
            attendee: Attendee {
                resident_id: resident,
                name: name.into(),
                phone: "600 300 400".into(),
                district: "okolna".into(),
            },
            proof: Proof::Paper,
            image_consent: None,
            walk_in: resident.is_none(),
            registration: None,
            reason: None,
        }),
    })
}

async fn pull(app: &TestApp, browser: &mut Browser) -> Vec<Record> {
    let answer = app
        .call(
            browser,
            Method::GET,
            "/api/v1/sync/pull?since=0&limit=1000",
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let pull: PullResponse = serde_json::from_value(answer.json).unwrap();
    pull.changes.into_iter().map(|c| c.record).collect()
}

async fn overview(app: &TestApp, browser: &mut Browser) -> RetentionOverview {
    let answer = app
        .call(browser, Method::GET, "/api/v1/retention", None)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    serde_json::from_value(answer.json).unwrap()
}

async fn dashboard_of(app: &TestApp, browser: &mut Browser, year: i32) -> Dashboard {
    let answer = app
        .call(
            browser,
            Method::GET,
            &format!(
                "/api/v1/reports/dashboard?from={year}-01-01&to={year}-12-31&include_unapproved=true"
            ),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    serde_json::from_value(answer.json).unwrap()
}

fn stored_files(app: &TestApp) -> usize {
    walkdir(&app.data_dir.join("photos"))
}

fn walkdir(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                walkdir(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[tokio::test]
async fn a_confirmed_retention_anonymises_old_matters_and_keeps_open_ones_and_the_numbers() {
    let app = TestApp::new().await;
    app.add_account("koordynator", Role::Coordinator).await;
    app.add_account("organizator", Role::Organiser).await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    let mut coordinator = app.signed_in("koordynator").await;
    let mut organiser = app.signed_in("organizator").await;
    let mut volunteer = app.signed_in("wolontariusz").await;

    // Seven years ago on the centre's calendar, whatever today is: due under the default 5 years, not
    // under 30 (domain::retention: with N years, what was last active in this year − N − 1 or earlier).
    let old = local_date(Utc::now()).year() - 7;
    let at = |rest: &str| format!("{old}-{rest}");
    // Then Zofia came to a meeting with a walk-in, and her closed request has a photo. Bogdan's request
    // from then is still waiting. Celina is new this year.
    let (zofia, bogdan, celina) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let (closed, waiting, recent) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let meeting = app.create_event(&mut organiser, "Spotkanie seniorów").await;
    let moved = app
        .call(
            &mut organiser,
            Method::PUT,
            &format!("/api/v1/events/{meeting}"),
            Some(json!({
                "title": "Spotkanie seniorów",
                "starts_at": at("05-10T15:00:00Z"),
                "ends_at": at("05-10T17:00:00Z"),
                "location": "brzozowa_7",
                "plan_goals": ["goal_3"],
            })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    app.push_applied(
        &mut volunteer,
        &at("05-10T15:10:00Z"),
        vec![
            resident(zofia, "Zofia Kowalska"),
            resident(bogdan, "Bogdan Nowak"),
            request(closed, zofia, "Zofia Kowalska"),
            request(waiting, bogdan, "Bogdan Nowak"),
        ],
    )
    .await;
    app.push_applied(
        &mut organiser,
        &at("05-11T10:00:00Z"),
        vec![
            on_paper(meeting, Some(zofia), "Zofia Kowalska"),
            on_paper(meeting, None, "Jan Wiśniewski"),
            Mutation::ActOnHelpRequest(ActOnHelpRequest {
                help_request_id: closed,
                seen_revision: 1,
                action: Action::Reject {
                    comment: "Pani Zofia ma już opiekunkę".into(),
                },
            }),
        ],
    )
    .await;
    let jpeg = small_jpeg();
    let photo = Uuid::now_v7();
    app.push_applied(
        &mut volunteer,
        &at("05-10T16:00:00Z"),
        vec![small_jpeg_attached(
            photo,
            PhotoSubject::HelpRequest(closed),
            "Pani Zofia w kuchni",
            PeopleVisible::WithConsent,
        )],
    )
    .await;
    let uploaded = app
        .put_bytes(
            &mut volunteer,
            &format!("/api/v1/photos/{photo}/original"),
            "image/jpeg",
            jpeg.clone(),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
    assert_eq!(stored_files(&app), 2, "the original and its thumbnail");
    let now = Utc::now().to_rfc3339();
    app.push_applied(
        &mut volunteer,
        &now,
        vec![
            resident(celina, "Celina Zając"),
            request(recent, celina, "Celina Zając"),
        ],
    )
    .await;
    let numbers_before = dashboard_of(&app, &mut organiser, old).await;

    // Only coordinators see and set the period; a new installation keeps 5 years.
    let forbidden = app
        .call(&mut organiser, Method::GET, "/api/v1/retention", None)
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let first = overview(&app, &mut coordinator).await;
    assert_eq!(first.years, 5);
    assert_eq!(
        (
            first.due.residents,
            first.due.help_requests,
            first.due.attendance_lists,
            first.due.photos
        ),
        (2, 1, 1, 1),
        "Zofia and the walk-in, her closed request, the old list, the photo: {first:?}"
    );

    let refused = app
        .call(
            &mut coordinator,
            Method::PUT,
            "/api/v1/retention",
            Some(json!({"years": 0})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json["error"], "invalid_retention");
    let longer = app
        .call(
            &mut coordinator,
            Method::PUT,
            "/api/v1/retention",
            Some(json!({"years": 30})),
        )
        .await;
    assert_eq!(longer.status, StatusCode::OK, "{}", longer.json);
    let longer: RetentionOverview = serde_json::from_value(longer.json).unwrap();
    assert_eq!(longer.due.total(), 0);

    // Confirming what was seen under 5 years, after the period became 30, changes nothing.
    let stale = app
        .call(
            &mut coordinator,
            Method::POST,
            "/api/v1/retention/apply",
            Some(json!({"years": 5})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json["error"], "retention_changed");
    assert_eq!(stored_files(&app), 2);

    app.call(
        &mut coordinator,
        Method::PUT,
        "/api/v1/retention",
        Some(json!({"years": 5})),
    )
    .await;
    let applied = app
        .call(
            &mut coordinator,
            Method::POST,
            "/api/v1/retention/apply",
            Some(json!({"years": 5})),
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.json);
    let applied: RetentionApplied = serde_json::from_value(applied.json).unwrap();
    assert_eq!(applied.applied, first.due);
    assert_eq!(applied.overview.due.total(), 0, "nothing is due twice");
    assert_eq!(stored_files(&app), 0, "the photo's files are deleted");

    // Devices pull the anonymised records in place of the old ones.
    let records = pull(&app, &mut organiser).await;
    let pulled = serde_json::to_string(&records).unwrap();
    for gone in ["Zofia", "Wiśniewski", "600 300 400", "opiekunk", "w kuchni"] {
        assert!(!pulled.contains(gone), "{gone} is still pulled");
    }
    for kept in ["Bogdan Nowak", "Celina Zając", "Zakupy dla: Bogdan Nowak"] {
        assert!(pulled.contains(kept), "{kept} should stay");
    }
    let zofia_now = records
        .iter()
        .find_map(|r| match r {
            Record::Resident(r) if r.id == zofia => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(zofia_now.fields.name, ANONYMISED);
    assert!(zofia_now.fields.phone.is_empty() && zofia_now.fields.address.is_empty());
    assert_eq!(zofia_now.fields.district, "okolna");
    let erased = records
        .iter()
        .find_map(|r| match r {
            Record::Photo(p) if p.id == photo => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert!(erased.erased_at.is_some());
    let thumbnail = app
        .call(
            &mut organiser,
            Method::GET,
            &format!("/api/v1/photos/{photo}/thumbnail"),
            None,
        )
        .await;
    assert_eq!(thumbnail.status, StatusCode::NOT_FOUND);

    // The numbers of that year are the same.
    let numbers_after = dashboard_of(&app, &mut organiser, old).await;
    assert_eq!(numbers_after.attendances, numbers_before.attendances);
    assert_eq!(
        numbers_after.unique_residents,
        numbers_before.unique_residents
    );
    assert_eq!(
        numbers_after.requests_by_status,
        numbers_before.requests_by_status
    );
    assert_eq!(numbers_before.attendances, 2);

    // A device that was offline since then cannot bring the name back.
    let late = app
        .push(
            &mut volunteer,
            &at("06-01T10:00:00Z"),
            vec![Mutation::EditResident(EditResident {
                resident_id: zofia,
                fields: ResidentFields {
                    name: "Zofia Kowalska".into(),
                    district: "okolna".into(),
                    ..Default::default()
                },
                seen: None,
            })],
        )
        .await;
    assert_eq!(
        late,
        vec![Outcome::Rejected {
            reason: RejectReason::Anonymised
        }]
    );

    let audit = app
        .call(
            &mut coordinator,
            Method::GET,
            "/api/v1/audit?action=retention_applied",
            None,
        )
        .await;
    let entries = audit.json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "the refused confirmation is not audited");
    assert_eq!(entries[0]["details"]["years"], 5);
    assert_eq!(entries[0]["details"]["residents"], 2);
    assert_eq!(entries[0]["details"]["photos"], 1);
    let changes = app
        .call(
            &mut coordinator,
            Method::GET,
            "/api/v1/audit?action=retention_changed",
            None,
        )
        .await;
    assert_eq!(changes.json["entries"].as_array().unwrap().len(), 2);
}
