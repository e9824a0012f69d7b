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
use super::lock::{self, KeyOwner};
use crate::device::failure::SaveFailure;
use crate::device::local_data::LocalData;
use crate::device::sealed::{DataKey, Sealed};
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
    static DB: RefCell<Option<(KeyOwner, Rc<Device>)>> = const { RefCell::new(None) };
}

/// Whose data this device holds now: the signed-in person's, or the kiosk event's.
pub fn key_owner() -> Option<KeyOwner> {
    match (stored_account(), kiosk_identity()) {
        (Some(account), _) => Some(KeyOwner::Person(account.id)),
        (None, Some(kiosk)) => Some(KeyOwner::Kiosk(kiosk.event_id)),
        (None, None) => None,
    }
}

/// The key `owner`'s data is sealed under: `None` only for a kiosk enrolled by an older version, whose
/// data was never sealed; an error while the app is locked.
fn sealing_key(owner: KeyOwner) -> Result<Option<Rc<DataKey>>, StoreError> {
    match (lock::data_key(owner), owner) {
        (Some(key), _) => Ok(Some(key)),
        (None, KeyOwner::Kiosk(_)) if !lock::has_ring(owner) => Ok(None),
        (None, _) => Err(StoreError(LOCKED.into())),
    }
}

/// The signed-in person's database (each person has their own, so nobody sees another's entries), or
/// the kiosk's; opened on first use and kept while the same owner uses the device.
pub async fn db() -> Result<Rc<Device>, StoreError> {
    let owner = key_owner().ok_or_else(|| StoreError("nobody is signed in".into()))?;
    let key = sealing_key(owner)?;
    let cached = DB.with(|db| db.borrow().clone());
    if let Some((cached_owner, db)) = cached {
        if cached_owner == owner {
            return Ok(db);
        }
    }
    let name = match owner {
        KeyOwner::Person(account) => indexed_db::name_for(account),
        KeyOwner::Kiosk(event) => indexed_db::name_for_kiosk(event),
    };
    let store = IndexedDb::open(&name).await?;
    let store = match key {
        Some(key) => Sealed::new(store, key),
        None => Sealed::unsealed(store),
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
        if owner == KeyOwner::Kiosk(event_id) {
            return db.unsent_count().await.ok();
        }
    }
    // Counting needs no key: a locked kiosk's count is exact too.
    let name = indexed_db::name_for_kiosk(event_id);
    let data = LocalData::new(Sealed::unsealed(IndexedDb::open(&name).await.ok()?));
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

/// Someone's data is here but sealed (the app is locked): the sync and the pages wait for the unlock.
pub fn locked() -> bool {
    key_owner().is_some_and(|owner| sealing_key(owner).is_err())
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

/// What the kiosk keeps in localStorage: sealed like its database, or plain on a tablet enrolled by an
/// older version (and read plain once more when it is sealed at its next code).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum KioskKept<T> {
    Sealed(String),
    Plain(T),
}

fn kiosk_kept<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    let owner = KeyOwner::Kiosk(kiosk_identity()?.event_id);
    match LocalStorage::get(key).ok()? {
        KioskKept::Sealed(sealed) => lock::open_text(owner, &sealed),
        KioskKept::Plain(value) => Some(value),
    }
}

/// Keeps `value` under `key`, sealed; plain only on a kiosk that has never had a ring, and not at all while
/// the tablet is locked.
pub fn keep_for_kiosk<T: serde::Serialize>(key: &str, value: &T) -> Result<(), StoreError> {
    let owner = KeyOwner::Kiosk(
        kiosk_identity()
            .ok_or_else(|| StoreError("no kiosk".into()))?
            .event_id,
    );
    match sealing_key(owner)? {
        Some(_) => {
            let sealed = lock::seal_text(owner, value)
                .ok_or_else(|| StoreError("the value could not be sealed".into()))?;
            LocalStorage::set(key, sealed)?
        }
        None => LocalStorage::set(key, value)?,
    }
    Ok(())
}

/// The kiosk's package, while the tablet is open.
pub fn kiosk_package() -> Option<KioskPackage> {
    kiosk_kept(KIOSK_PACKAGE_KEY)
}

pub fn kiosk_signed_here() -> Vec<Uuid> {
    kiosk_kept(KIOSK_SIGNED_KEY).unwrap_or_default()
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
            lock::forget_ring(KeyOwner::Person(account.id));
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
