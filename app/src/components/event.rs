//! The event a page is about, and its attendance list, as this device has them.

use domain::attendance::AttendanceList;
use domain::event::Event;
use domain::sync::merge::SyncState;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::state::{use_app_state, AppState};

/// The event named by `?id=` in the address, as this device has it.
pub fn event_in_address() -> Memo<Option<Event>> {
    let state = use_app_state();
    let query = use_query_map();
    Memo::new(move |_| {
        let id = query.with(|q| q.get("id").and_then(|id| Uuid::parse_str(&id).ok()))?;
        state
            .events
            .with(|es| es.iter().find(|e| e.id == id).cloned())
    })
}

/// An event's list as this device has it (an empty one before anyone signed), and its sync state.
pub fn list_of(state: AppState, event_id: Uuid) -> (AttendanceList, SyncState) {
    state.attendance.with(|lists| {
        lists
            .iter()
            .find(|(l, _)| l.event_id == event_id)
            .cloned()
            .unwrap_or_else(|| (AttendanceList::new(event_id), SyncState::Synced))
    })
}
