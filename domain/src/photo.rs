//! Photos: the plan's evidence of change, and the riskiest data we keep (faces, homes). A photo is
//! attached to an entry with a caption and an answer about the people it shows; its bytes travel apart
//! from its record (docs/photos.md), and it reaches galleries and exports only after an organiser
//! approves it and while nobody it shows has withdrawn consent.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attendance::AttendanceList;
use crate::help_request::Person;
use crate::resident::Resident;
use crate::review::{decide, ReviewOutcome, Verdict, VerdictRefusal};
use crate::workflow::Actor;

/// The long edge of a stored photo, in pixels: enough for a report page, small enough for a weak signal.
pub const MAX_EDGE: u32 = 1600;
/// The long edge of a thumbnail.
pub const THUMBNAIL_EDGE: u32 = 320;
/// JPEG quality of the copy made on the device.
pub const JPEG_QUALITY: f64 = 0.8;
/// The largest upload the server takes. A photo shrunk on the device is far below it.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;
pub const MAX_CAPTION_CHARS: usize = 300;
pub const MAX_REASON_CHARS: usize = 500;
/// The device warns when less than this share of its storage quota is left…
pub const LOW_STORAGE_SHARE: f64 = 0.1;
/// …or less than this many bytes, whichever comes first.
pub const LOW_STORAGE_BYTES: f64 = 100.0 * 1024.0 * 1024.0;

/// The entry a photo belongs to. Meeting notes (issue 7) will be a third kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum PhotoSubject {
    HelpRequest(Uuid),
    Event(Uuid),
}

impl PhotoSubject {
    pub fn id(&self) -> Uuid {
        match *self {
            PhotoSubject::HelpRequest(id) | PhotoSubject::Event(id) => id,
        }
    }
}

/// The answer every photo needs before it may leave the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeopleVisible {
    /// People can be recognised, and they agreed to their image being used.
    WithConsent,
    /// Nobody can be recognised: hands, backs, a crowd from afar, things and places.
    NoIdentifiablePeople,
}

/// What the person attaching a photo says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoDetails {
    pub caption: String,
    pub people: Option<PeopleVisible>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoDetailsError {
    PeopleNotAnswered,
    CaptionTooLong,
}

impl PhotoDetails {
    /// The caption trimmed and the people answer, or every reason the photo cannot be saved yet.
    pub fn validate(&self) -> Result<(String, PeopleVisible), Vec<PhotoDetailsError>> {
        let caption = self.caption.trim().to_owned();
        let mut errors = Vec::new();
        if self.people.is_none() {
            errors.push(PhotoDetailsError::PeopleNotAnswered);
        }
        if caption.chars().count() > MAX_CAPTION_CHARS {
            errors.push(PhotoDetailsError::CaptionTooLong);
        }
        match self.people {
            Some(people) if errors.is_empty() => Ok((caption, people)),
            _ => Err(errors),
        }
    }
}

/// The bytes the device made, described so the server can check what arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoFile {
    /// SHA-256 of the JPEG the device uploads, lowercase hex: with the photo id, the upload's
    /// idempotency key.
    pub sha256: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
}

impl PhotoFile {
    pub fn is_plausible(&self) -> bool {
        self.sha256.len() == 64
            && self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && self.bytes > 0
            && self.bytes <= MAX_UPLOAD_BYTES as u64
            && (1..=MAX_EDGE).contains(&self.width)
            && (1..=MAX_EDGE).contains(&self.height)
    }
}

/// Hex SHA-256 of `bytes`, as devices and the server compute it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The size of a photo shrunk to fit `edge` on its long side; smaller photos keep their size.
pub fn fit_within(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= edge || long == 0 {
        return (width, height);
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(edge) + u64::from(long) / 2) / u64::from(long)).max(1) as u32
    };
    (scale(width), scale(height))
}

