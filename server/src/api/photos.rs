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
use domain::audit::AuditAction;
use domain::photo::{sha256_hex, MAX_UPLOAD_BYTES};
use domain::workflow::Actor;
use serde_json::json;

use super::session::audit;
use super::{missing, path_id, ApiState, Rejection};
use crate::auth::Caller;
use crate::photo_image::{self, ImageRejection};
use crate::storage::photo_files::Variant;

fn body_rejection(rejection: BytesRejection) -> Rejection {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo_too_large",
            format!(
                "The photo is larger than {} MB; the app shrinks photos before sending them.",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        )
    } else {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            "incomplete_body",
            "The upload was cut off; send the photo again.",
        )
    }
}

fn processing_failed() -> Rejection {
    Rejection::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "photo_failed",
        "The photo could not be processed.",
    )
}

/// `PUT /api/v1/photos/{id}/original`: the JPEG whose hash the photo's record declared.
pub async fn upload(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Rejection> {
    let account = caller.sender()?;
    let id = path_id(&id, "photo")?;
    let bytes = body.map_err(body_rejection)?;
    let photo = state
        .store
        .photo(id)
        .await?
        // Someone else's photo, or a record that has not synced yet: the device retries after its push.
        .filter(|photo| photo.taken_by.id == account.id)
        .ok_or_else(|| {
            Rejection::new(
                StatusCode::NOT_FOUND,
                "photo_unknown",
                "The server has no record of this photo from you; sync first, then upload.",
            )
        })?;
    if sha256_hex(&bytes) != photo.file.sha256 {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "hash_mismatch",
            "The bytes do not match the photo's SHA-256; the upload was damaged. Send it again.",
        ));
    }
    // An erased photo (retention period) takes no bytes again; the device can stop sending them.
    if photo.uploaded || photo.erased_at.is_some() {
        return Ok(Json(photo).into_response());
    }
    // Decoding takes a core and up to `MAX_DECODED_PIXELS` × 4 bytes of memory: only as many at once as
    // there are cores, the rest wait their turn.
    let _decoding = state
        .photo_decoding
        .acquire()
        .await
        .map_err(|_| processing_failed())?;
    let prepared = tokio::task::spawn_blocking(move || photo_image::prepare(&bytes))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "photo preparation panicked");
            processing_failed()
        })?
        .map_err(|rejected| match rejected {
            ImageRejection::NotJpeg => Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_a_jpeg",
                "Only JPEG photos are accepted.",
            ),
            ImageRejection::Undecodable(detail) => Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_an_image",
                format!("The bytes are not a readable image: {detail}."),
            ),
            ImageRejection::TooManyPixels { width, height } => Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "photo_too_many_pixels",
                format!(
                    "The photo declares {width}×{height} pixels; at most {} million pixels and {} on a side \
                     are accepted. The app shrinks photos before sending them.",
                    photo_image::MAX_DECODED_PIXELS / 1_000_000,
                    photo_image::MAX_DECODED_SIDE
                ),
            ),
        })?;
    let stored = state.store.store_photo_file(id, &prepared).await?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

async fn file(
    state: &ApiState,
    caller: &Caller,
    id: &str,
    variant: Variant,
) -> Result<Response, Rejection> {
    let account = caller.person_with(Permission::RecordEntries)?;
    let id = path_id(id, "photo")?;
    let viewable = state
        .store
        .photo_for(id, &Actor::from(account))
        .await?
        .ok_or_else(|| missing("photo"))?;
    let sha256 = viewable.file_sha256.ok_or_else(|| missing("photo"))?;
    let bytes = state.store.photo_bytes(variant, &sha256).map_err(|e| {
        tracing::error!(error = %e, %sha256, "photo file missing");
        missing("photo")
    })?;
    let disposition = match variant {
        Variant::Thumbnail => "inline".to_owned(),
        Variant::Original => format!(
            "attachment; filename=\"zdjecie-{}-{}.jpg\"",
            viewable.photo.taken_at.format("%Y-%m-%d"),
            &id.simple().to_string()[..8]
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/v1/photos/{id}/thumbnail`: for whoever may see the photo (`Photo::visible_to`).
pub async fn thumbnail(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    file(&state, &caller, &id, Variant::Thumbnail).await
}

/// `GET /api/v1/photos/{id}/original`: organisers download the stored original; the log says who.
pub async fn original(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    caller.require(Permission::ReviewEntries)?;
    let response = file(&state, &caller, &id, Variant::Original).await?;
    audit(
        &state.store,
        &caller,
        AuditAction::PhotoDownloaded,
        Some(id),
        json!({"variant": "original"}),
    )
    .await;
    Ok(response)
}
