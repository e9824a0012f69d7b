//! Hostile input: what a broken or malicious client can send to the push, the pull, the photo upload and
//! the report period. The push bodies are the v1 traffic of `fixtures/v1`, damaged: a node replaced by any
//! JSON, a key removed, the text cut off, or bytes that are no JSON at all. Whatever it is, the server answers: a client's mistake with 4xx and the API's error
//! body, never a panic and never a 500. The property tests are seeded, so every run tries the same cases
//! and a failure replays exactly.

use std::cell::RefCell;

use crate::support::{declaring_size, Answer, Browser, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use domain::account::Role;
use domain::help_request::HelpRequestFields;
use domain::photo::{sha256_hex, PeopleVisible, PhotoFile, PhotoSubject};
use domain::sync::protocol::{AttachPhoto, CreateHelpRequest, Mutation};
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{json, Value};
use tokio::runtime::Runtime;
use tower::ServiceExt;
use uuid::Uuid;

/// Few enough cases that each property runs in seconds; the seed is fixed, so they are the same cases
/// every time.
fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// A server with a coordinator (who may call every endpoint) signed in.
struct Target {
    runtime: Runtime,
    app: TestApp,
    /// Proptest takes a `Fn`; the browser keeps the cookies the server sets.
    coordinator: RefCell<Browser>,
}

impl Target {
    fn new() -> Self {
        // Proptest's runner is synchronous: each case drives the in-process server to completion.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (app, coordinator) = runtime.block_on(async {
            let app = TestApp::new().await;
            app.add_account("koordynator", Role::Coordinator).await;
            let coordinator = app.signed_in("koordynator").await;
            (app, coordinator)
        });
        Self {
            runtime,
            app,
            coordinator: RefCell::new(coordinator),
        }
    }

    fn get(&self, uri: &str) -> Answer {
        let mut coordinator = self.coordinator.borrow_mut();
        self.runtime
            .block_on(self.app.call(&mut coordinator, Method::GET, uri, None))
    }

    /// `body` as it is, with the coordinator's session and CSRF token.
    fn send(&self, method: Method, uri: &str, content_type: Option<&str>, body: Vec<u8>) -> Answer {
        let coordinator = self.coordinator.borrow();
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, coordinator.cookie_header())
            .header("x-csrf-token", coordinator.csrf().unwrap());
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        self.runtime
            .block_on(self.app.send(request.body(Body::from(body)).unwrap()))
    }

    fn push(&self, content_type: Option<&str>, body: Vec<u8>) -> Answer {
        self.send(Method::POST, "/api/v1/sync/push", content_type, body)
    }

    fn push_applied(&self, mutation: Mutation) {
        let push = json!({
            "device_id": Uuid::now_v7(),
            "mutations": [mutation.into_envelope(Uuid::now_v7(), Utc::now())],
        });
        let answer = self.push(Some("application/json"), push.to_string().into_bytes());
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert_eq!(
            answer.json["results"][0]["outcome"], "applied",
            "{}",
            answer.text
        );
    }
}

fn help_request(id: Uuid) -> Mutation {
    Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: id,
        fields: HelpRequestFields {
            resident_name: "Irena Kowalska".into(),
            district: "okolna".into(),
            category: "shopping".into(),
            description: "Zakupy".into(),
            ..Default::default()
        },
    })
}

/// The client's mistake answered as one (4xx with the API's error body), or a success.
fn answered(answer: &Answer, what: &str) -> Result<(), TestCaseError> {
    if answer.status.is_success() {
        return Ok(());
    }
    prop_assert!(
        answer.status.is_client_error(),
        "{what}: {} {}",
        answer.status,
        answer.text
    );
    prop_assert!(
        answer.json["error"].is_string() && answer.json["message"].is_string(),
        "{what}: not the API's error body: {}",
        answer.text
    );
    Ok(())
}

/// Every byte but letters, digits and `-_.` percent-encoded, so any text travels in a query string.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Any day chrono knows, with the calendar's ends and the years around the report bounds often.
fn any_day() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::MIN.num_days_from_ce();
    let last = NaiveDate::MAX.num_days_from_ce();
    let around = |year: i32| {
        (0_u64..1500).prop_map(move |days| {
            NaiveDate::from_ymd_opt(year, 1, 1).unwrap() + Days::new(days) - Days::new(750)
        })
    };
    prop_oneof![
        1 => (first..=last).prop_map(|day| NaiveDate::from_num_days_from_ce_opt(day).unwrap()),
        2 => (0_u64..1000).prop_map(|days| NaiveDate::MAX - Days::new(days)),
        2 => (0_u64..1000).prop_map(|days| NaiveDate::MIN + Days::new(days)),
        1 => around(1900),
        1 => around(2026),
        1 => around(10_000),
    ]
}

