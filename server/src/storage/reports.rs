//! Every record a report or export counts, read in one transaction so the numbers agree with each other.

use std::collections::HashMap;

use domain::attendance::AttendanceList;
use domain::event::Event;
use domain::help_request::HelpRequest;
use domain::meeting_note::MeetingNote;
use domain::photo::Photo;
use domain::report::ReportData;
use domain::resident::Resident;
use serde::de::DeserializeOwned;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::{Store, StoreError};

/// Owned records behind a [`ReportData`].
pub struct ReportRecords {
    pub events: Vec<Event>,
    pub lists: Vec<AttendanceList>,
    pub requests: Vec<HelpRequest>,
    pub residents: Vec<Resident>,
    pub photos: Vec<Photo>,
    pub notes: Vec<MeetingNote>,
    /// The stored original of each uploaded photo: its SHA-256, which names the file.
    pub photo_files: HashMap<Uuid, String>,
}

impl ReportRecords {
    pub fn data(&self) -> ReportData<'_> {
        ReportData {
            events: &self.events,
            lists: &self.lists,
            requests: &self.requests,
            residents: &self.residents,
            photos: &self.photos,
            notes: &self.notes,
        }
    }
}

async fn all<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    query: &'static str,
) -> Result<Vec<T>, StoreError> {
    let rows: Vec<String> = sqlx::query_scalar(query).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|d| serde_json::from_str(d).map_err(StoreError::from))
        .collect()
}

impl Store {
    pub async fn report_records(&self) -> Result<ReportRecords, StoreError> {
        let mut tx = self.pool.begin().await?;
        let records = load_records(&mut tx).await?;
        tx.commit().await?;
        Ok(records)
    }
}

/// Every record, read on `conn` (inside the caller's transaction).
pub(super) async fn load_records(conn: &mut SqliteConnection) -> Result<ReportRecords, StoreError> {
    Ok(ReportRecords {
        events: all(conn, "SELECT data FROM event WHERE data IS NOT NULL").await?,
        lists: all(conn, "SELECT data FROM attendance_list").await?,
        requests: all(conn, "SELECT data FROM help_request WHERE data IS NOT NULL").await?,
        residents: all(conn, "SELECT data FROM resident").await?,
        photos: all(conn, "SELECT data FROM photo").await?,
        notes: all(conn, "SELECT data FROM meeting_note").await?,
        photo_files: sqlx::query_as::<_, (String, String)>(
            "SELECT id, file_sha256 FROM photo WHERE file_sha256 IS NOT NULL",
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter_map(|(id, sha256)| Some((Uuid::parse_str(&id).ok()?, sha256)))
        .collect(),
    })
}
