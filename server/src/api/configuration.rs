//! Coordinators configure the centre's dictionaries (districts, locations, help categories, target
//! groups, plan goals). Codes never change, so old records keep their meaning; retiring an entry keeps its
//! label for them and takes it out of the forms. They also set how long closed requests stay on
//! volunteers' phones.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::account::Permission;
use domain::audit::AuditAction;
use domain::dictionary::{DictionaryEntry, DictionaryKind, EntryLabels, LabelError};
use domain::settings::NumberSetting;
use serde_json::json;

use super::session::audit;
use super::{body, missing, ApiState, Rejection};
use crate::auth::Caller;

fn invalid(errors: Vec<LabelError>) -> Rejection {
    Rejection {
        message:
            "Both labels are required, at most 200 characters, and the Polish one must be new in \
                  this list."
                .into(),
        ..Rejection::invalid(errors)
    }
}

async fn save(
    state: &ApiState,
    caller: &Caller,
    entry: DictionaryEntry,
    status: StatusCode,
) -> Result<(StatusCode, Json<DictionaryEntry>), Rejection> {
    state.store.save_dictionary_entry(&entry).await?;
    audit(
        &state.store,
        caller,
        AuditAction::DictionaryChanged,
        Some(entry.key()),
        json!({"label_pl": entry.label_pl, "active": entry.active}),
    )
    .await;
    Ok((status, Json(entry)))
}

/// `GET` a coordinator's setting (`domain::settings`).
pub async fn show_setting<S: NumberSetting>(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<S>, Rejection> {
    caller.require(Permission::Configure)?;
    Ok(Json(state.store.number_setting::<S>().await?))
}

/// `PUT` a coordinator's setting: devices follow at their next pull or session check.
pub async fn change_setting<S: NumberSetting>(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<S>, JsonRejection>,
) -> Result<Json<S>, Rejection> {
    caller.require(Permission::Configure)?;
    let value = S::new(body(request)?.number()).ok_or_else(|| {
        Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            S::INVALID,
            format!(
                "{} takes a whole number from {} to {}.",
                S::KEY,
                S::MIN,
                S::MAX
            ),
        )
    })?;
    state.store.set_number_setting(value).await?;
    audit(
        &state.store,
        &caller,
        S::CHANGED,
        None,
        json!({ S::KEY: value.number() }),
    )
    .await;
    Ok(Json(value))
}

/// `POST /api/v1/dictionary/{kind}`: a new entry at the end of the list.
pub async fn add_entry(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(kind): Path<String>,
    request: Result<Json<EntryLabels>, JsonRejection>,
) -> Result<(StatusCode, Json<DictionaryEntry>), Rejection> {
    caller.require(Permission::Configure)?;
    let kind = DictionaryKind::parse(&kind).ok_or_else(|| missing("dictionary"))?;
    let labels = body(request)?.normalized();
    let dictionary = state.store.dictionary().await?;
    labels.validate(&dictionary, kind, None).map_err(invalid)?;
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
) -> Result<(StatusCode, Json<DictionaryEntry>), Rejection> {
    caller.require(Permission::Configure)?;
    let labels = body(request)?.normalized();
    let dictionary = state.store.dictionary().await?;
    let current = DictionaryKind::parse(&kind)
        .and_then(|kind| dictionary.find(kind, &code))
        .ok_or_else(|| missing("dictionary entry"))?;
    labels
        .validate(&dictionary, current.kind, Some(&current.code))
        .map_err(invalid)?;
    let entry = DictionaryEntry {
        label_pl: labels.label_pl,
        label_en: labels.label_en,
        active: labels.active,
        ..current.clone()
    };
    save(&state, &caller, entry, StatusCode::OK).await
}
