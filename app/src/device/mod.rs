//! The device: its store, the outbox and the sync with the server. This module is the interface the pages
//! call, compiled for both features; the browser implementation (`browser`, IndexedDB and HTTP) is behind
//! `hydrate`. In the server render these calls are never made (event handlers and effects do not run
//! there). The device-side logic (`local_data`, `sync`) is written against the `store::DeviceStore`
//! interface, so it also runs natively in `cargo test` on an in-memory store.

#[cfg(feature = "hydrate")]
mod browser;
mod failure;
#[cfg(any(feature = "hydrate", feature = "simulation", test))]
#[cfg_attr(
    not(any(feature = "hydrate", feature = "simulation")),
    allow(dead_code, reason = "natively only the tests call it")
)]
mod local_data;
#[cfg(any(feature = "simulation", test))]
mod memory;
#[cfg(any(feature = "hydrate", test))]
mod sealed;
#[cfg(any(feature = "hydrate", feature = "simulation", test))]
mod store;
#[cfg(any(feature = "hydrate", feature = "simulation", test))]
#[cfg_attr(
    not(any(feature = "hydrate", feature = "simulation")),
    allow(dead_code, reason = "natively only the tests call it")
)]
mod sync;
#[cfg(test)]
mod tests;

/// The device-side logic on the in-memory store, for the server's simulation of many devices
/// (`server/tests/api/simulation`): the same code the browser runs over IndexedDB.
#[cfg(feature = "simulation")]
pub use {
    local_data::LocalData,
    memory::MemoryStore,
    sync::{failure_of, report_reads, sync_once, Pass, SyncFailure, SyncServer},
};

use std::fmt::Display;

use domain::api::Endpoint;
use domain::attendance::{ListChange, NewAttendance};
use domain::audit::PersonalRead;
use domain::help_request::{HelpRequest, HelpRequestFields};
use domain::meeting_note::NoteDecision;
use domain::photo::{PhotoDecision, PhotoDetails, PhotoSubject};
use domain::resident::{Resident, ResidentFields};
use domain::workflow::Action;
#[cfg(feature = "hydrate")]
use leptos::prelude::*;
use uuid::Uuid;

pub use failure::{ApiFailure, KioskUnsent, PhotoProblem, PinRefused, SaveFailure};

use crate::state::AppState;

/// Runs a change on the device's store; in the server render there is no store.
macro_rules! on_device {
    ($call:expr, $($arg:ident),*) => {{
        #[cfg(feature = "hydrate")]
        return $call.await;
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = ($($arg),*);
            Err(SaveFailure::Storage("the server render cannot save".into()))
        }
    }};
}

pub fn start(state: AppState) {
    #[cfg(feature = "hydrate")]
    browser::start(state);
    #[cfg(not(feature = "hydrate"))]
    let _ = state;
}

pub fn sync_now() {
    #[cfg(feature = "hydrate")]
    browser::alarm::wake_sync();
}

/// A call to the server's endpoint `E` (declared in `domain::api`), its route's `{…}` filled from
/// `segments` in order; `body` is the JSON of a write or the query of a read. Writes carry the CSRF token.
pub async fn call<E: Endpoint>(
    segments: &[&dyn Display],
    body: &E::Body,
) -> Result<E::Answer, ApiFailure> {
    #[cfg(feature = "hydrate")]
    return browser::api::call::<E>(segments, body).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (segments, body);
        Err(ApiFailure::Network)
    }
}

/// Signs in with the password; a person's answer makes them this device's person and opens their data
/// (`SessionView::Person`'s unlock key), a kiosk's is left to the caller.
pub async fn sign_in(
    state: AppState,
    username: String,
    password: String,
) -> Result<domain::account::SessionView, ApiFailure> {
    #[cfg(feature = "hydrate")]
    return browser::sign_in(state, username, password).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (state, username, password);
        Err(ApiFailure::Network)
    }
}

/// Opens the app with the PIN, offline.
pub async fn unlock(state: AppState, pin: String) -> Result<(), PinRefused> {
    #[cfg(feature = "hydrate")]
    return browser::unlock(state, pin).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (state, pin);
        Err(PinRefused::Device("the server render has no device".into()))
    }
}

/// Seals the data key under the PIN the person chose; the app is then open.
pub async fn choose_pin(state: AppState, pin: domain::app_lock::Pin) -> Result<(), SaveFailure> {
    on_device!(browser::choose_pin(state, pin), state, pin)
}

/// After how long without use the app locks itself, as the server last said.
pub fn lock_after() -> domain::app_lock::LockAfter {
    #[cfg(feature = "hydrate")]
    return browser::lock::lock_after();
    #[cfg(not(feature = "hydrate"))]
    domain::app_lock::LockAfter::default()
}