/// An organiser's decision on a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum PhotoDecision {
    Approve,
    Reject { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PhotoReview {
    Pending,
    Approved {
        by: Person,
        at: DateTime<Utc>,
    },
    Rejected {
        by: Person,
        at: DateTime<Utc>,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoRefusal {
    NotAllowed,
    ReasonRequired,
    ReasonTooLong,
    /// Nothing to review before the server has the bytes.
    NotUploaded,
}

impl From<PhotoDecision> for Verdict {
    fn from(decision: PhotoDecision) -> Self {
        match decision {
            PhotoDecision::Approve => Verdict::Approve,
            PhotoDecision::Reject { reason } => Verdict::SendBack {
                explanation: reason,
            },
        }
    }
}

impl ReviewOutcome for PhotoReview {
    fn approved(by: Person, at: DateTime<Utc>) -> Self {
        PhotoReview::Approved { by, at }
    }

    fn sent_back(by: Person, at: DateTime<Utc>, reason: String) -> Self {
        PhotoReview::Rejected { by, at, reason }
    }
}

impl From<VerdictRefusal> for PhotoRefusal {
    fn from(refusal: VerdictRefusal) -> Self {
        match refusal {
            VerdictRefusal::NotAllowed => PhotoRefusal::NotAllowed,
            VerdictRefusal::ExplanationRequired => PhotoRefusal::ReasonRequired,
            VerdictRefusal::ExplanationTooLong { .. } => PhotoRefusal::ReasonTooLong,
        }
    }
}

/// A photo as the server keeps it and every device pulls it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub id: Uuid,
    pub subject: PhotoSubject,
    pub caption: String,
    pub people: PeopleVisible,
    pub file: PhotoFile,
    pub taken_by: Person,
    pub taken_at: DateTime<Utc>,
    /// The server has the bytes; until then only the record exists.
    pub uploaded: bool,
    pub review: PhotoReview,
    /// Set when the retention period ended and the server deleted the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<DateTime<Utc>>,
}

impl Photo {
    pub fn is_approved(&self) -> bool {
        matches!(self.review, PhotoReview::Approved { .. })
    }

    fn decided_at(&self) -> Option<DateTime<Utc>> {
        match &self.review {
            PhotoReview::Pending => None,
            PhotoReview::Approved { at, .. } | PhotoReview::Rejected { at, .. } => Some(*at),
        }
    }

    /// Someone the photo may show withdrew consent after the last decision on it (`withdrawals`: when
    /// people connected with its subject withdrew). A photo without identifiable people is never flagged.
    pub fn consent_withdrawn(&self, withdrawals: &[DateTime<Utc>]) -> bool {
        self.people == PeopleVisible::WithConsent
            && withdrawals
                .iter()
                .any(|w| self.decided_at().is_none_or(|decided| decided < *w))
    }

    /// Only approved photos nobody has withdrawn consent for reach galleries and exports.
    pub fn in_gallery(&self, withdrawals: &[DateTime<Utc>]) -> bool {
        self.uploaded
            && self.erased_at.is_none()
            && self.is_approved()
            && !self.consent_withdrawn(withdrawals)
    }

    /// Waits for an organiser: new and uploaded, or approved before a consent withdrawal.
    pub fn awaits_review(&self, withdrawals: &[DateTime<Utc>]) -> bool {
        self.uploaded
            && self.erased_at.is_none()
            && (self.review == PhotoReview::Pending
                || (self.is_approved() && self.consent_withdrawn(withdrawals)))
    }

    /// Organisers see every photo; others see approved ones and their own.
    pub fn visible_to(&self, actor: &Actor, withdrawals: &[DateTime<Utc>]) -> bool {
        actor.is_reviewer() || self.taken_by.id == actor.person.id || self.in_gallery(withdrawals)
    }

    pub fn review(
        &mut self,
        decision: PhotoDecision,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<(), PhotoRefusal> {
        let next = decide(actor, decision.into(), at, MAX_REASON_CHARS)?;
        // An approved photo is decided again after a consent withdrawal; only its bytes must be here.
        if !self.uploaded {
            return Err(PhotoRefusal::NotUploaded);
        }
        self.review = next;
        Ok(())
    }
}

/// When people connected with a photo's subject withdrew image consent: the event's attendees (until an
/// organiser marks its photos checked), or the resident a help request is for.
pub fn subject_withdrawals(
    list: Option<&AttendanceList>,
    resident: Option<&Resident>,
) -> Vec<DateTime<Utc>> {
    let from_list = list
        .into_iter()
        .flat_map(|l| l.consent_withdrawals.iter().map(|w| w.at));
    let from_resident = resident
        .and_then(|r| r.image_consent.as_ref())
        .and_then(|c| c.withdrawn_at);
    from_list.chain(from_resident).collect()
}

/// Where a photo that has not reached the server stands on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UploadState {
    /// Shrunk and stored; the caption or the people answer is still missing.
    Draft,
    /// Saved: waits for its record to sync, then for its turn to upload.
    Waiting {
        attempts: u32,
        next_attempt_at: DateTime<Utc>,
        last_error: Option<String>,
    },
    /// The server refused the bytes for good (too large, not an image): retrying cannot help.
    Refused { message: String },
}

/// How long to wait after `attempts` failed uploads: doubling from 5 s, at most 5 minutes, so a long
/// outage costs a request every few minutes and a short one is over in seconds.
pub fn upload_backoff(attempts: u32) -> Duration {
    let seconds = 5_i64 << (attempts.clamp(1, 7) - 1);
    Duration::seconds(seconds.min(300))
}

impl UploadState {
    pub fn waiting_now(at: DateTime<Utc>) -> Self {
        UploadState::Waiting {
            attempts: 0,
            next_attempt_at: at,
            last_error: None,
        }
    }

    /// After a failed attempt that may succeed later.
    pub fn failed(&self, error: String, at: DateTime<Utc>) -> Self {
        let attempts = match self {
            UploadState::Waiting { attempts, .. } => attempts + 1,
            _ => 1,
        };
        UploadState::Waiting {
            attempts,
            next_attempt_at: at + upload_backoff(attempts),
            last_error: Some(error),
        }
    }

    pub fn due(&self, at: DateTime<Utc>) -> bool {
        matches!(self, UploadState::Waiting { next_attempt_at, .. } if *next_attempt_at <= at)
    }
}

/// A photo on the device, before the server acknowledges its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalPhoto {
    pub id: Uuid,
    pub subject: PhotoSubject,
    pub details: PhotoDetails,
    pub file: PhotoFile,
    pub thumbnail_bytes: u64,
    pub created_at: DateTime<Utc>,
    pub upload: UploadState,
}

/// How full the device's storage is, from `navigator.storage.estimate()`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageUse {
    pub usage: f64,
    pub quota: f64,
}

impl StorageUse {
    /// Little room is left: warn before the next photo fails to save.
    pub fn is_low(&self) -> bool {
        let free = (self.quota - self.usage).max(0.0);
        self.quota > 0.0 && (free < self.quota * LOW_STORAGE_SHARE || free < LOW_STORAGE_BYTES)
    }
}

#[cfg(test)]
mod tests;
