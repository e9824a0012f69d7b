//! Photos in SQLite and on disk. The record comes with the sync push (`photo.attach`, `photo.review`);
//! the bytes come by themselves later, are checked against the record, and are stored content-addressed
//! (`photo_files`). The domain decides reviews, flags and who sees what.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::account::{Permission, Principal};
use domain::attendance::AttendanceList;
use domain::event::Event;
use domain::help_request::HelpRequest;
use domain::photo::{subject_withdrawals, Photo, PhotoReview, PhotoSubject};
use domain::resident::Resident;
use domain::sync::protocol::{AttachPhoto, Outcome, RecordKind, RejectReason, ReviewPhoto};
use domain::workflow::Actor;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::documents::{self, Column, Document};
use super::photo_files::Variant;
use super::{Store, StoreError};

impl Document for Photo {
    const KIND: RecordKind = RecordKind::Photo;
    const TABLE: &'static str = "photo";
    const KEY: &'static str = "id";

    fn key(&self) -> Uuid {
        self.id
    }

    /// The pull finds a volunteer's photos by subject and author (`scope_keys`); the upload is checked
    /// against the declared hash.
    fn columns(&self) -> Vec<(&'static str, Column)> {
        let (subject_kind, subject_id) = subject_columns(self.subject);
        vec![
            ("subject_kind", Column::Text(subject_kind.to_owned())),
            ("subject_id", Column::Text(subject_id)),
            ("taken_by", Column::Text(self.taken_by.id.to_string())),
            ("declared_sha256", Column::Text(self.file.sha256.clone())),
        ]
    }
}
use crate::photo_image::PreparedPhoto;

fn subject_columns(subject: PhotoSubject) -> (&'static str, String) {
    match subject {
        PhotoSubject::HelpRequest(id) => ("help_request", id.to_string()),
        PhotoSubject::Event(id) => ("event", id.to_string()),
    }
}

/// Whether `actor` may attach photos to the subject and see them: any event; a help request they may
/// read. `None` when the subject is not on the server.
async fn may_use_subject(
    conn: &mut SqliteConnection,
    subject: PhotoSubject,
    actor: &Actor,
) -> Result<Option<bool>, StoreError> {
    match subject {
        PhotoSubject::Event(id) => Ok(documents::load::<Event>(conn, id).await?.map(|_| true)),
        PhotoSubject::HelpRequest(id) => {
            let Some(request) = documents::load::<HelpRequest>(conn, id).await? else {
                return Ok(None);
            };
            let principal = Principal::User {
                id: actor.person.id,
                role: actor.role,
            };
            Ok(Some(
                principal.may(Permission::ReadAllRequests)
                    || request
                        .recorded_by
                        .as_ref()
                        .is_some_and(|p| p.id == actor.person.id)
                    || request
                        .assignees
                        .iter()
                        .any(|a| a.volunteer.id == actor.person.id),
            ))
        }
    }
}

async fn withdrawals(
    conn: &mut SqliteConnection,
    subject: PhotoSubject,
) -> Result<Vec<DateTime<Utc>>, StoreError> {
    Ok(match subject {
        PhotoSubject::Event(id) => subject_withdrawals(
            documents::load::<AttendanceList>(conn, id).await?.as_ref(),
            None,
        ),
        PhotoSubject::HelpRequest(id) => {
            let resident_id = documents::load::<HelpRequest>(conn, id)
                .await?
                .and_then(|r| r.fields.resident_id);
            let resident = match resident_id {
                Some(id) => documents::load::<Resident>(conn, id).await?,
                None => None,
            };
            subject_withdrawals(None, resident.as_ref())
        }
    })
}

pub(super) async fn attach(
    conn: &mut SqliteConnection,
    request: AttachPhoto,
    at: DateTime<Utc>,
    actor: &Actor,
) -> Result<Outcome, StoreError> {
    let details = domain::photo::PhotoDetails {
        caption: request.caption.clone(),
        people: Some(request.people),
    };
    let caption = match details.validate() {
        Ok((caption, _)) => caption,
        Err(errors) => {
            return Ok(Outcome::Rejected {
                reason: RejectReason::InvalidPhoto { errors },
            })
        }
    };
    if !request.file.is_plausible() {
        return Ok(Outcome::Rejected {
            reason: RejectReason::ImplausiblePhotoFile,
        });
    }
    match may_use_subject(conn, request.subject, actor).await? {
        None => {
            return Ok(Outcome::Rejected {
                reason: RejectReason::UnknownRecord,
            })
        }
        Some(false) => {
            return Ok(Outcome::Rejected {
                reason: RejectReason::Forbidden,
            })
        }
        Some(true) => {}
    }
    if let Some(existing) = documents::load::<Photo>(conn, request.photo_id).await? {
        // Another mutation already attached the very same photo: nothing more to do.
        return Ok(
            if existing.file == request.file && existing.subject == request.subject {
                Outcome::Duplicate
            } else {
                Outcome::Rejected {
                    reason: RejectReason::Conflict,
                }
            },
        );
    }
    let photo = Photo {
        id: request.photo_id,
        subject: request.subject,
        caption,
        people: request.people,
        file: request.file,
        taken_by: actor.person.clone(),
        taken_at: at,
        uploaded: false,
        review: PhotoReview::Pending,
        erased_at: None,
    };
    documents::save(conn, &photo).await?;
    Ok(Outcome::Applied)
}

