//! Who may call what: the authorization matrix over every endpoint and principal, sessions, CSRF,
//! sign-in throttling and kiosk confinement, over HTTP against a real SQLite file.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, Method, StatusCode};
use chrono::Utc;
use domain::account::Role;
use domain::attendance::{Attendee, ListChange, NewAttendance, Proof, Registration, Signature};
use domain::consent::ConsentAnswer;
use domain::help_request::HelpRequestFields;
use domain::photo::{PeopleVisible, PhotoDecision, PhotoSubject};
use domain::resident::ResidentFields;
use domain::sync::protocol::{
    ChangeAttendance, CreateHelpRequest, CreateResident, Mutation, PushRequest, ReviewPhoto,
    WIPE_ORDERED,
};
use serde_json::{json, Value};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::support::{small_jpeg, small_jpeg_attached, Answer, Browser, TestApp, PASSWORD};

/// Who calls: the principals of docs/security.md, in the order of each row's expectations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Kiosk,
    Person(Role),
}

const PRINCIPALS: [Who; 5] = [
    Who::Anonymous,
    Who::Kiosk,
    Who::Person(Role::Volunteer),
    Who::Person(Role::Organiser),
    Who::Person(Role::Coordinator),
];

impl Who {
    fn name(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Kiosk => "kiosk",
            Who::Person(role) => role.as_str(),
        }
    }
}

/// What one principal's call to one endpoint must come to.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// The action happens: the row's success answer.
    Allow,
    /// Refused for who the caller is: 401 `unauthenticated` without a session, else 403 `forbidden`.
    Deny,
    /// Past authorization, but the action cannot apply to this caller: exactly this answer.
    Refuse(StatusCode, &'static str),
}
use Expect::{Allow, Deny, Refuse};

/// What an endpoint answers when the action happened.
#[derive(Debug, Clone, Copy)]
enum Success {
    Status(StatusCode),
    /// A push answers 200 even when it refuses its mutations one by one: 200 and all of them applied.
    Applied,
}
const OK: Success = Success::Status(StatusCode::OK);
const CREATED: Success = Success::Status(StatusCode::CREATED);
const NO_CONTENT: Success = Success::Status(StatusCode::NO_CONTENT);
const APPLIED: Success = Success::Applied;

struct Row {
    method: Method,
    /// The route as the router declares it; `prepare` fills in its parameters.
    route: &'static str,
    success: Success,
    expect: [Expect; 5],
}

fn row(method: Method, route: &'static str, success: Success, expect: [Expect; 5]) -> Row {
    Row {
        method,
        route,
        success,
        expect,
    }
}

