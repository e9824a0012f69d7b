//! The organisers' review queue: every entry awaiting a decision, oldest first. Help requests are the
//! first kind, then attendance lists, events whose photos need checking after a consent withdrawal, and
//! photos: new ones, and approved ones whose subject withdrew consent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attendance::AttendanceList;
use crate::event::Event;
use crate::help_request::{HelpRequest, HelpRequestStatus, Person};
use crate::photo::Photo;
use crate::workflow::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    HelpRequest,
    AttendanceList,
    /// Someone who attended withdrew image consent: the event's photos need checking.
    PhotoConsent,
    Photo,
    MeetingNote,
}

/// One entry waiting for an organiser, whatever its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub kind: ReviewKind,
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub submitted_by: Option<Person>,
    /// When it was recorded; the queue is oldest first, so nothing waits forever.
    pub submitted_at: DateTime<Utc>,
}

/// An organiser's verdict on an entry that waits for review (a photo, a meeting note). The one review rule
/// (`decide`) is shared; each type keeps its own words on the wire for sending an entry back (a photo is
/// rejected with a reason, a note returned with a comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    SendBack { explanation: String },
}

/// Why a verdict was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictRefusal {
    /// Only those who review entries decide.
    NotAllowed,
    ExplanationRequired,
    ExplanationTooLong {
        max: usize,
    },
}

/// The review state a verdict leads to, in the words of the entry's type.
pub trait ReviewOutcome: Sized {
    fn approved(by: Person, at: DateTime<Utc>) -> Self;
    fn sent_back(by: Person, at: DateTime<Utc>, explanation: String) -> Self;
}

/// The review rule for photos and meeting notes: a reviewer decides; sending an entry back needs an
/// explanation (trimmed) of at most `max` characters.
pub fn decide<O: ReviewOutcome>(
    actor: &Actor,
    verdict: Verdict,
    at: DateTime<Utc>,
    max: usize,
) -> Result<O, VerdictRefusal> {
    if !actor.is_reviewer() {
        return Err(VerdictRefusal::NotAllowed);
    }
    let by = actor.person.clone();
    match verdict {
        Verdict::Approve => Ok(O::approved(by, at)),
        Verdict::SendBack { explanation } => {
            let explanation = explanation.trim().to_owned();
            if explanation.is_empty() {
                return Err(VerdictRefusal::ExplanationRequired);
            }
            if explanation.chars().count() > max {
                return Err(VerdictRefusal::ExplanationTooLong { max });
            }
            Ok(O::sent_back(by, at, explanation))
        }
    }
}

/// Something that can wait in the queue.
pub trait Reviewable {
    fn review_items(&self) -> Vec<ReviewItem>;
}

impl Reviewable for HelpRequest {
    fn review_items(&self) -> Vec<ReviewItem> {
        (self.status == HelpRequestStatus::AwaitingApproval)
            .then(|| ReviewItem {
                kind: ReviewKind::HelpRequest,
                id: self.id,
                title: self.fields.resident_name.clone(),
                summary: self.fields.description.clone(),
                submitted_by: self.recorded_by.clone(),
                submitted_at: self.recorded_at,
            })
            .into_iter()
            .collect()
    }
}

/// An event's attendance list, with the event it belongs to (for the title).
pub struct ListForReview<'a> {
    pub list: &'a AttendanceList,
    pub event: &'a Event,
}

/// The list itself while it awaits approval, and a photo check while consent withdrawals are unchecked.
impl Reviewable for ListForReview<'_> {
    fn review_items(&self) -> Vec<ReviewItem> {
        let mut items = Vec::new();
        if self.list.awaits_approval() {
            items.push(ReviewItem {
                kind: ReviewKind::AttendanceList,
                id: self.event.id,
                title: self.event.fields.title.clone(),
                summary: self.list.present().count().to_string(),
                // A list has many hands (the kiosk, volunteers); it answers to the event's organiser.
                submitted_by: self.event.created_by.clone(),
                submitted_at: self.event.fields.starts_at,
            });
        }
        if let Some(first) = self.list.consent_withdrawals.first() {
            items.push(ReviewItem {
                kind: ReviewKind::PhotoConsent,
                id: self.event.id,
                title: self.event.fields.title.clone(),
                summary: self
                    .list
                    .consent_withdrawals
                    .iter()
                    .map(|w| w.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                submitted_by: self.event.created_by.clone(),
                submitted_at: first.at,
            });
        }
        items
    }
}

