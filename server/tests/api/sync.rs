//! The sync API over HTTP against a real SQLite file in a temporary directory.

use crate::support::{Browser, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Utc};
use domain::account::{NewAccount, Role};
use domain::attendance::Author;
use domain::help_request::HelpRequestFields;
use domain::sync::protocol::{
    CreateHelpRequest, Mutation, MutationEnvelope, Outcome, PullResponse, PushRequest,
    PushResponse, Record, RejectReason, MAX_PUSH_BATCH,
};
use domain::workflow::Actor;
use serde_json::Value;
use server::storage::Store;
use uuid::Uuid;

const SEEDED_DICTIONARY_ENTRIES: usize = 30;
/// The consent texts (one per kind) every device learns with its first pull.
const SEEDED_CONSENT_TEXTS: usize = domain::consent::ConsentKind::ALL.len();

/// The server with an organiser signed in (organisers see every request in a pull).
struct TestServer {
    app: TestApp,
    store: Store,
    organiser: Browser,
}

async fn server() -> TestServer {
    let app = TestApp::new().await;
    app.add_account("organizator", Role::Organiser).await;
    let organiser = app.signed_in("organizator").await;
    TestServer {
        store: app.store.clone(),
        app,
        organiser,
    }
}

impl TestServer {
    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let answer = self.app.send(request).await;
        (answer.status, answer.json)
    }

    async fn push_raw(&self, body: impl Into<Body>) -> (StatusCode, Value) {
        let request = Request::post("/api/v1/sync/push")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, self.organiser.cookie_header())
            .header("x-csrf-token", self.organiser.csrf().unwrap())
            .body(body.into())
            .unwrap();
        let answer = self.app.send(request).await;
        (answer.status, answer.json)
    }

    async fn push(&self, mutations: &[MutationEnvelope]) -> PushResponse {
        let body = PushRequest {
            device_id: Uuid::from_u128(42),
            mutations: mutations.to_vec(),
        };
        let (status, json) = self.push_raw(serde_json::to_vec(&body).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        serde_json::from_value(json).unwrap()
    }

    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        let answer = self
            .app
            .call(&mut self.organiser.clone(), Method::GET, uri, None)
            .await;
        (answer.status, answer.json)
    }

    async fn pull(&self, since: i64, limit: u32) -> PullResponse {
        let uri = format!("/api/v1/sync/pull?since={since}&limit={limit}");
        let (status, json) = self.get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        serde_json::from_value(json).unwrap()
    }

    async fn pull_all_help_requests(&self) -> Vec<(i64, HelpRequestFields)> {
        let mut since = 0;
        let mut found = Vec::new();
        loop {
            let page = self.pull(since, 1000).await;
            for change in page.changes {
                if let Record::HelpRequest(request) = change.record {
                    found.push((change.cursor, request.fields));
                }
            }
            since = page.next_cursor;
            if !page.has_more {
                return found;
            }
        }
    }
}

fn fields(name: &str) -> HelpRequestFields {
    HelpRequestFields {
        resident_name: name.into(),
        district: "jedwabnik".into(),
        category: "shopping".into(),
        description: "Zakupy w czwartek".into(),
        ..Default::default()
    }
}

fn create(mutation: u128, record: u128, fields: HelpRequestFields) -> MutationEnvelope {
    Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: Uuid::from_u128(record),
        fields,
    })
    .into_envelope(Uuid::from_u128(mutation), DateTime::<Utc>::UNIX_EPOCH)
}

fn outcomes(response: &PushResponse) -> Vec<Outcome> {
    response.results.iter().map(|r| r.outcome.clone()).collect()
}

#[tokio::test]
async fn the_same_batch_twice_stores_one_row_each_and_answers_the_same() {
    let server = server().await;
    let batch = [
        create(1, 101, fields("Anna")),
        create(2, 102, fields("Jan")),
        create(3, 103, fields("Ewa")),
    ];
    let first = server.push(&batch).await;
    assert_eq!(
        outcomes(&first),
        [Outcome::Applied, Outcome::Applied, Outcome::Applied]
    );
    let second = server.push(&batch).await;
    assert_eq!(second, first);
    assert_eq!(server.store.help_request_count().await.unwrap(), 3);
    assert_eq!(server.pull_all_help_requests().await.len(), 3);
}

