//! The app lock in the browser (issue 20): each person's and each kiosk event's key ring in localStorage
//! (only sealed copies of the data key, `device::sealed::KeyRing`), the PIN's key from WebCrypto's PBKDF2,
//! the data key in the page's memory while the app is open, and a person's lock after the coordinator's
//! idle period.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use chrono::{DateTime, Utc};
use domain::app_lock::{AfterWrongPin, LockAfter, Pin, UnlockKey, PIN_KEY_ROUNDS};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use zeroize::Zeroizing;

use crate::device::failure::PinRefused;
use crate::device::sealed::{new_salt, DataKey, KeyRing};
use crate::device::store::StoreError;
use crate::state::{AppState, Lock};

const LOCK_AFTER_KEY: &str = "sasiedzi.lock_after";

/// Whose data a key ring seals on this device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOwner {
    Person(Uuid),
    /// A kiosk tablet, for one event: its PIN is the organiser's exit PIN.
    Kiosk(Uuid),
}

thread_local! {
    /// The open data key and whose it is; nothing else on the device holds it unsealed.
    static DATA_KEY: RefCell<Option<(KeyOwner, Rc<DataKey>)>> = const { RefCell::new(None) };
    /// When the person last touched or typed, in milliseconds since the epoch.
    static LAST_USED: Cell<f64> = const { Cell::new(0.0) };
}

fn ring_key(owner: KeyOwner) -> String {
    match owner {
        KeyOwner::Person(account) => format!("sasiedzi.keyring.{account}"),
        KeyOwner::Kiosk(event) => format!("sasiedzi.keyring.kiosk.{event}"),
    }
}

fn key_ring(owner: KeyOwner) -> Option<KeyRing> {
    LocalStorage::get(ring_key(owner)).ok()
}

/// Whether `owner`'s data is sealed here; only a kiosk enrolled by an older version's has no ring.
pub fn has_ring(owner: KeyOwner) -> bool {
    key_ring(owner).is_some()
}

fn keep_ring(owner: KeyOwner, ring: &KeyRing) -> Result<(), StoreError> {
    LocalStorage::set(ring_key(owner), ring)?;
    Ok(())
}

/// Forgets a key ring: what its owner's database holds can no longer be opened here.
pub fn forget_ring(owner: KeyOwner) {
    LocalStorage::delete(ring_key(owner));
}

/// The owner's data key, while the app is open for them.
pub fn data_key(owner: KeyOwner) -> Option<Rc<DataKey>> {
    DATA_KEY.with(|open| {
        open.borrow()
            .as_ref()
            .filter(|(holder, _)| *holder == owner)
            .map(|(_, key)| key.clone())
    })
}

fn hold(owner: KeyOwner, key: DataKey) {
    DATA_KEY.with(|open| *open.borrow_mut() = Some((owner, Rc::new(key))));
    used_now();
}

/// How the app starts for `owner` on this page: locked, and by what it opens (for a kiosk, "by
/// password" means by a new enrolment code). A kiosk without a ring has nothing sealed to lock.
pub fn locked_state(owner: KeyOwner) -> Lock {
    match (key_ring(owner), owner) {
        (Some(ring), _) if ring.pin.is_some() => Lock::Pin,
        (None, KeyOwner::Kiosk(_)) => Lock::Open,
        (ring, _) => Lock::Password {
            pin_blocked: ring.is_some_and(|r| r.attempts.password_needed()),
        },
    }
}

/// After a sign-in with the password (a kiosk's enrolment code): the server's unlock key opens the data
/// key, or makes the ring of an owner new on this device. Then the app is open, or asks for a PIN if none
/// was chosen. `true` with a new ring: what the device kept of this owner until now is not sealed yet.
pub fn open_with_unlock_key(
    owner: KeyOwner,
    unlock: &UnlockKey,
) -> Result<(Lock, bool), StoreError> {
    let server = DataKey::from_secret(Zeroizing::new(
        unlock
            .bytes()
            .ok_or_else(|| StoreError("the server's unlock key is malformed".into()))?,
    ));
    let (key, has_pin, fresh) = match key_ring(owner) {
        Some(ring) => (
            ring.open_with_server_key(&server)?,
            ring.pin.is_some(),
            false,
        ),
        None => {
            let key = DataKey::generate()?;
            keep_ring(owner, &KeyRing::new(&key, &server)?)?;
            (key, false, true)
        }
    };
    hold(owner, key);
    let lock = if has_pin { Lock::Open } else { Lock::ChoosePin };
    Ok((lock, fresh))
}

/// Opens the data key with a typed PIN, offline; a wrong PIN is counted before the answer.
pub async fn open_with_pin(owner: KeyOwner, typed: &str) -> Result<(), PinRefused> {
    let now = Utc::now();
    let mut ring = key_ring(owner).ok_or(PinRefused::Wrong(AfterWrongPin::PasswordNeeded))?;
    if let Some(until) = ring.attempts.wait_until(now) {
        let left = ring.attempts.left();
        return Err(PinRefused::Wrong(AfterWrongPin::Wait { until, left }));
    }
    let seal = ring
        .pin
        .clone()
        .ok_or(PinRefused::Wrong(AfterWrongPin::PasswordNeeded))?;
    let pin_key = pin_key(Pin::typed(typed), &seal.salt, seal.rounds)
        .await
        .map_err(|e| PinRefused::Device(e.0))?;
    let opened = ring.open_with_pin(&pin_key, now);
    keep_ring(owner, &ring).map_err(|e| PinRefused::Device(e.0))?;
    hold(owner, opened.map_err(PinRefused::Wrong)?);
    Ok(())
}