/// Every API endpoint, what it answers when it works, and who may call it. A new endpoint without a
/// row here fails `every_endpoint_has_a_row_in_the_matrix`; a row without a call in `prepare` fails
/// the matrix.
fn matrix() -> Vec<Row> {
    const EVERYONE: [Expect; 5] = [Allow; 5];
    const SIGNED_IN: [Expect; 5] = [Deny, Allow, Allow, Allow, Allow];
    const PEOPLE: [Expect; 5] = [Deny, Deny, Allow, Allow, Allow];
    const ORGANISERS: [Expect; 5] = [Deny, Deny, Deny, Allow, Allow];
    const COORDINATORS: [Expect; 5] = [Deny, Deny, Deny, Deny, Allow];
    const KIOSK: [Expect; 5] = [Deny, Allow, Deny, Deny, Deny];
    // The kiosk pushes its signatures; the storage layer refuses it every other mutation (tested below).
    const PEOPLE_AND_KIOSK: [Expect; 5] = SIGNED_IN;
    // Setup needs no permission, but whoever holds a session proves an account exists already.
    const SETUP_DONE: Expect = Refuse(StatusCode::CONFLICT, "setup_done");
    const FIRST_START: [Expect; 5] = [Allow, SETUP_DONE, SETUP_DONE, SETUP_DONE, SETUP_DONE];
    vec![
        row(Method::GET, "/api/v1/setup", OK, EVERYONE),
        row(Method::POST, "/api/v1/setup", OK, FIRST_START),
        row(Method::GET, "/api/v1/session", OK, SIGNED_IN),
        row(Method::POST, "/api/v1/session", OK, EVERYONE),
        row(Method::DELETE, "/api/v1/session", NO_CONTENT, SIGNED_IN),
        row(
            Method::POST,
            "/api/v1/session/sign-out-everywhere",
            NO_CONTENT,
            PEOPLE,
        ),
        row(Method::POST, "/api/v1/account/password", NO_CONTENT, PEOPLE),
        row(Method::POST, "/api/v1/sync/push", APPLIED, PEOPLE_AND_KIOSK),
        row(Method::GET, "/api/v1/sync/pull", OK, PEOPLE),
        // Only a deactivated account's device, which no session is, confirms its wipe (access_ends.rs).
        row(Method::POST, "/api/v1/sync/wiped", NO_CONTENT, [Deny; 5]),
        row(Method::POST, "/api/v1/audit/reads", NO_CONTENT, PEOPLE),
        row(Method::GET, "/api/v1/volunteers", OK, ORGANISERS),
        row(Method::GET, "/api/v1/users", OK, COORDINATORS),
        row(Method::POST, "/api/v1/users", CREATED, COORDINATORS),
        row(Method::PATCH, "/api/v1/users/{id}", OK, COORDINATORS),
        row(
            Method::POST,
            "/api/v1/users/{id}/password",
            NO_CONTENT,
            COORDINATORS,
        ),
        row(Method::GET, "/api/v1/events", OK, PEOPLE),
        row(Method::POST, "/api/v1/events", CREATED, ORGANISERS),
        row(Method::PUT, "/api/v1/events/{id}", OK, ORGANISERS),
        row(
            Method::GET,
            "/api/v1/events/{id}/attendance.csv",
            OK,
            ORGANISERS,
        ),
        row(
            Method::PUT,
            "/api/v1/consent-texts/{kind}",
            OK,
            COORDINATORS,
        ),
        row(Method::PUT, "/api/v1/photos/{id}/original", CREATED, PEOPLE),
        row(Method::GET, "/api/v1/photos/{id}/original", OK, ORGANISERS),
        row(Method::GET, "/api/v1/photos/{id}/thumbnail", OK, PEOPLE),
        row(Method::GET, "/api/v1/enrolments", OK, ORGANISERS),
        row(Method::POST, "/api/v1/enrolments", CREATED, ORGANISERS),
        row(
            Method::DELETE,
            "/api/v1/enrolments/{id}",
            NO_CONTENT,
            ORGANISERS,
        ),
        row(Method::POST, "/api/v1/kiosk/claim", OK, EVERYONE),
        row(Method::GET, "/api/v1/kiosk/event", OK, KIOSK),
        row(Method::GET, "/api/v1/audit", OK, COORDINATORS),
        row(Method::GET, "/api/v1/reports/dashboard", OK, ORGANISERS),
        row(Method::GET, "/api/v1/exports/{file}", OK, ORGANISERS),
        row(
            Method::POST,
            "/api/v1/dictionary/{kind}",
            CREATED,
            COORDINATORS,
        ),
        row(
            Method::PUT,
            "/api/v1/dictionary/{kind}/{code}",
            OK,
            COORDINATORS,
        ),
        row(
            Method::GET,
            "/api/v1/settings/closed-request-days",
            OK,
            COORDINATORS,
        ),
        row(
            Method::PUT,
            "/api/v1/settings/closed-request-days",
            OK,
            COORDINATORS,
        ),
        row(Method::GET, "/api/v1/settings/lock-after", OK, COORDINATORS),
        row(Method::PUT, "/api/v1/settings/lock-after", OK, COORDINATORS),
        row(Method::GET, "/api/v1/retention", OK, COORDINATORS),
        row(Method::PUT, "/api/v1/retention", OK, COORDINATORS),
        row(Method::POST, "/api/v1/retention/apply", OK, COORDINATORS),
        row(
            Method::GET,
            "/api/v1/residents/{id}/subject-access.zip",
            OK,
            COORDINATORS,
        ),
        row(
            Method::POST,
            "/api/v1/residents/{id}/erasure",
            OK,
            COORDINATORS,
        ),
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
    let rows = matrix();
    let listed: BTreeSet<(String, &str)> = rows
        .iter()
        .map(|row| (row.method.to_string(), row.route))
        .collect();
    assert_eq!(listed.len(), rows.len(), "an endpoint with two rows");
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

/// The pages call what `domain::api` declares; a declaration the router lacks would answer 404.
#[test]
fn every_declared_endpoint_is_served() {
    let served: BTreeSet<(String, &str)> = server::api::endpoint_list()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path))
        .collect();
    let declared: BTreeSet<(String, &str)> = domain::api::ROUTES
        .iter()
        .map(|(method, route)| (format!("{method:?}").to_uppercase(), *route))
        .collect();
    assert_eq!(declared, served);
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

/// The account everyone may sign in as, and coordinators act on.
const SUBJECT: &str = "podmiot";
/// The coordinator who makes the records that calls act on: the role that may do everything, so that a
/// permission broken for the other roles still leaves records to show it on.
const STAFF: &str = "opiekunka";
const YEAR: &str = "from=2026-01-01&to=2026-12-31";

/// One cell of the matrix on a server of its own: nothing one call does (signing out, revoking,
/// approving, anonymising) reaches another, and every record a call acts on was made for it alone.
struct World {
    app: TestApp,
    who: Who,
    caller: Browser,
    /// Signed in only when a record is needed, so that the anonymous first-start setup meets an empty
    /// server.
    staff: Option<Browser>,
    /// The event a kiosk caller is enrolled for.
    kiosk_event: Option<Uuid>,
}

impl World {
    async fn new(who: Who) -> Self {
        let mut world = World {
            app: TestApp::new().await,
            who,
            caller: Browser::default(),
            staff: None,
            kiosk_event: None,
        };
        world.caller = match who {
            Who::Anonymous => world.app.visitor().await,
            Who::Kiosk => {
                let event = world.event().await;
                world.kiosk_event = Some(event);
                let mut staff = world.staff().await;
                world.app.kiosk(&mut staff, event).await.0
            }
            Who::Person(role) => {
                world.app.add_account(role.as_str(), role).await;
                world.app.signed_in(role.as_str()).await
            }
        };
        world
    }

    async fn staff(&mut self) -> Browser {
        if self.staff.is_none() {
            self.app.add_account(STAFF, Role::Coordinator).await;
            self.staff = Some(self.app.signed_in(STAFF).await);
        }
        self.staff.clone().expect("signed in above")
    }

    async fn subject(&self) -> Uuid {
        self.app.add_account(SUBJECT, Role::Volunteer).await.id
    }

    async fn event(&mut self) -> Uuid {
        let mut staff = self.staff().await;
        self.app.create_event(&mut staff, "Klub seniora").await
    }

    /// A resident the staff registered.
    async fn resident(&mut self) -> Uuid {
        let mut staff = self.staff().await;
        let id = Uuid::now_v7();
        let create = Mutation::CreateResident(CreateResident {
            resident_id: id,
            fields: ResidentFields {
                name: "Zofia Lis".into(),
                ..Default::default()
            },
        });
        self.app
            .push_applied(&mut staff, "2026-11-22T09:00:00Z", vec![create])
            .await;
        id
    }

    /// A fresh, unclaimed enrolment: its id and one-time code.
    async fn enrolment(&mut self) -> (Uuid, String) {
        let event = self.event().await;
        let mut staff = self.staff().await;
        self.app.enrol(&mut staff, event).await
    }

    /// Pushes the record of a photo of a new event as `author`; returns its id and the bytes it declares.
    async fn attach_photo(&mut self, mut author: Browser) -> (Uuid, Vec<u8>) {
        let event = self.event().await;
        let (id, jpeg) = (Uuid::now_v7(), small_jpeg());
        let attach = small_jpeg_attached(
            id,
            PhotoSubject::Event(event),
            "Spotkanie",
            PeopleVisible::NoIdentifiablePeople,
        );
        self.app
            .push_applied(&mut author, "2026-11-22T10:00:00Z", vec![attach])
            .await;
        (id, jpeg)
    }

    /// A photo whose bytes the server waits for: the caller's own if a person (only its author
    /// uploads it), else the staff's.
    async fn photo_awaiting_bytes(&mut self) -> (Uuid, Vec<u8>) {
        let author = match self.who {
            Who::Person(_) => self.caller.clone(),
            Who::Anonymous | Who::Kiosk => self.staff().await,
        };
        self.attach_photo(author).await
    }

    /// A photo the staff took, uploaded and approved: every person may see it.
    async fn approved_photo(&mut self) -> Uuid {
        let mut staff = self.staff().await;
        let (id, jpeg) = self.attach_photo(staff.clone()).await;
        let path = format!("/api/v1/photos/{id}/original");
        let uploaded = self
            .app
            .put_bytes(&mut staff, &path, "image/jpeg", jpeg)
            .await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.json);
        let approve = Mutation::ReviewPhoto(ReviewPhoto {
            photo_id: id,
            decision: PhotoDecision::Approve,
        });
        self.app
            .push_applied(&mut staff, "2026-11-22T11:00:00Z", vec![approve])
            .await;
        id
    }

    async fn send(&mut self, method: Method, call: Call) -> Answer {
        let caller = &mut self.caller;
        match call {
            Call::Bare(path) => self.app.call(caller, method, &path, None).await,
            Call::Json(path, body) => self.app.call(caller, method, &path, Some(body)).await,
            Call::Photo(path, jpeg) => self.app.put_bytes(caller, &path, "image/jpeg", jpeg).await,
        }
    }
}

