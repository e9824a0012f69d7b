//! The sync client: pushes the outbox, then pulls changes, whenever something may have changed. One loop
//! per tab; a Web Lock makes sure only one tab of the device talks to the server at a time.

use std::cell::RefCell;

use chrono::Utc;
use domain::sync::backoff::retry_delay_ms;
use domain::sync::outbox::{acknowledge, next_batch, smaller_batch};
use domain::sync::protocol::{
    ApiError, PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PUSH_BATCH,
};
use gloo_net::http::{Request, Response};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::alarm::{ring, Alarm, Slot};
use super::{db, device_id, refresh, stored_account};
use crate::state::{AppState, SessionCheck, SyncPhase, SyncProblem};

/// How long a local write waits before syncing, so a burst of writes goes in one push.
const AFTER_WRITE_MS: u32 = 300;
/// While everything is fine, look for other people's changes this often.
const IDLE_PULL_MS: u32 = 60_000;
const LOCK_NAME: &str = "sasiedzi-sync";

thread_local! {
    static WAKE: Slot = const { RefCell::new(None) };
}

/// Asks the loop to sync now (after a local write, on `online`, or at the person's request).
pub fn wake() {
    ring(&WAKE);
}

/// A local write: sync shortly, so consecutive saves travel together.
pub fn after_write() {
    leptos::task::spawn_local(async {
        TimeoutFuture::new(AFTER_WRITE_MS).await;
        wake();
    });
}

pub fn start(state: AppState) {
    let mut alarm = Alarm::install(&WAKE, wake);
    show_offline_at_once(state);

    leptos::task::spawn_local(async move {
        let mut failures: u32 = 0;
        loop {
            // A browser that knows it has no network is believed (one that says it has may be wrong).
            let result = if browser_offline() {
                Err(SyncFailure::Network)
            } else {
                state.sync.update(|s| {
                    s.phase = SyncPhase::Syncing;
                    s.received = 0;
                });
                with_sync_lock(sync_once(state)).await
            };
            refresh(state).await;
            let wait_ms = match result {
                Ok(()) => {
                    failures = 0;
                    // Photo records may just have reached the server: their bytes can follow.
                    super::photos::wake_uploads();
                    state.sync.update(|s| {
                        // The network may have gone while this turn finished (the `offline` event came
                        // first): the line must not go back to "all well".
                        s.phase = if browser_offline() {
                            SyncPhase::Offline
                        } else {
                            SyncPhase::Idle
                        };
                    });
                    IDLE_PULL_MS
                }
                Err(problem) => {
                    failures = failures.saturating_add(1);
                    if matches!(problem, SyncFailure::Problem(SyncProblem::SignInRequired)) {
                        state.session.set(SessionCheck::Expired);
                    }
                    let offline = matches!(problem, SyncFailure::Network);
                    state.sync.update(|s| {
                        s.phase = match problem {
                            SyncFailure::Network => SyncPhase::Offline,
                            SyncFailure::Problem(p) => SyncPhase::Failed(p),
                        };
                    });
                    let delay = retry_delay_ms(failures, js_sys::Math::random()) as u32;
                    // Offline, the `online` event wakes us; the timer only covers networks that lie.
                    if offline {
                        delay.max(5_000)
                    } else {
                        delay
                    }
                }
            };
            if !alarm.sleep(wait_ms).await {
                return;
            }
        }
    });
}

fn browser_offline() -> bool {
    web_sys::window().is_some_and(|window| !window.navigator().on_line())
}

/// The line says "offline" as soon as the browser loses the network, not only after a sync fails.
fn show_offline_at_once(state: AppState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let listener = Closure::<dyn Fn()>::new(move || {
        state.sync.update(|s| s.phase = SyncPhase::Offline);
    });
    let _ = window.add_event_listener_with_callback("offline", listener.as_ref().unchecked_ref());
    listener.forget();
}

enum SyncFailure {
    /// No answer at all: offline, or the server is down.
    Network,
    Problem(SyncProblem),
}

