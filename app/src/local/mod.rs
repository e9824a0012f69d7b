//! Browser-only: the device's store, the sync loop and the service worker. Compiled for `hydrate` only.

mod alarm;
pub mod api;
mod db;
pub mod kiosk;
pub mod notes;
pub mod photos;
pub mod sync;

use std::cell::RefCell;
use std::rc::Rc;

use chrono::Utc;
use domain::account::{Account, SessionView};
use domain::attendance::{AttendanceList, Author, ListChange};
use domain::dictionary::Dictionary;
use domain::help_request::{HelpRequest, HelpRequestFields};
use domain::resident::{
    merge, withdraw_image_consent as withdraw_image_consent_of, Resident, ResidentFields,
};
use domain::sync::merge::{newest_first, sync_state};
use domain::sync::outbox::{OutboxEntry, OutboxState};
use domain::sync::protocol::{
    ActOnHelpRequest, ChangeAttendance, CreateHelpRequest, CreateResident, EditHelpRequest,
    EditResident, MergeResidents, Mutation, WithdrawImageConsent,
};
use domain::workflow::{applied_locally, apply_action, apply_edit, changes_between, Action, Actor};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use uuid::Uuid;

use crate::client::{ApiFailure, SaveFailure};
use crate::state::{AppState, RequestRow, SessionCheck, SyncStatus};
use db::{DbError, LocalDb, LocalRecord};

const DEVICE_ID_KEY: &str = "sasiedzi.device_id";
/// The person this device is signed in as, kept so the app opens offline.
const ACCOUNT_KEY: &str = "sasiedzi.account";

thread_local! {
    static DB: RefCell<Option<(Uuid, Rc<LocalDb>)>> = const { RefCell::new(None) };
}

/// The signed-in person's database (each person has their own, so nobody sees another's entries), or
/// the kiosk's; opened on first use and kept while the same owner uses the device.
async fn db() -> Result<Rc<LocalDb>, DbError> {
    let (owner, name) = match (stored_account(), kiosk::identity()) {
        (Some(account), _) => (account.id, db::name_for(account.id)),
        (None, Some(kiosk)) => (kiosk.event_id, db::name_for_kiosk(kiosk.event_id)),
        (None, None) => return Err(DbError("nobody is signed in".into())),
    };
    let cached = DB.with(|db| db.borrow().clone());
    if let Some((cached_owner, db)) = cached {
        if cached_owner == owner {
            return Ok(db);
        }
    }
    let opened = Rc::new(LocalDb::open(&name).await?);
    DB.with(|db| *db.borrow_mut() = Some((owner, opened.clone())));
    Ok(opened)
}

/// Closes the open database so it can be deleted.
fn close_db() {
    if let Some((_, open)) = DB.with(|db| db.borrow_mut().take()) {
        // An open connection would block the deletion; a sync in flight closes its copy when done.
        if let Ok(open) = Rc::try_unwrap(open) {
            open.close();
        }
    }
}

