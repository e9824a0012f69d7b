//! Coordinators manage accounts: create, edit, deactivate, reset passwords.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::account::{
    validate_display_name, validate_password, AccountChanges, AccountField, AccountProblem,
    AccountRecord, NewAccount, PasswordReset, Permission,
};
use domain::audit::AuditAction;
use serde_json::json;

use super::session::audit;
use super::{body, missing, path_id, ApiState, Rejection};
use crate::auth::{hash_password, Caller};
use crate::storage::accounts::AccountError as CreateError;

pub async fn list(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<AccountRecord>>, Rejection> {
    caller.require(Permission::ManageUsers)?;
    Ok(Json(state.store.accounts().await?))
}

pub async fn create(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<NewAccount>, JsonRejection>,
) -> Result<(StatusCode, Json<domain::account::Account>), Rejection> {
    caller.require(Permission::ManageUsers)?;
    let account = body(request)?.normalized();
    account.validate().map_err(Rejection::invalid)?;
    let hash = hash_password(account.password.clone()).await;
    let created = match state.store.create_account(&account, &hash, false).await {
        Ok(created) => created,
        Err(CreateError::UsernameTaken | CreateError::SetupDone) => {
            return Err(Rejection::invalid([domain::account::AccountError {
                field: AccountField::Username,
                problem: AccountProblem::Taken,
            }]))
        }
        Err(CreateError::Store(e)) => return Err(e.into()),
    };
    audit(
        &state.store,
        &caller,
        AuditAction::UserCreated,
        Some(created.username.clone()),
        json!({"role": created.role}),
    )
    .await;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn update(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Result<Json<AccountChanges>, JsonRejection>,
) -> Result<Json<AccountRecord>, Rejection> {
    caller.require(Permission::ManageUsers)?;
    let id = path_id(&id, "user")?;
    let mut changes = body(request)?;
    if let Some(name) = &changes.display_name {
        validate_display_name(name).map_err(|problem| Rejection::invalid([problem]))?;
        changes.display_name = Some(name.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    // A coordinator cannot lock themselves out by demoting or deactivating their own account.
    let own = caller.account().ok().map(|a| a.id) == Some(id);
    if own && (changes.active == Some(false) || changes.role.is_some()) {
        return Err(Rejection::new(
            StatusCode::CONFLICT,
            "own_account",
            "You cannot deactivate your own account or change your own role.",
        ));
    }
    let record = state
        .store
        .update_account(id, &changes)
        .await?
        .ok_or_else(|| missing("user"))?;
    let action = match changes.active {
        Some(false) => AuditAction::UserDeactivated,
        Some(true) => AuditAction::UserReactivated,
        None => AuditAction::UserUpdated,
    };
    audit(
        &state.store,
        &caller,
        action,
        Some(record.account.username.clone()),
        json!({"display_name": changes.display_name.is_some(), "role": changes.role}),
    )
    .await;
    Ok(Json(record))
}

/// Sets a temporary password and ends the person's sessions.
pub async fn reset_password(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Result<Json<PasswordReset>, JsonRejection>,
) -> Result<StatusCode, Rejection> {
    caller.require(Permission::ManageUsers)?;
    let id = path_id(&id, "user")?;
    let reset = body(request)?;
    let record = state
        .store
        .account(id)
        .await?
        .ok_or_else(|| missing("user"))?;
    validate_password(&reset.password, &record.account.username)
        .map_err(|problem| Rejection::invalid([problem]))?;
    let hash = hash_password(reset.password).await;
    state.store.set_password(id, &hash, None).await?;
    audit(
        &state.store,
        &caller,
        AuditAction::PasswordReset,
        Some(record.account.username),
        json!({}),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
