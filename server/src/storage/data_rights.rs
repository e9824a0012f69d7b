//! A resident's rights on request (rules in `domain::data_rights`): everything held about one person,
//! read in one transaction, and their erasure, written in one (devices get the erased records through
//! the pull, as after the retention period).

use chrono::{DateTime, Utc};
use domain::data_rights::{self, ErasureCounts, SubjectAccess};
use uuid::Uuid;

use super::reports::load_records;
use super::{attendance, audit, documents, help_requests, photos, Store, StoreError};

/// A photo of the person's that has its file: the photo's id and the stored original's SHA-256.
pub type PhotoFile = (Uuid, String);

impl Store {
    /// Everything held about the resident `id` (or the entry it was merged into), with the stored files of
    /// their photos; `None` when no registry entry has the id.
    pub async fn subject_access(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<(SubjectAccess, Vec<PhotoFile>)>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let records = load_records(&mut tx).await?;
        let Some(mut access) = data_rights::subject_access(id, &records.data(), at) else {
            return Ok(None);
        };
        access.audit = audit::entries_about(&mut tx, &access.audit_targets()).await?;
        tx.commit().await?;
        let files = access
            .photos
            .iter()
            .filter_map(|p| Some((p.id, records.photo_files.get(&p.id)?.clone())))
            .collect();
        Ok(Some((access, files)))
    }

    /// Erases the resident `id` and everything that names them; `None` when no registry entry has the id.
    pub async fn erase_subject(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<ErasureCounts>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let records = load_records(&mut tx).await?;
        let Some(erasure) = data_rights::erase(id, &records.data(), at) else {
            return Ok(None);
        };
        for resident in &erasure.residents {
            documents::save(&mut tx, resident).await?;
        }
        for request in &erasure.help_requests {
            help_requests::save(&mut tx, request).await?;
        }
        for list in &erasure.attendance_lists {
            attendance::save(&mut tx, &mut list.clone()).await?;
        }
        for event in &erasure.events {
            documents::save(&mut tx, event).await?;
        }
        let unused = photos::erase(&mut tx, &erasure.photos, &records.photo_files).await?;
        tx.commit().await?;
        self.remove_photo_files(&unused)?;
        Ok(Some(erasure.counts()))
    }
}
