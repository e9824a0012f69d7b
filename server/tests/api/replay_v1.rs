//! Traffic of API v1 as devices built today send it, replayed against the server: the push bodies are
//! written out as JSON text in `fixtures/v1` (never built from the domain types), so renaming a mutation,
//! a field or a choice in the domain fails here instead of on devices in the field. The pull is read as
//! plain JSON too, for the fields today's devices decode.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use domain::account::Role;
use domain::sync::protocol::{Mutation, RecordKind};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{Browser, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sender {
    /// The volunteer's phone.
    Volunteer,
    /// The tablet enrolled for the event.
    Kiosk,
    /// The organiser's laptop.
    Organiser,
}

/// The pushes in the order the devices sent them; the photos' bytes follow the first.
const PUSHES: [(Sender, &str); 7] = [
    (
        Sender::Volunteer,
        include_str!("fixtures/v1/push_1_volunteer_phone.json"),
    ),
    (Sender::Kiosk, include_str!("fixtures/v1/push_2_kiosk.json")),
    (
        Sender::Organiser,
        include_str!("fixtures/v1/push_3_organiser_laptop.json"),
    ),
    (
        Sender::Volunteer,
        include_str!("fixtures/v1/push_4_volunteer_phone.json"),
    ),
    (
        Sender::Organiser,
        include_str!("fixtures/v1/push_5_organiser_laptop.json"),
    ),
    (
        Sender::Volunteer,
        include_str!("fixtures/v1/push_6_volunteer_phone.json"),
    ),
    (
        Sender::Organiser,
        include_str!("fixtures/v1/push_7_organiser_laptop.json"),
    ),
];

/// The photos the first push attaches, with the bytes the phone uploads for each.
const PHOTOS: [(&str, &[u8]); 2] = [
    (
        "01959451-b852-7518-beae-7c18667b6987",
        include_bytes!("fixtures/v1/photo_request.jpg"),
    ),
    (
        "01959454-3e9c-7ec7-8bbb-742c7524cecd",
        include_bytes!("fixtures/v1/photo_event.jpg"),
    ),
];

/// What the pull holds of each kind after the traffic, as today's devices decode it.
const EXPECTED_PULL: &str = include_str!("fixtures/v1/pull_expected.json");

/// The server's world for the traffic: the people and the event the fixtures name by placeholder.
struct World {
    app: TestApp,
    volunteer: Browser,
    kiosk: Browser,
    organiser: Browser,
    /// What the fixtures' placeholders stand for.
    placeholders: Vec<(&'static str, String)>,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let volunteer_id = app.add_account("anna", Role::Volunteer).await.id;
    let organiser_id = app.add_account("organizator", Role::Organiser).await.id;
    let volunteer = app.signed_in("anna").await;
    let mut organiser = app.signed_in("organizator").await;
    // Events are made online; the devices learn their ids from the pull.
    let event = app
        .call(
            &mut organiser,
            Method::POST,
            "/api/v1/events",
            Some(json!({
                "title": "Klub seniora",
                "starts_at": "2025-03-14T10:00:00Z",
                "ends_at": "2025-03-14T12:00:00Z",
                "location": "brzozowa_7",
                "plan_goals": ["goal_6"],
            })),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.json);
    let event_id: Uuid = event.json["id"].as_str().unwrap().parse().unwrap();
    let (kiosk, _) = app.kiosk(&mut organiser, event_id).await;
    World {
        app,
        volunteer,
        kiosk,
        organiser,
        placeholders: vec![
            ("{{event_id}}", event_id.to_string()),
            ("{{volunteer_id}}", volunteer_id.to_string()),
            ("{{organiser_id}}", organiser_id.to_string()),
        ],
    }
}

impl World {
    fn fill(&self, fixture: &str) -> Value {
        let mut text = fixture.to_owned();
        for (placeholder, value) in &self.placeholders {
            text = text.replace(placeholder, value);
        }
        serde_json::from_str(&text).unwrap()
    }

    /// Sends every push of the traffic, the photos' bytes after the first; the answer to each push.
    async fn replay(&mut self) -> Vec<Value> {
        let mut answers = Vec::new();
        for (n, (sender, fixture)) in PUSHES.into_iter().enumerate() {
            let body = self.fill(fixture);
            let applied = all_applied(&body);
            let browser = match sender {
                Sender::Volunteer => &mut self.volunteer,
                Sender::Kiosk => &mut self.kiosk,
                Sender::Organiser => &mut self.organiser,
            };
            let answer = self
                .app
                .call(browser, Method::POST, "/api/v1/sync/push", Some(body))
                .await;
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "push {}: {}",
                n + 1,
                answer.json
            );
            // Printed as JSON: a rejection's reason says which field or name the server no longer reads.
            assert!(answer.json == applied, "push {}: {}", n + 1, answer.json);
            answers.push(answer.json);
            if n == 0 {
                for (id, bytes) in PHOTOS {
                    let uploaded = self
                        .app
                        .put_bytes(
                            &mut self.volunteer,
                            &format!("/api/v1/photos/{id}/original"),
                            "image/jpeg",
                            bytes.to_vec(),
                        )
                        .await;
                    assert!(uploaded.status.is_success(), "{}", uploaded.json);
                }
            }
        }
        answers
    }

    /// Everything an organiser's device pulls from the start, page by page (several, as on a device's
    /// first sync), as JSON.
    async fn pull(&mut self) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut since = 0;
        loop {
            let uri = format!("/api/v1/sync/pull?since={since}&limit=20");
            let answer = self
                .app
                .call(&mut self.organiser, Method::GET, &uri, None)
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
            since = answer.json["next_cursor"].as_i64().unwrap();
            let more = answer.json["has_more"] == json!(true);
            pages.push(answer.json);
            if !more {
                return pages;
            }
        }
    }
}