enum Call {
    Bare(String),
    Json(String, Value),
    /// The photo upload: raw JPEG bytes, as a device sends them.
    Photo(String, Vec<u8>),
}

fn event_fields(title: &str) -> Value {
    json!({
        "title": title, "starts_at": "2026-12-01T10:00:00Z", "ends_at": "2026-12-01T12:00:00Z",
        "location": "sosnowa_1c", "plan_goals": ["goal_6"]
    })
}

/// A push of one mutation, as a device sends it.
fn push_of(mutation: Mutation) -> Value {
    let request = PushRequest {
        device_id: Uuid::now_v7(),
        mutations: vec![mutation.into_envelope(Uuid::now_v7(), Utc::now())],
    };
    serde_json::to_value(request).unwrap()
}

fn new_help_request() -> Mutation {
    Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: Uuid::now_v7(),
        fields: HelpRequestFields {
            resident_name: "Irena Kowalska".into(),
            district: "okolna".into(),
            category: "shopping".into(),
            description: "Zakupy na tydzień".into(),
            ..Default::default()
        },
    })
}

/// Someone new signing the kiosk's list: the one mutation a kiosk may push.
fn kiosk_signature(event: Uuid) -> Mutation {
    let mut signature = Signature::default();
    signature.begin_stroke(100.0, 300.0);
    for (x, y) in [(160.0, 120.0), (220.0, 300.0), (280.0, 140.0)] {
        signature.extend_stroke(x, y);
    }
    Mutation::ChangeAttendance(ChangeAttendance {
        event_id: event,
        change: ListChange::Record(NewAttendance {
            attendance_id: Uuid::now_v7(),
            attendee: Attendee {
                name: "Maria Kowalska".into(),
                ..Default::default()
            },
            walk_in: true,
            registration: Some(Registration {
                data_processing: ConsentAnswer {
                    given: true,
                    text_version: 1,
                },
                kiosk_listing: ConsentAnswer {
                    given: false,
                    text_version: 1,
                },
            }),
            proof: Proof::Signature { signature },
            image_consent: Some(ConsentAnswer {
                given: false,
                text_version: 1,
            }),
            reason: None,
        }),
    })
}