pub fn stored_account() -> Option<Account> {
    LocalStorage::get(ACCOUNT_KEY).ok()
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

/// Loads the device's data into the pages, registers the service worker, checks the session and starts
/// syncing.
pub fn start(state: AppState) {
    register_service_worker();
    request_persistent_storage();
    state.account.set(stored_account());
    state.kiosk.set(kiosk::identity());
    state.kiosk_package.set(kiosk::package());
    state.device_ready.set(true);
    leptos::task::spawn_local(async move {
        refresh(state).await;
        sync::start(state);
        photos::start_uploads(state);
        check_session(state).await;
    });
}

/// Asks the server who this device is. No answer (offline) changes nothing: the device keeps working.
pub async fn check_session(state: AppState) {
    match api::call::<SessionView>("GET", "/api/v1/session", None).await {
        Ok(SessionView::Person { account }) => signed_in(state, account).await,
        Ok(SessionView::Kiosk {
            event_id,
            event_title,
        }) => kiosk::claimed(state, event_id, event_title).await,
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

/// After a successful sign-in (or a session check): this person's data, and sync resumes.
pub async fn signed_in(state: AppState, account: Account) {
    let switched = stored_account().map(|a| a.id) != Some(account.id);
    let _ = LocalStorage::set(ACCOUNT_KEY, &account);
    state.account.set(Some(account));
    state.session.set(SessionCheck::Valid);
    if switched {
        state.requests.set(None);
        refresh(state).await;
    }
    sync::wake();
}

/// What the person would lose by signing out now: entries and photos not yet on the server.
pub async fn unsent_count() -> usize {
    let Ok(db) = db().await else {
        return 0;
    };
    let entries = db
        .outbox()
        .await
        .map(|o| o.iter().filter(|e| e.is_pending()).count())
        .unwrap_or(0);
    let photos = db.local_photos().await.map(|p| p.len()).unwrap_or(0);
    entries + photos
}

/// Ends the session on the server, then forgets the person on this device. Their local data is deleted
/// when everything was sent; otherwise it stays, unseen by others, until they sign in here again.
pub async fn sign_out(state: AppState, everywhere: bool) -> Result<(), ApiFailure> {
    let url = if everywhere {
        "/api/v1/session/sign-out-everywhere"
    } else {
        "/api/v1/session"
    };
    let method = if everywhere { "POST" } else { "DELETE" };
    match api::call::<()>(method, url, None).await {
        Ok(()) | Err(ApiFailure::Status { status: 401, .. }) => {}
        Err(failure) => return Err(failure),
    }
    let everything_sent = unsent_count().await == 0;
    close_db();
    if let Some(account) = stored_account() {
        if everything_sent {
            leptos::task::spawn_local(async move {
                if let Err(e) = db::delete(&db::name_for(account.id)).await {
                    leptos::logging::warn!("local data not deleted: {}", e.0);
                }
            });
        }
        LocalStorage::delete(crate::client::draft_key(account.id));
    }
    LocalStorage::delete(ACCOUNT_KEY);
    state.account.set(None);
    state.session.set(SessionCheck::Unchecked);
    state.requests.set(Some(Vec::new()));
    state.sync.set(SyncStatus::default());
    Ok(())
}

/// Re-reads the store into the signals the pages show.
pub async fn refresh(state: AppState) {
    if stored_account().is_none() {
        state.requests.set(Some(Vec::new()));
        if kiosk::identity().is_some() {
            let pending = unsent_count().await;
            state.sync.update(|s| s.pending = pending);
        }
        return;
    }
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
    state.residents.set(snapshot.residents);
    let mut events = snapshot.events;
    events.sort_by_key(|e| std::cmp::Reverse(e.fields.starts_at));
    state.events.set(events);
    let lists = snapshot
        .attendance
        .into_iter()
        .map(|list| {
            let sync = sync_state(list.event_id, &snapshot.outbox);
            (list, sync)
        })
        .collect();
    state.attendance.set(lists);
    state.consent_texts.set(snapshot.consent_texts);
    state.photos.set(snapshot.photos);
    let mut notes: Vec<_> = snapshot
        .notes
        .into_iter()
        .map(|note| {
            let sync = sync_state(note.id, &snapshot.outbox);
            (note, sync)
        })
        .collect();
    notes.sort_by_key(|(n, _)| (n.written_at, n.id));
    state.notes.set(notes);
    let local_photos = snapshot
        .local_photos
        .into_iter()
        .map(|photo| {
            let sync = sync_state(photo.id, &snapshot.outbox);
            (photo, sync)
        })
        .collect();
    state.local_photos.set(local_photos);
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

fn queued(mutation: Mutation) -> OutboxEntry {
    OutboxEntry {
        entity_id: mutation.entity_id(),
        mutation: mutation.into_envelope(Uuid::now_v7(), Utc::now()),
        state: OutboxState::Pending,
    }
}

fn storage(e: DbError) -> SaveFailure {
    SaveFailure::Storage(e.0)
}

/// Who is acting on this device, as the workflow rules need them.
fn actor() -> Result<Actor, SaveFailure> {
    stored_account()
        .map(|account| Actor::from(&account))
        .ok_or(SaveFailure::Storage("nobody is signed in".into()))
}

/// Saves records and their mutations together, shows them, and syncs soon.
async fn commit(
    state: AppState,
    records: Vec<LocalRecord>,
    mutations: Vec<Mutation>,
) -> Result<(), SaveFailure> {
    let entries: Vec<OutboxEntry> = mutations.into_iter().map(queued).collect();
    db().await
        .map_err(storage)?
        .record(&records, &entries)
        .await
        .map_err(storage)?;
    refresh(state).await;
    sync::after_write();
    Ok(())
}

/// Saves a new help request on the device and queues it for the server. A resident not picked from the
/// registry is added to it by the server (`resident_id_for_request`).
pub async fn record_help_request(
    state: AppState,
    fields: HelpRequestFields,
) -> Result<(), SaveFailure> {
    let actor = actor()?;
    let request = HelpRequest::recorded(Uuid::now_v7(), fields.clone(), actor.person, Utc::now());
    let create = Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: request.id,
        fields,
    });
    commit(state, vec![LocalRecord::Request(request)], vec![create]).await
}

async fn local_request(id: Uuid) -> Result<HelpRequest, SaveFailure> {
    db().await
        .map_err(storage)?
        .help_request(id)
        .await
        .map_err(storage)?
        .ok_or(SaveFailure::NotFound)
}

/// Changes a request's fields (and, for a returned one, sends it back for approval), applying the same
/// rules the server will.
pub async fn edit_help_request(
    state: AppState,
    id: Uuid,
    fields: HelpRequestFields,
    resubmit: bool,
) -> Result<(), SaveFailure> {
    let actor = actor()?;
    let base = local_request(id).await?;
    let changes = changes_between(&base.fields, &fields);
    let dictionary = state.dictionary.get_untracked();
    let now = Utc::now();
    let mut next = apply_edit(&base, &actor, base.revision, &changes, &dictionary, now)
        .map_err(SaveFailure::Refused)?;
    let mut mutations = Vec::new();
    if next != base {
        mutations.push(Mutation::EditHelpRequest(EditHelpRequest {
            help_request_id: id,
            seen_revision: base.revision,
            changes,
        }));
    }
    if resubmit {
        next = apply_action(&next, &actor, &Action::Resubmit, now).map_err(SaveFailure::Refused)?;
        mutations.push(Mutation::ActOnHelpRequest(ActOnHelpRequest {
            help_request_id: id,
            seen_revision: base.revision,
            action: Action::Resubmit,
        }));
    }
    let next = applied_locally(&base, next);
    commit(state, vec![LocalRecord::Request(next)], mutations).await
}

/// Takes one step of the workflow on the device; the server checks it again when it arrives.
pub async fn act_on_help_request(
    state: AppState,
    ids: Vec<Uuid>,
    action: Action,
) -> Result<(), SaveFailure> {
    let actor = actor()?;
    let now = Utc::now();
    let mut records = Vec::new();
    let mut mutations = Vec::new();
    for id in ids {
        let base = local_request(id).await?;
        let next = apply_action(&base, &actor, &action, now).map_err(SaveFailure::Refused)?;
        mutations.push(Mutation::ActOnHelpRequest(ActOnHelpRequest {
            help_request_id: id,
            seen_revision: base.revision,
            action: action.clone(),
        }));
        records.push(LocalRecord::Request(applied_locally(&base, next)));
    }
    commit(state, records, mutations).await
}

/// Adds a resident to the registry (`id` is `None`) or corrects one.
pub async fn save_resident(
    state: AppState,
    id: Option<Uuid>,
    fields: ResidentFields,
) -> Result<(), SaveFailure> {
    let db = db().await.map_err(storage)?;
    let (resident, mutation) = match id {
        Some(id) => {
            let mut resident = db
                .resident(id)
                .await
                .map_err(storage)?
                .ok_or(SaveFailure::NotFound)?;
            resident.fields = fields.clone();
            let edit = EditResident {
                resident_id: id,
                fields,
            };
            (resident, Mutation::EditResident(edit))
        }
        None => {
            let resident = Resident {
                id: Uuid::now_v7(),
                fields: fields.clone(),
                recorded_at: Utc::now(),
                merged_into: None,
                image_consent: None,
                anonymised_at: None,
            };
            let create = CreateResident {
                resident_id: resident.id,
                fields,
            };
            (resident, Mutation::CreateResident(create))
        }
    };
    commit(state, vec![LocalRecord::Resident(resident)], vec![mutation]).await
}

/// An organiser's decision that two residents are one person.
pub async fn merge_residents(
    state: AppState,
    keep: Uuid,
    duplicate: Uuid,
) -> Result<(), SaveFailure> {
    let db = db().await.map_err(storage)?;
    let load = |id| {
        let db = db.clone();
        async move {
            db.resident(id)
                .await
                .map_err(storage)?
                .ok_or(SaveFailure::NotFound)
        }
    };
    let (kept, merged) =
        merge(&load(keep).await?, &load(duplicate).await?).map_err(SaveFailure::Merge)?;
    commit(
        state,
        vec![LocalRecord::Resident(kept), LocalRecord::Resident(merged)],
        vec![Mutation::MergeResidents(MergeResidents { keep, duplicate })],
    )
    .await
}

/// A change to an event's attendance list by the person on this device, under the same rules the server
/// applies.
pub async fn change_attendance(
    state: AppState,
    event_id: Uuid,
    change: ListChange,
) -> Result<(), SaveFailure> {
    let author = Author::Staff(actor()?);
    let base = db()
        .await
        .map_err(storage)?
        .attendance_list(event_id)
        .await
        .map_err(storage)?
        .unwrap_or_else(|| AttendanceList::new(event_id));
    let dictionary = state.dictionary.get_untracked();
    let next = base
        .apply(&author, &change, &dictionary, Utc::now())
        .map_err(SaveFailure::List)?;
    commit(
        state,
        vec![LocalRecord::Attendance(next)],
        vec![Mutation::ChangeAttendance(ChangeAttendance {
            event_id,
            change,
        })],
    )
    .await
}

/// A resident withdraws image consent; the server flags the photos of the events they attended.
pub async fn withdraw_image_consent(state: AppState, resident_id: Uuid) -> Result<(), SaveFailure> {
    let resident = db()
        .await
        .map_err(storage)?
        .resident(resident_id)
        .await
        .map_err(storage)?
        .ok_or(SaveFailure::NotFound)?;
    let withdrawn =
        withdraw_image_consent_of(&resident, Utc::now()).ok_or(SaveFailure::NothingToWithdraw)?;
    commit(
        state,
        vec![LocalRecord::Resident(withdrawn)],
        vec![Mutation::WithdrawImageConsent(WithdrawImageConsent {
            resident_id,
        })],
    )
    .await
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

/// Asks the browser not to evict the offline data under storage pressure.
pub(crate) fn request_persistent_storage() {
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
