//! A real server (routers and SQLite file in a temporary directory) driven over HTTP, with signed-in
//! sessions as a browser holds them: cookies plus the CSRF header.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use app::device::{failure_of, SyncFailure, SyncServer};
use app::state::SyncProblem;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use domain::account::{Account, NewAccount, Role};
use domain::api as v1;
use domain::attendance::{Attendee, ListChange, NewAttendance, Proof};
use domain::audit::ReadReceipts;
use domain::help_request::HelpRequestFields;
use domain::photo::{sha256_hex, PeopleVisible, PhotoFile, PhotoSubject};
use domain::sync::protocol::{
    ApiError, AttachPhoto, ChangeAttendance, CreateHelpRequest, Mutation, PullQuery, PullResponse,
    PushRequest, PushResponse,
};
use http_body_util::BodyExt;
use serde_json::Value;
use server::api::ApiState;
use server::auth::SecurityConfig;
use server::pwa::BuildAssets;
use server::storage::Store;
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "zielona łąka 2026";

/// [`PASSWORD`] hashed with argon2's smallest parameters, for every account the tests make. The server
/// verifies a password with the parameters its stored hash names, so signing in stays the real code
/// path, only fast: the authorization matrix alone makes a few hundred accounts, and the simulation signs
/// in again thousands of times.
fn password_hash() -> &'static str {
    use argon2::password_hash::PasswordHasher;
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let params = argon2::Params::new(8, 1, 1, None).unwrap();
        let cheap =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        cheap
            .hash_password_with_salt(PASSWORD.as_bytes(), b"sasiedzi-tests")
            .unwrap()
            .to_string()
    })
}

#[derive(Clone)]
pub struct TestApp {
    pub router: Router,
    pub store: Store,
    /// The server's data directory: the database file and the photo files.
    pub data_dir: std::path::PathBuf,
    config: SecurityConfig,
    _dir: Arc<tempfile::TempDir>,
}

/// The cookies a browser would hold for the site.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
    /// Where requests appear to come from (throttling is per address).
    pub ip: Option<SocketAddr>,
}

