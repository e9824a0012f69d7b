//! Neighbourhood-help requests: what a volunteer records at a resident's door.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::dictionary::{Dictionary, DictionaryKind};

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// Where a request is in its life. Only the first state exists until the review workflow (issue 4) lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelpRequestStatus {
    AwaitingApproval,
}

impl HelpRequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HelpRequestStatus::AwaitingApproval => "awaiting_approval",
        }
    }
}

/// What the volunteer types in; the same shape travels in the `help_request.create` mutation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpRequestFields {
    pub resident_name: String,
    pub district: String,
    pub category: String,
    pub description: String,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ResidentName,
    District,
    Category,
    Description,
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
            district: self.district.trim().to_owned(),
            category: self.category.trim().to_owned(),
            description: self.description.trim().to_owned(),
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
