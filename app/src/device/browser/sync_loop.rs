//! The sync client: pushes the outbox, then pulls changes, whenever something may have changed. One loop
//! per tab; a Web Lock makes sure only one tab of the device talks to the server at a time.

use chrono::Utc;
use domain::api as v1;
use domain::audit::ReadReceipts;
use domain::sync::backoff::retry_delay_ms;
use domain::sync::protocol::{ApiError, PullQuery, PullResponse, PushRequest, PushResponse};
use gloo_net::http::{Request, Response};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::alarm::{wake_sync, wake_uploads, Alarm, SYNC};
use super::identity::{db, device_id, kiosk_identity, locked, stored_account};
use super::locks::{self, Contention};
use super::view::refresh;
use crate::device::sync::{self, Pass, SyncFailure, SyncServer};
use crate::state::{AppState, SessionCheck, SyncPhase, SyncProblem};

/// While everything is fine, look for other people's changes this often.
const IDLE_PULL_MS: u32 = 60_000;

pub fn start(state: AppState) {
    let mut alarm = Alarm::install(&SYNC, wake_sync);
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
                match locks::exclusive(locks::SYNC, Contention::Skip, sync_once(state)).await {
                    Some(result) => result,
                    // Another tab holding the lock is syncing this same outbox: this tab skips its turn,
                    // but waits for that one to end before it looks at the store, or it would show the
                    // entries the other tab is sending as waiting until its next turn, a minute later.
                    None => {
                        locks::exclusive(locks::SYNC, Contention::Wait, async {}).await;
                        Ok(())
                    }
                }
            };
            refresh(state).await;
            let wait_ms = match result {
                Ok(()) => {
                    failures = 0;
                    // Photo records may just have reached the server: their bytes can follow.
                    wake_uploads();
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
                Err(SyncFailure::WipeOrdered) => {
                    super::wipe::wipe(state).await;
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
                            SyncFailure::Problem(p) => SyncPhase::Failed(p),
                            SyncFailure::Network | SyncFailure::WipeOrdered => SyncPhase::Offline,
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

async fn sync_once(state: AppState) -> Result<(), SyncFailure> {
    let kiosk = stored_account().is_none();
    // Locked, the outbox and the records are sealed: the sync waits for the unlock, which wakes it.
    if (kiosk && kiosk_identity().is_none()) || locked() {
        return Ok(());
    }
    let data = db().await?;
    let pass = Pass {
        device_id: device_id(),
        pulls: !kiosk,
        now: Utc::now(),
    };
    sync::sync_once(&data, &Http, &pass, |received| {
        state.sync.update(|s| s.received += received);
    })
    .await
}

/// The server, over HTTP.
struct Http;

impl SyncServer for Http {
    async fn push(&self, body: &PushRequest) -> Result<PushResponse, SyncFailure> {
        let request = super::api::with_csrf(Request::post(&v1::path::<v1::Push>(&[])))
            .json(body)
            .map_err(|_| SyncFailure::Problem(SyncProblem::Unexpected))?;
        read(request.send().await).await
    }

    async fn pull(&self, since: i64, limit: u32) -> Result<PullResponse, SyncFailure> {
        let query = PullQuery {
            since,
            limit: Some(limit),
        };
        let url = v1::url::<v1::Pull>(&[], &query)
            .map_err(|_| SyncFailure::Problem(SyncProblem::Unexpected))?;
        read(Request::get(&url).send().await).await
    }

    async fn record_reads(&self, reads: &ReadReceipts) -> Result<(), SyncFailure> {
        let request = super::api::with_csrf(Request::post(&v1::path::<v1::RecordReads>(&[])))
            .json(reads)
            .map_err(|_| SyncFailure::Problem(SyncProblem::Unexpected))?;
        succeeded(request.send().await).await.map(drop)
    }
}

async fn read<T: serde::de::DeserializeOwned>(
    sent: Result<Response, gloo_net::Error>,
) -> Result<T, SyncFailure> {
    succeeded(sent)
        .await?
        .json()
        .await
        .map_err(|_| SyncFailure::Problem(SyncProblem::Unexpected))
}

/// The answer, if it is a success; otherwise what its failure means to the device.
async fn succeeded(sent: Result<Response, gloo_net::Error>) -> Result<Response, SyncFailure> {
    let response = sent.map_err(|_| SyncFailure::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let error: Option<ApiError> = response.json().await.ok();
    Err(sync::failure_of(response.status(), error.as_ref()))
}

/// Reports what this device noted as opened, outside a sync pass (before signing out).
pub async fn report_reads() -> Result<(), SyncFailure> {
    sync::report_reads(&*db().await?, &Http).await
}
