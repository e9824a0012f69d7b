//! Who may call what: the authorization matrix over every endpoint and principal, sessions, CSRF,
//! sign-in throttling and kiosk confinement, over HTTP against a real SQLite file.

mod support;

use std::collections::BTreeSet;
use std::net::SocketAddr;

use axum::http::{header, Method, StatusCode};
use domain::account::Role;
use serde_json::{json, Value};
use support::{Answer, Browser, TestApp, PASSWORD};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Anything but 401/403 (a 404 or 409 for a dummy body still means the caller got through).
    Allow,
    /// 401 `unauthenticated` or 403 `forbidden`.
    Deny,
}
use Expect::{Allow, Deny};

/// The principals, in the order of each row's expectations.
const PRINCIPALS: [&str; 5] = [
    "anonymous",
    "kiosk",
    "volunteer",
    "organiser",
    "coordinator",
];

struct Row {
    method: Method,
    path: &'static str,
    expect: [Expect; 5],
}

fn row(method: Method, path: &'static str, expect: [Expect; 5]) -> Row {
    Row {
        method,
        path,
        expect,
    }
}

/// Every API endpoint and who may call it. A new endpoint without a row here fails
/// `every_endpoint_has_a_row_in_the_matrix`.
fn matrix() -> Vec<Row> {
    const EVERYONE: [Expect; 5] = [Allow; 5];
    const SIGNED_IN: [Expect; 5] = [Deny, Allow, Allow, Allow, Allow];
    const PEOPLE: [Expect; 5] = [Deny, Deny, Allow, Allow, Allow];
    const ORGANISERS: [Expect; 5] = [Deny, Deny, Deny, Allow, Allow];
    const COORDINATORS: [Expect; 5] = [Deny, Deny, Deny, Deny, Allow];
    const KIOSK: [Expect; 5] = [Deny, Allow, Deny, Deny, Deny];
    // The kiosk pushes its signatures; the storage layer refuses it every other mutation (tested below).
    const PEOPLE_AND_KIOSK: [Expect; 5] = SIGNED_IN;
    vec![
        row(Method::GET, "/api/v1/setup", EVERYONE),
        row(Method::POST, "/api/v1/setup", EVERYONE),
        row(Method::GET, "/api/v1/session", SIGNED_IN),
        row(Method::POST, "/api/v1/session", EVERYONE),
        row(Method::DELETE, "/api/v1/session", SIGNED_IN),
        row(Method::POST, "/api/v1/session/sign-out-everywhere", PEOPLE),
        row(Method::POST, "/api/v1/account/password", PEOPLE),
        row(Method::POST, "/api/v1/sync/push", PEOPLE_AND_KIOSK),
        row(Method::GET, "/api/v1/sync/pull", PEOPLE),
        row(Method::GET, "/api/v1/volunteers", ORGANISERS),
        row(Method::GET, "/api/v1/users", COORDINATORS),
        row(Method::POST, "/api/v1/users", COORDINATORS),
        row(Method::PATCH, "/api/v1/users/{id}", COORDINATORS),
        row(Method::POST, "/api/v1/users/{id}/password", COORDINATORS),
        row(Method::GET, "/api/v1/events", PEOPLE),
        row(Method::POST, "/api/v1/events", ORGANISERS),
        row(Method::PUT, "/api/v1/events/{id}", ORGANISERS),
        row(
            Method::GET,
            "/api/v1/events/{id}/attendance.csv",
            ORGANISERS,
        ),
        row(Method::PUT, "/api/v1/consent-texts/image", COORDINATORS),
        row(Method::PUT, "/api/v1/photos/{id}/original", PEOPLE),
        row(Method::GET, "/api/v1/photos/{id}/original", ORGANISERS),
        row(Method::GET, "/api/v1/photos/{id}/thumbnail", PEOPLE),
        row(Method::GET, "/api/v1/enrolments", ORGANISERS),
        row(Method::POST, "/api/v1/enrolments", ORGANISERS),
        row(Method::DELETE, "/api/v1/enrolments/{id}", ORGANISERS),
        row(Method::POST, "/api/v1/kiosk/claim", EVERYONE),
        row(Method::GET, "/api/v1/kiosk/event", KIOSK),
        row(Method::GET, "/api/v1/audit", COORDINATORS),
        row(Method::GET, "/api/v1/reports/dashboard", ORGANISERS),
        row(Method::GET, "/api/v1/exports/{file}", ORGANISERS),
        row(Method::POST, "/api/v1/dictionary/{kind}", COORDINATORS),
        row(
            Method::PUT,
            "/api/v1/dictionary/{kind}/{code}",
            COORDINATORS,
        ),
        row(Method::GET, "/api/v1/retention", COORDINATORS),
        row(Method::PUT, "/api/v1/retention", COORDINATORS),
        row(Method::POST, "/api/v1/retention/apply", COORDINATORS),
    ]
}