/// What a query parameter's value may be: a day in any form chrono writes, something date-like, or
/// anything at all.
fn date_text(day: impl Strategy<Value = NaiveDate>) -> impl Strategy<Value = String> {
    prop_oneof![
        8 => day.prop_map(|d| d.to_string()),
        1 => "[-+]?[0-9]{1,12}-[0-9]{1,3}-[0-9]{1,3}",
        1 => any::<String>(),
    ]
}

#[test]
fn any_report_period_is_answered_without_a_panic_or_a_server_error() {
    let target = Target::new();
    // The end mostly a little after the start: a short period at the calendar's end is what passes the
    // length check and then overflowed.
    let period = (any_day(), 0_u64..2000).prop_flat_map(|(from, days)| {
        let to = from
            .checked_add_days(Days::new(days))
            .unwrap_or(NaiveDate::MAX);
        (
            date_text(Just(from)),
            date_text(prop_oneof![3 => Just(to), 1 => any_day()]),
        )
    });
    let query = (
        period,
        proptest::option::of(prop_oneof![Just("true".to_owned()), any::<String>()]),
        prop::sample::select(vec![
            "reports/dashboard",
            "exports/requests.csv",
            "exports/residents.csv",
            "exports/statistics.xlsx",
            "exports/evidence_pack.zip",
        ]),
    );
    runner(96)
        .run(&query, |((from, to), unapproved, endpoint)| {
            let mut uri = format!(
                "/api/v1/{endpoint}?from={}&to={}",
                encoded(&from),
                encoded(&to)
            );
            if let Some(unapproved) = unapproved {
                uri.push_str(&format!("&include_unapproved={}", encoded(&unapproved)));
            }
            answered(&target.get(&uri), &uri)
        })
        .unwrap();
}

#[test]
fn a_period_at_the_ends_of_the_calendar_is_refused_with_a_reason() {
    let target = Target::new();
    for query in [
        // Inside chrono's range and shorter than five years, but with no month after it.
        format!(
            "from={}&to={}",
            NaiveDate::MAX - Days::new(40),
            NaiveDate::MAX
        ),
        format!(
            "from={}&to={}",
            NaiveDate::MIN,
            NaiveDate::MIN + Days::new(40)
        ),
        "from=999999999-01-01&to=999999999-12-31".to_owned(),
        "from=1899-12-01&to=1900-01-31".to_owned(),
        "from=9999-12-01&to=+10000-01-31".to_owned(),
    ] {
        for endpoint in ["reports/dashboard", "exports/requests.csv"] {
            let answer = target.get(&format!("/api/v1/{endpoint}?{}", query.replace('+', "%2B")));
            assert_eq!(
                answer.status,
                StatusCode::BAD_REQUEST,
                "{query}: {}",
                answer.text
            );
            assert_eq!(answer.json["error"], "invalid_period", "{query}");
        }
    }
    let answer = target.get("/api/v1/reports/dashboard?from=9995-01-01&to=9999-12-31");
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "the last years are fine: {}",
        answer.text
    );
}

#[test]
fn records_dated_at_the_ends_of_the_calendar_leave_every_report_working() {
    let target = Target::new();
    for (n, at) in [DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC]
        .into_iter()
        .enumerate()
    {
        let mutation = help_request(Uuid::from_u128(n as u128 + 1));
        let push = json!({
            "device_id": Uuid::now_v7(),
            "mutations": [mutation.into_envelope(Uuid::now_v7(), at)],
        });
        let answer = target.push(Some("application/json"), push.to_string().into_bytes());
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    for uri in [
        "/api/v1/sync/pull?since=0",
        "/api/v1/reports/dashboard?from=2026-01-01&to=2026-12-31",
        "/api/v1/exports/requests.xlsx?from=2026-01-01&to=2026-12-31&include_unapproved=true",
    ] {
        let answer = target.get(uri);
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text);
    }
}

