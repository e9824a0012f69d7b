//! Meeting notes in SQLite. The domain decides what may change (`MeetingNote::write`, `review`); this
//! keeps the record and the columns the pull filters on (author, approved).

use chrono::{DateTime, Utc};
use domain::event::Event;
use domain::meeting_note::{MeetingNote, NoteRefusal};
use domain::sync::protocol::{
    Outcome, RecordKind, RejectReason, ReviewMeetingNote, WriteMeetingNote,
};
use domain::workflow::Actor;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::documents::{self, Column, Document};
use super::StoreError;

impl Document for MeetingNote {
    const KIND: RecordKind = RecordKind::MeetingNote;
    const TABLE: &'static str = "meeting_note";
    const KEY: &'static str = "id";

    fn key(&self) -> Uuid {
        self.id
    }

    /// Devices pull other people's notes once approved (`scope_keys`).
    fn columns(&self) -> Vec<(&'static str, Column)> {
        vec![
            ("event_id", Column::Text(self.event_id.to_string())),
            ("author", Column::Text(self.author.id.to_string())),
            ("approved", Column::Flag(self.is_approved())),
        ]
    }
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
    let existing: Option<MeetingNote> = documents::load(conn, request.note_id).await?;
    let event_known = documents::load::<Event>(conn, request.event_id)
        .await?
        .is_some();
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
        documents::save(conn, &note).await?;
    }
    Ok(Outcome::Applied)
}

pub(super) async fn review(
    conn: &mut SqliteConnection,
    request: ReviewMeetingNote,
    at: DateTime<Utc>,
    actor: &Actor,
) -> Result<Outcome, StoreError> {
    let Some(mut note) = documents::load::<MeetingNote>(conn, request.note_id).await? else {
        return Ok(Outcome::Rejected {
            reason: RejectReason::UnknownRecord,
        });
    };
    if let Err(refusal) = note.review(request.decision, actor, at) {
        return Ok(refused(refusal));
    }
    documents::save(conn, &note).await?;
    Ok(Outcome::Applied)
}
