//! Photos on the device: shrunk and re-encoded the moment they are picked (which drops EXIF with any GPS
//! position), kept in IndexedDB, and uploaded one by one by a loop of their own, so a slow photo never
//! holds back the text entries' sync. The local copy goes only when the server acknowledges the bytes.

use chrono::Utc;
use domain::api as v1;
use domain::photo::{
    fit_within, sha256_hex, LocalPhoto, Photo, PhotoDecision, PhotoDetails, PhotoFile,
    PhotoSubject, StorageUse, UploadState, JPEG_QUALITY, MAX_EDGE, THUMBNAIL_EDGE,
};
use domain::sync::protocol::{ApiError, AttachPhoto, Mutation};
use gloo_net::http::Request;
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::alarm::{wake_uploads, Alarm, UPLOADS};
use super::identity::Device;
use super::identity::{actor, db, stored_account};
use super::locks::{self, Contention};
use super::view::{refresh, saved};
use crate::device::failure::{PhotoProblem, SaveFailure};
use crate::device::local_data::{queued, BlobKind};
use crate::state::AppState;

/// With nothing due, look again this often (a photo whose record just synced is woken sooner).
const IDLE_MS: i64 = 60_000;
/// The name of the User Timing measure of one photo's preparation, read by `bench/photo.bench.ts`.
const PROCESSING_MEASURE: &str = "sasiedzi:photo-processing";
const PROCESSING_START: &str = "sasiedzi:photo-picked";

/// The shrunk photo and its thumbnail, ready to keep.
struct Prepared {
    original: web_sys::Blob,
    thumbnail: web_sys::Blob,
    file: PhotoFile,
    thumbnail_bytes: u64,
}

/// Shrinks each picked file to a JPEG of at most `MAX_EDGE` (upright, as its EXIF orientation says)
/// and keeps it as a draft; the person then adds the caption and the people answer.
pub async fn add(
    state: AppState,
    subject: PhotoSubject,
    files: Vec<web_sys::File>,
) -> Result<(), SaveFailure> {
    super::indexed_db::request_persistent_storage();
    let db = db().await?;
    for file in files {
        let prepared = prepare(&file).await?;
        let photo = LocalPhoto {
            id: Uuid::now_v7(),
            subject,
            details: PhotoDetails {
                caption: String::new(),
                people: None,
            },
            file: prepared.file,
            thumbnail_bytes: prepared.thumbnail_bytes,
            created_at: Utc::now(),
            upload: UploadState::Draft,
        };
        let original = bytes_of(&prepared.original).await?;
        let thumbnail = bytes_of(&prepared.thumbnail).await?;
        db.add_local_photo(&photo, &original, &thumbnail)
            .await
            .map_err(|e| SaveFailure::Photo(PhotoProblem::DeviceFull(e.0)))?;
        refresh(state).await;
    }
    update_storage_use(state).await;
    Ok(())
}

/// The caption and people answer are complete: the photo's record joins the outbox and its bytes the
/// upload queue.
pub async fn save(state: AppState, id: Uuid, details: PhotoDetails) -> Result<(), SaveFailure> {
    let (caption, people) = details
        .validate()
        .map_err(|errors| SaveFailure::Photo(PhotoProblem::Details(errors)))?;
    let db = db().await?;
    let mut photo = db.local_photo(id).await?;
    if photo.upload != UploadState::Draft {
        return Ok(());
    }
    photo.details = PhotoDetails {
        caption: caption.clone(),
        people: Some(people),
    };
    photo.upload = UploadState::waiting_now(Utc::now());
    let attach = Mutation::AttachPhoto(AttachPhoto {
        photo_id: id,
        subject: photo.subject,
        caption,
        people,
        file: photo.file.clone(),
    });
    db.put_local_photo(&photo, &[queued(attach, Utc::now())])
        .await?;
    saved(state).await;
    Ok(())
}

/// Keeps what was typed for a draft, so a reload or a closed tab loses nothing.
pub async fn keep_draft(id: Uuid, details: PhotoDetails) -> Result<(), SaveFailure> {
    let db = db().await?;
    let mut photo = db.local_photo(id).await?;
    if photo.upload == UploadState::Draft {
        photo.details = details;
        db.put_local_photo(&photo, &[]).await?;
    }
    Ok(())
}