#[tokio::test]
async fn a_panicking_handler_answers_500_with_the_api_error_body_and_the_server_goes_on() {
    async fn bug() -> &'static str {
        panic!("index out of bounds in a secret place")
    }
    let router = server::api::answer_panics(
        Router::new()
            .route("/bug", get(bug))
            .route("/fine", get(|| async { "fine" })),
    );
    let answer = router
        .clone()
        .oneshot(Request::get("/bug").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = answer.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"], "internal_error");
    assert!(body["message"].is_string());
    assert!(
        !body.to_string().contains("secret"),
        "the panic stays in the log: {body}"
    );
    let answer = router
        .oneshot(Request::get("/fine").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
}

/// The push bodies devices send (`fixtures/v1`), their placeholders filled with fresh ids.
fn v1_pushes() -> Vec<Value> {
    [
        include_str!("fixtures/v1/push_1_volunteer_phone.json"),
        include_str!("fixtures/v1/push_2_kiosk.json"),
        include_str!("fixtures/v1/push_3_organiser_laptop.json"),
        include_str!("fixtures/v1/push_4_volunteer_phone.json"),
        include_str!("fixtures/v1/push_5_organiser_laptop.json"),
        include_str!("fixtures/v1/push_6_volunteer_phone.json"),
        include_str!("fixtures/v1/push_7_organiser_laptop.json"),
    ]
    .into_iter()
    .map(|text| {
        let text = text
            .replace("{{event_id}}", &Uuid::from_u128(7).to_string())
            .replace("{{volunteer_id}}", &Uuid::from_u128(8).to_string());
        serde_json::from_str(&text).unwrap()
    })
    .collect()
}

/// Any JSON, with the values that break parsers and storage often: huge numbers and texts, dates at the
/// ends of the calendar, ids of nothing.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("JSON has no NaN", |f| {
            serde_json::Number::from_f64(f).map(Value::Number)
        }),
        any::<String>().prop_map(Value::from),
        Just(Value::from("")),
        Just(Value::from(Uuid::nil().to_string())),
        Just(Value::from(Uuid::max().to_string())),
        Just(Value::from("+262142-12-31T23:59:59Z")),
        Just(Value::from("-262143-01-01T00:00:00Z")),
        Just(Value::from("2026-02-30")),
        Just(Value::from("ż".repeat(70_000))),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,14}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// The JSON Pointer of every node of `value`, the root first.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                pointers(item, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[derive(Debug, Clone)]
enum Damage {
    Replace(prop::sample::Index, Value),
    Remove(prop::sample::Index),
    CutAt(prop::sample::Index),
}

fn damaged(body: &Value, damage: &[Damage]) -> Vec<u8> {
    let mut body = body.clone();
    let mut text = None;
    for damage in damage {
        let mut nodes = Vec::new();
        pointers(&body, String::new(), &mut nodes);
        match damage {
            Damage::Replace(at, value) => {
                *body.pointer_mut(at.get(&nodes).as_str()).unwrap() = value.clone();
            }
            Damage::Remove(at) => {
                let pointer = at.get(&nodes).as_str();
                if let Some((parent, key)) = pointer.rsplit_once('/') {
                    match body.pointer_mut(parent).unwrap() {
                        Value::Object(map) => {
                            map.remove(&key.replace("~1", "/").replace("~0", "~"));
                        }
                        Value::Array(items) => {
                            items.remove(key.parse().unwrap());
                        }
                        _ => unreachable!("a pointer's parent holds it"),
                    }
                }
            }
            Damage::CutAt(at) => {
                let whole = body.to_string().into_bytes();
                text = Some(whole[..at.index(whole.len())].to_vec());
            }
        }
    }
    text.unwrap_or_else(|| body.to_string().into_bytes())
}