/// Page routes render a data-free shell (the data comes from the API above, checked there), so anyone
/// may load them; they are listed so that a new page is a conscious decision too.
const SHELL_PAGES: [&str; 21] = [
    "/",
    "/requests/new",
    "/request",
    "/request/edit",
    "/review",
    "/my",
    "/residents",
    "/events",
    "/events/new",
    "/event",
    "/event/edit",
    "/event/attendance",
    "/login",
    "/setup",
    "/account",
    "/admin/users",
    "/admin/audit",
    "/devices",
    "/kiosk",
    "/reports",
    "/admin/settings",
];

#[test]
fn every_endpoint_has_a_row_in_the_matrix() {
    let served: BTreeSet<(String, &str)> = server::api::endpoint_list()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path))
        .collect();
    let listed: BTreeSet<(String, &str)> = matrix()
        .into_iter()
        .map(|row| (row.method.to_string(), row.path))
        .collect();
    assert_eq!(
        served.difference(&listed).collect::<Vec<_>>(),
        Vec::<&(String, &str)>::new(),
        "endpoints without a row in the authorization matrix"
    );
    assert_eq!(
        listed.difference(&served).collect::<Vec<_>>(),
        Vec::<&(String, &str)>::new(),
        "rows for endpoints that do not exist"
    );
}

#[tokio::test]
async fn every_page_is_a_known_data_free_shell() {
    let pages: BTreeSet<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|route| route.path().to_owned())
        .collect();
    let listed: BTreeSet<String> = SHELL_PAGES.iter().map(|p| p.to_string()).collect();
    assert_eq!(pages, listed);
}

/// One fresh server per row, with a browser for each principal plus a `subject` account that
/// coordinators act on, so one call's effects (signing out, revoking) never leak into another's.
struct Cast {
    app: TestApp,
    browsers: Vec<Browser>,
    subject: Uuid,
    spare_enrolment: Uuid,
    event: Uuid,
}

async fn cast() -> Cast {
    let app = TestApp::new().await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    app.add_account("organizator", Role::Organiser).await;
    app.add_account("koordynator", Role::Coordinator).await;
    let subject = app.add_account("podmiot", Role::Volunteer).await.id;
    let mut organiser = app.signed_in("organizator").await;
    let event = app.create_event(&mut organiser, "Klub seniora").await;
    let (kiosk, _) = app.kiosk(&mut organiser, event).await;
    let (_, spare_enrolment) = app.kiosk(&mut organiser, event).await;
    let browsers = vec![
        app.visitor().await,
        kiosk,
        app.signed_in("wolontariusz").await,
        organiser,
        app.signed_in("koordynator").await,
    ];
    Cast {
        app,
        browsers,
        subject,
        spare_enrolment,
        event,
    }
}

