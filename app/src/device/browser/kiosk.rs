//! The attendance kiosk on this tablet: which event it serves, the package it works from offline, and
//! the signatures it queues. Signatures wait in the kiosk's own outbox until the server has them.

use chrono::Utc;
use domain::api as v1;
use domain::app_lock::KioskUnlock;
use domain::attendance::{ListChange, NewAttendance};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use uuid::Uuid;

use super::alarm::wake_sync;
use super::identity::{
    close_db, db, keep_for_kiosk, kiosk_identity as identity, kiosk_package, kiosk_unsent_count,
    locked, KIOSK_KEY, KIOSK_PACKAGE_KEY, KIOSK_SIGNED_KEY,
};
use super::lock::{self, KeyOwner};
use super::view::{saved, unsent_count};
use crate::device::failure::{ApiFailure, KioskUnsent, SaveFailure};
use crate::device::store::StoreError;
use crate::state::{AppState, KioskIdentity, Lock, SessionCheck};

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
/// With `unlock` (the answer to a code) the tablet's data is sealed, or opened again, and the exit PIN
/// opens it after a reload.
pub async fn claimed(
    state: AppState,
    event_id: Uuid,
    event_title: String,
    unlock: Option<KioskUnlock>,
) -> Result<(), KioskUnsent> {
    let previous = identity().map(|i| i.event_id);
    if previous.is_some_and(|p| p != event_id) {
        if let Some(waiting) = unsent().await {
            let _ = super::api::call::<v1::SignOut>(&[], &()).await;
            state.session.set(SessionCheck::Expired);
            return Err(waiting);
        }
    }
    if previous != Some(event_id) {
        // Nothing of the event before is left to send: it goes, key ring and all.
        forget(state);
    }
    let kiosk = KioskIdentity {
        event_id,
        event_title,
    };
    let _ = LocalStorage::set(KIOSK_KEY, &kiosk);
    state.kiosk.set(Some(kiosk));
    state.session.set(SessionCheck::Kiosk);
    if let Some(unlock) = unlock {
        match open(event_id, &unlock).await {
            Ok(()) => state.lock.set(Lock::Open),
            Err(e) => {
                leptos::logging::error!("the kiosk's data did not open: {}", e.0);
                state.storage_unavailable.set(true);
            }
        }
    }
    if !locked() {
        state.kiosk_package.set(kiosk_package());
        refresh_package(state).await;
    }
    wake_sync();
    Ok(())
}

/// Opens (or makes) the kiosk's key ring with the server's key and seals it under this code's exit PIN;
/// what an older version kept plain is sealed now.
async fn open(event_id: Uuid, unlock: &KioskUnlock) -> Result<(), StoreError> {
    let owner = KeyOwner::Kiosk(event_id);
    let (_, fresh) = lock::open_with_unlock_key(owner, &unlock.key)?;
    lock::seal_under_pin(owner, &unlock.exit_pin).await?;
    if fresh {
        close_db();
        db().await?.rewrite_all().await?;
        // Read plain as they were kept, written back sealed.
        if let Some(package) = kiosk_package() {
            keep_for_kiosk(KIOSK_PACKAGE_KEY, &package)?;
        }
        keep_for_kiosk(KIOSK_SIGNED_KEY, &super::identity::kiosk_signed_here())?;
    }
    Ok(())
}

/// The tablet was opened with the exit PIN: the flow shows its names again (the caller wakes the sync).
pub async fn unlocked(state: AppState) {
    state.kiosk_package.set(kiosk_package());
    refresh_package(state).await;
}

/// Downloads the event's package again (names added since, a changed consent text). Offline the kiosk
/// keeps the one it has.
pub async fn refresh_package(state: AppState) {
    match super::api::call::<v1::FetchKioskPackage>(&[], &()).await {
        Ok(package) => {
            if let Err(e) = keep_for_kiosk(KIOSK_PACKAGE_KEY, &package) {
                leptos::logging::warn!("the kiosk's package was not kept: {}", e.0);
            }
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
    // Counted without the key: a locked tablet with nothing to send is freed as well.
    if unsent().await.is_none() {
        forget(state);
    }
}

fn forget(state: AppState) {
    let Some(identity) = identity() else {
        return;
    };
    lock::drop_key();
    lock::forget_ring(KeyOwner::Kiosk(identity.event_id));
    close_db();
    for key in [KIOSK_KEY, KIOSK_PACKAGE_KEY, KIOSK_SIGNED_KEY] {
        LocalStorage::delete(key);
    }
    state.kiosk.set(None);
    state.kiosk_package.set(None);
    state.lock.set(Lock::Open);
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
        if let Err(e) = keep_for_kiosk(KIOSK_SIGNED_KEY, &signed) {
            leptos::logging::warn!("\"already signed\" not kept: {}", e.0);
        }
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