#[test]
fn any_push_body_is_answered_without_a_panic_or_a_server_error() {
    let target = Target::new();
    let pushes = v1_pushes();
    let damage = prop_oneof![
        6 => (any::<prop::sample::Index>(), any_json()).prop_map(|(at, v)| Damage::Replace(at, v)),
        2 => any::<prop::sample::Index>().prop_map(Damage::Remove),
        1 => any::<prop::sample::Index>().prop_map(Damage::CutAt),
    ];
    let body = prop_oneof![
        9 => (0..pushes.len(), prop::collection::vec(damage, 1..4))
            .prop_map(move |(n, damage)| damaged(&pushes[n], &damage)),
        1 => any::<Vec<u8>>(),
    ];
    let content_type = prop_oneof![
        8 => Just(Some("application/json")),
        1 => Just(None),
        1 => Just(Some("text/plain")),
    ];
    runner(160)
        .run(&(body, content_type), |(body, content_type)| {
            let what = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
            answered(&target.push(content_type, body), &what)
        })
        .unwrap();
    // And the server goes on taking what devices send.
    for push in v1_pushes() {
        let answer = target.push(Some("application/json"), push.to_string().into_bytes());
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
}

#[test]
fn any_pull_query_is_answered_without_a_panic_or_a_server_error() {
    let target = Target::new();
    target.push_applied(help_request(Uuid::now_v7()));
    let number = prop_oneof![
        3 => any::<i64>().prop_map(|n| n.to_string()),
        1 => "[-+]?[0-9]{15,30}",
        1 => any::<String>(),
    ];
    let query = (
        proptest::option::of(number.clone()),
        proptest::option::of(number),
        proptest::option::of(("[a-z_]{1,8}", any::<String>())),
    );
    runner(128)
        .run(&query, |(since, limit, other)| {
            let mut parts = Vec::new();
            if let Some(since) = since {
                parts.push(format!("since={}", encoded(&since)));
            }
            if let Some(limit) = limit {
                parts.push(format!("limit={}", encoded(&limit)));
            }
            if let Some((name, value)) = other {
                parts.push(format!("{name}={}", encoded(&value)));
            }
            let uri = format!("/api/v1/sync/pull?{}", parts.join("&"));
            answered(&target.get(&uri), &uri)
        })
        .unwrap();
}

#[test]
fn any_photo_upload_is_answered_without_a_panic_or_a_server_error() {
    let target = Target::new();
    let request = Uuid::now_v7();
    target.push_applied(help_request(request));
    let photo = include_bytes!("fixtures/v1/photo_request.jpg").to_vec();
    let length = photo.len();
    // A real photo with bytes flipped, cut off, or with its declared size changed; or any bytes.
    let bytes = prop_oneof![
        4 => prop::collection::vec((0..length, any::<u8>()), 1..8).prop_map({
            let photo = photo.clone();
            move |flips| {
                let mut bytes = photo.clone();
                for (at, value) in flips {
                    bytes[at] = value;
                }
                bytes
            }
        }),
        2 => (1..length).prop_map({
            let photo = photo.clone();
            move |end| photo[..end].to_vec()
        }),
        2 => (any::<u16>(), any::<u16>()).prop_map({
            let photo = photo.clone();
            move |(width, height)| declaring_size(&photo, width, height)
        }),
        1 => prop::collection::vec(any::<u8>(), 1..4096),
    ];
    runner(96)
        .run(&bytes, |bytes| {
            let id = Uuid::now_v7();
            target.push_applied(Mutation::AttachPhoto(AttachPhoto {
                photo_id: id,
                subject: PhotoSubject::HelpRequest(request),
                caption: "Zakupy dostarczone".into(),
                people: PeopleVisible::NoIdentifiablePeople,
                file: PhotoFile {
                    sha256: sha256_hex(&bytes),
                    bytes: bytes.len() as u64,
                    width: 1600,
                    height: 1200,
                },
            }));
            let uri = format!("/api/v1/photos/{id}/original");
            let answer = target.send(Method::PUT, &uri, Some("image/jpeg"), bytes);
            answered(&answer, &uri)
        })
        .unwrap();
}

#[test]
fn an_event_beyond_the_calendar_the_app_counts_in_is_refused_and_one_at_its_end_takes_a_tablet() {
    let target = Target::new();
    let create = |starts: DateTime<Utc>| {
        let mut coordinator = target.coordinator.borrow_mut();
        target.runtime.block_on(target.app.call(
            &mut coordinator,
            Method::POST,
            "/api/v1/events",
            Some(json!({
                "title": "Sylwester",
                "starts_at": starts,
                "ends_at": starts + chrono::Duration::hours(2),
                "location": "brzozowa_7",
                "plan_goals": ["goal_3"],
            })),
        ))
    };
    // Before the fix the first of these was stored, and enrolling a tablet for it panicked.
    for starts in [
        DateTime::<Utc>::MAX_UTC - chrono::Duration::hours(3),
        DateTime::<Utc>::MIN_UTC,
        "+20266-06-01T10:00:00Z".parse().unwrap(),
    ] {
        let answer = create(starts);
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{starts}: {}",
            answer.text
        );
        assert!(
            answer.json["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["problem"] == "outside_years"),
            "{}",
            answer.text
        );
    }
    let answer = create("9999-12-31T20:00:00Z".parse().unwrap());
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let event: Uuid = answer.json["id"].as_str().unwrap().parse().unwrap();
    let mut coordinator = target.coordinator.borrow().clone();
    let (mut tablet, _) = target
        .runtime
        .block_on(target.app.kiosk(&mut coordinator, event));
    let roster = target.runtime.block_on(target.app.call(
        &mut tablet,
        Method::GET,
        "/api/v1/kiosk/event",
        None,
    ));
    assert_eq!(roster.status, StatusCode::OK, "{}", roster.text);
    assert_eq!(target.get("/api/v1/events").status, StatusCode::OK);
}
