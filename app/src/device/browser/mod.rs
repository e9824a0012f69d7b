//! The device in the browser: IndexedDB under the device-side logic, the sync loop, photo uploads, the
//! kiosk and the service worker. Compiled for `hydrate` only.

pub mod alarm;
pub mod api;
pub mod identity;
mod indexed_db;
pub mod kiosk;
pub mod lock;
mod locks;
pub mod photos;
mod sync_loop;
mod view;
mod wipe;

use chrono::Utc;
use domain::account::{Account, SessionView, SignIn};
use domain::api as v1;
use domain::app_lock::{AfterWrongPin, Pin};
use domain::attendance::ListChange;
use domain::audit::PersonalRead;
use domain::dictionary::Dictionary;
use domain::help_request::{HelpRequest, HelpRequestFields};
use domain::meeting_note::NoteDecision;
use domain::resident::{Resident, ResidentFields};
use domain::sync::protocol::{RecordKind, WIPE_ORDERED};
use domain::workflow::Action;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use uuid::Uuid;

use super::failure::{ApiFailure, PinRefused, SaveFailure};
use super::store::StoreError;
use crate::state::{AppState, Lock, SessionCheck};
use identity::{
    actor, db, forget_account, kiosk_identity, kiosk_package, stored_account, ACCOUNT_KEY,
};
use lock::KeyOwner;
pub use view::unsent_count;
use view::{refresh, saved};

/// Loads the device's data into the pages, registers the service worker, checks the session and starts
/// syncing.
pub fn start(state: AppState) {
    register_service_worker();
    indexed_db::request_persistent_storage();
    if let Some(owner) = identity::key_owner() {
        state.lock.set(lock::locked_state(owner));
    }
    state.account.set(stored_account());
    state.kiosk.set(kiosk_identity());
    state.kiosk_package.set(kiosk_package());
    state.device_ready.set(true);
    lock::watch_idleness(state, lock_now);
    leptos::task::spawn_local(async move {
        refresh(state).await;
        sync_loop::start(state);
        photos::start_uploads(state);
        check_session(state).await;
    });
}

/// Asks the server who this device is. No answer (offline) changes nothing: the device keeps working.
pub async fn check_session(state: AppState) {
    match api::call::<v1::CheckSession>(&[], &()).await {
        Ok(SessionView::Person {
            account,
            lock_after,
            ..
        }) => {
            lock::remember_lock_after(lock_after);
            signed_in(state, account).await
        }
        Ok(SessionView::Kiosk {
            event_id,
            event_title,
            unlock,
        }) => {
            // Refused, the tablet stays its own event's kiosk, disconnected, until a code for that
            // event lets it send what it holds.
            let _ = kiosk::claimed(state, event_id, event_title, unlock).await;
        }
        // The sync loop sends what is left first; with nothing left (the erasure is done but the server
        // did not hear of it), it only remains to say so again.
        Err(failure) if failure.code() == WIPE_ORDERED => {
            if stored_account().is_some() && !identity::locked() {
                alarm::wake_sync();
            } else {
                wipe::wipe(state).await;
            }
        }
        Err(ApiFailure::Status { status: 401, .. }) => {
            if state.account.get_untracked().is_some() {
                state.session.set(SessionCheck::Expired);
            } else if state.kiosk.get_untracked().is_some() {
                kiosk::disconnected(state).await;
            }
        }
        Err(_) => {}
    }
}