/// How many records of each entity the traffic leaves in the pull: the dictionaries and consent texts the
/// migrations seed, and what the traffic made (residents include the two the server adds: for a request
/// without a picked resident and for the kiosk's newcomer).
const PULLED: [(&str, usize); 8] = [
    ("dictionary_entry", 30),
    ("consent_text", 3),
    ("event", 1),
    ("resident", 4),
    ("help_request", 4),
    ("attendance_list", 1),
    ("photo", 2),
    ("meeting_note", 1),
];

/// The mutation kinds the server knows, as its refusal of an unknown kind lists them.
fn kinds_the_server_knows() -> BTreeSet<String> {
    let unknown =
        serde_json::from_value::<Mutation>(json!({"kind": "no.such_kind", "payload": {}}))
            .unwrap_err()
            .to_string();
    let (_, known) = unknown
        .split_once("expected one of ")
        .unwrap_or_else(|| panic!("{unknown}"));
    known
        .split(", ")
        .map(|kind| kind.trim_matches('`').to_owned())
        .collect()
}

/// The answer a push gets when every mutation in it is applied.
fn all_applied(push: &Value) -> Value {
    let results: Vec<Value> = push["mutations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| json!({"mutation_id": m["id"], "outcome": "applied"}))
        .collect();
    json!({ "results": results })
}

/// How the pull names a record of `entity`: by id, an attendance list by its event, a consent text by
/// its kind, a dictionary entry by kind and code.
fn key(entity: &str, data: &Value) -> String {
    let field = |name: &str| {
        data[name]
            .as_str()
            .unwrap_or_else(|| panic!("{entity} without {name}: {data}"))
            .to_owned()
    };
    match entity {
        "dictionary_entry" => format!("{}:{}", field("kind"), field("code")),
        "consent_text" => field("kind"),
        "attendance_list" => field("event_id"),
        _ => field("id"),
    }
}

/// Where `actual` lacks what `expected` says, as a path; `None` when it has it all. An object may carry
/// more fields than expected (v1 adds fields, never removes or renames them); arrays match element by
/// element; `"{{any}}"` stands for any value but null.
fn mismatch(actual: &Value, expected: &Value, path: &str) -> Option<String> {
    match (expected, actual) {
        (Value::String(any), actual) if any == "{{any}}" => {
            actual.is_null().then(|| format!("{path}: null"))
        }
        (Value::Object(expected), Value::Object(actual)) => {
            expected
                .iter()
                .find_map(|(name, value)| match actual.get(name) {
                    Some(found) => mismatch(found, value, &format!("{path}.{name}")),
                    None => Some(format!("{path}.{name}: missing")),
                })
        }
        (Value::Array(expected), Value::Array(actual)) if expected.len() == actual.len() => {
            expected
                .iter()
                .zip(actual)
                .enumerate()
                .find_map(|(n, (expected, actual))| {
                    mismatch(actual, expected, &format!("{path}[{n}]"))
                })
        }
        (expected, actual) if expected == actual => None,
        (expected, actual) => Some(format!("{path}: {actual}, not {expected}")),
    }
}

/// The pulled records by entity and key; each may appear once.
fn records(pages: &[Value]) -> BTreeMap<(String, String), Value> {
    let mut records = BTreeMap::new();
    for change in pages
        .iter()
        .flat_map(|page| page["changes"].as_array().unwrap())
    {
        let entity = change["entity"].as_str().unwrap().to_owned();
        let key = key(&entity, &change["data"]);
        let earlier = records.insert((entity, key.clone()), change["data"].clone());
        assert!(earlier.is_none(), "{key} pulled twice");
    }
    records
}

/// A kind added to the protocol needs its traffic here, written as its devices will send it; so does a
/// record kind added to the pull.
#[test]
fn the_traffic_covers_every_mutation_kind_and_the_pull_every_record_kind() {
    let sent: BTreeSet<String> = PUSHES
        .iter()
        .flat_map(|(_, fixture)| {
            let push: Value = serde_json::from_str(fixture).unwrap();
            push["mutations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["kind"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(sent, kinds_the_server_knows());
    let pulled: BTreeSet<&str> = PULLED.iter().map(|(entity, _)| *entity).collect();
    let kinds: BTreeSet<&str> = RecordKind::ALL.iter().map(|kind| kind.as_str()).collect();
    assert_eq!(pulled, kinds);
}

#[tokio::test]
async fn todays_device_traffic_is_applied_and_pulls_in_the_v1_shape() {
    let mut world = world().await;
    world.replay().await;
    let pages = world.pull().await;

    // The envelope of the pull, page by page, as the device's sync loop reads it.
    let mut last_cursor = 0;
    for page in &pages {
        let changes = page["changes"].as_array().expect("changes: an array");
        let next_cursor = page["next_cursor"].as_i64().expect("next_cursor: a number");
        assert!(
            page["has_more"].is_boolean(),
            "has_more: {}",
            page["has_more"]
        );
        for change in changes {
            let cursor = change["cursor"].as_i64().expect("cursor: a number");
            assert!(
                cursor > last_cursor,
                "cursors grow: {cursor} after {last_cursor}"
            );
            last_cursor = cursor;
            assert!(change["entity"].is_string(), "{change}");
            assert!(change["data"].is_object(), "{change}");
        }
        assert_eq!(next_cursor, last_cursor);
    }
    assert_eq!(pages.last().unwrap()["has_more"], json!(false));

    let records = records(&pages);
    for (entity, count) in PULLED {
        let pulled = records.keys().filter(|(e, _)| e == entity).count();
        assert_eq!(pulled, count, "{entity}");
    }
    assert_eq!(
        records.len(),
        PULLED.iter().map(|(_, count)| count).sum::<usize>(),
        "only the entities v1 knows: {:?}",
        records
            .keys()
            .map(|(entity, _)| entity)
            .collect::<BTreeSet<_>>()
    );

    let expected = world.fill(EXPECTED_PULL);
    let mut failures = Vec::new();
    for (entity, wanted) in expected.as_object().unwrap() {
        for wanted in wanted.as_array().unwrap() {
            let key = key(entity, wanted);
            match records.get(&(entity.clone(), key.clone())) {
                Some(pulled) => {
                    failures.extend(mismatch(pulled, wanted, &format!("{entity} {key}")))
                }
                None => failures.push(format!("{entity} {key}: not pulled")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A device that lost the answers sends its outbox again: the same answers, and every record once with
/// the same content.
#[tokio::test]
async fn the_same_traffic_again_gets_the_same_answers_and_duplicates_nothing() {
    let mut world = world().await;
    let first = world.replay().await;
    let before = records(&world.pull().await);
    let again = world.replay().await;
    assert_eq!(again, first);
    assert_eq!(records(&world.pull().await), before);
}