/// Seals the open data key under a PIN: one a person chose (`Pin::choose` checked it), or a kiosk's
/// exit PIN, which the server made.
pub async fn seal_under_pin(owner: KeyOwner, pin: &str) -> Result<(), StoreError> {
    let key = data_key(owner).ok_or_else(|| StoreError("the app is locked".into()))?;
    let mut ring = key_ring(owner).ok_or_else(|| StoreError("no key ring".into()))?;
    let salt = new_salt()?;
    let pin_key = pin_key(pin, &salt, PIN_KEY_ROUNDS).await?;
    ring.set_pin(&key, &pin_key, salt, PIN_KEY_ROUNDS)?;
    keep_ring(owner, &ring)
}

/// The data key leaves the page's memory (locking, signing out).
pub fn drop_key() {
    DATA_KEY.with(|open| open.borrow_mut().take());
}

/// The key a PIN derives: PBKDF2-HMAC-SHA256 in WebCrypto (native code, so the many rounds stay quick),
/// or in WASM where the page is not a secure context (plain HTTP) and WebCrypto is missing. Both give the
/// same bits, so a ring made one way opens the other.
async fn pin_key(pin: &str, salt: &[u8], rounds: u32) -> Result<DataKey, StoreError> {
    let window = web_sys::window().ok_or_else(|| StoreError("no window".into()))?;
    if !window.is_secure_context() {
        let mut raw = Zeroizing::new([0u8; 32]);
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pin.as_bytes(), salt, rounds, raw.as_mut());
        return Ok(DataKey::from_secret(raw));
    }
    let failed = |e: JsValue| StoreError(format!("{e:?}"));
    let subtle = window.crypto().map_err(failed)?.subtle();
    let usages = js_sys::Array::of1(&"deriveBits".into());
    let pin_bytes = js_sys::Uint8Array::from(pin.as_bytes());
    let base = JsFuture::from(
        subtle
            .import_key_with_str("raw", &pin_bytes, "PBKDF2", false, &usages)
            .map_err(failed)?,
    )
    .await
    .map_err(failed)?;
    let params = web_sys::Pbkdf2Params::new(
        "PBKDF2",
        &"SHA-256".into(),
        rounds,
        &js_sys::Uint8Array::from(salt),
    );
    let bits = JsFuture::from(
        subtle
            .derive_bits_with_object(&params, &base.unchecked_into(), 256)
            .map_err(failed)?,
    )
    .await
    .map_err(failed)?;
    let bits = Zeroizing::new(js_sys::Uint8Array::new(&bits).to_vec());
    let raw: [u8; 32] = bits
        .as_slice()
        .try_into()
        .map_err(|_| StoreError("PBKDF2 gave the wrong length".into()))?;
    Ok(DataKey::from_secret(Zeroizing::new(raw)))
}

/// `value` sealed under the open data key of `owner`, as text for localStorage (a form's draft, a
/// kiosk's roster).
pub fn seal_text<T: serde::Serialize>(owner: KeyOwner, value: &T) -> Option<String> {
    let key = data_key(owner)?;
    let plain = Zeroizing::new(serde_json::to_vec(value).ok()?);
    key.seal(&plain).ok().map(hex::encode)
}

pub fn open_text<T: serde::de::DeserializeOwned>(owner: KeyOwner, sealed: &str) -> Option<T> {
    let key = data_key(owner)?;
    let plain = Zeroizing::new(key.open(&hex::decode(sealed).ok()?).ok()?);
    serde_json::from_slice(&plain).ok()
}

/// The coordinator's idle period, as the last session check or sign-in brought it.
pub fn remember_lock_after(lock_after: LockAfter) {
    let _ = LocalStorage::set(LOCK_AFTER_KEY, lock_after);
}

pub fn lock_after() -> LockAfter {
    LocalStorage::get(LOCK_AFTER_KEY).unwrap_or_default()
}

fn used_now() {
    LAST_USED.with(|last| last.set(js_sys::Date::now()));
}

fn time(ms: f64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms as i64)
}

/// Calls `lock` on a person's open app once nobody has touched or typed for the coordinator's period. A
/// kiosk waits for the next person however long it takes: it locks when staff say so, or on a reload.
pub fn watch_idleness(state: AppState, lock: fn(AppState)) {
    let Some(window) = web_sys::window() else {
        return;
    };
    used_now();
    let touched = Closure::<dyn Fn()>::new(used_now);
    for event in ["pointerdown", "keydown", "touchstart", "wheel"] {
        let _ = window.add_event_listener_with_callback(event, touched.as_ref().unchecked_ref());
    }
    touched.forget();
    let check = Closure::<dyn Fn()>::new(move || {
        let open =
            state.lock.get_untracked() == Lock::Open && state.account.get_untracked().is_some();
        let (Some(last), Some(now)) = (time(LAST_USED.with(Cell::get)), time(js_sys::Date::now()))
        else {
            return;
        };
        if open && lock_after().due(last, now) {
            lock(state);
        }
    });
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        check.as_ref().unchecked_ref(),
        10_000,
    );
    check.forget();
}
