//! The versioned JSON API under `/api/v1`, thin over [`Store`]. Every error answer is JSON with a stable
//! `error` code (see docs/sync-protocol.md).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::sync::protocol::{
    ApiError, PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
    MAX_PUSH_BATCH,
};
use serde::Deserialize;

use crate::storage::Store;

/// Room for a full batch of long descriptions, not for abuse.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub fn router(store: Store) -> Router {
    Router::new()
        .route("/api/v1/sync/push", post(push))
        .route("/api/v1/sync/pull", get(pull))
        .route("/api/{*rest}", axum::routing::any(unknown_api))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(store)
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(ApiError {
            error: code.to_owned(),
            message: message.into(),
        }),
    )
        .into_response()
}

fn storage_failure(e: crate::storage::StoreError) -> Response {
    tracing::error!(error = %e, "storage failure");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "storage_failure",
        "The server could not store the data; retry later.",
    )
}

async fn push(
    State(store): State<Store>,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Response {
    let request = match body {
        Ok(Json(request)) => request,
        Err(rejection) => return json_rejection(rejection),
    };
    if request.mutations.len() > MAX_PUSH_BATCH {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("At most {MAX_PUSH_BATCH} mutations per push."),
        );
    }
    match store.push(&request).await {
        Ok(results) => Json(PushResponse { results }).into_response(),
        Err(e) => storage_failure(e),
    }
}

fn json_rejection(rejection: JsonRejection) -> Response {
    let (status, code) = match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        }
        // Bad syntax and a wrong shape are both the client's malformed JSON.
        _ => (StatusCode::BAD_REQUEST, "malformed_json"),
    };
    error(status, code, rejection.body_text())
}

#[derive(Deserialize)]
struct PullQuery {
    #[serde(default)]
    since: i64,
    limit: Option<u32>,
}

async fn pull(
    State(store): State<Store>,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Response {
    let Query(query) = match query {
        Ok(query) => query,
        Err(rejection) => {
            return error(
                StatusCode::BAD_REQUEST,
                "malformed_query",
                rejection.body_text(),
            )
        }
    };
    if query.since < 0 {
        return error(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            "`since` is a cursor from an earlier pull, or 0.",
        );
    }
    let limit = query
        .limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT);
    match store.pull(query.since, limit).await {
        Ok(page) => Json::<PullResponse>(page).into_response(),
        Err(e) => storage_failure(e),
    }
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
