//! The attendance kiosk on this tablet: which event it serves, the package it works from offline, and
//! the signatures it queues. Signatures wait in the kiosk's own outbox until the server has them.

use chrono::Utc;
use domain::api as v1;
use domain::attendance::{ListChange, NewAttendance};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use uuid::Uuid;

use super::alarm::wake_sync;
use super::identity::{
    close_db, db, kiosk_identity as identity, kiosk_unsent_count, KIOSK_KEY, KIOSK_PACKAGE_KEY,
    KIOSK_SIGNED_KEY,
};
use super::view::{saved, unsent_count};
use crate::device::failure::{ApiFailure, KioskUnsent, SaveFailure};
use crate::state::{AppState, KioskIdentity, SessionCheck};

/// The signatures this tablet still has to send, and whose event they are; `None` when it is no kiosk
/// or everything reached the server.
pub async fn unsent() -> Option<KioskUnsent> {
    let identity = identity()?;
    match kiosk_unsent_count(identity.event_id).await {
        Some(0) => None,
        count => Some(KioskUnsent {
            event_id: identity.event_id,
            event_title: identity.event_title,
            count,
        }),
    }
}

/// The server says this tablet is the kiosk of `event_id`: remember it and fetch what the event needs.
/// Refused while the tablet holds unsent signatures of another event: only that event's session may send
/// them, so the tablet stays that event's kiosk, its new session is ended (the signatures are never sent
/// under it) and it waits for a code for its own event. (The claim itself names the event whose
/// signatures wait, and the server refuses another event's code; this covers a session learnt otherwise.)
pub async fn claimed(
    state: AppState,
    event_id: Uuid,
    event_title: String,
) -> Result<(), KioskUnsent> {
    if let Some(waiting) = unsent().await.filter(|u| u.event_id != event_id) {
        let _ = super::api::call::<v1::SignOut>(&[], &()).await;
        state.session.set(SessionCheck::Expired);
        return Err(waiting);
    }
    if identity().as_ref().map(|i| i.event_id) != Some(event_id) {
        LocalStorage::delete(KIOSK_SIGNED_KEY);
        LocalStorage::delete(KIOSK_PACKAGE_KEY);
        state.kiosk_package.set(None);
    }
    let kiosk = KioskIdentity {
        event_id,
        event_title,
    };
    let _ = LocalStorage::set(KIOSK_KEY, &kiosk);
    state.kiosk.set(Some(kiosk));
    state.session.set(SessionCheck::Kiosk);
    refresh_package(state).await;
    wake_sync();
    Ok(())
}

/// Downloads the event's package again (names added since, a changed consent text). Offline the kiosk
/// keeps the one it has.
pub async fn refresh_package(state: AppState) {
    match super::api::call::<v1::FetchKioskPackage>(&[], &()).await {
        Ok(package) => {
            let _ = LocalStorage::set(KIOSK_PACKAGE_KEY, &package);
            state.kiosk_package.set(Some(package));
        }
        Err(ApiFailure::Status { status: 401, .. }) => disconnected(state).await,
        Err(_) => {}
    }
}

/// The server no longer knows this tablet (revoked, expired). With nothing left to send it forgets the
/// event; otherwise it keeps the signatures and asks for a new code, which sends them.
pub async fn disconnected(state: AppState) {
    state.session.set(SessionCheck::Expired);
    if unsent_count().await == Some(0) {
        forget(state);
    }
}

fn forget(state: AppState) {
    let Some(identity) = identity() else {
        return;
    };
    close_db();
    for key in [KIOSK_KEY, KIOSK_PACKAGE_KEY, KIOSK_SIGNED_KEY] {
        LocalStorage::delete(key);
    }
    state.kiosk.set(None);
    state.kiosk_package.set(None);
    state.session.set(SessionCheck::Unchecked);
    // A sync pass still holding the database open blocks its deletion until it ends; the tablet forgets
    // the event at once all the same, as a sign-out does.
    let name = super::indexed_db::name_for_kiosk(identity.event_id);
    leptos::task::spawn_local(async move {
        if let Err(e) = super::indexed_db::delete(&name).await {
            leptos::logging::warn!("kiosk data not deleted: {}", e.0);
        }
    });
}

/// Queues one person's signature. It is in the tablet's outbox (IndexedDB) before this returns, so a
/// reload or a dead battery loses nothing.
pub async fn sign(state: AppState, attendance: NewAttendance) -> Result<(), SaveFailure> {
    let identity = identity().ok_or(SaveFailure::NotFound)?;
    let resident = attendance.attendee.resident_id;
    db().await?
        .queue_kiosk_change(
            identity.event_id,
            ListChange::Record(attendance),
            Utc::now(),
        )
        .await?;
    saved(state).await;
    if let Some(resident) = resident {
        let mut signed = super::identity::kiosk_signed_here();
        signed.push(resident);
        let _ = LocalStorage::set(KIOSK_SIGNED_KEY, &signed);
    }
    Ok(())
}

/// Ends kiosk mode on this tablet after staff typed the PIN: the session ends on the server and the
/// tablet forgets the event. Refused while signatures are still waiting to be sent.
pub async fn leave(state: AppState) -> Result<(), ApiFailure> {
    if unsent_count().await != Some(0) {
        return Err(ApiFailure::Unexpected);
    }
    match super::api::call::<v1::SignOut>(&[], &()).await {
        Ok(()) | Err(ApiFailure::Status { status: 401, .. }) => {}
        Err(failure) => return Err(failure),
    }
    forget(state);
    Ok(())
}
