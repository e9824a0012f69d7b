//! The versioned JSON API under `/api/v1`, thin over [`Store`]. Every error answer is JSON with a stable
//! `error` code (see docs/sync-protocol.md and docs/security.md). Every route passes [`auth::authenticate`]
//! (session and CSRF) and then checks its own permission.

mod attendance;
mod audit;
mod configuration;
mod data_rights;
mod devices;
mod events;
mod photos;
mod reports;
mod retention;
mod session;
mod sync;
mod users;

use std::any::Any;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query};
use axum::handler::Handler;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::{Json, Router};
use domain::api::{self as v1, Route};
use domain::app_lock::LockAfter;
use domain::need_to_know::ClosedRequestDays;
use domain::sync::protocol::ApiError;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use uuid::Uuid;

use crate::auth::{self, LoginThrottle, SecurityConfig};
use crate::storage::Store;

/// Room for a full batch of long descriptions, not for abuse.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

#[derive(Clone)]
pub struct ApiState {
    pub store: Store,
    pub throttle: Arc<LoginThrottle>,
    pub config: Arc<SecurityConfig>,
    /// Photos being decoded at once (`photos::upload`).
    pub photo_decoding: Arc<Semaphore>,
}

impl ApiState {
    pub fn new(store: Store, config: SecurityConfig) -> Self {
        Self {
            store,
            throttle: Arc::new(LoginThrottle::default()),
            config: Arc::new(config),
            photo_decoding: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(1, usize::from),
            )),
        }
    }
}

/// Builds the router and, in the same breath, the list of its endpoints, so the authorization matrix
/// test can require a row for every one of them.
struct Endpoints {
    router: Router<ApiState>,
    list: Vec<(Method, &'static str)>,
}

impl Endpoints {
    /// Serves `handler` where the declaration `_endpoint` says (`domain::api`).
    fn at<R, H, T>(mut self, _endpoint: R, handler: H) -> Self
    where
        R: Route,
        H: Handler<T, ApiState>,
        T: 'static,
    {
        let (method, filter) = match R::METHOD {
            v1::Method::Get => (Method::GET, MethodFilter::GET),
            v1::Method::Post => (Method::POST, MethodFilter::POST),
            v1::Method::Put => (Method::PUT, MethodFilter::PUT),
            v1::Method::Patch => (Method::PATCH, MethodFilter::PATCH),
            v1::Method::Delete => (Method::DELETE, MethodFilter::DELETE),
        };
        self.router = self.router.route(R::ROUTE, on(filter, handler));
        self.list.push((method, R::ROUTE));
        self
    }
}

fn endpoints() -> Endpoints {
    let empty = Endpoints {
        router: Router::new(),
        list: Vec::new(),
    };
    empty
        .at(v1::CheckSetup, session::setup_status)
        .at(v1::SetUp, session::setup)
        .at(v1::CheckSession, session::current)
        .at(v1::SignIn, session::sign_in)
        .at(v1::SignOut, session::sign_out)
        .at(v1::SignOutEverywhere, session::sign_out_everywhere)
        .at(v1::ChangePassword, session::change_password)
        .at(v1::Push, sync::push)
        .at(v1::Pull, sync::pull)
        .at(v1::ConfirmWipe, sync::confirm_wipe)
        .at(v1::ListVolunteers, sync::volunteers)
        .at(v1::ListUsers, users::list)
        .at(v1::CreateUser, users::create)
        .at(v1::UpdateUser, users::update)
        .at(v1::ResetPassword, users::reset_password)
        .at(v1::ListEvents, events::list_events)
        .at(v1::CreateEvent, events::create_event)
        .at(v1::UpdateEvent, events::update_event)
        .at(v1::AttendanceCsv, attendance::attendance_csv)
        .at(v1::ReviseConsentText, attendance::revise_consent_text)
        .at(
            v1::UploadPhoto,
            photos::upload.layer(DefaultBodyLimit::max(domain::photo::MAX_UPLOAD_BYTES)),
        )
        .at(v1::DownloadPhoto, photos::original)
        .at(v1::PhotoThumbnail, photos::thumbnail)
        .at(v1::ListEnrolments, devices::list_enrolments)
        .at(v1::Enrol, devices::enrol)
        .at(v1::RevokeEnrolment, devices::revoke)
        .at(v1::ClaimKiosk, devices::claim)
        .at(v1::FetchKioskPackage, devices::kiosk_event)
        .at(v1::BrowseAudit, audit::browse)
        .at(v1::RecordReads, audit::record_reads)
        .at(v1::ShowDashboard, reports::show_dashboard)
        .at(v1::DownloadExport, reports::download)
        .at(v1::AddDictionaryEntry, configuration::add_entry)
        .at(
            v1::ShowClosedRequestDays,
            configuration::show_setting::<ClosedRequestDays>,
        )
        .at(
            v1::ChangeClosedRequestDays,
            configuration::change_setting::<ClosedRequestDays>,
        )
        .at(v1::ShowLockAfter, configuration::show_setting::<LockAfter>)
        .at(
            v1::ChangeLockAfter,
            configuration::change_setting::<LockAfter>,
        )
        .at(v1::UpdateDictionaryEntry, configuration::update_entry)
        .at(v1::ShowRetention, retention::show)
        .at(v1::ChangeRetention, retention::change)
        .at(v1::ApplyRetention, retention::apply)
        .at(v1::DownloadSubjectAccess, data_rights::download)
        .at(v1::EraseResident, data_rights::erase)
}

/// Every API endpoint as (method, route template).
pub fn endpoint_list() -> Vec<(Method, &'static str)> {
    endpoints().list
}

pub fn router(state: ApiState) -> Router {
    let router = endpoints()
        .router
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .route("/api/{*rest}", axum::routing::any(unknown_api))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Answers carry personal data: no cache (browser, proxy or service worker) keeps them.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state);
    answer_panics(router)
}