/// Signs in with the password from this device; a person's data opens with the server's unlock key.
pub async fn sign_in(
    state: AppState,
    username: String,
    password: String,
) -> Result<SessionView, ApiFailure> {
    let body = SignIn {
        username,
        password,
        device_id: Some(identity::device_id()),
    };
    let answer = api::call::<v1::SignIn>(&[], &body).await?;
    if let SessionView::Person {
        account,
        lock_after,
        unlock_key,
    } = &answer
    {
        lock::remember_lock_after(*lock_after);
        if stored_account().is_some_and(|a| a.id != account.id) {
            // Another person's data stays sealed, as at a sign-out with entries left to send.
            forget_account(state, false, SessionCheck::Unchecked);
        }
        let opened = unlock_key
            .as_ref()
            .ok_or_else(|| StoreError("no unlock key in the answer".into()))
            .and_then(|key| lock::open_with_unlock_key(KeyOwner::Person(account.id), key));
        let fresh = match opened {
            Ok((lock, fresh)) => {
                state.lock.set(lock);
                fresh
            }
            Err(e) => {
                leptos::logging::error!("the device's data did not open: {}", e.0);
                state.storage_unavailable.set(true);
                false
            }
        };
        let returning = stored_account().is_some_and(|a| a.id == account.id);
        signed_in(state, account.clone()).await;
        if fresh {
            // Kept before this device sealed this person's data (an older version of the app).
            let sealed = match db().await {
                Ok(data) => data.rewrite_all().await,
                Err(e) => Err(e),
            };
            if let Err(e) = sealed {
                leptos::logging::warn!("older data not sealed yet: {}", e.0);
            }
        }
        // The same person again (the PIN was forgotten): the pages, empty while locked, fill. A new
        // person's were filled before their first sync began, which the pages then follow.
        if returning {
            opened_again(state).await;
        }
    }
    Ok(answer)
}

/// Opens the app with the PIN (a kiosk's with the exit PIN); then the pages fill and the sync goes on.
pub async fn unlock(state: AppState, pin: String) -> Result<(), PinRefused> {
    let owner =
        identity::key_owner().ok_or_else(|| PinRefused::Device("nobody is signed in".into()))?;
    let opened = lock::open_with_pin(owner, &pin).await;
    if let Err(PinRefused::Wrong(AfterWrongPin::PasswordNeeded)) = &opened {
        state.lock.set(Lock::Password { pin_blocked: true });
    }
    opened?;
    state.lock.set(Lock::Open);
    if let KeyOwner::Kiosk(_) = owner {
        kiosk::unlocked(state).await;
    }
    opened_again(state).await;
    Ok(())
}

pub async fn choose_pin(state: AppState, pin: Pin) -> Result<(), SaveFailure> {
    let account = actor()?.person.id;
    lock::seal_under_pin(KeyOwner::Person(account), pin.as_str()).await?;
    // The data was open already (the PIN is chosen after a sign-in); the pages and the sync went on.
    state.lock.set(Lock::Open);
    Ok(())
}

/// Locks the app: the data key leaves the page's memory, and the store it opened closes; a kiosk's
/// roster leaves the screen's memory too.
pub fn lock_now(state: AppState) {
    let Some(owner) = identity::key_owner() else {
        return;
    };
    lock::drop_key();
    identity::close_db();
    state.lock.set(lock::locked_state(owner));
    if identity::locked() {
        state.kiosk_package.set(None);
    }
}

/// The data is open again: the pages show it, and what waited goes out.
async fn opened_again(state: AppState) {
    refresh(state).await;
    alarm::wake_sync();
    alarm::wake_uploads();
}

/// After a successful sign-in (or a session check): this person's data, and sync resumes.
async fn signed_in(state: AppState, account: Account) {
    let switched = stored_account().map(|a| a.id) != Some(account.id);
    let _ = LocalStorage::set(ACCOUNT_KEY, &account);
    let learnt = match db().await {
        Ok(data) => data.signed_in_as(&account).await,
        Err(e) => Err(e),
    };
    if let Err(e) = learnt {
        leptos::logging::warn!("the device could not note who signed in: {}", e.0);
    }
    state.account.set(Some(account));
    state.session.set(SessionCheck::Valid);
    if switched {
        state.requests.set(None);
        refresh(state).await;
    }
    alarm::wake_sync();
}

/// Ends the session on the server, then forgets the person on this device. Their local data is deleted
/// when everything was sent (entries, photos, and what they opened, for the audit log); otherwise it
/// stays, unseen by others, until they sign in here again.
pub async fn sign_out(state: AppState, everywhere: bool) -> Result<(), ApiFailure> {
    // While the session still lets the device tell the audit log.
    let reads_reported = sync_loop::report_reads().await.is_ok();
    let ended = if everywhere {
        api::call::<v1::SignOutEverywhere>(&[], &()).await
    } else {
        api::call::<v1::SignOut>(&[], &()).await
    };
    match ended {
        Ok(()) | Err(ApiFailure::Status { status: 401, .. }) => {}
        Err(failure) => return Err(failure),
    }
    let everything_sent = reads_reported && unsent_count().await == Some(0);
    forget_account(state, everything_sent, SessionCheck::Unchecked);
    Ok(())
}

