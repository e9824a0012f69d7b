//! Personal data whose opening the audit log records (`domain::audit::PersonalRead`) shows only once the
//! device has noted the opening, so nobody reads it unrecorded, offline or not.

use domain::audit::PersonalRead;
use leptos::prelude::*;

use crate::device::{self, SaveFailure};

/// Notes `read`, then opens: `open` becomes true, or `failure` says why it could not be noted.
pub fn open_noted(
    read: PersonalRead,
    open: RwSignal<bool>,
    failure: RwSignal<Option<SaveFailure>>,
) {
    failure.set(None);
    leptos::task::spawn_local(async move {
        match device::note_read(read).await {
            Ok(()) => open.set(true),
            Err(e) => failure.set(Some(e)),
        }
    });
}

/// Shows `read` when it is hidden (once noted, as [`open_noted`]), hides it when it shows.
pub fn toggle_noted(
    read: PersonalRead,
    open: RwSignal<bool>,
    failure: RwSignal<Option<SaveFailure>>,
) {
    if open.get_untracked() {
        open.set(false);
    } else {
        open_noted(read, open, failure);
    }
}
