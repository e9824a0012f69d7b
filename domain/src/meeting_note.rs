//! Meeting notes (notatki ze spotkań): what happened at an event and what was agreed, written by whoever
//! ran or helped at it, reviewed by an organiser before they count as documentation. A returned note goes
//! back to its author with a comment; saving it again sends it back to review.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::help_request::Person;
use crate::review::{
    decide, ReviewItem, ReviewKind, ReviewOutcome, Reviewable, Verdict, VerdictRefusal,
};
use crate::workflow::Actor;

/// A few pages: enough for minutes, short enough to read on a phone.
pub const MAX_NOTE_CHARS: usize = 8000;
pub const MAX_COMMENT_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NoteReview {
    Pending,
    Approved {
        by: Person,
        at: DateTime<Utc>,
    },
    /// Sent back to the author with what to fix.
    Returned {
        by: Person,
        at: DateTime<Utc>,
        comment: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingNote {
    pub id: Uuid,
    pub event_id: Uuid,
    pub text: String,
    pub author: Person,
    pub written_at: DateTime<Utc>,
    pub review: NoteReview,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum NoteDecision {
    Approve,
    Return { comment: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NoteRefusal {
    TextRequired,
    TextTooLong {
        max: usize,
    },
    /// Only the author changes a note.
    NotAuthor,
    /// An approved note is documentation; it no longer changes.
    Approved,
    NotAllowed,
    CommentRequired,
    CommentTooLong {
        max: usize,
    },
    /// Decided already (by someone else, or before this device knew).
    NotPending,
}

impl From<NoteDecision> for Verdict {
    fn from(decision: NoteDecision) -> Self {
        match decision {
            NoteDecision::Approve => Verdict::Approve,
            NoteDecision::Return { comment } => Verdict::SendBack {
                explanation: comment,
            },
        }
    }
}

impl ReviewOutcome for NoteReview {
    fn approved(by: Person, at: DateTime<Utc>) -> Self {
        NoteReview::Approved { by, at }
    }

    fn sent_back(by: Person, at: DateTime<Utc>, comment: String) -> Self {
        NoteReview::Returned { by, at, comment }
    }
}

impl From<VerdictRefusal> for NoteRefusal {
    fn from(refusal: VerdictRefusal) -> Self {
        match refusal {
            VerdictRefusal::NotAllowed => NoteRefusal::NotAllowed,
            VerdictRefusal::ExplanationRequired => NoteRefusal::CommentRequired,
            VerdictRefusal::ExplanationTooLong { max } => NoteRefusal::CommentTooLong { max },
        }
    }
}

/// The text as it is kept: trimmed, and checked.
pub fn checked_text(text: &str) -> Result<String, NoteRefusal> {
    let text = text.trim();
    if text.is_empty() {
        return Err(NoteRefusal::TextRequired);
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(NoteRefusal::TextTooLong {
            max: MAX_NOTE_CHARS,
        });
    }
    Ok(text.to_owned())
}

impl MeetingNote {
    /// A new note, or `existing` with a new text by its author (back to review). Writing the same text
    /// again changes nothing.
    pub fn write(
        existing: Option<&MeetingNote>,
        id: Uuid,
        event_id: Uuid,
        text: &str,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<MeetingNote, NoteRefusal> {
        let text = checked_text(text)?;
        match existing {
            None => Ok(MeetingNote {
                id,
                event_id,
                text,
                author: actor.person.clone(),
                written_at: at,
                review: NoteReview::Pending,
            }),
            Some(note) if note.author.id != actor.person.id => Err(NoteRefusal::NotAuthor),
            Some(note) if note.text == text => Ok(note.clone()),
            Some(note) if note.is_approved() => Err(NoteRefusal::Approved),
            Some(note) => Ok(MeetingNote {
                text,
                written_at: at,
                review: NoteReview::Pending,
                ..note.clone()
            }),
        }
    }

    pub fn is_approved(&self) -> bool {
        matches!(self.review, NoteReview::Approved { .. })
    }

    pub fn review(
        &mut self,
        decision: NoteDecision,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<(), NoteRefusal> {
        let next = decide(actor, decision.into(), at, MAX_COMMENT_CHARS)?;
        if self.review != NoteReview::Pending {
            return Err(NoteRefusal::NotPending);
        }
        self.review = next;
        Ok(())
    }

    /// Organisers see every note; others see approved notes and their own.
    pub fn visible_to(&self, actor: &Actor) -> bool {
        actor.is_reviewer() || self.author.id == actor.person.id || self.is_approved()
    }
}

/// A note with the title of its event, for the review queue.
pub struct NoteForReview<'a> {
    pub note: &'a MeetingNote,
    pub event_title: String,
}

impl Reviewable for NoteForReview<'_> {
    fn review_items(&self) -> Vec<ReviewItem> {
        (self.note.review == NoteReview::Pending)
            .then(|| ReviewItem {
                kind: ReviewKind::MeetingNote,
                id: self.note.id,
                title: self.event_title.clone(),
                summary: self.note.text.chars().take(200).collect(),
                submitted_by: Some(self.note.author.clone()),
                submitted_at: self.note.written_at,
            })
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Role;

    fn actor(n: u128, role: Role) -> Actor {
        Actor {
            person: Person {
                id: Uuid::from_u128(n),
                name: format!("Osoba {n}"),
            },
            role,
        }
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + chrono::Duration::minutes(minutes)
    }

    fn note(author: &Actor) -> MeetingNote {
        MeetingNote::write(
            None,
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            "  Rozmawialiśmy o wiosennym sprzątaniu. ",
            author,
            at(0),
        )
        .unwrap()
    }

    #[test]
    fn a_note_needs_text_within_the_limit() {
        let volunteer = actor(10, Role::Volunteer);
        let write = |text: &str| {
            MeetingNote::write(None, Uuid::nil(), Uuid::nil(), text, &volunteer, at(0))
                .map(|n| n.text)
        };
        assert_eq!(write(" \n "), Err(NoteRefusal::TextRequired));
        assert_eq!(
            write(&"ż".repeat(MAX_NOTE_CHARS + 1)),
            Err(NoteRefusal::TextTooLong {
                max: MAX_NOTE_CHARS
            })
        );
        assert_eq!(
            write(&"ż".repeat(MAX_NOTE_CHARS)).unwrap().chars().count(),
            MAX_NOTE_CHARS
        );
        assert_eq!(
            note(&volunteer).text,
            "Rozmawialiśmy o wiosennym sprzątaniu."
        );
    }

    #[test]
    fn a_returned_note_goes_back_to_review_when_its_author_corrects_it() {
        let volunteer = actor(10, Role::Volunteer);
        let organiser = actor(20, Role::Organiser);
        let mut returned = note(&volunteer);
        assert_eq!(
            returned.review(
                NoteDecision::Return {
                    comment: " ".into()
                },
                &organiser,
                at(5)
            ),
            Err(NoteRefusal::CommentRequired)
        );
        returned
            .review(
                NoteDecision::Return {
                    comment: "Dopisz, kto prowadził.".into(),
                },
                &organiser,
                at(5),
            )
            .unwrap();
        assert!(matches!(returned.review, NoteReview::Returned { .. }));
        let someone_else = actor(11, Role::Volunteer);
        assert_eq!(
            MeetingNote::write(
                Some(&returned),
                returned.id,
                returned.event_id,
                "Inaczej",
                &someone_else,
                at(6)
            ),
            Err(NoteRefusal::NotAuthor)
        );
        let corrected = MeetingNote::write(
            Some(&returned),
            returned.id,
            returned.event_id,
            "Prowadziła Olga. Rozmawialiśmy o sprzątaniu.",
            &volunteer,
            at(7),
        )
        .unwrap();
        assert_eq!(corrected.review, NoteReview::Pending);
        assert_eq!(corrected.written_at, at(7));
    }

    #[test]
    fn only_organisers_decide_and_an_approved_note_is_final() {
        let volunteer = actor(10, Role::Volunteer);
        let organiser = actor(20, Role::Organiser);
        let mut approved = note(&volunteer);
        assert_eq!(
            approved
                .clone()
                .review(NoteDecision::Approve, &volunteer, at(1)),
            Err(NoteRefusal::NotAllowed)
        );
        approved
            .review(NoteDecision::Approve, &organiser, at(1))
            .unwrap();
        assert_eq!(
            approved
                .clone()
                .review(NoteDecision::Approve, &organiser, at(2)),
            Err(NoteRefusal::NotPending)
        );
        assert_eq!(
            MeetingNote::write(
                Some(&approved),
                approved.id,
                approved.event_id,
                "Zmiana po zatwierdzeniu",
                &volunteer,
                at(3)
            ),
            Err(NoteRefusal::Approved)
        );
        // The same text again (a replayed save) is not a change.
        assert_eq!(
            MeetingNote::write(
                Some(&approved),
                approved.id,
                approved.event_id,
                &approved.text,
                &volunteer,
                at(3)
            ),
            Ok(approved.clone())
        );
    }

    #[test]
    fn others_see_a_note_once_approved() {
        let volunteer = actor(10, Role::Volunteer);
        let other = actor(11, Role::Volunteer);
        let organiser = actor(20, Role::Organiser);
        let mut pending = note(&volunteer);
        assert!(pending.visible_to(&volunteer) && pending.visible_to(&organiser));
        assert!(!pending.visible_to(&other));
        let item = NoteForReview {
            note: &pending,
            event_title: "Klub".into(),
        }
        .review_items();
        assert_eq!(item.len(), 1);
        assert_eq!(item[0].kind, ReviewKind::MeetingNote);
        pending
            .review(NoteDecision::Approve, &organiser, at(1))
            .unwrap();
        assert!(pending.visible_to(&other));
        assert!(NoteForReview {
            note: &pending,
            event_title: "Klub".into()
        }
        .review_items()
        .is_empty());
    }
}
