//! Events and kiosk tablets: create and correct events; enrol a tablet with a short code or QR, claim,
//! revoke; the kiosk's offline package.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use axum_extra::extract::cookie::CookieJar;
use domain::account::{normalize_enrolment_code, Permission, Principal, SessionView};
use domain::dictionary::{DictionaryKind, Language};
use domain::event::EventFields;
use domain::kiosk::{ExitPin, KioskEvent, KioskPackage};
use domain::workflow::Actor;
use qrcode::render::svg;
use qrcode::QrCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::session::{audit, open_session};
use super::{body, error, not_found, storage_failure, ApiState};
use crate::auth::{new_enrolment_code, new_exit_pin, throttled, token_hash, Caller};
use crate::storage::accounts::SessionOwner;
use crate::storage::devices::Enrolment;
use crate::storage::StoreError;

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

/// A new event, or corrected details (`id` given): checked against the dictionaries, stored, and sent to
/// every device with the next pull.
pub async fn create_event(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<EventFields>, JsonRejection>,
) -> Response {
    save_event(state, caller, None, request).await
}

pub async fn update_event(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Result<Json<EventFields>, JsonRejection>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found("event");
    };
    save_event(state, caller, Some(id), request).await
}

async fn save_event(
    state: ApiState,
    caller: Caller,
    id: Option<Uuid>,
    request: Result<Json<EventFields>, JsonRejection>,
) -> Response {
    let actor = match caller.person_with(Permission::ManageEvents) {
        Ok(account) => Actor::from(account),
        Err(denied) => return denied.into_response(),
    };
    let fields = match body(request) {
        Ok(fields) => fields.normalized(),
        Err(rejected) => return rejected.into_response(),
    };
    let dictionary = match state.store.dictionary().await {
        Ok(dictionary) => dictionary,
        Err(e) => return storage_failure(e),
    };
    if let Err(errors) = fields.validate(&dictionary) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "invalid", "message": "Some fields need correcting.", "errors": errors})),
        )
            .into_response();
    }
    let (saved, status, action) = match id {
        None => match state.store.create_event(fields, &actor).await {
            Ok(event) => (event, StatusCode::CREATED, "event_created"),
            Err(e) => return storage_failure(e),
        },
        Some(id) => match state.store.update_event(id, fields).await {
            Ok(Some(event)) => (event, StatusCode::OK, "event_updated"),
            Ok(None) => return not_found("event"),
            Err(e) => return storage_failure(e),
        },
    };
    audit(
        &state.store,
        &caller,
        action,
        Some(saved.id.to_string()),
        json!({}),
    )
    .await;
    (status, Json(saved)).into_response()
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
        .create_enrolment(&event, &token_hash(&code), &new_exit_pin(), author)
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

/// Everything the kiosk needs to run its event offline: the event's public details, the names it may
/// offer, the consent text, the districts, and the exit PIN as a salted hash.
pub async fn kiosk_event(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let (enrolment_id, event_id) = match caller.principal() {
        Principal::Kiosk {
            enrolment_id,
            event_id,
        } => (enrolment_id, event_id),
        _ => {
            return match caller.require(Permission::KioskOf(Uuid::nil())) {
                Err(denied) => denied.into_response(),
                Ok(()) => not_found("event"),
            }
        }
    };
    match kiosk_package(&state, enrolment_id, event_id).await {
        Ok(Some(package)) => Json(package).into_response(),
        Ok(None) => not_found("event"),
        Err(e) => storage_failure(e),
    }
}

async fn kiosk_package(
    state: &ApiState,
    enrolment_id: Uuid,
    event_id: Uuid,
) -> Result<Option<KioskPackage>, StoreError> {
    let (Some(event), Some(enrolment)) = (
        state.store.event(event_id).await?,
        state.store.enrolment(enrolment_id).await?,
    ) else {
        return Ok(None);
    };
    let dictionary = state.store.dictionary().await?;
    let location = dictionary
        .label(
            DictionaryKind::Location,
            &event.fields.location,
            Language::Pl,
        )
        .to_owned();
    Ok(Some(KioskPackage {
        roster: state.store.kiosk_roster(&event.fields.expected).await?,
        consent_texts: state.store.consent_texts().await?,
        districts: state.store.districts().await?,
        exit_pin: ExitPin::new(&enrolment.exit_pin, &enrolment.id.to_string()),
        event: KioskEvent {
            id: event.id,
            title: event.fields.title,
            starts_at: event.fields.starts_at,
            ends_at: event.fields.ends_at,
            location,
        },
    }))
}
