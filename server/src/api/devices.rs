//! Kiosk tablets: enrol a tablet for an event with a short code or QR, claim, revoke; the kiosk's offline
//! package.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use axum_extra::extract::cookie::CookieJar;
use domain::account::{normalize_enrolment_code, Permission, Principal, SessionView};
use domain::app_lock::KioskUnlock;
use domain::audit::AuditAction;
use domain::dictionary::{DictionaryKind, Language};
use domain::kiosk::{
    ClaimRequest, EnrolRequest, Enrolment, EnrolmentCode, ExitPin, KioskEvent, KioskPackage,
};
use qrcode::render::svg;
use qrcode::QrCode;
use serde_json::json;
use uuid::Uuid;

use super::session::{audit, open_session};
use super::{body, missing, path_id, ApiState, Rejection};
use crate::auth::{new_enrolment_code, new_exit_pin, new_token, throttled, token_hash, Caller};
use crate::storage::accounts::{SessionOwner, UnlockKeyOwner};
use crate::storage::devices::Claim;
use crate::storage::StoreError;

pub async fn list_enrolments(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<Enrolment>>, Rejection> {
    caller.require(Permission::EnrolDevices)?;
    Ok(Json(state.store.current_enrolments().await?))
}

pub async fn enrol(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    request: Result<Json<EnrolRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<EnrolmentCode>), Rejection> {
    let author = caller.person_with(Permission::EnrolDevices)?.id;
    let request = body(request)?;
    let event = state
        .store
        .event(request.event_id)
        .await?
        .ok_or_else(|| missing("event"))?;
    let code = new_enrolment_code();
    let enrolment = state
        .store
        .create_enrolment(&event, &token_hash(&code), &new_exit_pin(), author)
        .await?;
    audit(
        &state.store,
        &caller,
        AuditAction::DeviceEnrolled,
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
    Ok((
        StatusCode::CREATED,
        Json(EnrolmentCode {
            enrolment,
            code,
            url,
            qr_svg,
        }),
    ))
}

pub async fn revoke(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, Rejection> {
    caller.require(Permission::EnrolDevices)?;
    let id = path_id(&id, "enrolment")?;
    if !state.store.revoke_enrolment(id).await? {
        return Err(missing("enrolment"));
    }
    audit(
        &state.store,
        &caller,
        AuditAction::DeviceRevoked,
        Some(id.to_string()),
        json!({}),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// The tablet redeems the code and becomes the event's kiosk (its earlier session, if any, ends).
pub async fn claim(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    jar: CookieJar,
    request: Result<Json<ClaimRequest>, JsonRejection>,
) -> Result<Response, Rejection> {
    let request = body(request)?;
    state.throttle.attempt(caller.ip, None).map_err(throttled)?;
    let code = normalize_enrolment_code(&request.code);
    let enrolment = match state
        .store
        .claim_enrolment(&token_hash(&code), request.unsent_event)
        .await?
    {
        Claim::Claimed(enrolment) => enrolment,
        Claim::OtherEvent => return Err(Rejection::new(
            StatusCode::CONFLICT,
            "kiosk_unsent",
            "This tablet still has signatures of another event to send, which only that event's \
                 kiosk session may do; the code was not used. Connect it for that event first.",
        )),
        Claim::Invalid => {
            return Err(Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_code",
                "This code is wrong, used or expired; ask the organiser for a new one.",
            ))
        }
    };
    let owner = SessionOwner::Kiosk {
        enrolment_id: enrolment.id,
        expires_at: enrolment.expires_at,
    };
    let jar = open_session(&state, &caller, jar, &owner).await?;
    let unlock = match request.device_id {
        Some(device) => Some(KioskUnlock {
            key: state
                .store
                .unlock_key(
                    UnlockKeyOwner::Kiosk(enrolment.event_id),
                    device,
                    new_token(),
                )
                .await?,
            exit_pin: enrolment.exit_pin.clone(),
        }),
        None => None,
    };
    audit(
        &state.store,
        &caller,
        AuditAction::DeviceClaimed,
        Some(enrolment.id.to_string()),
        json!({"event_id": enrolment.event_id}),
    )
    .await;
    Ok((
        jar,
        Json(SessionView::Kiosk {
            event_id: enrolment.event_id,
            event_title: enrolment.event_title,
            unlock,
        }),
    )
        .into_response())
}

/// Everything the kiosk needs to run its event offline: the event's public details, the names it may
/// offer, the consent text, the districts, and the exit PIN as a salted hash.
pub async fn kiosk_event(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<KioskPackage>, Rejection> {
    let Principal::Kiosk {
        enrolment_id,
        event_id,
    } = caller.principal()
    else {
        caller.require(Permission::KioskOf(Uuid::nil()))?;
        return Err(missing("event"));
    };
    let package = kiosk_package(&state, enrolment_id, event_id)
        .await?
        .ok_or_else(|| missing("event"))?;
    Ok(Json(package))
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