pub(super) async fn review(
    conn: &mut SqliteConnection,
    request: ReviewPhoto,
    at: DateTime<Utc>,
    actor: &Actor,
) -> Result<Outcome, StoreError> {
    let Some(mut photo) = documents::load::<Photo>(conn, request.photo_id).await? else {
        return Ok(Outcome::Rejected {
            reason: RejectReason::UnknownRecord,
        });
    };
    if photo.erased_at.is_some() {
        return Ok(Outcome::Rejected {
            reason: RejectReason::Anonymised,
        });
    }
    match photo.review(request.decision, actor, at) {
        Ok(()) => {
            documents::save(conn, &photo).await?;
            Ok(Outcome::Applied)
        }
        Err(refusal) => Ok(Outcome::Rejected {
            reason: RejectReason::PhotoRefused { refusal },
        }),
    }
}

/// A photo as `viewer` may see it, with where its original lies; `None` when they may not (or it is
/// not there), so the answer does not tell strangers which photos exist.
pub struct ViewablePhoto {
    pub photo: Photo,
    pub file_sha256: Option<String>,
}

impl Store {
    pub async fn photo_for(
        &self,
        id: Uuid,
        viewer: &Actor,
    ) -> Result<Option<ViewablePhoto>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let Some(photo) = documents::load::<Photo>(&mut conn, id).await? else {
            return Ok(None);
        };
        if may_use_subject(&mut conn, photo.subject, viewer).await? != Some(true)
            && photo.taken_by.id != viewer.person.id
        {
            return Ok(None);
        }
        let withdrawals = withdrawals(&mut conn, photo.subject).await?;
        if !photo.visible_to(viewer, &withdrawals) {
            return Ok(None);
        }
        let file_sha256: Option<String> =
            sqlx::query_scalar("SELECT file_sha256 FROM photo WHERE id = ?")
                .bind(id.to_string())
                .fetch_one(&mut *conn)
                .await?;
        Ok(Some(ViewablePhoto { photo, file_sha256 }))
    }

    /// Keeps the checked bytes of a photo whose record is on the server: files first (a repeat writes
    /// nothing), then the record says it has them. A crash between the two leaves a file the retry
    /// finds in place.
    pub async fn store_photo_file(
        &self,
        id: Uuid,
        prepared: &PreparedPhoto,
    ) -> Result<Photo, StoreError> {
        let files = self.photo_files.clone();
        let original = prepared.original.clone();
        let thumbnail = prepared.thumbnail.clone();
        let file_sha256 = tokio::task::spawn_blocking(move || files.put(&original, &thumbnail))
            .await
            .map_err(|e| StoreError::BadValue(e.to_string()))?
            .map_err(StoreError::Files)?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut photo = documents::load::<Photo>(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::BadValue(format!("photo {id} vanished")))?;
        if !photo.uploaded {
            photo.uploaded = true;
            photo.file.width = prepared.width;
            photo.file.height = prepared.height;
            sqlx::query("UPDATE photo SET file_sha256 = ? WHERE id = ?")
                .bind(&file_sha256)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            documents::save(&mut tx, &photo).await?;
        }
        tx.commit().await?;
        Ok(photo)
    }

    pub fn photo_bytes(&self, variant: Variant, sha256: &str) -> std::io::Result<Vec<u8>> {
        self.photo_files.read(variant, sha256)
    }

    /// Deletes the files [`erase`] found unused, once its transaction committed.
    pub(super) fn remove_photo_files(&self, unused: &[String]) -> Result<(), StoreError> {
        for sha256 in unused {
            for variant in [Variant::Original, Variant::Thumbnail] {
                self.photo_files
                    .remove(variant, sha256)
                    .map_err(StoreError::Files)?;
            }
        }
        Ok(())
    }

    /// The photo record by id, whoever asks: for the upload, which checks ownership itself.
    pub async fn photo(&self, id: Uuid) -> Result<Option<Photo>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        documents::load::<Photo>(&mut conn, id).await
    }
}

/// Stores `erased` (photo records already erased by the domain) without their files, inside the caller's
/// transaction, and answers the files no photo uses any more: the caller removes them after the commit
/// ([`Store::remove_photo_files`]). `files` is each photo's stored original, by photo id.
pub(super) async fn erase(
    conn: &mut SqliteConnection,
    erased: &[Photo],
    files: &HashMap<Uuid, String>,
) -> Result<Vec<String>, StoreError> {
    for photo in erased {
        documents::save(conn, photo).await?;
        sqlx::query("UPDATE photo SET file_sha256 = NULL WHERE id = ?")
            .bind(photo.id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    // A file is shared when two photo records carry the same bytes; it goes with its last user.
    let mut unused = Vec::new();
    for sha256 in erased.iter().filter_map(|p| files.get(&p.id)) {
        let users: i64 = sqlx::query_scalar("SELECT count(*) FROM photo WHERE file_sha256 = ?")
            .bind(sha256)
            .fetch_one(&mut *conn)
            .await?;
        if users == 0 && !unused.contains(sha256) {
            unused.push(sha256.clone());
        }
    }
    Ok(unused)
}