/// The call behind `row` for the world's caller: real records made for it just before, and a body
/// that works for whoever may make the call.
async fn prepare(row: &Row, world: &mut World) -> Call {
    let route = row.route;
    let with_id = |id: Uuid| route.replace("{id}", &id.to_string());
    match (row.method.as_str(), route) {
        ("GET", "/api/v1/setup" | "/api/v1/session" | "/api/v1/volunteers" | "/api/v1/users")
        | ("GET", "/api/v1/events" | "/api/v1/enrolments" | "/api/v1/kiosk/event")
        | ("GET", "/api/v1/audit" | "/api/v1/retention" | "/api/v1/settings/closed-request-days")
        | ("GET", "/api/v1/settings/lock-after")
        | ("DELETE", "/api/v1/session")
        | ("POST", "/api/v1/session/sign-out-everywhere" | "/api/v1/sync/wiped") => {
            Call::Bare(route.into())
        }
        ("POST", "/api/v1/setup") => Call::Json(
            route.into(),
            json!({"username": "pierwsza", "display_name": "Pierwsza", "role": "coordinator", "password": PASSWORD}),
        ),
        ("POST", "/api/v1/session") => {
            world.subject().await;
            Call::Json(
                route.into(),
                json!({"username": SUBJECT, "password": PASSWORD}),
            )
        }
        ("POST", "/api/v1/account/password") => Call::Json(
            route.into(),
            json!({"current_password": PASSWORD, "new_password": "inne długie hasło"}),
        ),
        ("POST", "/api/v1/sync/push") => {
            let mutation = match world.kiosk_event {
                Some(event) => kiosk_signature(event),
                None => new_help_request(),
            };
            Call::Json(route.into(), push_of(mutation))
        }
        ("GET", "/api/v1/sync/pull") => Call::Bare(format!("{route}?since=0")),
        ("POST", "/api/v1/audit/reads") => Call::Json(
            route.into(),
            json!({"receipts": [{"id": Uuid::now_v7(), "record": "signed_attendance",
                "event_id": world.event().await, "opened_at": Utc::now()}]}),
        ),
        ("POST", "/api/v1/users") => Call::Json(
            route.into(),
            json!({"username": "nowa", "display_name": "Nowa", "role": "volunteer", "password": PASSWORD}),
        ),
        ("PATCH", "/api/v1/users/{id}") => Call::Json(
            with_id(world.subject().await),
            json!({"display_name": "Zmienione imię"}),
        ),
        ("POST", "/api/v1/users/{id}/password") => Call::Json(
            with_id(world.subject().await),
            json!({"password": "tymczasowe hasło 1"}),
        ),
        ("POST", "/api/v1/events") => Call::Json(route.into(), event_fields("Warsztaty")),
        ("PUT", "/api/v1/events/{id}") => Call::Json(
            with_id(world.event().await),
            event_fields("Warsztaty w nowym terminie"),
        ),
        ("GET", "/api/v1/events/{id}/attendance.csv") => Call::Bare(with_id(world.event().await)),
        ("PUT", "/api/v1/consent-texts/{kind}") => Call::Json(
            "/api/v1/consent-texts/image".into(),
            json!({"text_pl": "Zgadzam się na zdjęcia.", "text_en": "I agree to photos."}),
        ),
        ("PUT", "/api/v1/photos/{id}/original") => {
            let (id, jpeg) = world.photo_awaiting_bytes().await;
            Call::Photo(with_id(id), jpeg)
        }
        ("GET", "/api/v1/photos/{id}/original" | "/api/v1/photos/{id}/thumbnail") => {
            Call::Bare(with_id(world.approved_photo().await))
        }
        ("POST", "/api/v1/enrolments") => {
            Call::Json(route.into(), json!({"event_id": world.event().await}))
        }
        ("DELETE", "/api/v1/enrolments/{id}") => Call::Bare(with_id(world.enrolment().await.0)),
        ("POST", "/api/v1/kiosk/claim") => {
            Call::Json(route.into(), json!({"code": world.enrolment().await.1}))
        }
        ("GET", "/api/v1/reports/dashboard") => Call::Bare(format!("{route}?{YEAR}")),
        ("GET", "/api/v1/exports/{file}") => {
            Call::Bare(format!("/api/v1/exports/requests.csv?{YEAR}"))
        }
        ("POST", "/api/v1/dictionary/{kind}") => Call::Json(
            "/api/v1/dictionary/district".into(),
            json!({"label_pl": "Nowe osiedle", "label_en": "New estate", "active": true}),
        ),
        ("PUT", "/api/v1/dictionary/{kind}/{code}") => Call::Json(
            "/api/v1/dictionary/district/okolna".into(),
            json!({"label_pl": "Okólna Górna", "label_en": "Upper Okólna", "active": true}),
        ),
        ("PUT", "/api/v1/retention") => Call::Json(route.into(), json!({"years": 6})),
        ("PUT", "/api/v1/settings/closed-request-days") => {
            Call::Json(route.into(), json!({"days": 14}))
        }
        ("PUT", "/api/v1/settings/lock-after") => Call::Json(route.into(), json!({"minutes": 2})),
        // The period in force, as the coordinator saw it with what it makes due.
        ("POST", "/api/v1/retention/apply") => Call::Json(
            route.into(),
            json!({"years": domain::retention::DEFAULT_YEARS}),
        ),
        ("GET", "/api/v1/residents/{id}/subject-access.zip") => {
            Call::Bare(with_id(world.resident().await))
        }
        ("POST", "/api/v1/residents/{id}/erasure") => Call::Json(
            with_id(world.resident().await),
            json!({"reason": "wniosek mieszkanki"}),
        ),
        (method, route) => panic!("no call for {method} {route}: add what it acts on to `prepare`"),
    }
}

