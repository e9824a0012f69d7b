//! First-start setup, signing in and out, and one's own password.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use axum_extra::extract::cookie::CookieJar;
use domain::account::{
    normalize_username, validate_password, Account, NewAccount, PasswordChange, Role, SessionView,
    SetupStatus, SignIn,
};
use domain::app_lock::UnlockKey;
use domain::audit::AuditAction;
use serde_json::json;

use super::{body, ApiState, Rejection};
use crate::auth::{
    self, csrf_cookie, hash_password, new_token, session_cookies, throttled, token_hash,
    verify_password, without_session, Caller, CSRF_COOKIE, SESSION_COOKIE,
};
use crate::storage::accounts::{AccountError as CreateError, SessionOwner, UnlockKeyOwner};
use crate::storage::audit::AuditEvent;
use crate::storage::Store;

/// Writes the audit entry; a failure to do so is logged, not shown to the person whose action worked.
pub(super) async fn audit(
    store: &Store,
    caller: &Caller,
    action: AuditAction,
    target: Option<String>,
    details: serde_json::Value,
) {
    let actor_id = caller.account().ok().map(|a| a.id);
    audit_as(
        store,
        actor_id,
        &caller.actor_label(),
        action,
        target,
        details,
    )
    .await;
}

pub(super) async fn audit_as(
    store: &Store,
    actor_id: Option<uuid::Uuid>,
    actor: &str,
    action: AuditAction,
    target: Option<String>,
    details: serde_json::Value,
) {
    let event = AuditEvent {
        actor_id,
        actor,
        action,
        target,
        details,
    };
    if let Err(e) = store.audit(event).await {
        tracing::error!(error = %e, action = action.name(), "audit log write failed");
    }
}

pub async fn setup_status(State(state): State<ApiState>) -> Result<Json<SetupStatus>, Rejection> {
    let set_up = state.store.is_set_up().await?;
    Ok(Json(SetupStatus { required: !set_up }))
}

fn setup_done() -> Rejection {
    Rejection::new(
        StatusCode::CONFLICT,
        "setup_done",
        "The first coordinator already exists; sign in instead.",
    )
}

/// Creates the first coordinator and signs them in; refused once any account exists.
pub async fn setup(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    jar: CookieJar,
    request: Result<Json<NewAccount>, JsonRejection>,
) -> Result<Response, Rejection> {
    if state.store.is_set_up().await? {
        return Err(setup_done());
    }
    let mut account = body(request)?.normalized();
    account.role = Role::Coordinator;
    account.validate().map_err(Rejection::invalid)?;
    let hash = hash_password(account.password.clone()).await;
    let created = match state.store.create_account(&account, &hash, true).await {
        Ok(created) => created,
        Err(CreateError::SetupDone | CreateError::UsernameTaken) => return Err(setup_done()),
        Err(CreateError::Store(e)) => return Err(e.into()),
    };
    audit_as(
        &state.store,
        Some(created.id),
        &created.username,
        AuditAction::Setup,
        Some(created.username.clone()),
        json!({"role": created.role}),
    )
    .await;
    start_session(&state, &caller, jar, created, None).await
}

/// Opens a session for `owner` on this device, replacing the one it had; returns the cookies to send.
pub(super) async fn open_session(
    state: &ApiState,
    caller: &Caller,
    jar: CookieJar,
    owner: &SessionOwner,
) -> Result<CookieJar, Rejection> {
    if let Some(old) = &caller.session {
        state.store.delete_session(&old.token_hash).await?;
    }
    let (token, csrf) = (new_token(), new_token());
    state
        .store
        .create_session(&token_hash(&token), &csrf, owner, &caller.device)
        .await?;
    Ok(session_cookies(jar, &token, &csrf, caller.secure))
}

/// Signs `account` in on this device.
async fn start_session(
    state: &ApiState,
    caller: &Caller,
    jar: CookieJar,
    account: Account,
    unlock_key: Option<UnlockKey>,
) -> Result<Response, Rejection> {
    let jar = open_session(state, caller, jar, &SessionOwner::Account(account.id)).await?;
    let view = SessionView::Person {
        account,
        lock_after: state.store.number_setting().await?,
        unlock_key,
    };
    Ok((jar, Json(view)).into_response())
}

