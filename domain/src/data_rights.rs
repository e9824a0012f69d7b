//! A resident's rights on request under the GDPR (RODO): everything the centre holds about one person
//! (art. 15, access), and the erasure of it (art. 17).
//!
//! A person is their registry entry together with the duplicates merged into it: whichever of the ids a
//! coordinator starts from, the same records answer. Erasure works the way the retention period does
//! (`crate::retention`): names, contacts, texts and signatures go, photos of their requests go with their
//! files, and what the yearly reports count stays (ids, dates, districts, categories, statuses, hours).
//! Only this person's entries change on a shared attendance list; everyone else on it stays as they were.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attendance::{Attendance, AttendanceList, ConsentWithdrawal, ListEvent, Proof};
use crate::audit::AuditEntry;
use crate::event::Event;
use crate::help_request::{HelpRequest, Problem};
use crate::photo::{Photo, PhotoSubject};
use crate::report::{ReportData, ResidentIndex};
use crate::resident::Resident;
use crate::retention::{anonymise_help_request, anonymise_resident, erase_photo, ANONYMISED};

/// The longest reason a coordinator may give for an erasure.
pub const MAX_REASON_CHARS: usize = 1_000;

/// One event the person was listed at: their own entries only, never the others on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendedEvent {
    pub event_id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// The organiser expected them there.
    pub expected: bool,
    /// Their entries on the list, with signatures and consent answers.
    pub entries: Vec<Attendance>,
    pub consent_withdrawals: Vec<ConsentWithdrawal>,
}

/// Everything the centre holds about one person (art. 15), as the coordinator hands it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectAccess {
    pub produced_at: DateTime<Utc>,
    /// The registry entry first, then the duplicates merged into it: contacts, notes, consents.
    pub residents: Vec<Resident>,
    pub help_requests: Vec<HelpRequest>,
    pub events: Vec<AttendedEvent>,
    /// Photos attached to their help requests (the files come with the download).
    pub photos: Vec<Photo>,
    /// Audit-log entries about any of the records above.
    pub audit: Vec<AuditEntry>,
}

/// The ids that make up one person, and which records are theirs.
struct Subject<'a> {
    ids: HashSet<Uuid>,
    index: ResidentIndex<'a>,
}

impl<'a> Subject<'a> {
    /// `None` when no registry entry has the id.
    fn find(resident_id: Uuid, data: &ReportData<'a>) -> Option<Self> {
        let index = ResidentIndex::new(data.residents);
        let canonical = index.get(resident_id)?.id;
        let ids = data
            .residents
            .iter()
            .filter(|r| index.canonical(r.id) == canonical)
            .map(|r| r.id)
            .collect();
        Some(Self { ids, index })
    }

    fn names(&self, resident_id: Uuid) -> bool {
        self.ids.contains(&self.index.canonical(resident_id))
    }

    fn residents(&self, data: &ReportData<'a>) -> Vec<Resident> {
        let mut residents: Vec<Resident> = data
            .residents
            .iter()
            .filter(|r| self.ids.contains(&r.id))
            .cloned()
            .collect();
        // The entry the others were merged into first.
        residents.sort_by_key(|r| r.merged_into.is_some());
        residents
    }

    fn requests<'d>(&self, data: &ReportData<'d>) -> Vec<&'d HelpRequest> {
        data.requests
            .iter()
            .filter(|r| r.fields.resident_id.is_some_and(|id| self.names(id)))
            .collect()
    }

    fn photos<'d>(&self, data: &ReportData<'d>) -> Vec<&'d Photo> {
        let requests: HashSet<Uuid> = self.requests(data).iter().map(|r| r.id).collect();
        data.photos
            .iter()
            .filter(
                |p| matches!(p.subject, PhotoSubject::HelpRequest(id) if requests.contains(&id)),
            )
            .collect()
    }

    fn expected_at(&self, event: &Event) -> bool {
        event.fields.expected.iter().any(|p| self.names(p.id))
    }

    fn on_list(&self, list: &AttendanceList) -> bool {
        list.entries.iter().any(|e| self.names(e.resident_id()))
            || list
                .consent_withdrawals
                .iter()
                .any(|w| self.names(w.resident_id))
    }
}

/// What the centre holds about the resident `resident_id` (or the entry it was merged into), without
/// the audit entries, which the server reads from its log for [`SubjectAccess::audit_targets`].
pub fn subject_access(
    resident_id: Uuid,
    data: &ReportData,
    produced_at: DateTime<Utc>,
) -> Option<SubjectAccess> {
    let subject = Subject::find(resident_id, data)?;
    let mut events: Vec<AttendedEvent> = data
        .events
        .iter()
        .filter_map(|event| {
            let list = data.lists.iter().find(|l| l.event_id == event.id);
            let expected = subject.expected_at(event);
            let listed = list.is_some_and(|l| subject.on_list(l));
            (expected || listed).then(|| AttendedEvent {
                event_id: event.id,
                title: event.fields.title.clone(),
                starts_at: event.fields.starts_at,
                expected,
                entries: list
                    .into_iter()
                    .flat_map(|l| &l.entries)
                    .filter(|e| subject.names(e.resident_id()))
                    .cloned()
                    .collect(),
                consent_withdrawals: list
                    .into_iter()
                    .flat_map(|l| &l.consent_withdrawals)
                    .filter(|w| subject.names(w.resident_id))
                    .cloned()
                    .collect(),
            })
        })
        .collect();
    events.sort_by_key(|e| e.starts_at);
    Some(SubjectAccess {
        produced_at,
        residents: subject.residents(data),
        help_requests: subject.requests(data).into_iter().cloned().collect(),
        events,
        photos: subject.photos(data).into_iter().cloned().collect(),
        audit: Vec::new(),
    })
}