/// Locks the app now (the person hands the phone over, puts it away).
pub fn lock_now(state: AppState) {
    #[cfg(feature = "hydrate")]
    browser::lock_now(state);
    #[cfg(not(feature = "hydrate"))]
    let _ = state;
}

/// Entries and photos on this device that the server does not have (waiting or refused); `None` when the
/// device's store cannot be read, so nobody can say nothing would be lost.
pub async fn unsent_count() -> Option<usize> {
    #[cfg(feature = "hydrate")]
    return browser::unsent_count().await;
    #[cfg(not(feature = "hydrate"))]
    None
}

pub async fn sign_out(state: AppState, everywhere: bool) -> Result<(), ApiFailure> {
    #[cfg(feature = "hydrate")]
    return browser::sign_out(state, everywhere).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (state, everywhere);
        Err(ApiFailure::Network)
    }
}

/// Saves the request on the device and queues it for the server.
pub async fn record_help_request(
    state: AppState,
    fields: HelpRequestFields,
) -> Result<(), SaveFailure> {
    on_device!(browser::record_help_request(state, fields), state, fields)
}

/// Saves the form's `fields` for the request as the form showed it (`seen`).
pub async fn edit_help_request(
    state: AppState,
    seen: HelpRequest,
    fields: HelpRequestFields,
    resubmit: bool,
) -> Result<(), SaveFailure> {
    on_device!(
        browser::edit_help_request(state, seen, fields, resubmit),
        state,
        seen,
        fields,
        resubmit
    )
}

/// Lets go of a help request's refused entries; a request whose creation was refused leaves the device.
pub async fn discard_refused_request(state: AppState, id: Uuid) -> Result<(), SaveFailure> {
    on_device!(browser::discard_refused_request(state, id), state, id)
}

/// One workflow step, on one request or (bulk approval) on several.
pub async fn act_on_help_requests(
    state: AppState,
    ids: Vec<Uuid>,
    action: Action,
) -> Result<(), SaveFailure> {
    on_device!(
        browser::act_on_help_requests(state, ids, action),
        state,
        ids,
        action
    )
}

/// Adds a resident (`seen` is `None`) or corrects the entry as the form showed it.
pub async fn save_resident(
    state: AppState,
    seen: Option<Resident>,
    fields: ResidentFields,
) -> Result<(), SaveFailure> {
    on_device!(
        browser::save_resident(state, seen, fields),
        state,
        seen,
        fields
    )
}

pub async fn merge_residents(
    state: AppState,
    keep: Uuid,
    duplicate: Uuid,
) -> Result<(), SaveFailure> {
    on_device!(
        browser::merge_residents(state, keep, duplicate),
        state,
        keep,
        duplicate
    )
}

/// Marks presence, removes an entry, approves a list… on the device, then syncs.
pub async fn change_attendance(
    state: AppState,
    event_id: Uuid,
    change: ListChange,
) -> Result<(), SaveFailure> {
    on_device!(
        browser::change_attendance(state, event_id, change),
        state,
        event_id,
        change
    )
}

pub async fn withdraw_image_consent(state: AppState, resident_id: Uuid) -> Result<(), SaveFailure> {
    on_device!(
        browser::withdraw_image_consent(state, resident_id),
        state,
        resident_id
    )
}

/// Notes that the person opened `read`, for the audit log; what it shows is shown once this succeeded.
pub async fn note_read(read: PersonalRead) -> Result<(), SaveFailure> {
    on_device!(browser::note_read(read), read)
}

/// The kiosk queues one person's signature.
pub async fn kiosk_sign(state: AppState, attendance: NewAttendance) -> Result<(), SaveFailure> {
    on_device!(browser::kiosk::sign(state, attendance), state, attendance)
}

/// The signatures this tablet holds unsent, if it is a kiosk and any wait (or its store cannot be read).
/// Until they are sent the tablet may not become another event's kiosk: the claim names their event.
pub async fn kiosk_unsent() -> Option<KioskUnsent> {
    #[cfg(feature = "hydrate")]
    return browser::kiosk::unsent().await;
    #[cfg(not(feature = "hydrate"))]
    None
}

/// The server accepted this tablet as the kiosk of `event_id`; `unlock` (from the answer to its code)
/// seals its data under the exit PIN. Refused (the tablet stays its event's kiosk) while it holds unsent
/// signatures of another event.
pub async fn kiosk_claimed(
    state: AppState,
    event_id: Uuid,
    event_title: String,
    unlock: Option<domain::app_lock::KioskUnlock>,
) -> Result<(), KioskUnsent> {
    #[cfg(feature = "hydrate")]
    return browser::kiosk::claimed(state, event_id, event_title, unlock).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (state, event_id, event_title, unlock);
        Ok(())
    }
}