#[tokio::test]
async fn a_mutation_id_sent_again_with_other_content_is_a_conflict_and_changes_nothing() {
    let server = server().await;
    let first = server.push(&[create(1, 101, fields("Anna"))]).await;
    assert_eq!(outcomes(&first), [Outcome::Applied]);

    // The same id with something else in it: a different mutation wearing a used key.
    let other = server.push(&[create(1, 101, fields("Zofia"))]).await;
    assert_eq!(
        outcomes(&other),
        [Outcome::Rejected {
            reason: RejectReason::Conflict
        }]
    );
    // In one batch, too: the second use of the id is refused, the first applied.
    let batch = server
        .push(&[create(7, 107, fields("Ewa")), create(7, 107, fields("Ola"))])
        .await;
    assert_eq!(
        outcomes(&batch),
        [
            Outcome::Applied,
            Outcome::Rejected {
                reason: RejectReason::Conflict
            }
        ]
    );
    let names: Vec<_> = server
        .pull_all_help_requests()
        .await
        .into_iter()
        .map(|(_, fields)| fields.resident_name)
        .collect();
    assert_eq!(names, ["Anna", "Ewa"]);
    // The original, sent again exactly, still gets its own answer.
    assert_eq!(server.push(&[create(1, 101, fields("Anna"))]).await, first);
}

#[tokio::test]
async fn a_bad_mutation_is_rejected_alone_and_its_answer_is_replayed() {
    let server = server().await;
    let mut unknown = create(3, 103, fields("Ewa"));
    unknown.kind = "help_request.teleport".into();
    let batch = [
        create(1, 101, fields("Anna")),
        create(
            2,
            102,
            HelpRequestFields {
                district: "atlantyda".into(),
                ..fields("Jan")
            },
        ),
        unknown,
    ];
    let first = server.push(&batch).await;
    assert_eq!(outcomes(&first)[0], Outcome::Applied);
    assert!(matches!(
        &outcomes(&first)[1],
        Outcome::Rejected { reason: RejectReason::Invalid { errors } } if errors.len() == 1
    ));
    assert_eq!(
        outcomes(&first)[2],
        Outcome::Rejected {
            reason: RejectReason::UnknownKind {
                kind: "help_request.teleport".into()
            }
        }
    );
    assert_eq!(server.push(&batch).await, first);
    assert_eq!(server.store.help_request_count().await.unwrap(), 1);
}

/// A device keeps its own copy of a record while a mutation of it is pending and may pull past the server's
/// copy meanwhile: whatever the answer, its next pull must carry the server's copy again.
#[tokio::test]
async fn an_answer_that_changes_nothing_brings_the_record_to_the_next_pull() {
    let server = server().await;
    server.push(&[create(1, 101, fields("Anna"))]).await;
    let cursor = server.pull(0, 1000).await.next_cursor;

    let lost_answer_again = create(1, 101, fields("Anna"));
    let identical = create(2, 101, fields("Anna"));
    let different = create(3, 101, fields("Jan"));
    let answers = server
        .push(&[lost_answer_again, identical, different])
        .await;
    assert_eq!(
        outcomes(&answers),
        [
            Outcome::Applied,
            Outcome::Duplicate,
            Outcome::Rejected {
                reason: RejectReason::Conflict
            }
        ]
    );
    let pulled: Vec<(Uuid, String)> = server
        .pull(cursor, 1000)
        .await
        .changes
        .into_iter()
        .filter_map(|change| match change.record {
            Record::HelpRequest(request) => Some((request.id, request.fields.resident_name)),
            _ => None,
        })
        .collect();
    assert_eq!(pulled, [(Uuid::from_u128(101), "Anna".to_owned())]);
}

