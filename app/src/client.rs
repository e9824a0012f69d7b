//! What components ask of the device, in one place. In the browser these reach the local store and the
//! sync loop; in the server render they are never called (event handlers and effects do not run there).

use domain::help_request::HelpRequestFields;

use crate::state::AppState;

#[cfg(feature = "hydrate")]
const DRAFT_KEY: &str = "sasiedzi.draft.help_request";

pub fn start(state: AppState) {
    #[cfg(feature = "hydrate")]
    crate::local::start(state);
    #[cfg(not(feature = "hydrate"))]
    let _ = state;
}

pub fn sync_now() {
    #[cfg(feature = "hydrate")]
    crate::local::sync::wake();
}

/// Saves the request on the device and queues it for the server. The error is for the developer console;
/// the person sees that nothing was saved.
pub async fn record_help_request(state: AppState, fields: HelpRequestFields) -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    return crate::local::record_help_request(state, fields).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (state, fields);
        Err("the server render cannot save".into())
    }
}

/// What was typed into the form and not yet saved, kept across reloads so nothing typed is lost.
pub fn load_draft() -> Option<HelpRequestFields> {
    #[cfg(feature = "hydrate")]
    return <gloo_storage::LocalStorage as gloo_storage::Storage>::get(DRAFT_KEY).ok();
    #[cfg(not(feature = "hydrate"))]
    None
}

pub fn save_draft(fields: &HelpRequestFields) {
    #[cfg(feature = "hydrate")]
    {
        let _ = <gloo_storage::LocalStorage as gloo_storage::Storage>::set(DRAFT_KEY, fields);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = fields;
}

pub fn clear_draft() {
    #[cfg(feature = "hydrate")]
    <gloo_storage::LocalStorage as gloo_storage::Storage>::delete(DRAFT_KEY);
}
