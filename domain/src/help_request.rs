//! Neighbourhood-help requests: what a volunteer records at a resident's door.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::dictionary::{Dictionary, DictionaryKind};

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
pub const MAX_PLACE_CHARS: usize = 200;

/// Where a request is in its life; `workflow` says which actions move it where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelpRequestStatus {
    /// Recorded (or resubmitted) and waiting for an organiser.
    AwaitingApproval,
    /// Sent back to the person who recorded it, with a comment on what to fix.
    Returned,
    Rejected,
    Approved,
    Assigned,
    InProgress,
    Done,
    Cancelled,
}

impl HelpRequestStatus {
    pub const ALL: [HelpRequestStatus; 8] = [
        HelpRequestStatus::AwaitingApproval,
        HelpRequestStatus::Returned,
        HelpRequestStatus::Rejected,
        HelpRequestStatus::Approved,
        HelpRequestStatus::Assigned,
        HelpRequestStatus::InProgress,
        HelpRequestStatus::Done,
        HelpRequestStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HelpRequestStatus::AwaitingApproval => "awaiting_approval",
            HelpRequestStatus::Returned => "returned",
            HelpRequestStatus::Rejected => "rejected",
            HelpRequestStatus::Approved => "approved",
            HelpRequestStatus::Assigned => "assigned",
            HelpRequestStatus::InProgress => "in_progress",
            HelpRequestStatus::Done => "done",
            HelpRequestStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Nothing more happens to the request.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            HelpRequestStatus::Rejected | HelpRequestStatus::Done | HelpRequestStatus::Cancelled
        )
    }
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    #[default]
    Normal,
    Urgent,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Urgent, Urgency::Normal, Urgency::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.as_str() == text)
    }
}

/// What the volunteer types in; the same shape travels in the `help_request.create` mutation. Fields added
/// after the first release default, so entries queued by older clients still read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpRequestFields {
    pub resident_name: String,
    /// The resident in the registry, when one was picked or created with the request.
    #[serde(default)]
    pub resident_id: Option<Uuid>,
    pub district: String,
    pub category: String,
    pub description: String,
    #[serde(default)]
    pub urgency: Urgency,
    #[serde(default)]
    pub needed_by: Option<NaiveDate>,
    /// Where the help is needed, when it is not the resident's home (a clinic, the MAL…).
    #[serde(default)]
    pub place: String,
}

/// A volunteer an organiser assigned, and what they answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignee {
    pub volunteer: Person,
    pub accepted: bool,
}

/// Someone named in a record; the name is copied so it shows offline.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
}

/// Time a volunteer gave to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursEntry {
    pub volunteer: Person,
    pub minutes: u32,
    pub on: NaiveDate,
}

/// A help request as stored on the server and in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpRequest {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: HelpRequestFields,
    pub status: HelpRequestStatus,
    /// When the volunteer recorded it on their device (may be long before the server saw it).
    pub recorded_at: DateTime<Utc>,
    #[serde(default)]
    pub recorded_by: Option<Person>,
    /// Counts the server's changes to this request; edits say which revision they were made on.
    #[serde(default)]
    pub revision: u32,
    /// The revision an organiser's last review decision made; an edit made before it is stale.
    #[serde(default)]
    pub decided_at_revision: u32,
    /// The organiser's comment with the last return, rejection or cancellation.
    #[serde(default)]
    pub review_comment: Option<String>,
    #[serde(default)]
    pub assignees: Vec<Assignee>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub hours: Vec<HoursEntry>,
    #[serde(default)]
    pub history: Vec<crate::workflow::HistoryEntry>,
    /// Set when the retention period ended and the person and texts about them were removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_at: Option<DateTime<Utc>>,
}

impl HelpRequest {
    /// A request just recorded by `by`, with its first history entry.
    pub fn recorded(
        id: Uuid,
        fields: HelpRequestFields,
        by: Person,
        at: DateTime<Utc>,
    ) -> HelpRequest {
        HelpRequest {
            id,
            fields,
            status: HelpRequestStatus::AwaitingApproval,
            recorded_at: at,
            recorded_by: Some(by.clone()),
            revision: 1,
            decided_at_revision: 0,
            review_comment: None,
            assignees: Vec::new(),
            outcome: None,
            hours: Vec::new(),
            history: vec![crate::workflow::HistoryEntry {
                at,
                by,
                event: crate::workflow::HistoryEvent::Recorded,
            }],
            anonymised_at: None,
        }
    }

    pub fn is_assigned_to(&self, person: Uuid) -> bool {
        self.assignees.iter().any(|a| a.volunteer.id == person)
    }

