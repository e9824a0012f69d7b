//! Events: organisers create and correct them online (kiosks are enrolled from the server's copy), and
//! every device gets them with its next pull.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::account::Permission;
use domain::audit::AuditAction;
use domain::event::{Event, EventFields};
use domain::workflow::Actor;
use serde_json::json;
use uuid::Uuid;

use super::session::audit;
use super::{body, missing, path_id, ApiState, Rejection};
use crate::auth::Caller;

pub async fn list_events(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<Event>>, Rejection> {
    caller.require(Permission::ReadEvents)?;
    Ok(Json(state.store.events().await?))
}

/// A new event, checked against the dictionaries, stored, and sent to every device with the next pull.
pub async fn create_event(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<EventFields>, JsonRejection>,
) -> Result<(StatusCode, Json<Event>), Rejection> {
    save_event(state, caller, None, request).await
}

/// Corrected details of an event.
pub async fn update_event(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Result<Json<EventFields>, JsonRejection>,
) -> Result<(StatusCode, Json<Event>), Rejection> {
    let id = path_id(&id, "event")?;
    save_event(state, caller, Some(id), request).await
}

async fn save_event(
    state: ApiState,
    caller: Caller,
    id: Option<Uuid>,
    request: Result<Json<EventFields>, JsonRejection>,
) -> Result<(StatusCode, Json<Event>), Rejection> {
    let actor = Actor::from(caller.person_with(Permission::ManageEvents)?);
    let fields = body(request)?.normalized();
    let dictionary = state.store.dictionary().await?;
    fields.validate(&dictionary).map_err(Rejection::invalid)?;
    let (saved, status, action) = match id {
        None => (
            state.store.create_event(fields, &actor).await?,
            StatusCode::CREATED,
            AuditAction::EventCreated,
        ),
        Some(id) => (
            state
                .store
                .update_event(id, fields)
                .await?
                .ok_or_else(|| missing("event"))?,
            StatusCode::OK,
            AuditAction::EventUpdated,
        ),
    };
    audit(
        &state.store,
        &caller,
        action,
        Some(saved.id.to_string()),
        json!({}),
    )
    .await;
    Ok((status, Json(saved)))
}
