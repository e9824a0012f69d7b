//! The retention period (okres przechowywania): how long the centre keeps what identifies people, and what
//! is left of a record after it.
//!
//! The period is counted in whole calendar years after the year a record was last active, the way Polish
//! archives count it: with 5 years, a help request closed in 2020 is kept until the end of 2025. Nothing
//! expires by itself: a coordinator sees what is due and confirms it.
//!
//! Expiry anonymises instead of deleting, so the yearly statistics of past years stay the same: records
//! keep their ids, dates, districts, categories, target groups, statuses and volunteer hours, and lose
//! names, phone numbers, addresses, descriptions, comments and signatures. Photos (images of people) are
//! deleted with their files. Meeting notes document the centre's work, not a person, and stay.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attendance::{AttendanceList, ListEvent, Proof};
use crate::help_request::HelpRequest;
use crate::photo::{Photo, PhotoSubject};
use crate::report::{local_date, ReportData, ResidentIndex};
use crate::resident::Resident;
use crate::workflow::{Action, HistoryEvent};

pub const MIN_YEARS: u32 = 1;
pub const MAX_YEARS: u32 = 50;
/// What a new installation starts with, until a coordinator sets the centre's own period.
pub const DEFAULT_YEARS: u32 = 5;

/// What stands where a name or a text was: readable on every list, export and printed sheet.
pub const ANONYMISED: &str = "[dane usunięte]";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPeriod {
    pub years: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RetentionError {
    OutOfRange { min: u32, max: u32 },
}

impl Default for RetentionPeriod {
    fn default() -> Self {
        Self {
            years: DEFAULT_YEARS,
        }
    }
}

impl RetentionPeriod {
    pub fn new(years: u32) -> Result<Self, RetentionError> {
        if (MIN_YEARS..=MAX_YEARS).contains(&years) {
            Ok(Self { years })
        } else {
            Err(RetentionError::OutOfRange {
                min: MIN_YEARS,
                max: MAX_YEARS,
            })
        }
    }

    /// The last year whose records are due on `today`: everything last active in it or before.
    pub fn last_expired_year(self, today: NaiveDate) -> i32 {
        today.year() - 1 - self.years as i32
    }

    /// The first day a record last active on `last_activity` may no longer be kept as it is.
    pub fn expires_on(self, last_activity: NaiveDate) -> NaiveDate {
        let year = last_activity.year() + 1 + self.years as i32;
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MAX)
    }

    fn expired(self, last_activity: NaiveDate, today: NaiveDate) -> bool {
        last_activity.year() <= self.last_expired_year(today)
    }
}

/// What is due for anonymisation on a day: the ids of the records to change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionPlan {
    pub residents: Vec<Uuid>,
    pub help_requests: Vec<Uuid>,
    /// Attendance lists, by their event's id.
    pub attendance_lists: Vec<Uuid>,
    pub photos: Vec<Uuid>,
}

/// How many records a plan changes, for the coordinator to confirm and for the audit log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionCounts {
    pub residents: usize,
    pub help_requests: usize,
    pub attendance_lists: usize,
    pub photos: usize,
}

impl RetentionPlan {
    pub fn counts(&self) -> RetentionCounts {
        RetentionCounts {
            residents: self.residents.len(),
            help_requests: self.help_requests.len(),
            attendance_lists: self.attendance_lists.len(),
            photos: self.photos.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.counts() == RetentionCounts::default()
    }
}

impl RetentionCounts {
    pub fn total(&self) -> usize {
        self.residents + self.help_requests + self.attendance_lists + self.photos
    }
}

/// The coordinator's view of the period: the setting, and what it makes due today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionOverview {
    pub years: u32,
    /// Records last active in this year or before are due.
    pub last_expired_year: i32,
    pub due: RetentionCounts,
}

/// What a confirmed application changed, and the overview after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionApplied {
    pub applied: RetentionCounts,
    pub overview: RetentionOverview,
}

/// The coordinator's confirmation: the period they saw the plan for, so a period changed meanwhile (in
/// another tab, by another coordinator) is not applied unseen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyRetention {
    pub years: u32,
}

/// When a help request last changed: recorded, edited, acted on, or time logged.
fn request_last_activity(request: &HelpRequest) -> NaiveDate {
    let mut last = local_date(request.recorded_at);
    for entry in &request.history {
        last = last.max(local_date(entry.at));
    }
    for hours in &request.hours {
        last = last.max(hours.on);
    }
    last
}

