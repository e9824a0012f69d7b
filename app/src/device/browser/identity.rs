//! Who uses this browser, kept in localStorage so the app opens offline: the signed-in person or the
//! kiosk's event, this device's id, and the database that belongs to them.

use std::cell::RefCell;
use std::rc::Rc;

use domain::account::Account;
use domain::kiosk::KioskPackage;
use domain::workflow::Actor;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use uuid::Uuid;

use super::indexed_db::{self, IndexedDb};
use super::lock;
use crate::device::failure::SaveFailure;
use crate::device::local_data::LocalData;
use crate::device::sealed::Sealed;
use crate::device::store::StoreError;
use crate::state::{AppState, KioskIdentity, Lock, SessionCheck, SyncStatus};

const DEVICE_ID_KEY: &str = "sasiedzi.device_id";
/// The person this device is signed in as, kept so the app opens offline.
pub const ACCOUNT_KEY: &str = "sasiedzi.account";
pub const KIOSK_KEY: &str = "sasiedzi.kiosk";
pub const KIOSK_PACKAGE_KEY: &str = "sasiedzi.kiosk.package";
/// Residents who signed on this tablet, so the kiosk can say "already signed" offline.
pub const KIOSK_SIGNED_KEY: &str = "sasiedzi.kiosk.signed";

/// The device's data, in IndexedDB, sealed under the person's data key.
pub type Device = LocalData<Sealed<IndexedDb>>;

thread_local! {
    static DB: RefCell<Option<(Uuid, Rc<Device>)>> = const { RefCell::new(None) };
}

/// The signed-in person's database (each person has their own, so nobody sees another's entries), or
/// the kiosk's; opened on first use and kept while the same owner uses the device.
pub async fn db() -> Result<Rc<Device>, StoreError> {
    let (owner, name, key) = match (stored_account(), kiosk_identity()) {
        (Some(account), _) => (
            account.id,
            indexed_db::name_for(account.id),
            Some(lock::data_key(account.id).ok_or_else(|| StoreError(LOCKED.into()))?),
        ),
        (None, Some(kiosk)) => (
            kiosk.event_id,
            indexed_db::name_for_kiosk(kiosk.event_id),
            None,
        ),
        (None, None) => return Err(StoreError("nobody is signed in".into())),
    };
    let cached = DB.with(|db| db.borrow().clone());
    if let Some((cached_owner, db)) = cached {
        if cached_owner == owner {
            return Ok(db);
        }
    }
    let store = IndexedDb::open(&name).await?;
    let store = match key {
        Some(key) => Sealed::new(store, key),
        None => Sealed::kiosk(store),
    };
    let opened = Rc::new(LocalData::new(store));
    DB.with(|db| *db.borrow_mut() = Some((owner, opened.clone())));
    Ok(opened)
}

/// What the kiosk of `event_id` still has to send (`LocalData::unsent_count`), whoever uses the device
/// now; `None` when its store cannot be read, which must never count as "nothing".
pub async fn kiosk_unsent_count(event_id: Uuid) -> Option<usize> {
    let cached = DB.with(|db| db.borrow().clone());
    if let Some((owner, db)) = cached {
        if owner == event_id {
            return db.unsent_count().await.ok();
        }
    }
    let name = indexed_db::name_for_kiosk(event_id);
    let data = LocalData::new(Sealed::kiosk(IndexedDb::open(&name).await.ok()?));
    let count = data.unsent_count().await.ok();
    // An open connection would block the database's deletion when the kiosk is left.
    data.into_store().into_inner().close();
    count
}

/// Closes the open database so it can be deleted.
pub fn close_db() {
    if let Some((_, open)) = DB.with(|db| db.borrow_mut().take()) {
        // An open connection would block the deletion; a sync in flight closes its copy when done.
        if let Ok(open) = Rc::try_unwrap(open) {
            open.into_store().into_inner().close();
        }
    }
}

/// The person's data is here but sealed: the app is locked.
const LOCKED: &str = "locked";

/// A person is signed in on this device and their data is sealed (the app is locked): the sync and the
/// pages wait for the unlock.
pub fn locked() -> bool {
    stored_account().is_some_and(|account| lock::data_key(account.id).is_none())
}

pub fn stored_account() -> Option<Account> {
    LocalStorage::get(ACCOUNT_KEY).ok()
}

/// This browser's id, made once and kept in localStorage: it tells the server which device sent what.
pub fn device_id() -> Uuid {
    if let Ok(id) = LocalStorage::get::<Uuid>(DEVICE_ID_KEY) {
        return id;
    }
    let id = Uuid::now_v7();
    let _ = LocalStorage::set(DEVICE_ID_KEY, id);
    id
}

/// Who is acting on this device, as the workflow rules need them.
pub fn actor() -> Result<Actor, SaveFailure> {
    stored_account()
        .map(|account| Actor::from(&account))
        .ok_or(SaveFailure::Storage("nobody is signed in".into()))
}

pub fn kiosk_identity() -> Option<KioskIdentity> {
    LocalStorage::get(KIOSK_KEY).ok()
}

pub fn kiosk_package() -> Option<KioskPackage> {
    LocalStorage::get(KIOSK_PACKAGE_KEY).ok()
}

pub fn kiosk_signed_here() -> Vec<Uuid> {
    LocalStorage::get(KIOSK_SIGNED_KEY).unwrap_or_default()
}

/// Each person's unsaved form is their own.
pub fn draft_key(account: Uuid) -> String {
    format!("sasiedzi.draft.help_request.{account}")
}

/// Forgets the signed-in person on this device: their drafts, the stored account, the open data key and
/// what the pages show. With `delete_data`, their database and key ring go too (the database once no tab
/// holds it open); without, what stays is sealed until they sign in here again.
pub fn forget_account(state: AppState, delete_data: bool, session: SessionCheck) {
    lock::drop_key();
    close_db();
    if let Some(account) = stored_account() {
        if delete_data {
            lock::forget_ring(account.id);
            leptos::task::spawn_local(async move {
                if let Err(e) = indexed_db::delete(&indexed_db::name_for(account.id)).await {
                    leptos::logging::warn!("local data not deleted: {}", e.0);
                }
            });
        }
        LocalStorage::delete(draft_key(account.id));
    }
    LocalStorage::delete(ACCOUNT_KEY);
    state.account.set(None);
    state.lock.set(Lock::Open);
    state.session.set(session);
    state.requests.set(Some(Vec::new()));
    state.sync.set(SyncStatus::default());
}
