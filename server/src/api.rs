//! The versioned JSON API under `/api/v1`, thin over [`Store`]. Every error answer is JSON with a stable
//! `error` code (see docs/sync-protocol.md and docs/security.md). Every route passes [`auth::authenticate`]
//! (session and CSRF) and then checks its own permission.

mod attendance;
mod audit;
mod configuration;
mod devices;
mod events;
mod photos;
mod reports;
mod retention;
mod session;
mod sync;
mod users;

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query};
use axum::handler::Handler;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::{Json, Router};
use domain::sync::protocol::ApiError;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::{self, LoginThrottle, SecurityConfig};
use crate::storage::Store;

/// Room for a full batch of long descriptions, not for abuse.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

#[derive(Clone)]
pub struct ApiState {
    pub store: Store,
    pub throttle: Arc<LoginThrottle>,
    pub config: Arc<SecurityConfig>,
}

impl ApiState {
    pub fn new(store: Store, config: SecurityConfig) -> Self {
        Self {
            store,
            throttle: Arc::new(LoginThrottle::default()),
            config: Arc::new(config),
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
    fn at<H, T>(mut self, method: Method, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, ApiState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        self.router = self.router.route(path, on(filter, handler));
        self.list.push((method, path));
        self
    }
}

fn endpoints() -> Endpoints {
    let empty = Endpoints {
        router: Router::new(),
        list: Vec::new(),
    };
    empty
        .at(Method::GET, "/api/v1/setup", session::setup_status)
        .at(Method::POST, "/api/v1/setup", session::setup)
        .at(Method::GET, "/api/v1/session", session::current)
        .at(Method::POST, "/api/v1/session", session::sign_in)
        .at(Method::DELETE, "/api/v1/session", session::sign_out)
        .at(
            Method::POST,
            "/api/v1/session/sign-out-everywhere",
            session::sign_out_everywhere,
        )
        .at(
            Method::POST,
            "/api/v1/account/password",
            session::change_password,
        )
        .at(Method::POST, "/api/v1/sync/push", sync::push)
        .at(Method::GET, "/api/v1/sync/pull", sync::pull)
        .at(Method::GET, "/api/v1/volunteers", sync::volunteers)
        .at(Method::GET, "/api/v1/users", users::list)
        .at(Method::POST, "/api/v1/users", users::create)
        .at(Method::PATCH, "/api/v1/users/{id}", users::update)
        .at(
            Method::POST,
            "/api/v1/users/{id}/password",
            users::reset_password,
        )
        .at(Method::GET, "/api/v1/events", events::list_events)
        .at(Method::POST, "/api/v1/events", events::create_event)
        .at(Method::PUT, "/api/v1/events/{id}", events::update_event)
        .at(
            Method::GET,
            "/api/v1/events/{id}/attendance.csv",
            attendance::attendance_csv,
        )
        .at(
            Method::PUT,
            "/api/v1/consent-texts/{kind}",
            attendance::revise_consent_text,
        )
        .at(
            Method::PUT,
            "/api/v1/photos/{id}/original",
            photos::upload.layer(DefaultBodyLimit::max(domain::photo::MAX_UPLOAD_BYTES)),
        )
        .at(
            Method::GET,
            "/api/v1/photos/{id}/original",
            photos::original,
        )
        .at(
            Method::GET,
            "/api/v1/photos/{id}/thumbnail",
            photos::thumbnail,
        )
        .at(Method::GET, "/api/v1/enrolments", devices::list_enrolments)
        .at(Method::POST, "/api/v1/enrolments", devices::enrol)
        .at(Method::DELETE, "/api/v1/enrolments/{id}", devices::revoke)
        .at(Method::POST, "/api/v1/kiosk/claim", devices::claim)
        .at(Method::GET, "/api/v1/kiosk/event", devices::kiosk_event)
        .at(Method::GET, "/api/v1/audit", audit::browse)
        .at(
            Method::GET,
            "/api/v1/reports/dashboard",
            reports::show_dashboard,
        )
        .at(Method::GET, "/api/v1/exports/{file}", reports::download)
        .at(
            Method::POST,
            "/api/v1/dictionary/{kind}",
            configuration::add_entry,
        )
        .at(
            Method::PUT,
            "/api/v1/dictionary/{kind}/{code}",
            configuration::update_entry,
        )
        .at(Method::GET, "/api/v1/retention", retention::show)
        .at(Method::PUT, "/api/v1/retention", retention::change)
        .at(Method::POST, "/api/v1/retention/apply", retention::apply)
}

/// Every API endpoint as (method, path template).
pub fn endpoint_list() -> Vec<(Method, &'static str)> {
    endpoints().list
}

pub fn router(state: ApiState) -> Router {
    endpoints()
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
        .with_state(state)
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

fn missing(what: &str) -> Rejection {
    Rejection::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("No such {what}."),
    )
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