/// What is due on `today` under `period`:
/// - a help request once it is closed (done, rejected, cancelled) and its last activity expired;
/// - an attendance list once its event's day expired;
/// - a photo with its subject (the event's day, or the request);
/// - a resident once their own record, every meeting they were listed at and every request for them
///   expired, and no request for them is still open. Duplicates merged into them go with them.
///
/// Records already anonymised are not due again.
pub fn plan(period: RetentionPeriod, today: NaiveDate, data: &ReportData) -> RetentionPlan {
    let index = ResidentIndex::new(data.residents);
    let expired = |day: NaiveDate| period.expired(day, today);
    let event_days: HashMap<Uuid, NaiveDate> = data
        .events
        .iter()
        .map(|e| (e.id, local_date(e.fields.starts_at)))
        .collect();

    // Each resident's latest activity, under the id they are known by after merges.
    let mut last_activity: HashMap<Uuid, NaiveDate> = HashMap::new();
    let mut kept: HashSet<Uuid> = HashSet::new();
    let mut note = |id: Uuid, day: NaiveDate| {
        let slot = last_activity.entry(index.canonical(id)).or_insert(day);
        *slot = (*slot).max(day);
    };
    for resident in data.residents {
        note(resident.id, local_date(resident.recorded_at));
        if let Some(consent) = &resident.image_consent {
            let latest = consent.withdrawn_at.unwrap_or(consent.answered_at);
            note(resident.id, local_date(latest.max(consent.answered_at)));
        }
    }
    for list in data.lists {
        let Some(day) = event_days.get(&list.event_id) else {
            continue;
        };
        for entry in &list.entries {
            note(entry.resident_id(), *day);
        }
    }
    let mut help_requests = Vec::new();
    let mut expired_requests = HashSet::new();
    for request in data.requests {
        let last = request_last_activity(request);
        let closed = request.status.is_final();
        if let Some(resident) = request.fields.resident_id {
            note(resident, last);
            if !closed {
                kept.insert(index.canonical(resident));
            }
        }
        if closed && expired(last) {
            expired_requests.insert(request.id);
            if request.anonymised_at.is_none() {
                help_requests.push(request.id);
            }
        }
    }

    let residents = data
        .residents
        .iter()
        .filter(|r| r.anonymised_at.is_none())
        .filter(|r| {
            let canonical = index.canonical(r.id);
            !kept.contains(&canonical) && last_activity.get(&canonical).is_some_and(|d| expired(*d))
        })
        .map(|r| r.id)
        .collect();
    let attendance_lists = data
        .lists
        .iter()
        .filter(|l| l.anonymised_at.is_none())
        .filter(|l| event_days.get(&l.event_id).is_some_and(|d| expired(*d)))
        .map(|l| l.event_id)
        .collect();
    let photos = data
        .photos
        .iter()
        .filter(|p| p.erased_at.is_none())
        .filter(|p| match p.subject {
            PhotoSubject::Event(id) => event_days.get(&id).is_some_and(|d| expired(*d)),
            PhotoSubject::HelpRequest(id) => expired_requests.contains(&id),
        })
        .map(|p| p.id)
        .collect();
    RetentionPlan {
        residents,
        help_requests,
        attendance_lists,
        photos,
    }
}

fn blank(text: &mut String) {
    if !text.is_empty() {
        *text = ANONYMISED.to_owned();
    }
}

/// The resident without what identifies them; the district and target groups stay for statistics.
pub fn anonymise_resident(resident: &Resident, at: DateTime<Utc>) -> Resident {
    let mut resident = resident.clone();
    let fields = &mut resident.fields;
    fields.name = ANONYMISED.to_owned();
    fields.phone.clear();
    fields.address.clear();
    fields.notes.clear();
    fields.consent = None;
    fields.listed_at_kiosk = false;
    resident.image_consent = None;
    resident.anonymised_at = Some(at);
    resident
}

/// The request without the person and the free texts about them; what, where (district), when, its
/// status and the volunteers' hours stay.
pub fn anonymise_help_request(request: &HelpRequest, at: DateTime<Utc>) -> HelpRequest {
    let mut request = request.clone();
    let fields = &mut request.fields;
    fields.resident_name = ANONYMISED.to_owned();
    fields.description = ANONYMISED.to_owned();
    fields.place.clear();
    if let Some(outcome) = &mut request.outcome {
        blank(outcome);
    }
    if let Some(comment) = &mut request.review_comment {
        blank(comment);
    }
    for entry in &mut request.history {
        match &mut entry.event {
            HistoryEvent::Edited { changes } | HistoryEvent::EditSuperseded { changes } => {
                for change in changes {
                    blank(&mut change.from);
                    blank(&mut change.to);
                }
            }
            HistoryEvent::Acted { action, .. } => match action {
                Action::Return { comment }
                | Action::Reject { comment }
                | Action::Cancel { comment } => blank(comment),
                Action::Complete { outcome, .. } => blank(outcome),
                _ => {}
            },
            HistoryEvent::Recorded | HistoryEvent::SentBackToReview => {}
        }
    }
    request.anonymised_at = Some(at);
    request
}

/// The list without names, phone numbers and signatures; who came (by registry id), walk-ins and
/// image-consent answers stay, so attendance counts do not change.
pub fn anonymise_attendance_list(list: &AttendanceList, at: DateTime<Utc>) -> AttendanceList {
    let mut list = list.clone();
    for entry in &mut list.entries {
        entry.attendee.name = ANONYMISED.to_owned();
        entry.attendee.phone.clear();
        if matches!(entry.proof, Proof::Signature { .. }) {
            entry.proof = Proof::Erased;
        }
        if let Some(removal) = &mut entry.removed {
            blank(&mut removal.reason);
        }
    }
    for withdrawal in &mut list.consent_withdrawals {
        withdrawal.name = ANONYMISED.to_owned();
    }
    for entry in &mut list.history {
        match &mut entry.event {
            ListEvent::Added { name, reason } | ListEvent::Removed { name, reason } => {
                blank(name);
                blank(reason);
            }
            ListEvent::LateSignature { name } | ListEvent::ConsentWithdrawn { name } => blank(name),
            ListEvent::Approved | ListEvent::PhotosChecked => {}
        }
    }
    list.anonymised_at = Some(at);
    list
}

/// The photo's record without its caption; the server deletes its files.
pub fn erase_photo(photo: &Photo, at: DateTime<Utc>) -> Photo {
    let mut photo = photo.clone();
    blank(&mut photo.caption);
    photo.erased_at = Some(at);
    photo
}

#[cfg(test)]
mod tests;