fn request_for(row: &Row, cast: &Cast) -> (String, Option<Value>) {
    let path = match row.path {
        "/api/v1/users/{id}" => format!("/api/v1/users/{}", cast.subject),
        "/api/v1/users/{id}/password" => format!("/api/v1/users/{}/password", cast.subject),
        "/api/v1/enrolments/{id}" => format!("/api/v1/enrolments/{}", cast.spare_enrolment),
        "/api/v1/events/{id}" => format!("/api/v1/events/{}", cast.event),
        "/api/v1/events/{id}/attendance.csv" => {
            format!("/api/v1/events/{}/attendance.csv", cast.event)
        }
        // No such photo: the caller gets past authorization to a 404.
        photo if photo.starts_with("/api/v1/photos/") => {
            photo.replace("{id}", &Uuid::nil().to_string())
        }
        "/api/v1/reports/dashboard" => format!("{}?from=2026-01-01&to=2026-12-31", row.path),
        "/api/v1/dictionary/{kind}/{code}" => "/api/v1/dictionary/district/okolna".into(),
        "/api/v1/dictionary/{kind}" => "/api/v1/dictionary/district".into(),
        "/api/v1/exports/{file}" => {
            "/api/v1/exports/requests.csv?from=2026-01-01&to=2026-12-31".into()
        }
        other => other.to_owned(),
    };
    let body = match (row.method.as_str(), row.path) {
        ("POST", "/api/v1/setup") => Some(
            json!({"username": "nowy", "display_name": "Nowy", "role": "coordinator", "password": PASSWORD}),
        ),
        ("POST", "/api/v1/session") => Some(json!({"username": "podmiot", "password": PASSWORD})),
        ("POST", "/api/v1/account/password") => {
            Some(json!({"current_password": PASSWORD, "new_password": "inne długie hasło"}))
        }
        ("POST", "/api/v1/sync/push") => Some(json!({"device_id": Uuid::nil(), "mutations": []})),
        ("POST", "/api/v1/users") => Some(
            json!({"username": "nowa", "display_name": "Nowa", "role": "volunteer", "password": PASSWORD}),
        ),
        ("PATCH", _) => Some(json!({"display_name": "Zmienione imię"})),
        ("POST", "/api/v1/users/{id}/password") => Some(json!({"password": "tymczasowe hasło 1"})),
        ("POST" | "PUT", "/api/v1/events" | "/api/v1/events/{id}") => Some(json!({
            "title": "Warsztaty", "starts_at": "2026-12-01T10:00:00Z", "ends_at": "2026-12-01T12:00:00Z",
            "location": "sosnowa_1c", "plan_goals": ["goal_3"]
        })),
        ("PUT", "/api/v1/consent-texts/image") => {
            Some(json!({"text_pl": "Zgadzam się na zdjęcia.", "text_en": "I agree to photos."}))
        }
        ("POST", "/api/v1/enrolments") => Some(json!({"event_id": cast.event})),
        ("POST", "/api/v1/dictionary/{kind}") => {
            Some(json!({"label_pl": "Nowe osiedle", "label_en": "New estate", "active": true}))
        }
        ("PUT", "/api/v1/dictionary/{kind}/{code}") => {
            Some(json!({"label_pl": "Okólna", "label_en": "Okólna", "active": true}))
        }
        ("POST", "/api/v1/kiosk/claim") => Some(json!({"code": "ZZZZ-ZZZZ"})),
        ("PUT" | "POST", "/api/v1/retention" | "/api/v1/retention/apply") => {
            Some(json!({"years": 5}))
        }
        _ => None,
    };
    (path, body)
}

fn outcome(answer: &Answer) -> Expect {
    match answer.status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            assert!(
                ["unauthenticated", "forbidden"]
                    .contains(&answer.json["error"].as_str().unwrap_or("")),
                "a denial must be an authorization answer, not {}",
                answer.json
            );
            Deny
        }
        status => {
            assert!(
                status.as_u16() < 500,
                "server error {status}: {}",
                answer.json
            );
            Allow
        }
    }
}

