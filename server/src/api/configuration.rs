//! Coordinators configure the centre's dictionaries (districts, locations, help categories, target
//! groups, plan goals). Codes never change, so old records keep their meaning; retiring an entry keeps its
//! label for them and takes it out of the forms.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::account::Permission;
use domain::dictionary::{DictionaryEntry, DictionaryKind, EntryLabels};
use serde_json::json;

use super::session::audit;
use super::{body, not_found, storage_failure, ApiState};
use crate::auth::Caller;

fn invalid(errors: Vec<domain::dictionary::LabelError>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({
            "error": "invalid",
            "message": "Both labels are required, at most 200 characters, and the Polish one must be new in this list.",
            "errors": errors,
        })),
    )
        .into_response()
}

async fn save(
    state: &ApiState,
    caller: &Caller,
    entry: DictionaryEntry,
    status: StatusCode,
) -> Response {
    if let Err(e) = state.store.save_dictionary_entry(&entry).await {
        return storage_failure(e);
    }
    audit(
        &state.store,
        caller,
        "dictionary_changed",
        Some(entry.key()),
        json!({"label_pl": entry.label_pl, "active": entry.active}),
    )
    .await;
    (status, Json(entry)).into_response()
}

/// `POST /api/v1/dictionary/{kind}`: a new entry at the end of the list.
pub async fn add_entry(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(kind): Path<String>,
    request: Result<Json<EntryLabels>, JsonRejection>,
) -> Response {
    if let Err(denied) = caller.require(Permission::Configure) {
        return denied.into_response();
    }
    let Some(kind) = DictionaryKind::parse(&kind) else {
        return not_found("dictionary");
    };
    let labels = match body(request) {
        Ok(labels) => labels.normalized(),
        Err(rejected) => return rejected.into_response(),
    };
    let dictionary = match state.store.dictionary().await {
        Ok(dictionary) => dictionary,
        Err(e) => return storage_failure(e),
    };
    if let Err(errors) = labels.validate(&dictionary, kind, None) {
        return invalid(errors);
    }
    let entry = DictionaryEntry {
        kind,
        code: dictionary.new_code(kind, &labels.label_pl),
        label_pl: labels.label_pl,
        label_en: labels.label_en,
        position: dictionary.next_position(kind),
        active: labels.active,
    };
    save(&state, &caller, entry, StatusCode::CREATED).await
}

/// `PUT /api/v1/dictionary/{kind}/{code}`: new labels, or retiring and restoring an entry.
pub async fn update_entry(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path((kind, code)): Path<(String, String)>,
    request: Result<Json<EntryLabels>, JsonRejection>,
) -> Response {
    if let Err(denied) = caller.require(Permission::Configure) {
        return denied.into_response();
    }
    let labels = match body(request) {
        Ok(labels) => labels.normalized(),
        Err(rejected) => return rejected.into_response(),
    };
    let dictionary = match state.store.dictionary().await {
        Ok(dictionary) => dictionary,
        Err(e) => return storage_failure(e),
    };
    let Some(current) = DictionaryKind::parse(&kind).and_then(|kind| dictionary.find(kind, &code))
    else {
        return not_found("dictionary entry");
    };
    if let Err(errors) = labels.validate(&dictionary, current.kind, Some(&current.code)) {
        return invalid(errors);
    }
    let entry = DictionaryEntry {
        label_pl: labels.label_pl,
        label_en: labels.label_en,
        active: labels.active,
        ..current.clone()
    };
    save(&state, &caller, entry, StatusCode::OK).await
}