#[tokio::test]
async fn a_mutation_repeated_within_a_batch_is_a_duplicate() {
    let server = server().await;
    let mutation = create(1, 101, fields("Anna"));
    let response = server.push(&[mutation.clone(), mutation]).await;
    assert_eq!(outcomes(&response), [Outcome::Applied, Outcome::Duplicate]);
    assert_eq!(server.store.help_request_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_record_id_reused_is_a_duplicate_if_identical_and_a_conflict_otherwise() {
    let server = server().await;
    server.push(&[create(1, 101, fields("Anna"))]).await;
    let response = server
        .push(&[
            create(2, 101, fields("Anna")),
            create(3, 101, fields("Zofia")),
        ])
        .await;
    assert_eq!(
        outcomes(&response),
        [
            Outcome::Duplicate,
            Outcome::Rejected {
                reason: RejectReason::Conflict
            }
        ]
    );
    let stored = server.pull_all_help_requests().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1.resident_name, "Anna");
}

#[tokio::test]
async fn input_is_normalized_before_it_is_stored() {
    let server = server().await;
    server
        .push(&[create(
            1,
            101,
            HelpRequestFields {
                resident_name: "  Anna   Nowak ".into(),
                ..fields("")
            },
        )])
        .await;
    assert_eq!(
        server.pull_all_help_requests().await[0].1.resident_name,
        "Anna Nowak"
    );
}

#[tokio::test]
async fn batches_arriving_out_of_order_are_all_applied_in_commit_order() {
    let server = server().await;
    let earlier = [
        create(1, 101, fields("Anna")),
        create(2, 102, fields("Jan")),
    ];
    let later = [
        create(3, 103, fields("Ewa")),
        create(4, 104, fields("Olek")),
    ];
    server.push(&later).await;
    server.push(&earlier).await;
    let pulled = server.pull_all_help_requests().await;
    let names: Vec<_> = pulled
        .iter()
        .map(|(_, f)| f.resident_name.as_str())
        .collect();
    assert_eq!(names, ["Ewa", "Olek", "Anna", "Jan"]);
    assert!(
        pulled.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "cursors increase"
    );
}

#[tokio::test]
async fn pulling_page_by_page_returns_every_change_once() {
    let server = server().await;
    let batch: Vec<_> = (0..5)
        .map(|n| create(n, 100 + n, fields(&format!("Osoba {n}"))))
        .collect();
    server.push(&batch).await;
    let mut since = 0;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = server.pull(since, 4).await;
        pages += 1;
        assert!(page.changes.len() <= 4);
        seen.extend(page.changes.iter().map(|c| c.cursor));
        since = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    // Each request names someone new, whom the server adds to the residents registry.
    let total = SEEDED_DICTIONARY_ENTRIES + SEEDED_CONSENT_TEXTS + 5 * 2;
    assert_eq!(seen.len(), total);
    assert_eq!(pages, total.div_ceil(4));
    seen.dedup();
    assert_eq!(seen.len(), total, "no change returned twice");
    let after = server.pull(since, 4).await;
    assert!(after.changes.is_empty() && !after.has_more);
    assert_eq!(after.next_cursor, since);
}

#[tokio::test]
async fn the_first_pull_brings_the_default_districts_and_categories() {
    let server = server().await;
    let page = server.pull(0, 100).await;
    let codes: Vec<_> = page
        .changes
        .iter()
        .filter_map(|c| match &c.record {
            Record::DictionaryEntry(e) => Some(e.key()),
            _ => None,
        })
        .collect();
    assert_eq!(codes.len(), SEEDED_DICTIONARY_ENTRIES);
    assert!(codes.contains(&"district:jedwabnik".to_owned()));
    assert!(codes.contains(&"help_category:equipment_loan".to_owned()));
    assert!(codes.contains(&"location:sosnowa_1c".to_owned()));
    assert!(codes.contains(&"plan_goal:goal_7".to_owned()));
}

#[tokio::test]
async fn malformed_json_is_a_400_and_changes_nothing() {
    let server = server().await;
    let (status, body) = server.push_raw("{\"device_id\": ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "malformed_json");

    // One well-formed mutation beside one whose id is not a UUID: the batch is refused whole.
    let good = serde_json::to_value(create(1, 101, fields("Anna"))).unwrap();
    let mut bad = good.clone();
    bad["id"] = "not-a-uuid".into();
    let body = serde_json::json!({"device_id": Uuid::from_u128(42), "mutations": [good, bad]});
    let (status, answer) = server.push_raw(body.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(server.store.help_request_count().await.unwrap(), 0);
}

#[tokio::test]
async fn too_large_a_body_is_a_413() {
    let server = server().await;
    let huge = HelpRequestFields {
        description: "x".repeat(server::api::MAX_BODY_BYTES),
        ..fields("Anna")
    };
    let body = PushRequest {
        device_id: Uuid::from_u128(42),
        mutations: vec![create(1, 101, huge)],
    };
    let (status, answer) = server.push_raw(serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["error"], "body_too_large");
    assert_eq!(server.store.help_request_count().await.unwrap(), 0);
}

#[tokio::test]
async fn too_many_mutations_in_one_push_is_a_413() {
    let server = server().await;
    let batch: Vec<_> = (0..=MAX_PUSH_BATCH as u128)
        .map(|n| create(n, 1000 + n, fields("A")))
        .collect();
    let body = PushRequest {
        device_id: Uuid::from_u128(42),
        mutations: batch,
    };
    let (status, answer) = server.push_raw(serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["error"], "batch_too_large");
    assert_eq!(server.store.help_request_count().await.unwrap(), 0);
}

#[tokio::test]
async fn an_unknown_api_version_gets_a_clear_error() {
    let server = server().await;
    let request = Request::post("/api/v2/sync/push")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let (status, body) = server.send(request).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "unsupported_api_version");
    assert!(body["message"].as_str().unwrap().contains("v1"));
}

#[tokio::test]
async fn a_negative_or_garbled_cursor_is_a_400() {
    let server = server().await;
    for uri in ["/api/v1/sync/pull?since=-1", "/api/v1/sync/pull?since=abc"] {
        let (status, body) = server.get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(body["error"], "malformed_query");
    }
}

#[tokio::test]
async fn data_survives_a_restart_of_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let account = NewAccount {
        username: "anna".into(),
        display_name: "Anna".into(),
        role: Role::Volunteer,
        password: crate::support::PASSWORD.into(),
    };
    let author = Author::Staff(Actor::from(
        &store.create_account(&account, "hash", false).await.unwrap(),
    ));
    let body = PushRequest {
        device_id: Uuid::from_u128(42),
        mutations: vec![create(1, 101, fields("Anna"))],
    };
    store.push(&body, &author).await.unwrap();
    drop(store);
    let reopened = Store::open(dir.path()).await.unwrap();
    assert_eq!(reopened.help_request_count().await.unwrap(), 1);
    assert_eq!(
        reopened.push(&body, &author).await.unwrap()[0].outcome,
        Outcome::Applied,
        "the replay is remembered"
    );
}

#[tokio::test]
async fn healthz_reports_ok_and_the_version() {
    let server = server().await;
    let (status, body) = server
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

/// A change logged under a kind that has no reader rule, as a new record type would be if its rule were
/// forgotten (residents' health notes, say): the pull sends it to nobody, and does not fail on it.
#[tokio::test]
async fn a_change_of_a_kind_no_reader_rule_names_reaches_nobody() {
    let app = TestApp::new().await;
    let people = [
        ("wolontariusz", Role::Volunteer),
        ("organizator", Role::Organiser),
        ("koordynator", Role::Coordinator),
    ];
    for (username, role) in people {
        app.add_account(username, role).await;
    }
    let file = app.data_dir.join(server::storage::DATABASE_FILE);
    let database = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO change_log (entity, entity_key, data) \
         VALUES ('health_note', 'anna', '{\"text\":\"Cukrzyca, insulina rano\"}')",
    )
    .execute(&database)
    .await
    .unwrap();
    for (username, _) in people {
        let mut reader = app.signed_in(username).await;
        let answer = app
            .call(
                &mut reader,
                Method::GET,
                "/api/v1/sync/pull?since=0&limit=1000",
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{username}: {}", answer.text);
        assert!(!answer.text.contains("Cukrzyca"), "{username}");
        assert!(answer.json["changes"].as_array().unwrap().len() > 1);
    }
}
