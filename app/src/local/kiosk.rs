//! The attendance kiosk on this tablet: which event it serves, the package it works from offline, and
//! the signatures it queues. Signatures wait in the kiosk's own outbox until the server has them.

use domain::attendance::{ListChange, NewAttendance};
use domain::kiosk::KioskPackage;
use domain::sync::protocol::{ChangeAttendance, Mutation};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use uuid::Uuid;

use super::{close_db, commit, sync};
use crate::client::{ApiFailure, SaveFailure};
use crate::state::{AppState, KioskIdentity, SessionCheck};

const IDENTITY_KEY: &str = "sasiedzi.kiosk";
const PACKAGE_KEY: &str = "sasiedzi.kiosk.package";
/// Residents who signed on this tablet, so the kiosk can say "already signed" offline.
const SIGNED_KEY: &str = "sasiedzi.kiosk.signed";

pub fn identity() -> Option<KioskIdentity> {
    LocalStorage::get(IDENTITY_KEY).ok()
}

pub fn package() -> Option<KioskPackage> {
    LocalStorage::get(PACKAGE_KEY).ok()
}

pub fn signed_here() -> Vec<Uuid> {
    LocalStorage::get(SIGNED_KEY).unwrap_or_default()
}

/// The server says this tablet is the kiosk of `event_id`: remember it and fetch what the event needs.
pub async fn claimed(state: AppState, event_id: Uuid, event_title: String) {
    if identity().as_ref().map(|i| i.event_id) != Some(event_id) {
        LocalStorage::delete(SIGNED_KEY);
        LocalStorage::delete(PACKAGE_KEY);
        state.kiosk_package.set(None);
    }
    let kiosk = KioskIdentity {
        event_id,
        event_title,
    };
    let _ = LocalStorage::set(IDENTITY_KEY, &kiosk);
    state.kiosk.set(Some(kiosk));
    state.session.set(SessionCheck::Kiosk);
    refresh_package(state).await;
    sync::wake();
}

/// Downloads the event's package again (names added since, a changed consent text). Offline the kiosk
/// keeps the one it has.
pub async fn refresh_package(state: AppState) {
    match super::api::call::<KioskPackage>("GET", "/api/v1/kiosk/event", None).await {
        Ok(package) => {
            let _ = LocalStorage::set(PACKAGE_KEY, &package);
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
    if super::unsent_count().await == 0 {
        forget(state);
    }
}

fn forget(state: AppState) {
    let Some(identity) = identity() else {
        return;
    };
    close_db();
    for key in [IDENTITY_KEY, PACKAGE_KEY, SIGNED_KEY] {
        LocalStorage::delete(key);
    }
    state.kiosk.set(None);
    state.kiosk_package.set(None);
    state.session.set(SessionCheck::Unchecked);
    // A sync pass still holding the database open blocks its deletion until it ends; the tablet forgets
    // the event at once all the same, as a sign-out does.
    let name = super::db::name_for_kiosk(identity.event_id);
    leptos::task::spawn_local(async move {
        if let Err(e) = super::db::delete(&name).await {
            leptos::logging::warn!("kiosk data not deleted: {}", e.0);
        }
    });
}

/// Queues one person's signature. It is in the tablet's outbox (IndexedDB) before this returns, so a
/// reload or a dead battery loses nothing.
pub async fn sign(state: AppState, attendance: NewAttendance) -> Result<(), SaveFailure> {
    let identity = identity().ok_or(SaveFailure::NotFound)?;
    let resident = attendance.attendee.resident_id;
    let mutation = Mutation::ChangeAttendance(ChangeAttendance {
        event_id: identity.event_id,
        change: ListChange::Record(attendance),
    });
    commit(state, Vec::new(), vec![mutation]).await?;
    if let Some(resident) = resident {
        let mut signed = signed_here();
        signed.push(resident);
        let _ = LocalStorage::set(SIGNED_KEY, &signed);
    }
    Ok(())
}

/// Ends kiosk mode on this tablet after staff typed the PIN: the session ends on the server and the
/// tablet forgets the event. Refused while signatures are still waiting to be sent.
pub async fn leave(state: AppState) -> Result<(), ApiFailure> {
    if super::unsent_count().await > 0 {
        return Err(ApiFailure::Unexpected);
    }
    match super::api::call::<()>("DELETE", "/api/v1/session", None).await {
        Ok(()) | Err(ApiFailure::Status { status: 401, .. }) => {}
        Err(failure) => return Err(failure),
    }
    forget(state);
    Ok(())
}
