//! What the pages show, as signals. On the server they stay empty (the data lives on the device), so the
//! server-rendered HTML and the first hydrated render agree; the browser fills them from IndexedDB.

use chrono::{DateTime, Utc};
use domain::account::{Account, Permission, Principal};
use domain::attendance::AttendanceList;
use domain::consent::ConsentTexts;
use domain::dictionary::Dictionary;
use domain::event::Event;
use domain::help_request::HelpRequest;
use domain::kiosk::KioskPackage;
use domain::meeting_note::MeetingNote;
use domain::need_to_know::{need, Reach, Reader};
use domain::photo::{LocalPhoto, Photo, StorageUse};
use domain::resident::Resident;
use domain::sync::merge::SyncState;
use domain::sync::protocol::RecordKind;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A help request with whether the server has it yet.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    pub request: HelpRequest,
    pub sync: SyncState,
}

impl AsRef<HelpRequest> for RequestRow {
    fn as_ref(&self) -> &HelpRequest {
        &self.request
    }
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
    /// The session ended (expired, or signed out elsewhere): the outbox waits for the next sign-in.
    SignInRequired,
}

/// What the server last said about this device's session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SessionCheck {
    /// Not asked yet, or no answer (offline): the device keeps working with what it has.
    #[default]
    Unchecked,
    Valid,
    /// The person must sign in again before anything more is sent; nothing local is lost.
    Expired,
    /// This device is an enrolled attendance kiosk.
    Kiosk,
    /// The account was deactivated: this device sent what it had and erased the account's data.
    Wiped,
}

/// The app lock of a person's device (issue 20): whether their data is open on this page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lock {
    /// Open, or nobody's data is here (signed out, a kiosk, the server render).
    #[default]
    Open,
    /// Locked; the PIN opens it.
    Pin,
    /// Locked; only a sign-in with the password opens it: no PIN yet, a PIN forgotten, or (`pin_blocked`)
    /// too many wrong ones.
    Password { pin_blocked: bool },
    /// Open for the first time on this device: a PIN must be chosen before the work goes on.
    ChoosePin,
}

/// The event this tablet is the kiosk of, kept on the device so the kiosk works offline all day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskIdentity {
    pub event_id: Uuid,
    pub event_title: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncStatus {
    pub pending: usize,
    pub last_success: Option<DateTime<Utc>>,
    pub phase: SyncPhase,
    /// Records received so far by the sync under way: a first sync of a large centre takes a while.
    pub received: usize,
}

#[derive(Clone, Copy)]
pub struct AppState {
    /// Who this device is signed in as; kept on the device so it works offline for days.
    pub account: RwSignal<Option<Account>>,
    /// The device's own state (who is signed in) has been read; before that nobody is known.
    pub device_ready: RwSignal<bool>,
    pub session: RwSignal<SessionCheck>,
    pub lock: RwSignal<Lock>,
    /// `None` until the device's store has been read.
    pub requests: RwSignal<Option<Vec<RequestRow>>>,
    /// The residents registry as this device has it.
    pub residents: RwSignal<Vec<Resident>>,
    /// Events, the latest start first.
    pub events: RwSignal<Vec<Event>>,
    /// Attendance lists by event, with whether the server has them yet.
    pub attendance: RwSignal<Vec<(AttendanceList, SyncState)>>,
    /// The consent texts currently asked, by kind.
    pub consent_texts: RwSignal<ConsentTexts>,
    /// Set when this device is an attendance kiosk: it then shows the kiosk flow and nothing else.
    pub kiosk: RwSignal<Option<KioskIdentity>>,
    /// What the kiosk works from offline: the event, the names it offers, the consent text.
    pub kiosk_package: RwSignal<Option<KioskPackage>>,
    /// Photo records as the server has them (bytes stay on the server).
    pub photos: RwSignal<Vec<Photo>>,
    /// Meeting notes this person may see, with whether their latest change reached the server.
    pub notes: RwSignal<Vec<(MeetingNote, SyncState)>>,
    /// Photos made on this device and not yet acknowledged, with whether their record has synced.
    pub local_photos: RwSignal<Vec<(LocalPhoto, SyncState)>>,
    /// How full the device's storage is; `None` where the browser does not say.
    pub storage_use: RwSignal<Option<StorageUse>>,
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
    /// A workflow step or edit was saved on the device (and will sync).
    ChangeSaved,
    EventSaved,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            account: RwSignal::new(None),
            device_ready: RwSignal::new(false),
            session: RwSignal::new(SessionCheck::Unchecked),
            lock: RwSignal::new(Lock::Open),
            requests: RwSignal::new(None),
            residents: RwSignal::new(Vec::new()),
            events: RwSignal::new(Vec::new()),
            attendance: RwSignal::new(Vec::new()),
            consent_texts: RwSignal::new(ConsentTexts::default()),
            kiosk: RwSignal::new(None),
            kiosk_package: RwSignal::new(None),
            photos: RwSignal::new(Vec::new()),
            notes: RwSignal::new(Vec::new()),
            local_photos: RwSignal::new(Vec::new()),
            storage_use: RwSignal::new(None),
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

impl AppState {
    /// Who the signed-in person is to the rules (`None` before anyone signs in).
    fn principal(&self) -> Option<Principal> {
        self.account.with(|account| {
            account.as_ref().map(|a| Principal::User {
                id: a.id,
                role: a.role,
            })
        })
    }

    /// Whether the signed-in person's role grants `permission` (what the navigation and pages offer; the
    /// server decides again).
    pub fn may(&self, permission: Permission) -> bool {
        self.principal().is_some_and(|p| p.may(permission))
    }

    /// Whether this device holds every record of `kind`, or only those of the person's own work
    /// (`need_to_know`): what a page may say about what is missing from it.
    pub fn holds_all(&self, kind: RecordKind) -> bool {
        self.principal()
            .and_then(Reader::of)
            .is_some_and(|reader| need(kind, reader).reach == Reach::Everything)
    }

    /// The device's store has been read into these signals; until then an empty list means "not read
    /// yet", not "nothing there".
    pub fn store_read(&self) -> bool {
        self.requests.with(Option::is_some)
    }
}

pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
