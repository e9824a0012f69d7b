//! The device's data as the pages show it: read from the store into the app's signals.

use domain::dictionary::Dictionary;
use domain::sync::merge::{newest_first, sync_state};
use leptos::prelude::*;

use super::alarm;
use super::identity::{db, kiosk_identity, locked, stored_account};
use crate::device::local_data::Snapshot;
use crate::state::{AppState, RequestRow};

/// What the person would lose by signing out now (`LocalData::unsent_count`); `None` when the store
/// cannot be read, which must never count as "nothing".
pub async fn unsent_count() -> Option<usize> {
    db().await.ok()?.unsent_count().await.ok()
}

/// Re-reads the store into the signals the pages show.
pub async fn refresh(state: AppState) {
    if stored_account().is_none() {
        state.requests.set(Some(Vec::new()));
        if kiosk_identity().is_some() {
            let pending = unsent_count().await.unwrap_or_default();
            state.sync.update(|s| s.pending = pending);
        }
        return;
    }
    // Locked: the pages keep what they show until the unlock refreshes them.
    if locked() {
        return;
    }
    let snapshot = match db().await {
        Ok(db) => db.snapshot().await,
        Err(e) => Err(e),
    };
    // Taken apart whole: a part of the snapshot no signal receives does not compile (unused binding).
    let Snapshot {
        requests,
        residents,
        outbox,
        dictionary,
        last_sync,
        events,
        attendance,
        consent_texts,
        photos,
        local_photos,
        notes,
    } = match snapshot {
        Ok(snapshot) => snapshot,
        Err(e) => {
            leptos::logging::error!("local store unavailable: {}", e.0);
            state.storage_unavailable.set(true);
            state.requests.set(Some(Vec::new()));
            return;
        }
    };
    let with_sync = |id| sync_state(id, &outbox);
    let rows = newest_first(requests)
        .into_iter()
        .map(|request| RequestRow {
            sync: with_sync(request.id),
            request,
        })
        .collect();
    state.requests.set(Some(rows));
    state.residents.set(residents);
    let mut events = events;
    events.sort_by_key(|e| std::cmp::Reverse(e.fields.starts_at));
    state.events.set(events);
    let lists = attendance
        .into_iter()
        .map(|list| {
            let sync = with_sync(list.event_id);
            (list, sync)
        })
        .collect();
    state.attendance.set(lists);
    state.consent_texts.set(consent_texts);
    state.photos.set(photos);
    let mut notes: Vec<_> = notes
        .into_iter()
        .map(|note| {
            let sync = with_sync(note.id);
            (note, sync)
        })
        .collect();
    notes.sort_by_key(|(n, _)| (n.written_at, n.id));
    state.notes.set(notes);
    let local_photos = local_photos
        .into_iter()
        .map(|photo| {
            let sync = with_sync(photo.id);
            (photo, sync)
        })
        .collect();
    state.local_photos.set(local_photos);
    let dictionary = Dictionary::new(dictionary);
    if state.dictionary.with_untracked(|d| *d != dictionary) {
        state.dictionary.set(dictionary);
    }
    let pending = outbox.iter().filter(|e| e.is_pending()).count();
    state.sync.update(|s| {
        s.pending = pending;
        s.last_success = last_sync;
    });
}

/// After a change was saved: show it, and sync soon.
pub async fn saved(state: AppState) {
    refresh(state).await;
    alarm::after_write();
}
