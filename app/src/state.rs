//! What the pages show, as signals. On the server they stay empty (the data lives on the device), so the
//! server-rendered HTML and the first hydrated render agree; the browser fills them from IndexedDB.

use chrono::{DateTime, Utc};
use domain::dictionary::Dictionary;
use domain::help_request::HelpRequest;
use domain::sync::merge::SyncState;
use leptos::prelude::*;

/// A help request with whether the server has it yet.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    pub request: HelpRequest,
    pub sync: SyncState,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum SyncPhase {
    #[default]
    Idle,
    Syncing,
    Offline,
    Failed(SyncProblem),
}

#[derive(Debug, Clone, PartialEq)]
pub enum SyncProblem {
    /// The server answered with an error status; retried with backoff.
    Server(u16),
    /// The server does not speak this client's API version.
    UnsupportedVersion,
    Storage,
    /// The server's answer could not be read.
    Unexpected,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncStatus {
    pub pending: usize,
    pub last_success: Option<DateTime<Utc>>,
    pub phase: SyncPhase,
}

#[derive(Clone, Copy)]
pub struct AppState {
    /// `None` until the device's store has been read.
    pub requests: RwSignal<Option<Vec<RequestRow>>>,
    pub dictionary: RwSignal<Dictionary>,
    pub sync: RwSignal<SyncStatus>,
    /// The browser refuses local storage (e.g. some private windows): nothing could be kept.
    pub storage_unavailable: RwSignal<bool>,
    /// A one-off confirmation shown on the next page, e.g. after saving.
    pub notice: RwSignal<Option<Notice>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    RequestSaved,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            requests: RwSignal::new(None),
            dictionary: RwSignal::new(Dictionary::default()),
            sync: RwSignal::new(SyncStatus::default()),
            storage_unavailable: RwSignal::new(false),
            notice: RwSignal::new(None),
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
