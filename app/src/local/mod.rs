//! Browser-only: the device's store, the sync loop and the service worker. Compiled for `hydrate` only.

mod db;
pub mod sync;

use std::cell::RefCell;
use std::rc::Rc;

use chrono::Utc;
use domain::dictionary::Dictionary;
use domain::help_request::{HelpRequest, HelpRequestFields, HelpRequestStatus};
use domain::sync::merge::{newest_first, sync_state};
use domain::sync::outbox::{OutboxEntry, OutboxState};
use domain::sync::protocol::{CreateHelpRequest, Mutation};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use uuid::Uuid;

use crate::state::{AppState, RequestRow};
use db::{DbError, LocalDb};

const DEVICE_ID_KEY: &str = "sasiedzi.device_id";

thread_local! {
    static DB: RefCell<Option<Rc<LocalDb>>> = const { RefCell::new(None) };
}

/// The device's database, opened on first use and kept for the life of the page.
async fn db() -> Result<Rc<LocalDb>, DbError> {
    if let Some(db) = DB.with(|db| db.borrow().clone()) {
        return Ok(db);
    }
    let opened = Rc::new(LocalDb::open().await?);
    DB.with(|db| *db.borrow_mut() = Some(opened.clone()));
    Ok(opened)
}

/// This browser's id, made once and kept in localStorage: it tells the server which device sent what.
fn device_id() -> Uuid {
    if let Ok(id) = LocalStorage::get::<Uuid>(DEVICE_ID_KEY) {
        return id;
    }
    let id = Uuid::now_v7();
    let _ = LocalStorage::set(DEVICE_ID_KEY, id);
    id
}

/// Loads the device's data into the pages, registers the service worker and starts syncing.
pub fn start(state: AppState) {
    register_service_worker();
    request_persistent_storage();
    leptos::task::spawn_local(async move {
        refresh(state).await;
        sync::start(state);
    });
}

/// Re-reads the store into the signals the pages show.
pub async fn refresh(state: AppState) {
    let snapshot = match db().await {
        Ok(db) => db.snapshot().await,
        Err(e) => Err(e),
    };
    let snapshot = match snapshot {
        Ok(snapshot) => snapshot,
        Err(e) => {
            leptos::logging::error!("local store unavailable: {}", e.0);
            state.storage_unavailable.set(true);
            state.requests.set(Some(Vec::new()));
            return;
        }
    };
    let rows = newest_first(snapshot.requests)
        .into_iter()
        .map(|request| RequestRow {
            sync: sync_state(request.id, &snapshot.outbox),
            request,
        })
        .collect();
    state.requests.set(Some(rows));
    let dictionary = Dictionary::new(snapshot.dictionary);
    if state.dictionary.with_untracked(|d| *d != dictionary) {
        state.dictionary.set(dictionary);
    }
    let pending = snapshot.outbox.iter().filter(|e| e.is_pending()).count();
    state.sync.update(|s| {
        s.pending = pending;
        s.last_success = snapshot.last_sync;
    });
}

/// Saves a new help request on the device and queues it for the server.
pub async fn record_help_request(state: AppState, fields: HelpRequestFields) -> Result<(), String> {
    let now = Utc::now();
    let request = HelpRequest {
        id: Uuid::now_v7(),
        fields: fields.clone(),
        status: HelpRequestStatus::AwaitingApproval,
        recorded_at: now,
    };
    let mutation = Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: request.id,
        fields,
    });
    let entry = OutboxEntry {
        entity_id: mutation.entity_id(),
        mutation: mutation.into_envelope(Uuid::now_v7(), now),
        state: OutboxState::Pending,
    };
    let db = db().await.map_err(|e| e.0)?;
    db.record(&request, &entry).await.map_err(|e| e.0)?;
    refresh(state).await;
    sync::after_write();
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
        }
    });
}

/// Asks the browser not to evict the offline data under storage pressure.
fn request_persistent_storage() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(promise) = window.navigator().storage().persist() else {
        return;
    };
    leptos::task::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    });
}