/// What `who` must get on `row`, in words, and whether `answer` is it.
fn verdict(row: &Row, who: Who, expect: Expect, answer: &Answer) -> (String, bool) {
    let error = |status: StatusCode, code: &str| {
        (
            format!("{status} `{code}`"),
            answer.status == status && answer.json["error"] == code,
        )
    };
    match (expect, row.success) {
        (Allow, Success::Status(status)) => (format!("allowed, {status}"), answer.status == status),
        (Allow, Success::Applied) => {
            let applied = answer.json["results"]
                .as_array()
                .is_some_and(|results| results.iter().all(|r| r["outcome"] == "applied"));
            (
                "allowed, 200 OK with every mutation applied".into(),
                answer.status == StatusCode::OK && applied,
            )
        }
        (Deny, _) if who == Who::Anonymous => {
            let (wanted, met) = error(StatusCode::UNAUTHORIZED, "unauthenticated");
            (format!("denied, {wanted}"), met)
        }
        (Deny, _) => {
            let (wanted, met) = error(StatusCode::FORBIDDEN, "forbidden");
            (format!("denied, {wanted}"), met)
        }
        (Refuse(status, code), _) => error(status, code),
    }
}

/// The start of an answer's body, enough to tell what happened.
fn gist(answer: &Answer) -> String {
    if answer.json.is_null() {
        let kind = answer.headers.get(header::CONTENT_TYPE);
        let kind = kind
            .and_then(|k| k.to_str().ok())
            .unwrap_or("no stated type");
        format!("{} bytes of {kind}", answer.bytes.len())
    } else {
        answer.json.to_string().chars().take(300).collect()
    }
}

