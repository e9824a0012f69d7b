//! Push and pull of the sync protocol (docs/sync-protocol.md), for signed-in people only.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::account::{Permission, Principal};
use domain::attendance::Author;
use domain::sync::protocol::{
    PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_PUSH_BATCH,
};
use domain::workflow::Actor;
use serde::Deserialize;

use super::{body, error, storage_failure, ApiState};
use crate::auth::Caller;

pub async fn push(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<PushRequest>, JsonRejection>,
) -> Response {
    // A kiosk pushes the signatures of its own event; the storage layer refuses it anything else.
    let author = match caller.principal() {
        Principal::Kiosk { event_id, .. } => Author::Kiosk { event_id },
        _ => match caller.person_with(Permission::RecordEntries) {
            Ok(account) => Author::Staff(Actor::from(account)),
            Err(denied) => return denied.into_response(),
        },
    };
    let request = match body(request) {
        Ok(request) => request,
        Err(rejected) => return rejected.into_response(),
    };
    if request.mutations.len() > MAX_PUSH_BATCH {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("At most {MAX_PUSH_BATCH} mutations per push."),
        );
    }
    match state.store.push(&request, &author).await {
        Ok(results) => Json(PushResponse { results }).into_response(),
        Err(e) => storage_failure(e),
    }
}

#[derive(Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    since: i64,
    limit: Option<u32>,
}

pub async fn pull(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Response {
    if let Err(denied) = caller.require(Permission::RecordEntries) {
        return denied.into_response();
    }
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
    match state
        .store
        .pull(caller.principal(), query.since, limit)
        .await
    {
        Ok(page) => Json::<PullResponse>(page).into_response(),
        Err(e) => storage_failure(e),
    }
}

/// Whom an organiser can assign to a request.
pub async fn volunteers(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Response {
    if let Err(denied) = caller.require(Permission::ReviewEntries) {
        return denied.into_response();
    }
    match state.store.volunteers().await {
        Ok(volunteers) => Json(volunteers).into_response(),
        Err(e) => storage_failure(e),
    }
}