/// Removes a photo that has not reached the server (a draft, or one the server refused).
pub async fn discard(state: AppState, id: Uuid) -> Result<(), SaveFailure> {
    db().await?.discard_local_photo(id).await?;
    refresh(state).await;
    update_storage_use(state).await;
    Ok(())
}

/// An organiser's decision, applied on the device and synced like every other.
pub async fn review(state: AppState, id: Uuid, decision: PhotoDecision) -> Result<(), SaveFailure> {
    db().await?
        .review_photo(&actor()?, id, decision, Utc::now())
        .await?;
    saved(state).await;
    Ok(())
}

/// A shrunk photo's bytes, to be sealed with the person's data.
async fn bytes_of(blob: &web_sys::Blob) -> Result<Vec<u8>, SaveFailure> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| SaveFailure::Photo(PhotoProblem::DeviceFull(format!("{e:?}"))))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// An object URL of a local photo's thumbnail, opened from the sealed store; the caller revokes it.
pub async fn thumbnail_url(id: Uuid) -> Option<String> {
    let bytes = db()
        .await
        .ok()?
        .photo_bytes(id, BlobKind::Thumbnail)
        .await
        .ok()??;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/jpeg");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

pub fn revoke_url(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// Reads `navigator.storage.estimate()` into the state, for the usage line and the low-space warning.
pub async fn update_storage_use(state: AppState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(promise) = window.navigator().storage().estimate() else {
        return;
    };
    let Ok(estimate) = JsFuture::from(promise).await else {
        return;
    };
    let estimate: web_sys::StorageEstimate = estimate.unchecked_into();
    if let (Some(usage), Some(quota)) = (estimate.get_usage(), estimate.get_quota()) {
        state.storage_use.set(Some(StorageUse { usage, quota }));
    }
}

async fn prepare(file: &web_sys::File) -> Result<Prepared, SaveFailure> {
    let not_an_image = || SaveFailure::Photo(PhotoProblem::NotAnImage);
    let window = web_sys::window().ok_or_else(not_an_image)?;
    let performance = window.performance();
    if let Some(performance) = &performance {
        let _ = performance.mark(PROCESSING_START);
    }
    let options = web_sys::ImageBitmapOptions::new();
    options.set_image_orientation(web_sys::ImageOrientation::FromImage);
    let bitmap = window
        .create_image_bitmap_with_blob_and_image_bitmap_options(file, &options)
        .map_err(|_| not_an_image())?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(bitmap)
        .await
        .map_err(|_| not_an_image())?
        .unchecked_into();
    let encoded = async {
        let (width, height) = fit_within(bitmap.width(), bitmap.height(), MAX_EDGE);
        let original = draw_jpeg(&bitmap, width, height).await?;
        let (thumb_width, thumb_height) = fit_within(width, height, THUMBNAIL_EDGE);
        let thumbnail = draw_jpeg(&bitmap, thumb_width, thumb_height).await?;
        Ok::<_, JsValue>((original, thumbnail, width, height))
    }
    .await;
    bitmap.close();
    let (original, thumbnail, width, height) = encoded.map_err(|_| not_an_image())?;
    let bytes = blob_bytes(&original).await.map_err(|_| not_an_image())?;
    if let Some(performance) = performance {
        let _ = performance.measure_with_start_mark(PROCESSING_MEASURE, PROCESSING_START);
    }
    Ok(Prepared {
        file: PhotoFile {
            sha256: sha256_hex(&bytes),
            bytes: bytes.len() as u64,
            width,
            height,
        },
        thumbnail_bytes: thumbnail.size() as u64,
        original,
        thumbnail,
    })
}

/// Draws the bitmap at the given size and encodes it as JPEG: a fresh file without any metadata.
async fn draw_jpeg(
    bitmap: &web_sys::ImageBitmap,
    width: u32,
    height: u32,
) -> Result<web_sys::Blob, JsValue> {
    let canvas = web_sys::OffscreenCanvas::new(width, height)?;
    let context: web_sys::OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .unchecked_into();
    // web-sys has no setter for it; the default "low" leaves a downscaled photo visibly jagged.
    js_sys::Reflect::set(&context, &"imageSmoothingQuality".into(), &"high".into())?;
    context.draw_image_with_image_bitmap_and_dw_and_dh(
        bitmap,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    )?;
    let options = web_sys::ImageEncodeOptions::new();
    options.set_type("image/jpeg");
    options.set_quality(JPEG_QUALITY);
    Ok(
        JsFuture::from(canvas.convert_to_blob_with_options(&options)?)
            .await?
            .unchecked_into(),
    )
}

async fn blob_bytes(blob: &web_sys::Blob) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(blob.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The upload loop: every due photo whose record the server has, one at a time; then it sleeps until
/// the earliest retry or a wake-up. A turn holds the device's upload lock: the tabs share the photos,
/// and a tab that read the queue before another tab's upload was acknowledged would otherwise send the
/// photo again, find its file gone and write the photo back as waiting or refused.
pub fn start_uploads(state: AppState) {
    let mut alarm = Alarm::install(&UPLOADS, wake_uploads);
    leptos::task::spawn_local(async move {
        update_storage_use(state).await;
        loop {
            let next = locks::exclusive(locks::PHOTO_UPLOADS, Contention::Wait, upload_due(state))
                .await
                .flatten();
            let wait_ms = next.map_or(IDLE_MS, |at| {
                (at - Utc::now()).num_milliseconds().clamp(0, IDLE_MS)
            });
            if !alarm.sleep(wait_ms as u32).await {
                return;
            }
        }
    });
}

/// Uploads the photos that are due before the device erases a deactivated account's data.
pub async fn upload_before_wipe(state: AppState) {
    locks::exclusive(locks::PHOTO_UPLOADS, Contention::Wait, upload_due(state)).await;
}

/// Uploads what is due; returns when the next waiting photo is due.
async fn upload_due(state: AppState) -> Option<chrono::DateTime<Utc>> {
    stored_account()?;
    let db = db().await.ok()?;
    let photos = db.local_photos().await.ok()?;
    let outbox = db.outbox().await.ok()?;
    let mut changed = false;
    for photo in &photos {
        // Its record must reach the server first; the sync wakes us when it has.
        let record_waits = outbox.iter().any(|e| e.entity_id == photo.id);
        if record_waits || !photo.upload.due(Utc::now()) {
            continue;
        }
        let next = match upload(&db, photo).await {
            Ok(stored) => {
                if db.photo_acknowledged(&stored).await.is_ok() {
                    changed = true;
                }
                continue;
            }
            Err(Upload::Retry(error)) => photo.upload.failed(error, Utc::now()),
            Err(Upload::Refused(code)) => UploadState::Refused { message: code },
        };
        let updated = LocalPhoto {
            upload: next,
            ..photo.clone()
        };
        if db.put_local_photo(&updated, &[]).await.is_ok() {
            changed = true;
        }
    }
    if changed {
        refresh(state).await;
        update_storage_use(state).await;
    }
    let photos = db.local_photos().await.ok()?;
    let outbox = db.outbox().await.ok()?;
    photos
        .iter()
        // A photo whose record still waits is woken by the sync that sends it, not by its retry time
        // (which may be past: the loop would spin until the record is sent).
        .filter(|p| !outbox.iter().any(|e| e.entity_id == p.id))
        .filter_map(|p| match &p.upload {
            UploadState::Waiting {
                next_attempt_at, ..
            } => Some(*next_attempt_at),
            _ => None,
        })
        .min()
}

enum Upload {
    /// Offline, a server error, a damaged transfer: the same bytes may get through later.
    Retry(String),
    /// The server will never take these bytes; the code says why.
    Refused(String),
}

async fn upload(db: &Device, photo: &LocalPhoto) -> Result<Photo, Upload> {
    let bytes = db
        .photo_bytes(photo.id, BlobKind::Original)
        .await
        .map_err(|e| Upload::Retry(e.0))?
        .ok_or_else(|| Upload::Refused("missing_on_device".into()))?;
    let blob = js_sys::Uint8Array::from(bytes.as_slice());
    let url = v1::path::<v1::UploadPhoto>(&[&photo.id]);
    let request = super::api::with_csrf(Request::put(&url))
        .header("Content-Type", "image/jpeg")
        .body(blob)
        .map_err(|e| Upload::Retry(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|_| Upload::Retry("network".into()))?;
    if response.ok() {
        return response
            .json()
            .await
            .map_err(|_| Upload::Retry("unreadable_answer".into()));
    }
    let status = response.status();
    let code = response
        .json::<ApiError>()
        .await
        .map(|e| e.error)
        .unwrap_or_else(|_| status.to_string());
    Err(match status {
        413 | 415 => Upload::Refused(code),
        422 if code != "hash_mismatch" => Upload::Refused(code),
        _ => Upload::Retry(code),
    })
}
