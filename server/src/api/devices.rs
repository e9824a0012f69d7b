//! Events (for enrolment) and kiosk tablets: enrol with a short code or QR, claim, revoke.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use axum_extra::extract::cookie::CookieJar;
use domain::account::{normalize_enrolment_code, Permission, Principal, SessionView};
use domain::event::NewEvent;
use qrcode::render::svg;
use qrcode::QrCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::session::{audit, open_session};
use super::{body, error, not_found, storage_failure, ApiState};
use crate::auth::{new_enrolment_code, throttled, token_hash, Caller};
use crate::storage::accounts::SessionOwner;
use crate::storage::devices::Enrolment;

pub async fn list_events(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Response {
    if let Err(denied) = caller.require(Permission::ReadEvents) {
        return denied.into_response();
    }
    match state.store.events().await {
        Ok(events) => Json(events).into_response(),
        Err(e) => storage_failure(e),
    }
}

pub async fn create_event(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<NewEvent>, JsonRejection>,
) -> Response {
    let author = match caller.person_with(Permission::ManageEvents) {
        Ok(account) => account.id,
        Err(denied) => return denied.into_response(),
    };
    let event = match body(request) {
        Ok(event) => event.normalized(),
        Err(rejected) => return rejected.into_response(),
    };
    if let Err(problems) = event.validate() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "invalid", "message": "Some fields need correcting.", "errors": problems})),
        )
            .into_response();
    }
    match state
        .store
        .create_event(&event.title, event.starts_at, event.ends_at, author)
        .await
    {
        Ok(created) => {
            audit(
                &state.store,
                &caller,
                "event_created",
                Some(created.id.to_string()),
                json!({}),
            )
            .await;
            (StatusCode::CREATED, Json(created)).into_response()
        }
        Err(e) => storage_failure(e),
    }
}

pub async fn list_enrolments(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Response {
    if let Err(denied) = caller.require(Permission::EnrolDevices) {
        return denied.into_response();
    }
    match state.store.current_enrolments().await {
        Ok(enrolments) => Json(enrolments).into_response(),
        Err(e) => storage_failure(e),
    }
}

#[derive(Deserialize)]
pub struct EnrolRequest {
    event_id: Uuid,
}

/// Shown once to the organiser: the code to type on the tablet, or the QR code that opens it.
#[derive(Serialize)]
pub struct EnrolmentCode {
    enrolment: Enrolment,
    code: String,
    url: String,
    qr_svg: String,
}

pub async fn enrol(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    request: Result<Json<EnrolRequest>, JsonRejection>,
) -> Response {
    let author = match caller.person_with(Permission::EnrolDevices) {
        Ok(account) => account.id,
        Err(denied) => return denied.into_response(),
    };
    let request = match body(request) {
        Ok(request) => request,
        Err(rejected) => return rejected.into_response(),
    };
    let event = match state.store.event(request.event_id).await {
        Ok(Some(event)) => event,
        Ok(None) => return not_found("event"),
        Err(e) => return storage_failure(e),
    };
    let code = new_enrolment_code();
    let enrolment = match state
        .store
        .create_enrolment(&event, &token_hash(&code), author)
        .await
    {
        Ok(enrolment) => enrolment,
        Err(e) => return storage_failure(e),
    };
    audit(
        &state.store,
        &caller,
        "device_enrolled",
        Some(enrolment.id.to_string()),
        json!({"event_id": event.id}),
    )
    .await;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if caller.secure { "https" } else { "http" };
    let url = format!("{scheme}://{host}/kiosk?code={code}");
    let qr_svg = match QrCode::new(url.as_bytes()) {
        Ok(qr) => qr
            .render::<svg::Color>()
            .min_dimensions(256, 256)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    };
    (
        StatusCode::CREATED,
        Json(EnrolmentCode {
            enrolment,
            code,
            url,
            qr_svg,
        }),
    )
        .into_response()
}

pub async fn revoke(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    if let Err(denied) = caller.require(Permission::EnrolDevices) {
        return denied.into_response();
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found("enrolment");
    };
    match state.store.revoke_enrolment(id).await {
        Ok(true) => {
            audit(
                &state.store,
                &caller,
                "device_revoked",
                Some(id.to_string()),
                json!({}),
            )
            .await;
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => not_found("enrolment"),
        Err(e) => storage_failure(e),
    }
}

#[derive(Deserialize)]
pub struct ClaimRequest {
    code: String,
}

/// The tablet redeems the code and becomes the event's kiosk (its earlier session, if any, ends).
pub async fn claim(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    jar: CookieJar,
    request: Result<Json<ClaimRequest>, JsonRejection>,
) -> Response {
    let request = match body(request) {
        Ok(request) => request,
        Err(rejected) => return rejected.into_response(),
    };
    if let Err(wait) = state.throttle.attempt(caller.ip, None) {
        return throttled(wait);
    }
    let code = normalize_enrolment_code(&request.code);
    let enrolment = match state.store.claim_enrolment(&token_hash(&code)).await {
        Ok(Some(enrolment)) => enrolment,
        Ok(None) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_code",
                "This code is wrong, used or expired; ask the organiser for a new one.",
            )
        }
        Err(e) => return storage_failure(e),
    };
    let owner = SessionOwner::Kiosk {
        enrolment_id: enrolment.id,
        expires_at: enrolment.expires_at,
    };
    let jar = match open_session(&state, &caller, jar, &owner).await {
        Ok(jar) => jar,
        Err(failed) => return failed,
    };
    audit(
        &state.store,
        &caller,
        "device_claimed",
        Some(enrolment.id.to_string()),
        json!({"event_id": enrolment.event_id}),
    )
    .await;
    (
        jar,
        Json(SessionView::Kiosk {
            event_id: enrolment.event_id,
            event_title: enrolment.event_title,
        }),
    )
        .into_response()
}

/// The kiosk's own event, public name only.
pub async fn kiosk_event(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let event_id = match caller.principal() {
        Principal::Kiosk { event_id, .. } => event_id,
        _ => {
            return match caller.require(Permission::KioskOf(Uuid::nil())) {
                Err(denied) => denied.into_response(),
                Ok(()) => not_found("event"),
            }
        }
    };
    match state.store.event(event_id).await {
        Ok(Some(event)) => Json(json!({"id": event.id, "title": event.title})).into_response(),
        Ok(None) => not_found("event"),
        Err(e) => storage_failure(e),
    }
}