#[tokio::test]
async fn the_authorization_matrix_holds_for_every_endpoint_and_principal() {
    let mut mismatches = Vec::new();
    for row in matrix() {
        let mut cast = cast().await;
        for (who, expected) in row.expect.iter().enumerate() {
            let (path, body) = request_for(&row, &cast);
            let mut browser = cast.browsers[who].clone();
            let answer = cast
                .app
                .call(&mut browser, row.method.clone(), &path, body)
                .await;
            let got = outcome(&answer);
            if got != *expected {
                mismatches.push(format!(
                    "{} {} as {}: expected {:?}, got {} {}",
                    row.method, row.path, PRINCIPALS[who], expected, answer.status, answer.json
                ));
            }
            cast.browsers[who] = browser;
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

fn from(ip: &str) -> Option<SocketAddr> {
    Some(format!("{ip}:40000").parse().unwrap())
}

async fn try_sign_in(
    app: &TestApp,
    browser: &mut Browser,
    username: &str,
    password: &str,
) -> Answer {
    app.call(
        browser,
        Method::POST,
        "/api/v1/session",
        Some(json!({"username": username, "password": password})),
    )
    .await
}

#[tokio::test]
async fn repeated_wrong_passwords_for_one_account_are_throttled_from_any_address() {
    let app = TestApp::new().await;
    app.add_account("anna", Role::Volunteer).await;
    let mut browser = app.visitor().await;
    browser.ip = from("192.0.2.1");
    for _ in 0..server::auth::ACCOUNT_BURST {
        let answer = try_sign_in(&app, &mut browser, "anna", "złe hasło 123").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.json["error"], "invalid_credentials");
    }
    let answer = try_sign_in(&app, &mut browser, "anna", PASSWORD).await;
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry: u64 = answer.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "Retry-After {retry}");

    let mut elsewhere = app.visitor().await;
    elsewhere.ip = from("198.51.100.7");
    let answer = try_sign_in(&app, &mut elsewhere, "Anna", PASSWORD).await;
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "per account, whatever the address"
    );
}

#[tokio::test]
async fn many_attempts_from_one_address_are_throttled_whatever_the_username() {
    let app = TestApp::new().await;
    app.add_account("anna", Role::Volunteer).await;
    let mut browser = app.visitor().await;
    browser.ip = from("192.0.2.9");
    for n in 0..server::auth::IP_BURST {
        let answer = try_sign_in(&app, &mut browser, &format!("osoba{n}"), "złe hasło 123").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let answer = try_sign_in(&app, &mut browser, "anna", PASSWORD).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(answer.headers.contains_key(header::RETRY_AFTER));

    let mut neighbour = app.visitor().await;
    neighbour.ip = from("192.0.2.10");
    assert_eq!(
        try_sign_in(&app, &mut neighbour, "anna", PASSWORD)
            .await
            .status,
        StatusCode::OK,
        "another address is not punished"
    );
}

#[tokio::test]
async fn a_write_without_the_right_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    app.add_account("anna", Role::Organiser).await;
    let browser = app.signed_in("anna").await;
    let push = json!({"device_id": Uuid::nil(), "mutations": [{
        "id": Uuid::now_v7(), "kind": "help_request.create", "recorded_at": "2026-11-22T10:00:00Z",
        "payload": {"help_request_id": Uuid::now_v7(), "resident_name": "Jan", "district": "jedwabnik",
                    "category": "shopping", "description": "Zakupy"}
    }]});
    for token in [None, Some("0".repeat(64)), Some(String::new())] {
        let mut request = axum::http::Request::post("/api/v1/sync/push")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, browser.cookie_header());
        if let Some(token) = &token {
            request = request.header("x-csrf-token", token);
        }
        let answer = app
            .send(
                request
                    .body(axum::body::Body::from(push.to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "token {token:?}");
        assert_eq!(answer.json["error"], "csrf_failed");
    }
    assert_eq!(app.store.help_request_count().await.unwrap(), 0);

    // The same request with the session's token goes through.
    let answer = app
        .call(
            &mut browser.clone(),
            Method::POST,
            "/api/v1/sync/push",
            Some(push),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(app.store.help_request_count().await.unwrap(), 1);
}

#[tokio::test]
async fn signing_in_needs_the_double_submitted_token_too() {
    let app = TestApp::new().await;
    app.add_account("anna", Role::Volunteer).await;
    // A cross-site form cannot read our cookie, so it cannot send the header.
    let mut forged = app.visitor().await;
    forged
        .cookies
        .insert("sasiedzi_csrf".into(), "ciasteczko".into());
    let request = axum::http::Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, forged.cookie_header())
        .body(axum::body::Body::from(
            json!({"username": "anna", "password": PASSWORD}).to_string(),
        ))
        .unwrap();
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.json["error"], "csrf_failed");
}

