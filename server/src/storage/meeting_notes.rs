//! Meeting notes in SQLite. The domain decides what may change (`MeetingNote::write`, `review`); this
//! keeps the record and the columns the pull filters on (author, approved).

use chrono::{DateTime, Utc};
use domain::meeting_note::{MeetingNote, NoteRefusal};
use domain::sync::protocol::{
    Outcome, RecordKind, RejectReason, ReviewMeetingNote, WriteMeetingNote,
};
use domain::workflow::Actor;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::{log_change, StoreError};

async fn load(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<MeetingNote>, StoreError> {
    let data: Option<String> = sqlx::query_scalar("SELECT data FROM meeting_note WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
}

async fn save(conn: &mut SqliteConnection, note: &MeetingNote) -> Result<(), StoreError> {
    let data = serde_json::to_string(note)?;
    sqlx::query(
        "INSERT INTO meeting_note (id, event_id, author, approved, data) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET approved = excluded.approved, data = excluded.data",
    )
    .bind(note.id.to_string())
    .bind(note.event_id.to_string())
    .bind(note.author.id.to_string())
    .bind(note.is_approved())
    .bind(&data)
    .execute(&mut *conn)
    .await?;
    log_change(conn, RecordKind::MeetingNote, &note.id.to_string(), &data).await
}

fn refused(refusal: NoteRefusal) -> Outcome {
    Outcome::Rejected {
        reason: RejectReason::NoteRefused { refusal },
    }
}

pub(super) async fn write(
    conn: &mut SqliteConnection,
    request: WriteMeetingNote,
    at: DateTime<Utc>,
    actor: &Actor,
) -> Result<Outcome, StoreError> {
    let existing = load(conn, request.note_id).await?;
    let event_known = super::events::load(conn, request.event_id).await?.is_some();
    let moved = existing
        .as_ref()
        .is_some_and(|n| n.event_id != request.event_id);
    if !event_known || moved {
        return Ok(Outcome::Rejected {
            reason: RejectReason::UnknownRecord,
        });
    }
    let note = match MeetingNote::write(
        existing.as_ref(),
        request.note_id,
        request.event_id,
        &request.text,
        actor,
        at,
    ) {
        Ok(note) => note,
        Err(refusal) => return Ok(refused(refusal)),
    };
    if existing.as_ref() != Some(&note) {
        save(conn, &note).await?;
    }
    Ok(Outcome::Applied)
}

pub(super) async fn review(
    conn: &mut SqliteConnection,
    request: ReviewMeetingNote,
    at: DateTime<Utc>,
    actor: &Actor,
) -> Result<Outcome, StoreError> {
    let Some(mut note) = load(conn, request.note_id).await? else {
        return Ok(Outcome::Rejected {
            reason: RejectReason::UnknownRecord,
        });
    };
    if let Err(refusal) = note.review(request.decision, actor, at) {
        return Ok(refused(refusal));
    }
    save(conn, &note).await?;
    Ok(Outcome::Applied)
}