/// A photo with the consent withdrawals of its subject (`photo::subject_withdrawals`) and the subject's
/// name for the title.
pub struct PhotoForReview<'a> {
    pub photo: &'a Photo,
    pub withdrawals: Vec<DateTime<Utc>>,
    pub subject_title: String,
}

impl Reviewable for PhotoForReview<'_> {
    fn review_items(&self) -> Vec<ReviewItem> {
        let photo = self.photo;
        (photo.awaits_review(&self.withdrawals))
            .then(|| ReviewItem {
                kind: ReviewKind::Photo,
                id: photo.id,
                title: self.subject_title.clone(),
                summary: photo.caption.clone(),
                submitted_by: Some(photo.taken_by.clone()),
                submitted_at: photo.taken_at,
            })
            .into_iter()
            .collect()
    }
}

/// The queue from every kind of entry, oldest first.
pub fn queue<'a>(entries: impl IntoIterator<Item = &'a dyn Reviewable>) -> Vec<ReviewItem> {
    let mut items: Vec<ReviewItem> = entries.into_iter().flat_map(|e| e.review_items()).collect();
    items.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at).then(a.id.cmp(&b.id)));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance::{Attendance, Proof, RecordedBy};
    use crate::help_request::HelpRequestFields;
    use chrono::Duration;

    fn request(n: u128, minutes: i64, status: HelpRequestStatus) -> HelpRequest {
        let mut request = HelpRequest::recorded(
            Uuid::from_u128(n),
            HelpRequestFields::default(),
            Person {
                id: Uuid::from_u128(9),
                name: "W".into(),
            },
            DateTime::UNIX_EPOCH + Duration::minutes(minutes),
        );
        request.status = status;
        request
    }

    #[test]
    fn the_queue_holds_what_awaits_approval_oldest_first() {
        let requests = [
            request(1, 30, HelpRequestStatus::AwaitingApproval),
            request(2, 10, HelpRequestStatus::AwaitingApproval),
            request(3, 5, HelpRequestStatus::Approved),
            request(4, 1, HelpRequestStatus::Returned),
        ];
        let ids: Vec<_> = queue(requests.iter().map(|r| r as &dyn Reviewable))
            .iter()
            .map(|i| i.id.as_u128())
            .collect();
        assert_eq!(ids, [2, 1]);
    }

    #[test]
    fn an_attendance_list_in_the_queue_names_the_events_organiser() {
        let organiser = Person {
            id: Uuid::from_u128(5),
            name: "Olga Organizator".into(),
        };
        let event = Event {
            id: Uuid::from_u128(1),
            fields: crate::event::EventFields {
                title: "Klub seniora".into(),
                starts_at: DateTime::UNIX_EPOCH,
                ends_at: DateTime::UNIX_EPOCH,
                location: String::new(),
                organiser: String::new(),
                target_groups: Vec::new(),
                plan_goals: Vec::new(),
                description: String::new(),
                expected: Vec::new(),
            },
            created_by: Some(organiser.clone()),
            created_at: DateTime::UNIX_EPOCH,
        };
        let mut list = AttendanceList::new(event.id);
        list.entries.push(Attendance {
            id: Uuid::from_u128(2),
            attendee: Default::default(),
            proof: Proof::Paper,
            image_consent: None,
            walk_in: false,
            registration: None,
            recorded_at: DateTime::UNIX_EPOCH,
            recorded_by: RecordedBy::Kiosk,
            removed: None,
        });
        let items = ListForReview {
            list: &list,
            event: &event,
        }
        .review_items();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].kind, ReviewKind::AttendanceList);
        assert_eq!(items[0].submitted_by, Some(organiser));
    }
}