/// This browser's id, which the server keeps a kiosk's unlock key under; none in the server render.
pub fn device_id() -> Option<Uuid> {
    #[cfg(feature = "hydrate")]
    return Some(browser::identity::device_id());
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Ends kiosk mode (after the organiser's PIN); refused while signatures wait to be sent.
pub async fn kiosk_leave(state: AppState) -> Result<(), ApiFailure> {
    #[cfg(feature = "hydrate")]
    return browser::kiosk::leave(state).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = state;
        Err(ApiFailure::Network)
    }
}

/// Residents who signed on this kiosk (so it can say "already signed" offline).
pub fn kiosk_signed_here() -> Vec<Uuid> {
    #[cfg(feature = "hydrate")]
    return browser::identity::kiosk_signed_here();
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

/// What was typed into the form and not yet saved, kept across reloads so nothing typed is lost.
pub fn load_draft(state: AppState) -> Option<HelpRequestFields> {
    #[cfg(feature = "hydrate")]
    {
        let account = state.account.get_untracked()?;
        let sealed: String = <gloo_storage::LocalStorage as gloo_storage::Storage>::get(
            browser::identity::draft_key(account.id),
        )
        .ok()?;
        browser::lock::open_text(browser::lock::KeyOwner::Person(account.id), &sealed)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = state;
        None
    }
}

pub fn save_draft(state: AppState, fields: &HelpRequestFields) {
    #[cfg(feature = "hydrate")]
    if let Some(account) = state.account.get_untracked() {
        // Sealed like the rest of the person's data; locked, there is no form to save from.
        if let Some(sealed) =
            browser::lock::seal_text(browser::lock::KeyOwner::Person(account.id), fields)
        {
            let _ = <gloo_storage::LocalStorage as gloo_storage::Storage>::set(
                browser::identity::draft_key(account.id),
                sealed,
            );
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (state, fields);
}

pub fn clear_draft(state: AppState) {
    #[cfg(feature = "hydrate")]
    if let Some(account) = state.account.get_untracked() {
        <gloo_storage::LocalStorage as gloo_storage::Storage>::delete(
            browser::identity::draft_key(account.id),
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = state;
}

/// The files picked in a photo input (`ev` is its `change` event), shrunk and kept as drafts.
pub async fn add_photos(
    state: AppState,
    subject: PhotoSubject,
    ev: leptos::ev::Event,
) -> Result<(), SaveFailure> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return Ok(());
        };
        let files: Vec<web_sys::File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        // The same file may be picked again later.
        input.set_value("");
        browser::photos::add(state, subject, files).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (state, subject, ev);
        Err(SaveFailure::Storage("the server render cannot save".into()))
    }
}

pub async fn save_photo(
    state: AppState,
    id: Uuid,
    details: PhotoDetails,
) -> Result<(), SaveFailure> {
    on_device!(
        browser::photos::save(state, id, details),
        state,
        id,
        details
    )
}

/// Keeps a draft's caption and answer on the device as they are typed, without syncing anything.
pub async fn keep_photo_draft(id: Uuid, details: PhotoDetails) -> Result<(), SaveFailure> {
    on_device!(browser::photos::keep_draft(id, details), id, details)
}

pub async fn discard_photo(state: AppState, id: Uuid) -> Result<(), SaveFailure> {
    on_device!(browser::photos::discard(state, id), state, id)
}

/// Saves a new meeting note (or its author's correction) on the device and queues it; returns its id.
pub async fn write_note(
    state: AppState,
    id: Option<Uuid>,
    event_id: Uuid,
    text: String,
) -> Result<Uuid, SaveFailure> {
    on_device!(
        browser::write_note(state, id, event_id, text),
        state,
        id,
        event_id,
        text
    )
}

pub async fn review_note(
    state: AppState,
    id: Uuid,
    decision: NoteDecision,
) -> Result<(), SaveFailure> {
    on_device!(
        browser::review_note(state, id, decision),
        state,
        id,
        decision
    )
}

pub async fn review_photo(
    state: AppState,
    id: Uuid,
    decision: PhotoDecision,
) -> Result<(), SaveFailure> {
    on_device!(
        browser::photos::review(state, id, decision),
        state,
        id,
        decision
    )
}

/// An object URL for the thumbnail of a photo still on this device; pass it to [`revoke_url`] after use.
pub async fn local_thumbnail_url(id: Uuid) -> Option<String> {
    #[cfg(feature = "hydrate")]
    return browser::photos::thumbnail_url(id).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        None
    }
}

pub fn revoke_url(url: &str) {
    #[cfg(feature = "hydrate")]
    browser::photos::revoke_url(url);
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}
