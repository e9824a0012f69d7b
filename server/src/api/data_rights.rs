//! A resident's requests under the GDPR, handled by a coordinator (rules in `domain::data_rights`):
//! everything held about them as one ZIP (art. 15), and their erasure with a reason (art. 17). Both are
//! written to the audit log.

use std::io::{Cursor, Write};

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use chrono::Utc;
use domain::account::Permission;
use domain::audit::AuditAction;
use domain::data_rights::{EraseSubject, ErasureCounts, SubjectAccess};
use serde_json::json;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::session::audit;
use super::{attachment, body, missing, path_id, ApiState, Rejection};
use crate::auth::Caller;
use crate::storage::data_rights::PhotoFile;
use crate::storage::photo_files::Variant;
use crate::storage::Store;

/// What the person receives: their data as JSON (field names as the API's), the originals of their
/// photos, and a note in Polish saying what is where.
fn subject_access_zip(
    access: &SubjectAccess,
    files: &[PhotoFile],
    store: &Store,
) -> Result<Vec<u8>, String> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let json = serde_json::to_vec_pretty(access).map_err(|e| e.to_string())?;
    let note = format!(
        "Dane osoby przechowywane przez Centrum Usług Społecznych (RODO art. 15), stan na {}.\n\n\
         dane.json: wpisy w rejestrze mieszkańców (z danymi kontaktowymi i zgodami), prośby o pomoc, \
         obecności na spotkaniach (z podpisami i zgodami na wizerunek), zdjęcia i wpisy dziennika \
         zdarzeń dotyczące tych danych.\nzdjecia/: zdjęcia dołączone do próśb o pomoc ({} plików).\n",
        access.produced_at.format("%d.%m.%Y %H:%M UTC"),
        files.len()
    );
    let written: zip::result::ZipResult<()> = (|| {
        zip.start_file("opis.txt", deflated)?;
        zip.write_all(note.as_bytes())?;
        zip.start_file("dane.json", deflated)?;
        zip.write_all(&json)?;
        for (photo, sha256) in files {
            let bytes = store.photo_bytes(Variant::Original, sha256)?;
            zip.start_file(format!("zdjecia/{photo}.jpg"), stored)?;
            zip.write_all(&bytes)?;
        }
        Ok(())
    })();
    written.map_err(|e| e.to_string())?;
    let cursor = zip.finish().map_err(|e| e.to_string())?;
    Ok(cursor.into_inner())
}

/// `GET /api/v1/residents/{id}/subject-access.zip`: everything held about the resident, as a download.
pub async fn download(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    caller.require(Permission::HandleDataRequests)?;
    let id = path_id(&id, "resident")?;
    let (access, files) = state
        .store
        .subject_access(id, Utc::now())
        .await?
        .ok_or_else(|| missing("resident"))?;
    // Reading the photo files and compressing blocks; keep it off the async workers.
    let store = state.store.clone();
    let summary = json!({
        "registry_entries": access.residents.len(),
        "help_requests": access.help_requests.len(),
        "events": access.events.len(),
        "photos": files.len(),
        "audit_entries": access.audit.len(),
    });
    let bytes = tokio::task::spawn_blocking(move || subject_access_zip(&access, &files, &store))
        .await
        .map_err(|e| e.to_string())
        .and_then(|written| written)
        .map_err(|e| {
            tracing::error!(error = %e, "subject access download failed");
            Rejection::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "export_failed",
                "The file could not be written.",
            )
        })?;
    audit(
        &state.store,
        &caller,
        AuditAction::SubjectAccessDownloaded,
        Some(id.to_string()),
        summary,
    )
    .await;
    let filename = format!("dane-osoby-{id}.zip");
    Ok(attachment("application/zip", &filename, bytes))
}

/// `POST /api/v1/residents/{id}/erasure` `{reason}`: erases the resident and what names them.
pub async fn erase(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Result<Json<EraseSubject>, JsonRejection>,
) -> Result<Json<ErasureCounts>, Rejection> {
    caller.require(Permission::HandleDataRequests)?;
    let id = path_id(&id, "resident")?;
    let request = body(request)?;
    let reason = request.reason().map_err(|e| Rejection::invalid([e]))?;
    let erased = state
        .store
        .erase_subject(id, Utc::now())
        .await?
        .ok_or_else(|| missing("resident"))?;
    audit(
        &state.store,
        &caller,
        AuditAction::ResidentErased,
        Some(id.to_string()),
        json!({"reason": reason, "counts": erased}),
    )
    .await;
    Ok(Json(erased))
}
