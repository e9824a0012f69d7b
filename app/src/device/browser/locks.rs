//! Web Locks: work that only one tab of this device may do at a time. Every tab of the origin shares the
//! device's store, so two tabs syncing or uploading at once would act on the same outbox and photos.

use std::future::Future;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The record sync (`sync_loop`): a turn pushes the outbox and pulls.
pub const SYNC: &str = "sasiedzi-sync";
/// The photo uploads (`photos`): a turn sends due photos and deletes what the server acknowledged.
pub const PHOTO_UPLOADS: &str = "sasiedzi-photo-uploads";

/// What a tab does when another tab holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contention {
    /// Skips its turn: the other tab is doing the same work right now.
    Skip,
    /// Waits until the other tab is done, then takes its turn, reading the store afresh.
    Wait,
}

#[wasm_bindgen]
extern "C" {
    // web-sys has `LockManager` only behind `web_sys_unstable_apis`: the one method used, bound here.
    type LockManager;
    #[wasm_bindgen(method, catch)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &js_sys::Function,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// Runs `work` holding the exclusive Web Lock `name`, shared by every tab of this origin; the lock is
/// released when `work` ends (or its tab closes). `None` when `work` did not run: another tab held the
/// lock and `contention` is `Skip`, or the browser refused the request. Browsers without Web Locks run
/// `work` at once.
pub async fn exclusive<F, T>(name: &str, contention: Contention, work: F) -> Option<T>
where
    F: Future<Output = T> + 'static,
    T: 'static,
{
    let locks = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &"locks".into()).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let Some(locks) = locks else {
        return Some(work.await);
    };
    let (done_tx, done_rx) = futures::channel::oneshot::channel();
    let mut work = Some(work);
    let mut done_tx = Some(done_tx);
    let callback = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |lock: JsValue| {
        let (work, done_tx) = (work.take(), done_tx.take());
        wasm_bindgen_futures::future_to_promise(async move {
            // `null`: asked `ifAvailable` and another tab holds it.
            if let (false, Some(work), Some(done_tx)) = (lock.is_null(), work, done_tx) {
                let _ = done_tx.send(work.await);
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = js_sys::Object::new();
    if contention == Contention::Skip {
        let _ = js_sys::Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    }
    let held = locks.unchecked_into::<LockManager>().request(
        name,
        &options,
        callback.as_ref().unchecked_ref(),
    );
    match held {
        Ok(promise) => {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            done_rx.await.ok()
        }
        Err(_) => None,
    }
}
