//! Push and pull of the sync protocol (docs/sync-protocol.md), for signed-in people only.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::Utc;
use domain::account::{Permission, Principal};
use domain::attendance::Author;
use domain::audit::AuditAction;
use domain::help_request::Person;
use domain::sync::protocol::{
    PullQuery, PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
    MAX_PUSH_BATCH,
};
use domain::workflow::Actor;
use serde_json::json;

use super::session::audit_as;
use super::{at_most, body, query, ApiState, Rejection};
use crate::auth::{not_signed_in, wipe_ordered, Caller};

pub async fn push(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, Rejection> {
    // A kiosk pushes the signatures of its own event; the storage layer refuses it anything else.
    let author = match caller.principal() {
        Principal::Kiosk { event_id, .. } => Author::Kiosk { event_id },
        _ => Author::Staff(Actor::from(caller.sender()?)),
    };
    let request = body(request)?;
    at_most(&request.mutations, MAX_PUSH_BATCH, "mutations")?;
    let results = state.store.push(&request, &author).await?;
    Ok(Json(PushResponse { results }))
}

pub async fn pull(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, Rejection> {
    // The device pulls after it pushed: everything it could send has arrived.
    if caller.wipe_order.is_some() {
        return Err(wipe_ordered());
    }
    caller.require(Permission::RecordEntries)?;
    let request = query(request)?;
    if request.since < 0 {
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            "`since` is a cursor from an earlier pull, or 0.",
        ));
    }
    let limit = request
        .limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT);
    let page = state
        .store
        .pull(caller.principal(), request.since, limit, Utc::now())
        .await?;
    Ok(Json(page))
}

/// `POST /api/v1/sync/wiped`: the device erased the deactivated account's data; the coordinator sees it.
pub async fn confirm_wipe(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<StatusCode, Rejection> {
    let Some(order) = &caller.wipe_order else {
        return Err(match caller.session {
            None => not_signed_in(),
            Some(_) => Rejection::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Only a device ordered to erase a deactivated account's data confirms it.",
            ),
        });
    };
    if state.store.confirm_wipe(&order.token_hash).await? {
        let account = caller.sender()?;
        audit_as(
            &state.store,
            Some(account.id),
            &account.username,
            AuditAction::DeviceWiped,
            Some(account.username.clone()),
            json!({"device": caller.device}),
        )
        .await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Whom an organiser can assign to a request.
pub async fn volunteers(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<Person>>, Rejection> {
    caller.require(Permission::ReviewEntries)?;
    Ok(Json(state.store.volunteers().await?))
}