impl Browser {
    pub fn csrf(&self) -> Option<&str> {
        self.cookies.get("sasiedzi_csrf").map(String::as_str)
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn absorb(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let removed = text.contains("Max-Age=0") || value.is_empty();
            if removed {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    /// The body as text, for answers that are not JSON (CSV exports).
    pub text: String,
    pub bytes: Vec<u8>,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(SecurityConfig::default()).await
    }

    pub async fn with_config(config: SecurityConfig) -> Self {
        Self::serving(Arc::new(tempfile::tempdir().unwrap()), config).await
    }

    /// The server over the data directory in `dir`, created when new.
    async fn serving(dir: Arc<tempfile::TempDir>, config: SecurityConfig) -> Self {
        let data_dir = dir.path().join("data");
        let store = Store::open(&data_dir).await.unwrap();
        let router = server::api::router(ApiState::new(store.clone(), config.clone())).merge(
            server::platform_router(Arc::new(BuildAssets::load("sasiedzi", None))),
        );
        Self {
            router: server::with_security_headers(router),
            store,
            data_dir,
            config,
            _dir: dir,
        }
    }

    /// The same server started again, as after a crash: it has what it committed, nothing else.
    pub async fn restarted(&self) -> Self {
        Self::serving(self._dir.clone(), self.config.clone()).await
    }

    /// A server over a copy of this one's committed data, in a new directory under `parent`. Nothing may
    /// be writing meanwhile.
    pub async fn copy_in(&self, parent: &std::path::Path) -> Self {
        let dir = tempfile::tempdir_in(parent).unwrap();
        copy_dir(&self.data_dir, &dir.path().join("data"));
        Self::serving(Arc::new(dir), self.config.clone()).await
    }

    /// Sends a request as `browser` would: its cookies, its CSRF token on writes, and keeps what the
    /// server sets.
    pub async fn call(
        &self,
        browser: &mut Browser,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder().method(method.clone()).uri(uri);
        if !browser.cookies.is_empty() {
            request = request.header(header::COOKIE, browser.cookie_header());
        }
        if method != Method::GET {
            if let Some(csrf) = browser.csrf() {
                request = request.header("x-csrf-token", csrf);
            }
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        let mut request = request.body(body).unwrap();
        if let Some(ip) = browser.ip {
            request.extensions_mut().insert(ConnectInfo(ip));
        }
        let answer = self.send(request).await;
        browser.absorb(&answer.headers);
        answer
    }

    /// Sends raw bytes (a photo upload) as `browser`, with its cookies and CSRF token.
    pub async fn put_bytes(
        &self,
        browser: &mut Browser,
        uri: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(Method::PUT)
            .uri(uri)
            .header(header::COOKIE, browser.cookie_header())
            .header(header::CONTENT_TYPE, content_type);
        if let Some(csrf) = browser.csrf() {
            request = request.header("x-csrf-token", csrf);
        }
        let answer = self.send(request.body(Body::from(bytes)).unwrap()).await;
        browser.absorb(&answer.headers);
        answer
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn add_account(&self, username: &str, role: Role) -> Account {
        let account = NewAccount {
            username: username.into(),
            display_name: format!("Osoba {username}"),
            role,
            password: PASSWORD.into(),
        };
        self.store
            .create_account(&account, password_hash(), false)
            .await
            .unwrap()
    }

    /// A browser that has opened the app (and so holds a CSRF cookie) but not signed in.
    pub async fn visitor(&self) -> Browser {
        let mut browser = Browser::default();
        self.call(&mut browser, Method::GET, "/api/v1/session", None)
            .await;
        browser
    }

    pub async fn signed_in(&self, username: &str) -> Browser {
        let mut browser = self.visitor().await;
        let answer = self
            .call(
                &mut browser,
                Method::POST,
                "/api/v1/session",
                Some(serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
        browser
    }

    pub async fn create_event(&self, organiser: &mut Browser, title: &str) -> Uuid {
        let answer = self
            .call(
                organiser,
                Method::POST,
                "/api/v1/events",
                Some(serde_json::json!({
                    "title": title,
                    "starts_at": "2026-11-22T10:00:00Z",
                    "ends_at": "2099-11-22T12:00:00Z",
                    "location": "brzozowa_7",
                    "plan_goals": ["goal_6"],
                })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
        answer.json["id"].as_str().unwrap().parse().unwrap()
    }

    /// Enrols a tablet for `event` as `organiser`: the enrolment id and its one-time code, unclaimed.
    pub async fn enrol(&self, organiser: &mut Browser, event: Uuid) -> (Uuid, String) {
        let answer = self
            .call(
                organiser,
                Method::POST,
                "/api/v1/enrolments",
                Some(serde_json::json!({"event_id": event})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
        let enrolment = answer.json["enrolment"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        (enrolment, answer.json["code"].as_str().unwrap().to_owned())
    }

    /// Enrols a tablet for `event` as `organiser` and returns the tablet, claimed, with the enrolment id.
    pub async fn kiosk(&self, organiser: &mut Browser, event: Uuid) -> (Browser, Uuid) {
        let (enrolment, code) = self.enrol(organiser, event).await;
        let mut tablet = self.visitor().await;
        let claimed = self
            .call(
                &mut tablet,
                Method::POST,
                "/api/v1/kiosk/claim",
                Some(serde_json::json!({"code": code})),
            )
            .await;
        assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.json);
        (tablet, enrolment)
    }
}

impl TestApp {
    /// Pushes `mutations` as one batch recorded on a device at `at`; the outcome of each.
    pub async fn push(
        &self,
        browser: &mut Browser,
        at: &str,
        mutations: Vec<domain::sync::protocol::Mutation>,
    ) -> Vec<domain::sync::protocol::Outcome> {
        use domain::sync::protocol::{PushRequest, PushResponse};
        let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
        let body = PushRequest {
            device_id: Uuid::now_v7(),
            mutations: mutations
                .into_iter()
                .map(|m| m.into_envelope(Uuid::now_v7(), at))
                .collect(),
        };
        let answer = self
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

    /// Like [`TestApp::push`], for mutations that must all apply.
    pub async fn push_applied(
        &self,
        browser: &mut Browser,
        at: &str,
        mutations: Vec<domain::sync::protocol::Mutation>,
    ) {
        for outcome in self.push(browser, at, mutations).await {
            assert_eq!(outcome, domain::sync::protocol::Outcome::Applied);
        }
    }
}

/// Copies the files under `from` to `to`, but not SQLite's shared-memory index: the copy's first
/// connection rebuilds it from the write-ahead log.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if !name.to_string_lossy().ends_with("-shm") {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The record of a photo of [`small_jpeg`]'s bytes, as a device pushes it before it uploads them.
/// A help request for someone the registry does not have yet (the server adds them), in the default
/// dictionaries' terms.
pub fn request_for(id: Uuid, resident_name: &str, description: &str) -> Mutation {
    Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: id,
        fields: HelpRequestFields {
            resident_name: resident_name.into(),
            district: "okolna".into(),
            category: "shopping".into(),
            description: description.into(),
            ..Default::default()
        },
    })
}

/// `attendee` put on `event`'s list by staff with `proof`, image consent not asked.
pub fn on_list(event: Uuid, attendee: Attendee, proof: Proof) -> Mutation {
    Mutation::ChangeAttendance(ChangeAttendance {
        event_id: event,
        change: ListChange::Record(NewAttendance {
            attendance_id: Uuid::now_v7(),
            attendee,
            proof,
            image_consent: None,
            walk_in: false,
            registration: None,
            reason: None,
        }),
    })
}

pub fn small_jpeg_attached(
    photo_id: Uuid,
    subject: PhotoSubject,
    caption: &str,
    people: PeopleVisible,
) -> Mutation {
    let jpeg = small_jpeg();
    Mutation::AttachPhoto(AttachPhoto {
        photo_id,
        subject,
        caption: caption.into(),
        people,
        file: PhotoFile {
            sha256: sha256_hex(&jpeg),
            bytes: jpeg.len() as u64,
            width: 64,
            height: 48,
        },
    })
}

/// A small real JPEG, as a camera would not make it but a decoder accepts it.
pub fn small_jpeg() -> Vec<u8> {
    let picture =
        image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&picture)
        .unwrap();
    jpeg
}

/// `jpeg` with its frame header (SOF0) claiming `width`×`height`; the scan still holds the small picture.
pub fn declaring_size(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let sof = jpeg
        .windows(2)
        .position(|marker| marker == [0xFF, 0xC0])
        .expect("a baseline JPEG has a SOF0 segment");
    let mut out = jpeg.to_vec();
    // Marker (2), length (2), precision (1), then height and width, big-endian.
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    out
}

/// Reads an answer as a device's sync client does (`failure_of` for anything but success).
pub fn sync_answer<T: serde::de::DeserializeOwned>(
    (status, json): (StatusCode, Value),
) -> Result<T, SyncFailure> {
    if status.is_success() {
        return serde_json::from_value(json)
            .map_err(|_| SyncFailure::Problem(SyncProblem::Unexpected));
    }
    let error: Option<ApiError> = serde_json::from_value(json).ok();
    Err(failure_of(status.as_u16(), error.as_ref()))
}

pub fn pull_uri(since: i64, limit: u32) -> String {
    v1::url::<v1::Pull>(
        &[],
        &PullQuery {
            since,
            limit: Some(limit),
        },
    )
    .unwrap()
}

/// One device's link to the server, without faults: the app's own sync code (`app::device::sync_once`)
/// runs over it as signed in with `browser`.
pub struct DeviceLink<'a> {
    app: &'a TestApp,
    browser: RefCell<Browser>,
}

impl<'a> DeviceLink<'a> {
    pub fn new(app: &'a TestApp, browser: Browser) -> Self {
        Self {
            app,
            browser: RefCell::new(browser),
        }
    }

    /// The browser the device's calls go through (for a test's own calls as the same person).
    pub fn browser(&self) -> Browser {
        self.browser.borrow().clone()
    }

    async fn exchange(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut browser = self.browser.borrow().clone();
        let answer = self.app.call(&mut browser, method, uri, body).await;
        self.browser.replace(browser);
        (answer.status, answer.json)
    }
}

impl SyncServer for DeviceLink<'_> {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        let body = serde_json::to_value(request).unwrap();
        let uri = v1::path::<v1::Push>(&[]);
        sync_answer(self.exchange(Method::POST, &uri, Some(body)).await)
    }

    async fn pull(&self, since: i64, limit: u32) -> Result<PullResponse, SyncFailure> {
        sync_answer(
            self.exchange(Method::GET, &pull_uri(since, limit), None)
                .await,
        )
    }

    async fn record_reads(&self, reads: &ReadReceipts) -> Result<(), SyncFailure> {
        let body = serde_json::to_value(reads).unwrap();
        let uri = v1::path::<v1::RecordReads>(&[]);
        sync_answer(self.exchange(Method::POST, &uri, Some(body)).await)
    }
}
