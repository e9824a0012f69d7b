//! The wake-up both background loops (record sync, photo uploads) sleep on: a timer, a call from the app
//! (after a write, a sync), or the browser's `online` event, whichever comes first.

use std::cell::RefCell;
use std::thread::LocalKey;

use futures::channel::mpsc;
use futures::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub type Slot = RefCell<Option<mpsc::UnboundedSender<()>>>;

/// How long a local write waits before syncing, so a burst of writes goes in one push.
const AFTER_WRITE_MS: u32 = 300;

thread_local! {
    /// The record sync's alarm (`sync_loop`).
    pub static SYNC: Slot = const { RefCell::new(None) };
    /// The photo uploads' alarm (`photos`).
    pub static UPLOADS: Slot = const { RefCell::new(None) };
}

/// Asks the sync loop to sync now (after a local write, on `online`, or at the person's request).
pub fn wake_sync() {
    ring(&SYNC);
}

/// A local write: sync shortly, so consecutive saves travel together.
pub fn after_write() {
    leptos::task::spawn_local(async {
        TimeoutFuture::new(AFTER_WRITE_MS).await;
        wake_sync();
    });
}

/// Asks the upload loop to look at the queue now (after a sync, on `online`, after a save).
pub fn wake_uploads() {
    ring(&UPLOADS);
}

/// A loop's side of its alarm.
pub struct Alarm {
    receiver: mpsc::UnboundedReceiver<()>,
}

impl Alarm {
    /// Installs the alarm in `slot` (which `ring` then reaches) and rings it whenever the browser comes
    /// back online.
    pub fn install(slot: &'static LocalKey<Slot>, on_online: fn()) -> Self {
        let (sender, receiver) = mpsc::unbounded();
        slot.with(|s| *s.borrow_mut() = Some(sender));
        let listener = Closure::<dyn Fn()>::new(on_online);
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("online", listener.as_ref().unchecked_ref());
        }
        listener.forget();
        Self { receiver }
    }

    /// Sleeps `ms` or until rung; several rings while asleep count as one. `false` once nothing can ring
    /// it any more.
    pub async fn sleep(&mut self, ms: u32) -> bool {
        let mut timer = TimeoutFuture::new(ms).fuse();
        let awake = futures::select! {
            _ = timer => true,
            rung = self.receiver.next() => rung.is_some(),
        };
        while self.receiver.try_recv().is_ok() {}
        awake
    }
}

/// Wakes the loop whose alarm is in `slot`, if it runs.
fn ring(slot: &'static LocalKey<Slot>) {
    slot.with(|s| {
        if let Some(sender) = s.borrow().as_ref() {
            let _ = sender.unbounded_send(());
        }
    });
}