#[tokio::test]
async fn a_kiosk_sees_its_event_name_and_nothing_else() {
    let app = TestApp::new().await;
    app.add_account("organizator", Role::Organiser).await;
    let mut organiser = app.signed_in("organizator").await;
    let ours = app.create_event(&mut organiser, "Klub seniora").await;
    let other = app
        .create_event(&mut organiser, "Warsztaty dla rodzin")
        .await;
    let (mut kiosk, enrolment) = app.kiosk(&mut organiser, ours).await;

    let event = app
        .call(&mut kiosk, Method::GET, "/api/v1/kiosk/event", None)
        .await;
    assert_eq!(event.status, StatusCode::OK);
    assert_eq!(event.json["event"]["id"], json!(ours));
    assert_eq!(event.json["event"]["title"], "Klub seniora");
    assert_eq!(event.json["event"]["location"], "ul. Brzozowa 7");
    assert_eq!(event.json["image_consent"]["version"], 1);
    let pin = app
        .store
        .enrolment(enrolment)
        .await
        .unwrap()
        .unwrap()
        .exit_pin;
    assert_eq!(pin.len(), 6);
    assert_eq!(event.json["exit_pin"]["hash"].as_str().unwrap().len(), 64);
    assert!(
        !event.json.to_string().contains(&pin),
        "only the PIN's salted hash travels"
    );
    let session = app
        .call(&mut kiosk, Method::GET, "/api/v1/session", None)
        .await;
    assert_eq!(session.json["kind"], "kiosk");

    for path in [
        "/api/v1/events",
        "/api/v1/sync/pull",
        "/api/v1/users",
        "/api/v1/enrolments",
        "/api/v1/audit",
    ] {
        let answer = app.call(&mut kiosk, Method::GET, path, None).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!answer.json.to_string().contains("Warsztaty"), "{path}");
    }
    // It may push, but only signatures for its own event: anything else is refused one by one.
    let request = json!({
        "id": Uuid::now_v7(), "kind": "help_request.create", "recorded_at": "2026-11-22T10:00:00Z",
        "payload": {"help_request_id": Uuid::now_v7(), "resident_name": "Jan", "district": "okolna",
                    "category": "shopping", "description": "chleb"}
    });
    let elsewhere = json!({
        "id": Uuid::now_v7(), "kind": "attendance.change", "recorded_at": "2026-11-22T10:00:00Z",
        "payload": {"event_id": other, "change": {"change": "approve"}}
    });
    let push = app
        .call(
            &mut kiosk,
            Method::POST,
            "/api/v1/sync/push",
            Some(json!({"device_id": Uuid::nil(), "mutations": [request, elsewhere]})),
        )
        .await;
    assert_eq!(push.status, StatusCode::OK);
    assert_eq!(push.json["results"][0]["reason"]["code"], "forbidden");
    assert_eq!(
        push.json["results"][1]["reason"]["refusal"]["reason"],
        "not_permitted"
    );
    assert_eq!(app.store.help_request_count().await.unwrap(), 0);

    let revoked = app
        .call(
            &mut organiser,
            Method::DELETE,
            &format!("/api/v1/enrolments/{enrolment}"),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = app
        .call(&mut kiosk, Method::GET, "/api/v1/kiosk/event", None)
        .await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "a revoked kiosk is signed out"
    );
}