impl SubjectAccess {
    /// The audit log's targets that name one of this person's records.
    pub fn audit_targets(&self) -> Vec<String> {
        let residents = self.residents.iter().map(|r| r.id);
        let requests = self.help_requests.iter().map(|r| r.id);
        let photos = self.photos.iter().map(|p| p.id);
        residents
            .chain(requests)
            .chain(photos)
            .map(|id| id.to_string())
            .collect()
    }
}

/// The coordinator's request to erase a person, with the reason the law asks them to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EraseSubject {
    pub reason: String,
}

/// The one field of an erasure request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureField {
    Reason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureError {
    pub field: ErasureField,
    #[serde(flatten)]
    pub problem: Problem,
}

impl EraseSubject {
    /// The reason as it is kept: trimmed, present, not too long.
    pub fn reason(&self) -> Result<&str, ErasureError> {
        let reason = self.reason.trim();
        let problem = if reason.is_empty() {
            Problem::Required
        } else if reason.chars().count() > MAX_REASON_CHARS {
            Problem::TooLong {
                max: MAX_REASON_CHARS,
            }
        } else {
            return Ok(reason);
        };
        Err(ErasureError {
            field: ErasureField::Reason,
            problem,
        })
    }
}

/// How many records an erasure changed: for the coordinator and the audit log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureCounts {
    pub residents: usize,
    pub help_requests: usize,
    pub attendance_lists: usize,
    pub events: usize,
    pub photos: usize,
}

/// The records an erasure rewrites, as they are to be stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Erasure {
    pub residents: Vec<Resident>,
    pub help_requests: Vec<HelpRequest>,
    pub attendance_lists: Vec<AttendanceList>,
    pub events: Vec<Event>,
    /// Photos whose files go too.
    pub photos: Vec<Photo>,
}

impl Erasure {
    pub fn counts(&self) -> ErasureCounts {
        ErasureCounts {
            residents: self.residents.len(),
            help_requests: self.help_requests.len(),
            attendance_lists: self.attendance_lists.len(),
            events: self.events.len(),
            photos: self.photos.len(),
        }
    }
}

/// Erases the resident `resident_id` (and the duplicates merged into it) at `at`; `None` when no
/// registry entry has the id.
pub fn erase(resident_id: Uuid, data: &ReportData, at: DateTime<Utc>) -> Option<Erasure> {
    let subject = Subject::find(resident_id, data)?;
    let residents = subject
        .residents(data)
        .iter()
        .map(|r| anonymise_resident(r, at))
        .collect();
    let help_requests = subject
        .requests(data)
        .into_iter()
        .map(|r| anonymise_help_request(r, at))
        .collect();
    let photos = subject
        .photos(data)
        .into_iter()
        .filter(|p| p.erased_at.is_none())
        .map(|p| erase_photo(p, at))
        .collect();
    let attendance_lists = data
        .lists
        .iter()
        .filter(|l| subject.on_list(l))
        .map(|l| erase_attendee(l, &subject))
        .collect();
    let events = data
        .events
        .iter()
        .filter(|e| subject.expected_at(e))
        .map(|e| {
            let mut event = e.clone();
            for person in &mut event.fields.expected {
                if subject.names(person.id) {
                    person.name = ANONYMISED.to_owned();
                }
            }
            event
        })
        .collect();
    Some(Erasure {
        residents,
        help_requests,
        attendance_lists,
        events,
        photos,
    })
}

/// The list with this person's name, phone and signature gone from their entries, their consent
/// withdrawals and the history lines that name them; the entries themselves stay, so counts do not
/// change.
fn erase_attendee(list: &AttendanceList, subject: &Subject) -> AttendanceList {
    let mut list = list.clone();
    let mut names: HashSet<String> = HashSet::new();
    for entry in list
        .entries
        .iter_mut()
        .filter(|e| subject.names(e.resident_id()))
    {
        names.insert(std::mem::replace(
            &mut entry.attendee.name,
            ANONYMISED.to_owned(),
        ));
        entry.attendee.phone.clear();
        if matches!(entry.proof, Proof::Signature { .. }) {
            entry.proof = Proof::Erased;
        }
    }
    for withdrawal in list
        .consent_withdrawals
        .iter_mut()
        .filter(|w| subject.names(w.resident_id))
    {
        names.insert(std::mem::replace(
            &mut withdrawal.name,
            ANONYMISED.to_owned(),
        ));
    }
    // History lines carry a name only: one the same as theirs goes too (better one too many).
    for entry in &mut list.history {
        match &mut entry.event {
            ListEvent::Added { name, .. }
            | ListEvent::Removed { name, .. }
            | ListEvent::LateSignature { name }
            | ListEvent::ConsentWithdrawn { name } => {
                if names.contains(name.as_str()) {
                    *name = ANONYMISED.to_owned();
                }
            }
            ListEvent::Approved | ListEvent::PhotosChecked => {}
        }
    }
    list
}

#[cfg(test)]
mod tests;
