//! The remote wipe of a deactivated account's data (issue 20).

use domain::api as v1;

use super::identity::{db, forget_account, locked, stored_account};
use super::{api, photos};
use crate::state::{AppState, SessionCheck};

/// Carries out the server's order to wipe a deactivated account's data, once the outbox is sent: photos
/// still waiting go first if they can, then everything the account kept here is erased (the store's
/// contents in one transaction, which works while another tab holds it open, then the database itself
/// once no tab holds it), and the server hears that it is done. A failed erasure stays unconfirmed and
/// is tried again at the next contact.
pub async fn wipe(state: AppState) {
    // Locked, nothing can be read to be sent, and nothing needs reading to be erased: forgetting the key
    // ring (`forget_account`) leaves the sealed data unreadable at once, then the database goes.
    if locked() {
        forget_account(state, true, SessionCheck::Wiped);
        confirm().await;
        return;
    }
    photos::upload_before_wipe(state).await;
    if stored_account().is_some() {
        let erased = match db().await {
            Ok(data) => data.erase().await,
            Err(e) => Err(e),
        };
        if let Err(e) = erased {
            leptos::logging::warn!("the wipe order could not be carried out: {}", e.0);
            return;
        }
    }
    // Deleting the database waits for every tab to let go of it; its contents are gone already.
    forget_account(state, true, SessionCheck::Wiped);
    confirm().await;
}

async fn confirm() {
    if let Err(e) = api::call::<v1::ConfirmWipe>(&[], &()).await {
        leptos::logging::warn!("the server did not hear of the wipe yet: {}", e.code());
    }
}