/// A handler that panics (a bug) answers 500 in the API's error format instead of dropping the
/// connection, which a device would take for a network failure and retry for ever. The panic's message
/// goes to the log, not to the client.
pub fn answer_panics(router: Router) -> Router {
    router.layer(CatchPanicLayer::custom(panic_answer))
}

fn panic_answer(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a handler panicked");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "The server failed to answer; retry later.",
    )
}

/// The API's one error answer on its way out: handlers return it in a `Result` (storage failures and
/// refusals convert into it with `?`), and [`IntoResponse`] sends the documented
/// `{"error", "message"}` body, with `errors` when fields need correcting.
#[derive(Debug)]
pub struct Rejection {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Field-by-field problems of an `invalid` answer.
    pub errors: Option<serde_json::Value>,
    /// Seconds to wait before trying again (`Retry-After`), for a throttled attempt.
    pub retry_after: Option<u64>,
}

impl Rejection {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            errors: None,
            retry_after: None,
        }
    }

    /// 422: the fields named in `errors` need correcting.
    pub fn invalid(errors: impl serde::Serialize) -> Self {
        Self {
            errors: Some(serde_json::to_value(errors).unwrap_or_default()),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Some fields need correcting.",
            )
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let mut response = match self.errors {
            None => error(self.status, self.code, self.message),
            Some(errors) => (
                self.status,
                Json(serde_json::json!({
                    "error": self.code,
                    "message": self.message,
                    "errors": errors,
                })),
            )
                .into_response(),
        };
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub(crate) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(ApiError {
            error: code.to_owned(),
            message: message.into(),
        }),
    )
        .into_response()
}

pub(crate) fn storage_failure(e: crate::storage::StoreError) -> Response {
    Rejection::from(e).into_response()
}

impl From<crate::storage::StoreError> for Rejection {
    fn from(e: crate::storage::StoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage_failure",
            "The server could not store the data; retry later.",
        )
    }
}

fn json_rejection(rejection: JsonRejection) -> Rejection {
    let (status, code) = match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        }
        // Bad syntax and a wrong shape are both the client's malformed JSON.
        _ => (StatusCode::BAD_REQUEST, "malformed_json"),
    };
    Rejection::new(status, code, rejection.body_text())
}

/// The query string, or the answer that explains why it is unusable.
fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, Rejection> {
    query.map(|Query(value)| value).map_err(|rejection| {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            rejection.body_text(),
        )
    })
}

/// The JSON body, or the answer that explains why it is unusable.
fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, Rejection> {
    body.map(|Json(value)| value).map_err(json_rejection)
}

/// A batch holds more than `most` items, each called `what`: 413, the client sends fewer at a time.
fn at_most<T>(batch: &[T], most: usize, what: &str) -> Result<(), Rejection> {
    if batch.len() <= most {
        return Ok(());
    }
    Err(Rejection::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "batch_too_large",
        format!("At most {most} {what} per request."),
    ))
}

fn missing(what: &str) -> Rejection {
    Rejection::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("No such {what}."),
    )
}

/// The id a route names in its `{id}`: text that is no id names nothing, as an unknown id does (404).
fn path_id(id: &str, what: &str) -> Result<Uuid, Rejection> {
    Uuid::parse_str(id).map_err(|_| missing(what))
}

/// A file the browser saves as `filename`.
fn attachment(content_type: &str, filename: &str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `/api/v2/...` from a newer client, or a path this version does not have.
async fn unknown_api(uri: Uri) -> Response {
    let version = uri
        .path()
        .trim_start_matches("/api/")
        .split('/')
        .next()
        .unwrap_or_default();
    if version != "v1" {
        return error(
            StatusCode::NOT_FOUND,
            "unsupported_api_version",
            format!("This server speaks API v1; `{version}` is not supported."),
        );
    }
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("No API endpoint at {}.", uri.path()),
    )
}