    pub fn minutes_of(&self, person: Uuid) -> u32 {
        self.hours
            .iter()
            .filter(|h| h.volunteer.id == person)
            .map(|h| h.minutes)
            .sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ResidentName,
    District,
    Category,
    Description,
    Urgency,
    NeededBy,
    Place,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    /// Not in the dictionary, or retired from it.
    UnknownChoice,
    /// Not in a form the field accepts (e.g. letters in a phone number).
    Malformed,
    /// A date outside the years the app counts in (`report::REPORT_YEARS`): a slip such as year 20266.
    OutsideYears,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    #[serde(flatten)]
    pub problem: Problem,
}

impl HelpRequestFields {
    /// Trims what a person typed around the edges; inner line breaks of the description stay.
    pub fn normalized(&self) -> Self {
        Self {
            resident_name: self
                .resident_name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            resident_id: self.resident_id,
            district: self.district.trim().to_owned(),
            category: self.category.trim().to_owned(),
            description: self.description.trim().to_owned(),
            urgency: self.urgency,
            needed_by: self.needed_by,
            place: self.place.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }

    /// Every problem at once, so a form can mark all offending fields in one go.
    pub fn validate(&self, dictionary: &Dictionary) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text = |field, value: &str, max| {
            let problem = if value.trim().is_empty() {
                Some(Problem::Required)
            } else if value.chars().count() > max {
                Some(Problem::TooLong { max })
            } else {
                None
            };
            if let Some(problem) = problem {
                errors.push(FieldError { field, problem });
            }
        };
        text(Field::ResidentName, &self.resident_name, MAX_NAME_CHARS);
        text(Field::Description, &self.description, MAX_DESCRIPTION_CHARS);
        if self.place.chars().count() > MAX_PLACE_CHARS {
            errors.push(FieldError {
                field: Field::Place,
                problem: Problem::TooLong {
                    max: MAX_PLACE_CHARS,
                },
            });
        }
        let mut choice = |field, kind, code: &str| {
            let problem = if code.is_empty() {
                Some(Problem::Required)
            } else if !dictionary.is_usable(kind, code) {
                Some(Problem::UnknownChoice)
            } else {
                None
            };
            if let Some(problem) = problem {
                errors.push(FieldError { field, problem });
            }
        };
        choice(Field::District, DictionaryKind::District, &self.district);
        choice(
            Field::Category,
            DictionaryKind::HelpCategory,
            &self.category,
        );
        errors.sort_by_key(|e| e.field as u8);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dictionary::tests::sample;

    fn valid() -> HelpRequestFields {
        HelpRequestFields {
            resident_name: "Anna Kowalska".into(),
            district: "jedwabnik".into(),
            category: "shopping".into(),
            description: "Zakupy raz w tygodniu".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_request_is_valid() {
        assert_eq!(valid().validate(&sample()), Ok(()));
    }

    #[test]
    fn every_missing_field_is_reported_in_form_order() {
        let errors = HelpRequestFields::default()
            .validate(&sample())
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                Field::ResidentName,
                Field::District,
                Field::Category,
                Field::Description
            ]
        );
        assert!(errors.iter().all(|e| e.problem == Problem::Required));
    }

    #[test]
    fn whitespace_only_counts_as_missing() {
        let fields = HelpRequestFields {
            resident_name: "   ".into(),
            ..valid()
        };
        let errors = fields.validate(&sample()).unwrap_err();
        assert_eq!(
            errors,
            [FieldError {
                field: Field::ResidentName,
                problem: Problem::Required
            }]
        );
    }

    #[test]
    fn length_limits_count_characters_not_bytes() {
        let polish = "ż".repeat(MAX_NAME_CHARS);
        assert_eq!(
            HelpRequestFields {
                resident_name: polish.clone(),
                ..valid()
            }
            .validate(&sample()),
            Ok(())
        );
        let too_long = HelpRequestFields {
            resident_name: polish + "ż",
            ..valid()
        };
        assert_eq!(
            too_long.validate(&sample()).unwrap_err()[0].problem,
            Problem::TooLong {
                max: MAX_NAME_CHARS
            }
        );
    }

    #[test]
    fn retired_or_unknown_district_is_rejected() {
        for code in ["stare", "atlantyda"] {
            let fields = HelpRequestFields {
                district: code.into(),
                ..valid()
            };
            let errors = fields.validate(&sample()).unwrap_err();
            assert_eq!(
                errors,
                [FieldError {
                    field: Field::District,
                    problem: Problem::UnknownChoice
                }]
            );
        }
    }

    #[test]
    fn normalizing_collapses_name_spaces_and_trims_description() {
        let fields = HelpRequestFields {
            resident_name: "  Anna   Kowalska ".into(),
            description: "\n linia 1\nlinia 2 \n".into(),
            ..valid()
        };
        let normalized = fields.normalized();
        assert_eq!(normalized.resident_name, "Anna Kowalska");
        assert_eq!(normalized.description, "linia 1\nlinia 2");
    }
}
