//! Attendance lists (listy obecności): who came to an event, each with a finger signature from the kiosk
//! or a note that they signed on paper, and their answer to the image-consent question. An organiser
//! approves a list, which locks it: later corrections need a reason and stay in the list's history.
//! See docs/attendance.md.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::consent::{ConsentAnswer, ConsentKind, ConsentTexts};
use crate::dictionary::{Dictionary, DictionaryKind};
use crate::help_request::{Person, Problem};
use crate::resident::{ResidentField, MAX_NAME_CHARS, MAX_PHONE_CHARS};
use crate::workflow::Actor;

/// Signatures are stored in a fixed box whatever the screen: 1000 × 400 units (the pad's shape).
pub const PAD_WIDTH: u16 = 1000;
pub const PAD_HEIGHT: u16 = 400;
/// Points closer than this to the previous one add nothing a reader could see.
const MIN_POINT_DISTANCE: f64 = 2.0;
/// A tap, a dot or an accidental brush is shorter than this (a short initial is ~300 units).
pub const MIN_SIGNATURE_LENGTH: f64 = 60.0;
pub const MAX_STROKES: usize = 80;
pub const MAX_POINTS: usize = 6000;
pub const MAX_REASON_CHARS: usize = 500;

/// A signature as the finger drew it: strokes of points in the pad's box, replayed as a smooth SVG path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub strokes: Vec<Stroke>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Stroke {
    pub points: Vec<[u16; 2]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum SignatureProblem {
    Empty,
    /// A dot or a tap: too short to be anyone's signature.
    TooShort,
    TooLarge,
}

fn to_pad(value: f64, max: u16) -> u16 {
    value.round().clamp(0.0, f64::from(max)) as u16
}

fn distance(a: [u16; 2], b: [u16; 2]) -> f64 {
    let dx = f64::from(a[0]) - f64::from(b[0]);
    let dy = f64::from(a[1]) - f64::from(b[1]);
    (dx * dx + dy * dy).sqrt()
}

impl Signature {
    /// The finger touches the pad at (`x`, `y`) in pad units.
    pub fn begin_stroke(&mut self, x: f64, y: f64) {
        self.strokes.push(Stroke {
            points: vec![[to_pad(x, PAD_WIDTH), to_pad(y, PAD_HEIGHT)]],
        });
    }

