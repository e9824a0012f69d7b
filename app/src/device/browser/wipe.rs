//! The remote wipe of a deactivated account's data (issue 20).

use domain::api as v1;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use super::identity::{close_db, db, draft_key, stored_account, ACCOUNT_KEY};
use super::{api, indexed_db, photos};
use crate::state::{AppState, SessionCheck, SyncStatus};

/// Carries out the server's order to wipe a deactivated account's data, once the outbox is sent: photos
/// still waiting go first if they can, then everything the account kept here is erased (the store's
/// contents in one transaction, which works while another tab holds it open, then the database itself
/// once no tab holds it), and the server hears that it is done. A failed erasure stays unconfirmed and
/// is tried again at the next contact.
pub async fn wipe(state: AppState) {
    photos::upload_before_wipe(state).await;
    if let Some(account) = stored_account() {
        let erased = match db().await {
            Ok(data) => data.erase().await,
            Err(e) => Err(e),
        };
        if let Err(e) = erased {
            leptos::logging::warn!("the wipe order could not be carried out: {}", e.0);
            return;
        }
        close_db();
        // Deleting waits for every tab to let go of the database; its contents are gone already.
        leptos::task::spawn_local(async move {
            if let Err(e) = indexed_db::delete(&indexed_db::name_for(account.id)).await {
                leptos::logging::warn!("the emptied database stays: {}", e.0);
            }
        });
        LocalStorage::delete(draft_key(account.id));
    }
    LocalStorage::delete(ACCOUNT_KEY);
    state.account.set(None);
    state.session.set(SessionCheck::Wiped);
    state.requests.set(Some(Vec::new()));
    state.sync.set(SyncStatus::default());
    if let Err(e) = api::call::<v1::ConfirmWipe>(&[], &()).await {
        leptos::logging::warn!("the server did not hear of the wipe yet: {}", e.code());
    }
}
