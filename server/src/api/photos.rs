//! Photo bytes: the upload a device makes once the photo's record has synced, and the thumbnail and
//! original the app shows and organisers download. The upload is idempotent by photo id and SHA-256:
//! sending it again after a lost answer stores nothing new. Every check happens before anything is kept.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::account::Permission;
use domain::photo::{sha256_hex, MAX_UPLOAD_BYTES};
use domain::workflow::Actor;
use serde_json::json;
use uuid::Uuid;

use super::session::audit;
use super::{error, not_found, storage_failure, ApiState, Rejection};
use crate::auth::Caller;
use crate::photo_image::{self, ImageRejection};
use crate::storage::photo_files::Variant;

fn rejection(status: StatusCode, code: &'static str, message: impl Into<String>) -> Rejection {
    Rejection {
        status,
        code,
        message: message.into(),
    }
}

fn photo_id(id: &str) -> Result<Uuid, Rejection> {
    Uuid::parse_str(id).map_err(|_| super::missing("photo"))
}

fn body_rejection(rejection: BytesRejection) -> Rejection {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        self::rejection(
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo_too_large",
            format!(
                "The photo is larger than {} MB; the app shrinks photos before sending them.",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        )
    } else {
        self::rejection(
            StatusCode::BAD_REQUEST,
            "incomplete_body",
            "The upload was cut off; send the photo again.",
        )
    }
}

/// `PUT /api/v1/photos/{id}/original`: the JPEG whose hash the photo's record declared.
pub async fn upload(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match accept_upload(&state, &caller, &id, body).await {
        Ok(response) | Err(response) => response,
    }
}

async fn accept_upload(
    state: &ApiState,
    caller: &Caller,
    id: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Response> {
    let account = caller
        .person_with(Permission::RecordEntries)
        .map_err(IntoResponse::into_response)?;
    let id = photo_id(id).map_err(IntoResponse::into_response)?;
    let bytes = body.map_err(|r| body_rejection(r).into_response())?;
    let photo = match state.store.photo(id).await {
        Ok(Some(photo)) if photo.taken_by.id == account.id => photo,
        // Someone else's photo, or a record that has not synced yet: the device retries after its push.
        Ok(_) => {
            return Err(error(
                StatusCode::NOT_FOUND,
                "photo_unknown",
                "The server has no record of this photo from you; sync first, then upload.",
            ))
        }
        Err(e) => return Err(storage_failure(e)),
    };
    if sha256_hex(&bytes) != photo.file.sha256 {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "hash_mismatch",
            "The bytes do not match the photo's SHA-256; the upload was damaged. Send it again.",
        ));
    }
    // An erased photo (retention period) takes no bytes again; the device can stop sending them.
    if photo.uploaded || photo.erased_at.is_some() {
        return Ok(Json(photo).into_response());
    }
    let prepared = tokio::task::spawn_blocking(move || photo_image::prepare(&bytes))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "photo preparation panicked");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "photo_failed",
                "The photo could not be processed.",
            )
        })?
        .map_err(|rejected| match rejected {
            ImageRejection::NotJpeg => error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_a_jpeg",
                "Only JPEG photos are accepted.",
            ),
            ImageRejection::Undecodable(detail) => error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_an_image",
                format!("The bytes are not a readable image: {detail}."),
            ),
        })?;
    let stored = state
        .store
        .store_photo_file(id, &prepared)
        .await
        .map_err(storage_failure)?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

async fn file(state: &ApiState, caller: &Caller, id: &str, variant: Variant) -> Response {
    let account = match caller.person_with(Permission::RecordEntries) {
        Ok(account) => account,
        Err(denied) => return denied.into_response(),
    };
    let Ok(id) = photo_id(id) else {
        return not_found("photo");
    };
    let viewable = match state.store.photo_for(id, &Actor::from(account)).await {
        Ok(Some(viewable)) => viewable,
        Ok(None) => return not_found("photo"),
        Err(e) => return storage_failure(e),
    };
    let Some(sha256) = viewable.file_sha256 else {
        return not_found("photo");
    };
    match state.store.photo_bytes(variant, &sha256) {
        Ok(bytes) => {
            let disposition = match variant {
                Variant::Thumbnail => "inline".to_owned(),
                Variant::Original => format!(
                    "attachment; filename=\"zdjecie-{}-{}.jpg\"",
                    viewable.photo.taken_at.format("%Y-%m-%d"),
                    &id.simple().to_string()[..8]
                ),
            };
            (
                [
                    (header::CONTENT_TYPE, "image/jpeg".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, %sha256, "photo file missing");
            not_found("photo")
        }
    }
}

/// `GET /api/v1/photos/{id}/thumbnail`: for whoever may see the photo (`Photo::visible_to`).
pub async fn thumbnail(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    file(&state, &caller, &id, Variant::Thumbnail).await
}

/// `GET /api/v1/photos/{id}/original`: organisers download the stored original; the log says who.
pub async fn original(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    if let Err(denied) = caller.require(Permission::ReviewEntries) {
        return denied.into_response();
    }
    let response = file(&state, &caller, &id, Variant::Original).await;
    if response.status() == StatusCode::OK {
        audit(
            &state.store,
            &caller,
            "photo_downloaded",
            Some(id),
            json!({"variant": "original"}),
        )
        .await;
    }
    response
}
