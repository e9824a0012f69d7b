//! Why something the person asked of the device or the server did not happen.

use domain::attendance::ListRefusal;
use domain::meeting_note::NoteRefusal;
use domain::photo::{PhotoDetailsError, PhotoRefusal};
use domain::resident::{CorrectionRefusal, MergeRefusal};
use domain::workflow::Refusal;

/// Why a call to the server did not work.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// No answer: offline, or the server is down.
    Network,
    Status {
        status: u16,
        /// The API's stable error code (`invalid_credentials`, `throttled`, …).
        error: String,
        /// Seconds to wait, from a 429's `Retry-After`.
        retry_after: Option<u64>,
        body: serde_json::Value,
    },
    /// The request could not be made, or the answer could not be read.
    Unexpected,
}

impl ApiFailure {
    pub fn code(&self) -> &str {
        match self {
            ApiFailure::Status { error, .. } => error,
            ApiFailure::Network => "network",
            ApiFailure::Unexpected => "unexpected",
        }
    }
}

/// Why a kiosk tablet will not become another event's kiosk yet: the signatures it has not sent, of the
/// event it serves (only that event's kiosk session may send them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskUnsent {
    pub event_id: uuid::Uuid,
    pub event_title: String,
    /// `None` when the kiosk's store cannot be read (so nobody can say they were sent).
    pub count: Option<usize>,
}

/// Why a change made on the device was not saved.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveFailure {
    /// The workflow's rules refuse it (the server would too).
    Refused(Refusal),
    Merge(MergeRefusal),
    /// The registry's rules refuse the correction.
    Correction(CorrectionRefusal),
    /// The attendance rules refuse it.
    List(ListRefusal),
    /// The resident had not given image consent.
    NothingToWithdraw,
    /// The record is not on this device.
    NotFound,
    Photo(PhotoProblem),
    /// The meeting-note rules refuse it.
    Note(NoteRefusal),
    /// The device's store failed; the detail is for the developer console.
    Storage(String),
}

/// Why a photo could not be kept or decided.
#[derive(Debug, Clone, PartialEq)]
pub enum PhotoProblem {
    /// The browser cannot open the file as a picture.
    NotAnImage,
    /// The device refused to store it (usually: full); the detail is for the developer console.
    DeviceFull(String),
    Details(Vec<PhotoDetailsError>),
    Refused(PhotoRefusal),
}

/// Why a typed PIN did not open the app.
#[derive(Debug, Clone, PartialEq)]
pub enum PinRefused {
    Wrong(domain::app_lock::AfterWrongPin),
    /// The device could not read or keep its key ring; the detail is for the developer console.
    Device(String),
}
