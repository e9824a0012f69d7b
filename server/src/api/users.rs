//! Coordinators manage accounts: create, edit, deactivate, reset passwords.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::account::{
    validate_display_name, validate_password, AccountField, AccountProblem, NewAccount,
    PasswordReset, Permission,
};
use serde_json::json;
use uuid::Uuid;

use super::session::{audit, invalid};
use super::{body, missing, not_found, storage_failure, ApiState, Rejection};
use crate::auth::{hash_password, Caller};
use crate::storage::accounts::{AccountChanges, AccountError as CreateError};

pub async fn list(State(state): State<ApiState>, Extension(caller): Extension<Caller>) -> Response {
    if let Err(denied) = caller.require(Permission::ManageUsers) {
        return denied.into_response();
    }
    match state.store.accounts().await {
        Ok(accounts) => Json(accounts).into_response(),
        Err(e) => storage_failure(e),
    }
}

pub async fn create(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<NewAccount>, JsonRejection>,
) -> Response {
    if let Err(denied) = caller.require(Permission::ManageUsers) {
        return denied.into_response();
    }
    let account = match body(request) {
        Ok(account) => account.normalized(),
        Err(rejected) => return rejected.into_response(),
    };
    if let Err(errors) = account.validate() {
        return invalid(errors);
    }
    let hash = hash_password(account.password.clone()).await;
    match state.store.create_account(&account, &hash, false).await {
        Ok(created) => {
            audit(
                &state.store,
                &caller,
                "user_created",
                Some(created.username.clone()),
                json!({"role": created.role}),
            )
            .await;
            (StatusCode::CREATED, Json(created)).into_response()
        }
        Err(CreateError::UsernameTaken | CreateError::SetupDone) => {
            invalid(vec![domain::account::AccountError {
                field: AccountField::Username,
                problem: AccountProblem::Taken,
            }])
        }
        Err(CreateError::Store(e)) => storage_failure(e),
    }
}

fn parse_id(id: &str) -> Result<Uuid, Rejection> {
    Uuid::parse_str(id).map_err(|_| missing("user"))
}

pub async fn update(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Result<Json<AccountChanges>, JsonRejection>,
) -> Response {
    if let Err(denied) = caller.require(Permission::ManageUsers) {
        return denied.into_response();
    }
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(missing) => return missing.into_response(),
    };
    let mut changes = match body(request) {
        Ok(changes) => changes,
        Err(rejected) => return rejected.into_response(),
    };
    if let Some(name) = &changes.display_name {
        if let Err(problem) = validate_display_name(name) {
            return invalid(vec![problem]);
        }
        changes.display_name = Some(name.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    // A coordinator cannot lock themselves out by demoting or deactivating their own account.
    let own = caller.account().ok().map(|a| a.id) == Some(id);
    if own && (changes.active == Some(false) || changes.role.is_some()) {
        return super::error(
            StatusCode::CONFLICT,
            "own_account",
            "You cannot deactivate your own account or change your own role.",
        );
    }
    match state.store.update_account(id, &changes).await {
        Ok(Some(record)) => {
            let action = match changes.active {
                Some(false) => "user_deactivated",
                Some(true) => "user_reactivated",
                None => "user_updated",
            };
            audit(
                &state.store,
                &caller,
                action,
                Some(record.account.username.clone()),
                json!({"display_name": changes.display_name.is_some(), "role": changes.role}),
            )
            .await;
            Json(record).into_response()
        }
        Ok(None) => not_found("user"),
        Err(e) => storage_failure(e),
    }
}

/// Sets a temporary password and ends the person's sessions.
pub async fn reset_password(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Result<Json<PasswordReset>, JsonRejection>,
) -> Response {
    if let Err(denied) = caller.require(Permission::ManageUsers) {
        return denied.into_response();
    }
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(missing) => return missing.into_response(),
    };
    let reset = match body(request) {
        Ok(reset) => reset,
        Err(rejected) => return rejected.into_response(),
    };
    let record = match state.store.account(id).await {
        Ok(Some(record)) => record,
        Ok(None) => return not_found("user"),
        Err(e) => return storage_failure(e),
    };
    if let Err(problem) = validate_password(&reset.password, &record.account.username) {
        return invalid(vec![problem]);
    }
    let hash = hash_password(reset.password).await;
    if let Err(e) = state.store.set_password(id, &hash, None).await {
        return storage_failure(e);
    }
    audit(
        &state.store,
        &caller,
        "password_reset",
        Some(record.account.username),
        json!({}),
    )
    .await;
    StatusCode::NO_CONTENT.into_response()
}
