//! Meeting notes on the device: written offline, queued like every other entry.

use chrono::Utc;
use domain::meeting_note::{MeetingNote, NoteDecision};
use domain::sync::protocol::{Mutation, ReviewMeetingNote, WriteMeetingNote};
use leptos::prelude::*;
use uuid::Uuid;

use super::db::LocalRecord;
use super::{actor, commit};
use crate::client::SaveFailure;
use crate::state::AppState;

fn known(state: AppState, id: Uuid) -> Option<MeetingNote> {
    state.notes.with_untracked(|notes| {
        notes
            .iter()
            .find(|(n, _)| n.id == id)
            .map(|(n, _)| n.clone())
    })
}

/// A new note (`id` = `None`) or the author's correction of one.
pub async fn write(
    state: AppState,
    id: Option<Uuid>,
    event_id: Uuid,
    text: String,
) -> Result<Uuid, SaveFailure> {
    let actor = actor()?;
    let existing = id.and_then(|id| known(state, id));
    let id = id.unwrap_or_else(Uuid::now_v7);
    let note = MeetingNote::write(existing.as_ref(), id, event_id, &text, &actor, Utc::now())
        .map_err(SaveFailure::Note)?;
    commit(
        state,
        vec![LocalRecord::MeetingNote(note.clone())],
        vec![Mutation::WriteMeetingNote(WriteMeetingNote {
            note_id: id,
            event_id,
            text: note.text,
        })],
    )
    .await?;
    Ok(id)
}

pub async fn review(state: AppState, id: Uuid, decision: NoteDecision) -> Result<(), SaveFailure> {
    let actor = actor()?;
    let mut note = known(state, id).ok_or(SaveFailure::NotFound)?;
    note.review(decision.clone(), &actor, Utc::now())
        .map_err(SaveFailure::Note)?;
    commit(
        state,
        vec![LocalRecord::MeetingNote(note)],
        vec![Mutation::ReviewMeetingNote(ReviewMeetingNote {
            note_id: id,
            decision,
        })],
    )
    .await
}