#[tokio::test]
async fn an_enrolment_code_works_once() {
    let app = TestApp::new().await;
    app.add_account("organizator", Role::Organiser).await;
    let mut organiser = app.signed_in("organizator").await;
    let event = app.create_event(&mut organiser, "Klub seniora").await;
    let answer = app
        .call(
            &mut organiser,
            Method::POST,
            "/api/v1/enrolments",
            Some(json!({"event_id": event})),
        )
        .await;
    let code = answer.json["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8);
    assert!(answer.json["qr_svg"].as_str().unwrap().starts_with("<?xml"));
    assert!(answer.json["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/kiosk?code={code}")));
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let mut tablet = app.visitor().await;
    let first = app
        .call(
            &mut tablet,
            Method::POST,
            "/api/v1/kiosk/claim",
            Some(json!({"code": typed})),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let mut second_tablet = app.visitor().await;
    let second = app
        .call(
            &mut second_tablet,
            Method::POST,
            "/api/v1/kiosk/claim",
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(second.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(second.json["error"], "invalid_code");
}

/// Pushes one help request as `browser` and returns its id.
async fn record(app: &TestApp, browser: &mut Browser, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    let push = json!({"device_id": Uuid::nil(), "mutations": [{
        "id": Uuid::now_v7(), "kind": "help_request.create", "recorded_at": "2026-11-22T10:00:00Z",
        "payload": {"help_request_id": id, "resident_name": name, "district": "jedwabnik",
                    "category": "shopping", "description": "Zakupy"}
    }]});
    let answer = app
        .call(browser, Method::POST, "/api/v1/sync/push", Some(push))
        .await;
    assert_eq!(
        answer.json["results"][0]["outcome"], "applied",
        "{}",
        answer.json
    );
    id
}

async fn pulled_names(app: &TestApp, browser: &mut Browser) -> BTreeSet<String> {
    let answer = app
        .call(
            browser,
            Method::GET,
            "/api/v1/sync/pull?since=0&limit=1000",
            None,
        )
        .await;
    answer.json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "help_request")
        .map(|c| c["data"]["resident_name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn volunteers_pull_only_their_own_requests_and_organisers_all() {
    let app = TestApp::new().await;
    app.add_account("anna", Role::Volunteer).await;
    app.add_account("jan", Role::Volunteer).await;
    app.add_account("organizator", Role::Organiser).await;
    let mut anna = app.signed_in("anna").await;
    let mut jan = app.signed_in("jan").await;
    let mut organiser = app.signed_in("organizator").await;
    record(&app, &mut anna, "Pani Zofia").await;
    record(&app, &mut jan, "Pan Tadeusz").await;
    assert_eq!(
        pulled_names(&app, &mut anna).await,
        BTreeSet::from(["Pani Zofia".to_owned()])
    );
    assert_eq!(
        pulled_names(&app, &mut jan).await,
        BTreeSet::from(["Pan Tadeusz".to_owned()])
    );
    assert_eq!(pulled_names(&app, &mut organiser).await.len(), 2);
}

#[tokio::test]
async fn the_first_coordinator_is_created_once_by_the_setup_page() {
    let app = TestApp::new().await;
    let mut first = app.visitor().await;
    let status = app
        .call(&mut first, Method::GET, "/api/v1/setup", None)
        .await;
    assert_eq!(status.json, json!({"required": true}));
    let account = json!({"username": "Koordynator", "display_name": "Ewa", "role": "volunteer", "password": PASSWORD});
    let created = app
        .call(
            &mut first,
            Method::POST,
            "/api/v1/setup",
            Some(account.clone()),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.json);
    assert_eq!(
        created.json["account"]["role"], "coordinator",
        "setup always makes a coordinator"
    );
    assert_eq!(created.json["account"]["username"], "koordynator");
    let users = app
        .call(&mut first, Method::GET, "/api/v1/users", None)
        .await;
    assert_eq!(users.status, StatusCode::OK, "signed in straight away");

    let mut second = app.visitor().await;
    let again = app
        .call(&mut second, Method::POST, "/api/v1/setup", Some(account))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["error"], "setup_done");
    let status = app
        .call(&mut second, Method::GET, "/api/v1/setup", None)
        .await;
    assert_eq!(status.json, json!({"required": false}));
}

#[tokio::test]
async fn setup_reports_every_field_problem() {
    let app = TestApp::new().await;
    let mut visitor = app.visitor().await;
    let answer = app
        .call(&mut visitor, Method::POST, "/api/v1/setup",
              Some(json!({"username": "x", "display_name": "", "role": "coordinator", "password": "krótkie"})))
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = answer.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "display_name", "password"]);
    assert_eq!(app.store.account_count().await.unwrap(), 0);
}

#[tokio::test]
async fn signing_out_everywhere_ends_the_other_devices_sessions() {
    let app = TestApp::new().await;
    app.add_account("anna", Role::Volunteer).await;
    let mut phone = app.signed_in("anna").await;
    let mut laptop = app.signed_in("anna").await;
    let answer = app
        .call(
            &mut laptop,
            Method::POST,
            "/api/v1/session/sign-out-everywhere",
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    for browser in [&mut phone, &mut laptop] {
        let session = app
            .call(browser, Method::GET, "/api/v1/session", None)
            .await;
        assert_eq!(session.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn changing_ones_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::new().await;
    app.add_account("anna", Role::Volunteer).await;
    let mut phone = app.signed_in("anna").await;
    let mut laptop = app.signed_in("anna").await;
    let wrong = app
        .call(
            &mut laptop,
            Method::POST,
            "/api/v1/account/password",
            Some(json!({"current_password": "nie to hasło", "new_password": "nowe długie hasło"})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json["error"], "wrong_password");
    let short = app
        .call(
            &mut laptop,
            Method::POST,
            "/api/v1/account/password",
            Some(json!({"current_password": PASSWORD, "new_password": "krótkie"})),
        )
        .await;
    assert_eq!(short.json["errors"][0]["problem"], "too_short");
    let changed = app
        .call(
            &mut laptop,
            Method::POST,
            "/api/v1/account/password",
            Some(json!({"current_password": PASSWORD, "new_password": "nowe długie hasło"})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call(&mut laptop, Method::GET, "/api/v1/session", None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.call(&mut phone, Method::GET, "/api/v1/session", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let mut fresh = app.visitor().await;
    assert_eq!(
        try_sign_in(&app, &mut fresh, "anna", "nowe długie hasło")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_deactivated_account_is_signed_out_and_cannot_sign_in() {
    let app = TestApp::new().await;
    let anna = app.add_account("anna", Role::Volunteer).await;
    app.add_account("koordynator", Role::Coordinator).await;
    let mut phone = app.signed_in("anna").await;
    let mut coordinator = app.signed_in("koordynator").await;
    let answer = app
        .call(
            &mut coordinator,
            Method::PATCH,
            &format!("/api/v1/users/{}", anna.id),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["active"], false);
    assert_eq!(
        app.call(&mut phone, Method::GET, "/api/v1/session", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let mut fresh = app.visitor().await;
    let refused = try_sign_in(&app, &mut fresh, "anna", PASSWORD).await;
    assert_eq!(
        refused.json["error"], "invalid_credentials",
        "no hint that the account exists"
    );
}

#[tokio::test]
async fn a_coordinator_cannot_lock_themselves_out() {
    let app = TestApp::new().await;
    let me = app.add_account("koordynator", Role::Coordinator).await;
    let mut coordinator = app.signed_in("koordynator").await;
    let answer = app
        .call(
            &mut coordinator,
            Method::PATCH,
            &format!("/api/v1/users/{}", me.id),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.json["error"], "own_account");
}

#[tokio::test]
async fn the_audit_log_records_sign_ins_and_user_changes_without_passwords() {
    let app = TestApp::new().await;
    app.add_account("koordynator", Role::Coordinator).await;
    let mut coordinator = app.signed_in("koordynator").await;
    let mut stranger = app.visitor().await;
    try_sign_in(&app, &mut stranger, "koordynator", "złe hasło 123").await;
    let created = app
        .call(&mut coordinator, Method::POST, "/api/v1/users",
              Some(json!({"username": "anna", "display_name": "Anna", "role": "volunteer", "password": PASSWORD})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);

    let all = app
        .call(&mut coordinator, Method::GET, "/api/v1/audit", None)
        .await;
    let actions: Vec<&str> = all.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["user_created", "sign_in_failed", "sign_in"],
        "newest first"
    );
    assert_eq!(all.json["entries"][0]["actor"], "koordynator");
    assert_eq!(all.json["entries"][0]["target"], "anna");
    assert!(
        !all.json.to_string().contains(PASSWORD) && !all.json.to_string().contains("złe hasło")
    );

    let filtered = app
        .call(
            &mut coordinator,
            Method::GET,
            "/api/v1/audit?action=sign_in_failed&actor=anonymous",
            None,
        )
        .await;
    assert_eq!(filtered.json["entries"].as_array().unwrap().len(), 1);
    let none = app
        .call(
            &mut coordinator,
            Method::GET,
            "/api/v1/audit?from=2000-01-01&to=2000-12-31",
            None,
        )
        .await;
    assert!(none.json["entries"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn answers_carry_the_security_headers() {
    let app = TestApp::new().await;
    let mut visitor = app.visitor().await;
    let api = app
        .call(&mut visitor, Method::GET, "/api/v1/setup", None)
        .await;
    assert_eq!(api.headers[header::CACHE_CONTROL], "no-store");
    let health = app.call(&mut visitor, Method::GET, "/healthz", None).await;
    for answer in [&api, &health] {
        assert_eq!(answer.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(answer.headers[header::REFERRER_POLICY], "same-origin");
        let csp = answer.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site() {
    let app = TestApp::new().await;
    app.add_account("anna", Role::Volunteer).await;
    let mut browser = app.visitor().await;
    let answer = try_sign_in(&app, &mut browser, "anna", PASSWORD).await;
    let cookies: Vec<&str> = answer
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("sasiedzi_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain HTTP on loopback");
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("sasiedzi_csrf="))
        .unwrap();
    assert!(!csrf.contains("HttpOnly"), "the page must read it");
}

#[tokio::test]
async fn behind_a_tls_proxy_that_says_so_cookies_are_secure() {
    let app = TestApp::with_config(server::auth::SecurityConfig { trust_proxy: true }).await;
    app.add_account("anna", Role::Volunteer).await;
    let visitor = app.visitor().await;
    let sign_in = |ip: &'static str| {
        axum::http::Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, visitor.cookie_header())
            .header("x-csrf-token", visitor.csrf().unwrap())
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-for", format!("203.0.113.5, {ip}"))
            .body(axum::body::Body::from(
                json!({"username": "anna", "password": PASSWORD}).to_string(),
            ))
            .unwrap()
    };
    let answer = app.send(sign_in("198.51.100.1")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let session = answer
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("sasiedzi_session="))
        .unwrap()
        .to_owned();
    assert!(session.contains("Secure"), "{session}");
}