fn dictionary(state: AppState) -> Dictionary {
    state.dictionary.get_untracked()
}

pub async fn record_help_request(
    state: AppState,
    fields: HelpRequestFields,
) -> Result<(), SaveFailure> {
    db().await?
        .record_help_request(&actor()?, fields, Utc::now())
        .await?;
    saved(state).await;
    Ok(())
}

pub async fn edit_help_request(
    state: AppState,
    seen: HelpRequest,
    fields: HelpRequestFields,
    resubmit: bool,
) -> Result<(), SaveFailure> {
    let dictionary = dictionary(state);
    db().await?
        .edit_help_request(&actor()?, &seen, fields, resubmit, &dictionary, Utc::now())
        .await?;
    saved(state).await;
    Ok(())
}

pub async fn discard_refused_request(state: AppState, id: Uuid) -> Result<(), SaveFailure> {
    db().await?
        .discard_refused(RecordKind::HelpRequest, id)
        .await?;
    saved(state).await;
    Ok(())
}

pub async fn act_on_help_requests(
    state: AppState,
    ids: Vec<Uuid>,
    action: Action,
) -> Result<(), SaveFailure> {
    db().await?
        .act_on_help_requests(&actor()?, ids, action, Utc::now())
        .await?;
    saved(state).await;
    Ok(())
}

pub async fn save_resident(
    state: AppState,
    seen: Option<Resident>,
    fields: ResidentFields,
) -> Result<(), SaveFailure> {
    db().await?
        .save_resident(&actor()?, seen.as_ref(), fields, Utc::now())
        .await?;
    saved(state).await;
    Ok(())
}

pub async fn merge_residents(
    state: AppState,
    keep: Uuid,
    duplicate: Uuid,
) -> Result<(), SaveFailure> {
    db().await?
        .merge_residents(keep, duplicate, Utc::now())
        .await?;
    saved(state).await;
    Ok(())
}

pub async fn change_attendance(
    state: AppState,
    event_id: Uuid,
    change: ListChange,
) -> Result<(), SaveFailure> {
    let dictionary = dictionary(state);
    db().await?
        .change_attendance(actor()?, event_id, change, &dictionary, Utc::now())
        .await?;
    saved(state).await;
    Ok(())
}

pub async fn withdraw_image_consent(state: AppState, resident_id: Uuid) -> Result<(), SaveFailure> {
    db().await?
        .withdraw_image_consent(resident_id, Utc::now())
        .await?;
    saved(state).await;
    Ok(())
}

pub async fn note_read(read: PersonalRead) -> Result<(), SaveFailure> {
    db().await?.note_read(read, Utc::now()).await?;
    alarm::wake_sync();
    Ok(())
}

pub async fn write_note(
    state: AppState,
    id: Option<Uuid>,
    event_id: Uuid,
    text: String,
) -> Result<Uuid, SaveFailure> {
    let id = db()
        .await?
        .write_note(&actor()?, id, event_id, &text, Utc::now())
        .await?;
    saved(state).await;
    Ok(id)
}

pub async fn review_note(
    state: AppState,
    id: Uuid,
    decision: NoteDecision,
) -> Result<(), SaveFailure> {
    db().await?
        .review_note(&actor()?, id, decision, Utc::now())
        .await?;
    saved(state).await;
    Ok(())
}

fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let registration = container.register("/sw.js");
    leptos::task::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(registration).await {
            leptos::logging::warn!("service worker not registered: {e:?}");
            return;
        }
        // A page that loaded while the worker was installing may be missed by the worker's own claim
        // (server/src/service_worker.js): ask it to take this page over, so this page's later requests
        // go through it too.
        let Ok(ready) = container.ready() else {
            return;
        };
        let Ok(active) = wasm_bindgen_futures::JsFuture::from(ready).await else {
            return;
        };
        let registration = web_sys::ServiceWorkerRegistration::from(active);
        if let (None, Some(worker)) = (container.controller(), registration.active()) {
            let _ = worker.post_message(&"claim".into());
        }
    });
}