pub async fn current(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    jar: CookieJar,
) -> Result<Response, Rejection> {
    if caller.wipe_order.is_some() {
        return Err(auth::wipe_ordered());
    }
    let Some(session) = &caller.session else {
        // Before signing in, the page still needs a token to double-submit with the sign-in form.
        let jar = if jar.get(CSRF_COOKIE).is_none() {
            jar.add(csrf_cookie(&new_token(), caller.secure))
        } else {
            jar
        };
        return Ok((jar, auth::unauthenticated()).into_response());
    };
    let view = match (&session.account, session.principal) {
        (Some(account), _) => SessionView::Person {
            account: account.clone(),
            lock_after: state.store.number_setting().await?,
            unlock_key: None,
        },
        (None, domain::account::Principal::Kiosk { event_id, .. }) => {
            let event = state
                .store
                .event(event_id)
                .await?
                .ok_or_else(auth::not_signed_in)?;
            SessionView::Kiosk {
                unlock: None,
                event_id,
                event_title: event.fields.title,
            }
        }
        (None, _) => return Err(auth::not_signed_in()),
    };
    // A person's session slides with use; the cookies follow, so they outlive the first 30 days.
    let jar = match (jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()), &view) {
        (Some(token), SessionView::Person { .. }) => {
            session_cookies(jar, &token, &session.csrf_token, caller.secure)
        }
        _ => jar,
    };
    Ok((jar, Json(view)).into_response())
}

fn bad_credentials() -> Rejection {
    Rejection::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "Wrong username or password.",
    )
}

pub async fn sign_in(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    jar: CookieJar,
    request: Result<Json<SignIn>, JsonRejection>,
) -> Result<Response, Rejection> {
    let sign_in = body(request)?;
    let username = normalize_username(&sign_in.username);
    if let Err(wait) = state.throttle.attempt(caller.ip, Some(&username)) {
        audit(
            &state.store,
            &caller,
            AuditAction::SignInThrottled,
            None,
            json!({}),
        )
        .await;
        return Err(throttled(wait));
    }
    let candidate = state.store.login_candidate(&username).await?;
    let (account, hash) = match candidate {
        Some((account, hash, true)) => (Some(account), Some(hash)),
        // An inactive account answers like a wrong password, and costs the same time.
        Some((account, _, false)) => (Some(account), None),
        None => (None, None),
    };
    let verified = verify_password(sign_in.password, hash).await;
    match (account, verified) {
        (Some(account), true) => {
            audit_as(
                &state.store,
                Some(account.id),
                &account.username,
                AuditAction::SignIn,
                None,
                json!({}),
            )
            .await;
            let unlock_key = match sign_in.device_id {
                Some(device) => Some(
                    state
                        .store
                        .unlock_key(UnlockKeyOwner::Person(account.id), device, new_token())
                        .await?,
                ),
                None => None,
            };
            start_session(&state, &caller, jar, account, unlock_key).await
        }
        (account, _) => {
            // The typed username is not logged unless it names an account: it may be a mistyped password.
            let target = account.map(|a| a.username);
            audit(
                &state.store,
                &caller,
                AuditAction::SignInFailed,
                target,
                json!({}),
            )
            .await;
            Err(bad_credentials())
        }
    }
}

pub async fn sign_out(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    jar: CookieJar,
) -> Result<Response, Rejection> {
    let session = caller.session.as_ref().ok_or_else(auth::not_signed_in)?;
    state.store.delete_session(&session.token_hash).await?;
    audit(&state.store, &caller, AuditAction::SignOut, None, json!({})).await;
    Ok((without_session(jar), StatusCode::NO_CONTENT).into_response())
}

pub async fn sign_out_everywhere(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    jar: CookieJar,
) -> Result<Response, Rejection> {
    let account = caller.account()?;
    let ended = state.store.delete_account_sessions(account.id).await?;
    audit(
        &state.store,
        &caller,
        AuditAction::SignOutEverywhere,
        None,
        json!({"sessions": ended}),
    )
    .await;
    Ok((without_session(jar), StatusCode::NO_CONTENT).into_response())
}

/// Changes one's own password (the current one is required) and ends one's other sessions.
pub async fn change_password(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<PasswordChange>, JsonRejection>,
) -> Result<StatusCode, Rejection> {
    let account = caller.account()?.clone();
    let change = body(request)?;
    state
        .throttle
        .attempt(caller.ip, Some(&account.username))
        .map_err(throttled)?;
    let stored = state.store.password_hash(account.id).await?;
    if !verify_password(change.current_password, stored).await {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_password",
            "The current password is wrong.",
        ));
    }
    validate_password(&change.new_password, &account.username)
        .map_err(|problem| Rejection::invalid([problem]))?;
    let hash = hash_password(change.new_password).await;
    let keep = caller.session.as_ref().map(|s| s.token_hash.as_str());
    state.store.set_password(account.id, &hash, keep).await?;
    audit(
        &state.store,
        &caller,
        AuditAction::PasswordChanged,
        None,
        json!({}),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