async fn sync_once(state: AppState) -> Result<(), SyncFailure> {
    let kiosk = stored_account().is_none();
    if kiosk && super::kiosk::identity().is_none() {
        return Ok(());
    }
    let db = db()
        .await
        .map_err(|_| SyncFailure::Problem(SyncProblem::Storage))?;
    let storage = |_| SyncFailure::Problem(SyncProblem::Storage);
    let mut batch_size = MAX_PUSH_BATCH;
    loop {
        let outbox = db.outbox().await.map_err(storage)?;
        let batch = next_batch(&outbox, batch_size);
        if batch.is_empty() {
            break;
        }
        let body = PushRequest {
            device_id: device_id(),
            mutations: batch.clone(),
        };
        let request = super::api::with_csrf(Request::post("/api/v1/sync/push"))
            .json(&body)
            .map_err(|_| SyncFailure::Problem(SyncProblem::Unexpected))?;
        let sent = read(request.send().await).await;
        let response: PushResponse = match (sent, smaller_batch(batch_size)) {
            // Long descriptions can make a full batch exceed the body limit: send fewer at a time.
            (Err(SyncFailure::Problem(SyncProblem::Server(413))), Some(smaller)) => {
                batch_size = smaller;
                continue;
            }
            (sent, _) => sent?,
        };
        let ack = acknowledge(&batch, &response.results);
        let progressed = !ack.remove.is_empty() || !ack.reject.is_empty();
        db.acknowledge(&ack).await.map_err(storage)?;
        if !progressed {
            return Err(SyncFailure::Problem(SyncProblem::Unexpected));
        }
    }
    // A kiosk only sends: it may read nothing but its own event's package.
    if kiosk {
        db.set_last_sync(Utc::now()).await.map_err(storage)?;
        return Ok(());
    }
    loop {
        let since = db.pull_cursor().await.map_err(storage)?;
        let url = format!("/api/v1/sync/pull?since={since}&limit={DEFAULT_PULL_LIMIT}");
        let page: PullResponse = read(Request::get(&url).send().await).await?;
        db.apply_pull(&page).await.map_err(storage)?;
        state.sync.update(|s| s.received += page.changes.len());
        if !page.has_more {
            break;
        }
    }
    db.set_last_sync(Utc::now()).await.map_err(storage)?;
    Ok(())
}

async fn read<T: serde::de::DeserializeOwned>(
    sent: Result<Response, gloo_net::Error>,
) -> Result<T, SyncFailure> {
    let response = sent.map_err(|_| SyncFailure::Network)?;
    if response.ok() {
        return response
            .json()
            .await
            .map_err(|_| SyncFailure::Problem(SyncProblem::Unexpected));
    }
    let status = response.status();
    let error: Option<ApiError> = response.json().await.ok();
    Err(match error {
        Some(e) if e.error == "unsupported_api_version" => {
            SyncFailure::Problem(SyncProblem::UnsupportedVersion)
        }
        // A proxy's "bad gateway" while the server restarts is as good as offline.
        _ if matches!(status, 502..=504) => SyncFailure::Network,
        _ if status == 401 => SyncFailure::Problem(SyncProblem::SignInRequired),
        _ => SyncFailure::Problem(SyncProblem::Server(status)),
    })
}

#[wasm_bindgen]
extern "C" {
    type LockManager;
    #[wasm_bindgen(method, catch)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &js_sys::Function,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// Runs `work` holding the device-wide sync lock. If another tab holds it, that tab is syncing the same
/// outbox: this one skips its turn. Browsers without Web Locks just run it.
async fn with_sync_lock<F>(work: F) -> Result<(), SyncFailure>
where
    F: std::future::Future<Output = Result<(), SyncFailure>> + 'static,
{
    let locks = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &"locks".into()).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let Some(locks) = locks else {
        return work.await;
    };
    let (done_tx, done_rx) = futures::channel::oneshot::channel();
    let mut work = Some(work);
    let mut done_tx = Some(done_tx);
    let callback = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |lock: JsValue| {
        let (work, done_tx) = (work.take(), done_tx.take());
        wasm_bindgen_futures::future_to_promise(async move {
            let result = match (lock.is_null(), work) {
                (false, Some(work)) => work.await,
                _ => Ok(()),
            };
            if let Some(done_tx) = done_tx {
                let _ = done_tx.send(result);
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let held = locks.unchecked_into::<LockManager>().request(
        LOCK_NAME,
        &options,
        callback.as_ref().unchecked_ref(),
    );
    match held {
        Ok(promise) => {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            done_rx.await.unwrap_or(Ok(()))
        }
        Err(_) => Ok(()),
    }
}
