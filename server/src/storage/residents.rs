//! The residents registry in SQLite. Anyone who records entries may add and correct residents; only
//! organisers merge duplicates.

use chrono::{DateTime, Utc};
use domain::dictionary::Dictionary;
use domain::resident::{corrected, merge, Resident, ResidentFields};
use domain::sync::protocol::{
    CreateResident, EditResident, MergeResidents, Outcome, RecordKind, RejectReason,
};
use domain::workflow::Actor;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::documents::{self, Column, Document};
use super::{help_requests, StoreError};

impl Document for Resident {
    const KIND: RecordKind = RecordKind::Resident;
    const TABLE: &'static str = "resident";
    const KEY: &'static str = "id";

    fn key(&self) -> Uuid {
        self.id
    }

    /// Reports and retention find residents by name, district and what they were merged into.
    fn columns(&self) -> Vec<(&'static str, Column)> {
        vec![
            ("name", Column::Text(self.fields.name.clone())),
            ("district", Column::Text(self.fields.district.clone())),
            (
                "merged_into",
                Column::MaybeText(self.merged_into.map(|id| id.to_string())),
            ),
        ]
    }
}

fn checked(fields: &ResidentFields, dictionary: &Dictionary) -> Result<ResidentFields, Outcome> {
    let fields = fields.normalized();
    match fields.validate(dictionary) {
        Ok(()) => Ok(fields),
        Err(errors) => Err(Outcome::Rejected {
            reason: RejectReason::InvalidResident { errors },
        }),
    }
}

pub(super) async fn create(
    conn: &mut SqliteConnection,
    create: CreateResident,
    recorded_at: DateTime<Utc>,
    actor: &Actor,
    dictionary: &Dictionary,
) -> Result<Outcome, StoreError> {
    let fields = match checked(&create.fields, dictionary) {
        Ok(fields) => fields,
        Err(refused) => return Ok(refused),
    };
    if let Some(existing) = documents::load::<Resident>(conn, create.resident_id).await? {
        return Ok(if existing.fields == fields {
            Outcome::Duplicate
        } else {
            Outcome::Rejected {
                reason: RejectReason::Conflict,
            }
        });
    }
    let resident = Resident {
        id: create.resident_id,
        fields,
        recorded_at,
        merged_into: None,
        image_consent: None,
        anonymised_at: None,
    };
    insert(conn, &resident, Some(actor.person.id)).await?;
    Ok(Outcome::Applied)
}

/// Adds a resident the server derived from a request or a walk-in's signature, unless it exists already
/// (a replay). `recorded_by` is `None` for a kiosk.
pub(super) async fn add_if_missing(
    conn: &mut SqliteConnection,
    id: Uuid,
    fields: ResidentFields,
    recorded_at: DateTime<Utc>,
    recorded_by: Option<Uuid>,
) -> Result<(), StoreError> {
    if documents::load::<Resident>(conn, id).await?.is_some() {
        return Ok(());
    }
    insert(
        conn,
        &Resident {
            id,
            fields,
            recorded_at,
            merged_into: None,
            image_consent: None,
            anonymised_at: None,
        },
        recorded_by,
    )
    .await
}

async fn insert(
    conn: &mut SqliteConnection,
    resident: &Resident,
    recorded_by: Option<Uuid>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO resident (id, name, district, recorded_by, data) VALUES (?, '', '', ?, '{}')",
    )
    .bind(resident.id.to_string())
    .bind(recorded_by.map(|id| id.to_string()))
    .execute(&mut *conn)
    .await?;
    documents::save(conn, resident).await
}

pub(super) async fn edit(
    conn: &mut SqliteConnection,
    edit: EditResident,
    actor: &Actor,
    dictionary: &Dictionary,
) -> Result<Outcome, StoreError> {
    let fields = match checked(&edit.fields, dictionary) {
        Ok(fields) => fields,
        Err(refused) => return Ok(refused),
    };
    let Some(resident) = documents::load::<Resident>(conn, edit.resident_id).await? else {
        return Ok(Outcome::Rejected {
            reason: RejectReason::UnknownRecord,
        });
    };
    if resident.anonymised_at.is_some() {
        return Ok(Outcome::Rejected {
            reason: RejectReason::Anonymised,
        });
    }
    let seen = edit
        .seen
        .map_or_else(|| resident.fields.clone(), |seen| seen.normalized());
    let Ok(next) = corrected(&resident, actor, &seen, &fields) else {
        return Ok(Outcome::Rejected {
            reason: RejectReason::Forbidden,
        });
    };
    if next == resident {
        return Ok(Outcome::Duplicate);
    }
    documents::save(conn, &next).await?;
    Ok(Outcome::Applied)
}

pub(super) async fn merge_duplicate(
    conn: &mut SqliteConnection,
    request: MergeResidents,
    actor: &Actor,
) -> Result<Outcome, StoreError> {
    if !actor.is_reviewer() {
        return Ok(Outcome::Rejected {
            reason: RejectReason::Forbidden,
        });
    }
    let (Some(keep), Some(duplicate)) = (
        documents::load::<Resident>(conn, request.keep).await?,
        documents::load::<Resident>(conn, request.duplicate).await?,
    ) else {
        return Ok(Outcome::Rejected {
            reason: RejectReason::UnknownRecord,
        });
    };
    if keep.anonymised_at.is_some() || duplicate.anonymised_at.is_some() {
        return Ok(Outcome::Rejected {
            reason: RejectReason::Anonymised,
        });
    }
    match merge(&keep, &duplicate) {
        Ok((kept, merged)) => {
            documents::save(conn, &kept).await?;
            documents::save(conn, &merged).await?;
            help_requests::repoint_resident(conn, merged.id, kept.id).await?;
            sqlx::query("UPDATE attendance SET resident_id = ? WHERE resident_id = ?")
                .bind(kept.id.to_string())
                .bind(merged.id.to_string())
                .execute(&mut *conn)
                .await?;
            Ok(Outcome::Applied)
        }
        Err(refusal) => Ok(Outcome::Rejected {
            reason: RejectReason::MergeRefused { refusal },
        }),
    }
}