    /// The finger moves; returns whether the point was kept (far enough from the last one).
    pub fn extend_stroke(&mut self, x: f64, y: f64) -> bool {
        let point = [to_pad(x, PAD_WIDTH), to_pad(y, PAD_HEIGHT)];
        match self.strokes.last_mut() {
            Some(stroke) => {
                let far_enough = stroke
                    .points
                    .last()
                    .is_none_or(|last| distance(*last, point) >= MIN_POINT_DISTANCE);
                if far_enough {
                    stroke.points.push(point);
                }
                far_enough
            }
            None => {
                self.begin_stroke(x, y);
                true
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.strokes.iter().all(|s| s.points.is_empty())
    }

    /// The length of all strokes together, in pad units.
    pub fn length(&self) -> f64 {
        self.strokes
            .iter()
            .map(|s| {
                s.points
                    .windows(2)
                    .map(|w| distance(w[0], w[1]))
                    .sum::<f64>()
            })
            .sum()
    }

    fn point_count(&self) -> usize {
        self.strokes.iter().map(|s| s.points.len()).sum()
    }

    pub fn validate(&self) -> Result<(), SignatureProblem> {
        if self.is_empty() {
            return Err(SignatureProblem::Empty);
        }
        if self.strokes.len() > MAX_STROKES || self.point_count() > MAX_POINTS {
            return Err(SignatureProblem::TooLarge);
        }
        let outside = self
            .strokes
            .iter()
            .flat_map(|s| &s.points)
            .any(|p| p[0] > PAD_WIDTH || p[1] > PAD_HEIGHT);
        if outside {
            return Err(SignatureProblem::TooLarge);
        }
        if self.length() < MIN_SIGNATURE_LENGTH {
            return Err(SignatureProblem::TooShort);
        }
        Ok(())
    }

    /// SVG path data in the pad's box (`viewBox="0 0 1000 400"`): each stroke a quadratic curve through the
    /// midpoints of its points, so the line comes out smooth instead of jagged.
    pub fn svg_path(&self) -> String {
        let mut path = String::new();
        for stroke in &self.strokes {
            let points = &stroke.points;
            let Some(first) = points.first() else {
                continue;
            };
            path.push_str(&format!("M{} {}", first[0], first[1]));
            match points.len() {
                1 => path.push_str(" l0.1 0"),
                2 => path.push_str(&format!(" L{} {}", points[1][0], points[1][1])),
                _ => {
                    for pair in points[1..].windows(2) {
                        let (control, next) = (pair[0], pair[1]);
                        let mid_x = (f64::from(control[0]) + f64::from(next[0])) / 2.0;
                        let mid_y = (f64::from(control[1]) + f64::from(next[1])) / 2.0;
                        path.push_str(&format!(" Q{} {} {mid_x} {mid_y}", control[0], control[1]));
                    }
                    let last = points[points.len() - 1];
                    path.push_str(&format!(" L{} {}", last[0], last[1]));
                }
            }
            path.push(' ');
        }
        path.trim_end().to_owned()
    }
}

/// A newcomer's answers when registering at the kiosk: consent to the processing of their data (without
/// it nothing about them is kept) and whether the kiosk may offer their name at later events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub data_processing: ConsentAnswer,
    pub kiosk_listing: ConsentAnswer,
}

impl Registration {
    /// A newcomer who agreed to the data-processing text in force and answered `kiosk_listing` to the
    /// listing text in force; `None` when `texts` lacks either (a package from before they existed).
    pub fn agreed(texts: &ConsentTexts, kiosk_listing: bool) -> Option<Registration> {
        Some(Registration {
            data_processing: texts.answer(ConsentKind::DataProcessing, true)?,
            kiosk_listing: texts.answer(ConsentKind::KioskListing, kiosk_listing)?,
        })
    }
}

/// A resident's current image consent: their latest answer, unless withdrawn since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConsent {
    pub given: bool,
    pub text_version: u32,
    pub answered_at: DateTime<Utc>,
    #[serde(default)]
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl ImageConsent {
    /// Photos of this person may be used now.
    pub fn permits_photos(&self) -> bool {
        self.given && self.withdrawn_at.is_none()
    }

    /// Whether a resident with this consent must be asked (again) under the text `current_version`.
    pub fn needs_asking(consent: Option<&ImageConsent>, current_version: u32) -> bool {
        consent.is_none_or(|c| c.withdrawn_at.is_none() && c.text_version < current_version)
    }

    /// The consent after a new answer; an older answer that arrives late (offline kiosk) does not
    /// replace a newer one.
    pub fn answered(
        current: Option<&ImageConsent>,
        answer: ConsentAnswer,
        at: DateTime<Utc>,
    ) -> ImageConsent {
        match current {
            Some(current) if current.answered_at > at => current.clone(),
            _ => ImageConsent {
                given: answer.given,
                text_version: answer.text_version,
                answered_at: at,
                withdrawn_at: None,
            },
        }
    }

    /// The resident withdraws their consent; `None` when there was nothing to withdraw.
    pub fn withdrawn(&self, at: DateTime<Utc>) -> Option<ImageConsent> {
        self.permits_photos().then(|| ImageConsent {
            withdrawn_at: Some(at),
            ..self.clone()
        })
    }
}

/// Who attended: a resident from the registry, or someone new (a walk-in) with what they told the kiosk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    /// `None` for someone not yet in the registry; the server adds them (`resident_id_for_attendance`).
    #[serde(default)]
    pub resident_id: Option<Uuid>,
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// A district code, or empty.
    #[serde(default)]
    pub district: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeError {
    pub field: ResidentField,
    #[serde(flatten)]
    pub problem: Problem,
}

impl Attendee {
    pub fn normalized(&self) -> Self {
        let collapse = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        Self {
            resident_id: self.resident_id,
            name: collapse(&self.name),
            phone: collapse(&self.phone),
            district: self.district.trim().to_owned(),
        }
    }