/// One cell: `who` calls `row` on a world of its own; what is wrong with the answer, if anything.
async fn check(row: Arc<Row>, who: Who, expect: Expect) -> Option<String> {
    let mut world = World::new(who).await;
    let call = prepare(&row, &mut world).await;
    let answer = world.send(row.method.clone(), call).await;
    let (wanted, met) = verdict(&row, who, expect, &answer);
    (!met).then(|| {
        format!(
            "{} {} as {}: expected {wanted}, got {}: {}",
            row.method,
            row.route,
            who.name(),
            answer.status,
            gist(&answer)
        )
    })
}

#[tokio::test]
async fn the_authorization_matrix_holds_for_every_endpoint_and_principal() {
    let rows = matrix();
    let calls = rows.len() * PRINCIPALS.len();
    let mut mismatches = Vec::new();
    for row in rows {
        // A row's cells run side by side, each on its own server: they mostly wait for SQLite's disk.
        let row = Arc::new(row);
        let mut cells = JoinSet::new();
        for (position, (who, expect)) in PRINCIPALS.into_iter().zip(row.expect).enumerate() {
            let row = Arc::clone(&row);
            cells.spawn(async move { (position, check(row, who, expect).await) });
        }
        let mut found = cells.join_all().await;
        found.sort_by_key(|(position, _)| *position);
        mismatches.extend(found.into_iter().filter_map(|(_, mismatch)| mismatch));
    }
    assert!(
        mismatches.is_empty(),
        "{} of {calls} calls broke the authorization matrix:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
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
    assert_eq!(event.json["consent_texts"]["image"]["version"], 1);
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

/// A tablet still holding another event's unsent signatures says which event; a code for a different
/// event is then refused and stays unused (issue 19, point 5), while a code for that event works.
#[tokio::test]
async fn a_tablet_with_unsent_signatures_of_one_event_cannot_claim_another_events_code() {
    let app = TestApp::new().await;
    app.add_account("organizator", Role::Organiser).await;
    let mut organiser = app.signed_in("organizator").await;
    let cafe = app.create_event(&mut organiser, "Kawiarenka").await;
    let walk = app.create_event(&mut organiser, "Spacer").await;
    let (_, walk_code) = app.enrol(&mut organiser, walk).await;
    let (_, cafe_code) = app.enrol(&mut organiser, cafe).await;
    let mut tablet = app.visitor().await;
    let claim = |code: &str| json!({"code": code, "unsent_event": cafe});

    let refused = app
        .call(
            &mut tablet,
            Method::POST,
            "/api/v1/kiosk/claim",
            Some(claim(&walk_code)),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    assert_eq!(refused.json["error"], "kiosk_unsent");
    let still_nobody = app
        .call(&mut tablet, Method::GET, "/api/v1/kiosk/event", None)
        .await;
    assert_eq!(still_nobody.status, StatusCode::UNAUTHORIZED);

    // The tablet's own event's code works; a wrong code is still just wrong.
    let wrong = app
        .call(
            &mut tablet,
            Method::POST,
            "/api/v1/kiosk/claim",
            Some(claim("ZZZZZZZZ")),
        )
        .await;
    assert_eq!(wrong.json["error"], "invalid_code");
    let claimed = app
        .call(
            &mut tablet,
            Method::POST,
            "/api/v1/kiosk/claim",
            Some(claim(&cafe_code)),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.json);
    assert_eq!(claimed.json["event_id"], cafe.to_string());

    // Once the signatures are sent, the refused code still works, once.
    let mut later = app.visitor().await;
    let walk_kiosk = app
        .call(
            &mut later,
            Method::POST,
            "/api/v1/kiosk/claim",
            Some(json!({"code": walk_code})),
        )
        .await;
    assert_eq!(walk_kiosk.status, StatusCode::OK, "{}", walk_kiosk.json);
    assert_eq!(walk_kiosk.json["event_id"], walk.to_string());
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
    assert!(!app.store.is_set_up().await.unwrap());
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
    // The phone's session is now an order to erase the account's data there (access_ends.rs).
    let session = app
        .call(&mut phone, Method::GET, "/api/v1/session", None)
        .await;
    assert_eq!(session.status, StatusCode::GONE);
    assert_eq!(session.json["error"], WIPE_ORDERED);
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