    pub fn validate(&self, dictionary: &Dictionary) -> Result<(), Vec<AttendeeError>> {
        let mut errors = Vec::new();
        let name_length = self.name.trim().chars().count();
        if name_length == 0 {
            errors.push(AttendeeError {
                field: ResidentField::Name,
                problem: Problem::Required,
            });
        } else if name_length > MAX_NAME_CHARS {
            errors.push(AttendeeError {
                field: ResidentField::Name,
                problem: Problem::TooLong {
                    max: MAX_NAME_CHARS,
                },
            });
        }
        let phone_ok = self.phone.chars().count() <= MAX_PHONE_CHARS
            && self
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()".contains(c));
        if !phone_ok {
            errors.push(AttendeeError {
                field: ResidentField::Phone,
                problem: Problem::Malformed,
            });
        }
        if !self.district.is_empty()
            && !dictionary.is_usable(DictionaryKind::District, &self.district)
        {
            errors.push(AttendeeError {
                field: ResidentField::District,
                problem: Problem::UnknownChoice,
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The registry entry the server makes for a walk-in: derived from the attendance id, so a replayed
/// signature finds the same entry instead of making another.
pub fn resident_id_for_attendance(attendance_id: Uuid) -> Uuid {
    Uuid::new_v5(&attendance_id, b"resident")
}

/// How presence was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "proof", rename_all = "snake_case")]
pub enum Proof {
    /// Signed with a finger on the kiosk (or a staff device).
    Signature { signature: Signature },
    /// Signed the paper list; staff marked them present by hand.
    Paper,
    /// Signed with a finger; the signature was removed when the retention period ended.
    Erased,
    /// Signed with a finger; the signature stays with the organisers (`need_to_know`): on a volunteer's
    /// device, someone else's line.
    Withheld,
}

/// Who put an entry on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum RecordedBy {
    Kiosk,
    Person(Person),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    pub reason: String,
    pub by: Person,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub id: Uuid,
    pub attendee: Attendee,
    #[serde(flatten)]
    pub proof: Proof,
    /// `None`: not asked (e.g. marked present by staff without asking).
    pub image_consent: Option<ConsentAnswer>,
    /// Registered on the spot as someone new.
    pub walk_in: bool,
    /// What a newcomer agreed to at the kiosk, with the text versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: RecordedBy,
    /// Struck off the list (a mistake, a double entry); kept, with the reason, for the record.
    #[serde(default)]
    pub removed: Option<Removal>,
}

impl Attendance {
    pub fn is_present(&self) -> bool {
        self.removed.is_none()
    }

    /// The resident this entry counts for: the one picked, or the one the server adds for a walk-in.
    pub fn resident_id(&self) -> Uuid {
        self.attendee
            .resident_id
            .unwrap_or_else(|| resident_id_for_attendance(self.id))
    }

    /// The district a list shows for this entry: the registry's (`registry`, the resident's current
    /// record, corrected since perhaps), else what was given at the sign-in.
    pub fn district<'a>(&'a self, registry: Option<&'a str>) -> &'a str {
        registry
            .filter(|district| !district.is_empty())
            .unwrap_or(&self.attendee.district)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub by: Person,
    pub at: DateTime<Utc>,
}

/// A resident who withdrew image consent after attending: the event's photos need checking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentWithdrawal {
    pub resident_id: Uuid,
    pub name: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum ListEvent {
    Approved,
    /// Someone added to a locked list by staff, with the reason.
    Added {
        name: String,
        reason: String,
    },
    Removed {
        name: String,
        reason: String,
    },
    /// A kiosk signature made before approval reached the server after it: the list needs approving again.
    LateSignature {
        name: String,
    },
    ConsentWithdrawn {
        name: String,
    },
    PhotosChecked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListHistoryEntry {
    pub at: DateTime<Utc>,
    pub by: RecordedBy,
    #[serde(flatten)]
    pub event: ListEvent,
}

/// An event's attendance list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceList {
    pub event_id: Uuid,
    pub entries: Vec<Attendance>,
    /// Set while the list is approved (locked).
    pub approval: Option<Approval>,
    pub history: Vec<ListHistoryEntry>,
    /// Withdrawals not yet checked against the event's photos.
    #[serde(default)]
    pub consent_withdrawals: Vec<ConsentWithdrawal>,
    /// Bumped by the server with every change it stores.
    pub revision: u32,
    /// Set when the retention period ended and names and signatures were removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_at: Option<DateTime<Utc>>,
}

/// Who is changing a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Author {
    /// The kiosk tablet enrolled for this event.
    Kiosk {
        event_id: Uuid,
    },
    Staff(Actor),
}

/// A new entry, as a kiosk or a staff member sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAttendance {
    pub attendance_id: Uuid,
    pub attendee: Attendee,
    #[serde(flatten)]
    pub proof: Proof,
    pub image_consent: Option<ConsentAnswer>,
    pub walk_in: bool,
    /// Required from the kiosk for someone not in the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,
    /// Required from staff once the list is approved.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ListChange {
    Record(NewAttendance),
    Remove {
        attendance_id: Uuid,
        reason: String,
    },
    Approve,
    /// An organiser has checked the event's photos after consent withdrawals.
    PhotosChecked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ListRefusal {
    /// A kiosk may only add signatures to its own event; volunteers may not approve or remove.
    NotPermitted,
    /// The list is approved: a change needs a reason.
    ReasonRequired,
    ReasonTooLong {
        max: usize,
    },
    /// This resident is on the list already.
    AlreadyPresent {
        name: String,
    },
    AlreadyApproved,
    NothingToApprove,
    UnknownEntry,
    Signature {
        problem: SignatureProblem,
    },
    /// The kiosk asks everyone; an answer is required from it.
    ConsentMissing,
    /// A newcomer at the kiosk did not agree to the processing of their data, so nothing about them may
    /// be kept.
    DataConsentMissing,
    Attendee {
        errors: Vec<AttendeeError>,
    },
    NothingToCheck,
}

fn checked_reason(reason: Option<&str>, required: bool) -> Result<Option<String>, ListRefusal> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match reason {
        None if required => Err(ListRefusal::ReasonRequired),
        Some(r) if r.chars().count() > MAX_REASON_CHARS => Err(ListRefusal::ReasonTooLong {
            max: MAX_REASON_CHARS,
        }),
        _ => Ok(reason.map(str::to_owned)),
    }
}

impl AttendanceList {
    pub fn new(event_id: Uuid) -> Self {
        Self {
            event_id,
            entries: Vec::new(),
            approval: None,
            history: Vec::new(),
            consent_withdrawals: Vec::new(),
            revision: 0,
            anonymised_at: None,
        }
    }

    pub fn present(&self) -> impl Iterator<Item = &Attendance> {
        self.entries.iter().filter(|a| a.is_present())
    }

    pub fn is_locked(&self) -> bool {
        self.approval.is_some()
    }

    /// Whether showing the list would show someone's signature (an opening the audit log records).
    pub fn holds_signatures(&self) -> bool {
        self.entries
            .iter()
            .any(|a| matches!(a.proof, Proof::Signature { .. }))
    }

    /// Waiting for an organiser: someone is on it and it is not approved. An anonymised list no longer
    /// changes, so it waits for nobody.
    pub fn awaits_approval(&self) -> bool {
        self.approval.is_none() && self.anonymised_at.is_none() && self.present().next().is_some()
    }

    /// Applies one change by `author` at `at`, or says why not. Recording an id that is already on the
    /// list returns it unchanged (a replay).
    pub fn apply(
        &self,
        author: &Author,
        change: &ListChange,
        dictionary: &Dictionary,
        at: DateTime<Utc>,
    ) -> Result<AttendanceList, ListRefusal> {
        let staff = match author {
            Author::Kiosk { event_id } => {
                if *event_id != self.event_id || !matches!(change, ListChange::Record(_)) {
                    return Err(ListRefusal::NotPermitted);
                }
                None
            }
            Author::Staff(actor) => Some(actor),
        };
        let by = match staff {
            Some(actor) => RecordedBy::Person(actor.person.clone()),
            None => RecordedBy::Kiosk,
        };
        let reviewer = staff.is_some_and(Actor::is_reviewer);
        let mut next = self.clone();
        match change {
            ListChange::Record(new) => {
                if self.entries.iter().any(|a| a.id == new.attendance_id) {
                    return Ok(self.clone());
                }
                let attendee = new.attendee.normalized();
                attendee
                    .validate(dictionary)
                    .map_err(|errors| ListRefusal::Attendee { errors })?;
                if let Proof::Signature { signature } = &new.proof {
                    signature
                        .validate()
                        .map_err(|problem| ListRefusal::Signature { problem })?;
                }
                if staff.is_none() {
                    if new.proof == Proof::Paper {
                        return Err(ListRefusal::NotPermitted);
                    }
                    if new.image_consent.is_none() {
                        return Err(ListRefusal::ConsentMissing);
                    }
                    let agreed = new.registration.is_some_and(|r| r.data_processing.given);
                    if attendee.resident_id.is_none() && !agreed {
                        return Err(ListRefusal::DataConsentMissing);
                    }
                }
                let reason =
                    checked_reason(new.reason.as_deref(), staff.is_some() && self.is_locked())?;
                if let Some(resident) = attendee.resident_id {
                    if let Some(there) = self
                        .present()
                        .find(|a| a.attendee.resident_id == Some(resident))
                    {
                        return Err(ListRefusal::AlreadyPresent {
                            name: there.attendee.name.clone(),
                        });
                    }
                }
                if self.is_locked() {
                    let name = attendee.name.clone();
                    let event = match reason {
                        Some(reason) => ListEvent::Added { name, reason },
                        None => {
                            // A signature made offline before the approval: it counts, and the list
                            // goes back to the organiser rather than being lost or silently added.
                            next.approval = None;
                            ListEvent::LateSignature { name }
                        }
                    };
                    next.history.push(ListHistoryEntry {
                        at,
                        by: by.clone(),
                        event,
                    });
                }
                next.entries.push(Attendance {
                    id: new.attendance_id,
                    attendee,
                    proof: new.proof.clone(),
                    image_consent: new.image_consent,
                    walk_in: new.walk_in,
                    registration: new.registration,
                    recorded_at: at,
                    recorded_by: by,
                    removed: None,
                });
            }
            ListChange::Remove {
                attendance_id,
                reason,
            } => {
                let actor = staff
                    .filter(|_| reviewer)
                    .ok_or(ListRefusal::NotPermitted)?;
                let reason = checked_reason(Some(reason), true)?.unwrap_or_default();
                let entry = next
                    .entries
                    .iter_mut()
                    .find(|a| a.id == *attendance_id && a.is_present())
                    .ok_or(ListRefusal::UnknownEntry)?;
                entry.removed = Some(Removal {
                    reason: reason.clone(),
                    by: actor.person.clone(),
                    at,
                });
                let name = entry.attendee.name.clone();
                next.history.push(ListHistoryEntry {
                    at,
                    by,
                    event: ListEvent::Removed { name, reason },
                });
            }
            ListChange::Approve => {
                let actor = staff
                    .filter(|_| reviewer)
                    .ok_or(ListRefusal::NotPermitted)?;
                if self.is_locked() {
                    return Err(ListRefusal::AlreadyApproved);
                }
                if self.present().next().is_none() {
                    return Err(ListRefusal::NothingToApprove);
                }
                next.approval = Some(Approval {
                    by: actor.person.clone(),
                    at,
                });
                next.history.push(ListHistoryEntry {
                    at,
                    by,
                    event: ListEvent::Approved,
                });
            }
            ListChange::PhotosChecked => {
                staff
                    .filter(|_| reviewer)
                    .ok_or(ListRefusal::NotPermitted)?;
                if next.consent_withdrawals.is_empty() {
                    return Err(ListRefusal::NothingToCheck);
                }
                next.consent_withdrawals.clear();
                next.history.push(ListHistoryEntry {
                    at,
                    by,
                    event: ListEvent::PhotosChecked,
                });
            }
        }
        Ok(next)
    }

    /// After `resident` withdrew image consent: if they attended and had agreed to photos here, the list
    /// flags the event's photos for checking. `None` when this event is not affected.
    pub fn flag_consent_withdrawal(
        &self,
        resident_id: Uuid,
        by: &Person,
        at: DateTime<Utc>,
    ) -> Option<AttendanceList> {
        let attended = self
            .present()
            .find(|a| a.resident_id() == resident_id && a.image_consent.is_some_and(|c| c.given))?;
        if self
            .consent_withdrawals
            .iter()
            .any(|w| w.resident_id == resident_id)
        {
            return None;
        }
        let name = attended.attendee.name.clone();
        let mut next = self.clone();
        next.consent_withdrawals.push(ConsentWithdrawal {
            resident_id,
            name: name.clone(),
            at,
        });
        next.history.push(ListHistoryEntry {
            at,
            by: RecordedBy::Person(by.clone()),
            event: ListEvent::ConsentWithdrawn { name },
        });
        Some(next)
    }
}

#[cfg(test)]
pub(crate) mod tests;
