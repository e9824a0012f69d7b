//! Events (meetings, workshops, club afternoons) as the community plan asks to document them: when and
//! where, who organised them, for whom, towards which plan goals, and whom the organiser expects.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::dictionary::{Dictionary, DictionaryKind};
use crate::help_request::{Person, Problem};
use crate::report::REPORT_YEARS;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_ORGANISER_CHARS: usize = 120;
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
/// More than any room of the MAL holds.
pub const MAX_EXPECTED: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFields {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// A location code from the dictionary.
    #[serde(default)]
    pub location: String,
    /// Who runs it: a staff member, a local leader or a partner organisation.
    #[serde(default)]
    pub organiser: String,
    #[serde(default)]
    pub target_groups: Vec<String>,
    #[serde(default)]
    pub plan_goals: Vec<String>,
    #[serde(default)]
    pub description: String,
    /// Residents the organiser expects; the kiosk offers their names first.
    #[serde(default)]
    pub expected: Vec<Person>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventField {
    Title,
    StartsAt,
    EndsAt,
    Location,
    Organiser,
    TargetGroups,
    PlanGoals,
    Description,
    Expected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventError {
    pub field: EventField,
    #[serde(flatten)]
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: EventFields,
    pub created_by: Option<Person>,
    pub created_at: DateTime<Utc>,
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn codes(list: &[String]) -> Vec<String> {
    let mut codes: Vec<String> = list
        .iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

impl EventFields {
    pub fn normalized(&self) -> Self {
        let mut expected: Vec<Person> = Vec::with_capacity(self.expected.len());
        for person in &self.expected {
            if !expected.iter().any(|p| p.id == person.id) {
                expected.push(Person {
                    id: person.id,
                    name: collapse(&person.name),
                });
            }
        }
        Self {
            title: collapse(&self.title),
            organiser: collapse(&self.organiser),
            location: self.location.trim().to_owned(),
            target_groups: codes(&self.target_groups),
            plan_goals: codes(&self.plan_goals),
            description: self.description.trim().to_owned(),
            expected,
            ..self.clone()
        }
    }

    /// Every problem at once, so a form can show them all. An event needs a title, a place, at least one
    /// plan goal (the yearly report counts per goal) and to end after it starts, within the years reports
    /// count in.
    pub fn validate(&self, dictionary: &Dictionary) -> Result<(), Vec<EventError>> {
        let mut errors = Vec::new();
        let mut problem = |field, problem| errors.push(EventError { field, problem });
        let length = |text: &str| text.chars().count();
        if self.title.trim().is_empty() {
            problem(EventField::Title, Problem::Required);
        } else if length(&self.title) > MAX_TITLE_CHARS {
            problem(
                EventField::Title,
                Problem::TooLong {
                    max: MAX_TITLE_CHARS,
                },
            );
        }
        let within_years = |at: &DateTime<Utc>| REPORT_YEARS.contains(&at.year());
        if !within_years(&self.starts_at) {
            problem(EventField::StartsAt, Problem::OutsideYears);
        }
        if !within_years(&self.ends_at) {
            problem(EventField::EndsAt, Problem::OutsideYears);
        } else if self.ends_at <= self.starts_at {
            problem(EventField::EndsAt, Problem::Malformed);
        }
        if self.location.is_empty() {
            problem(EventField::Location, Problem::Required);
        } else if !dictionary.is_usable(DictionaryKind::Location, &self.location) {
            problem(EventField::Location, Problem::UnknownChoice);
        }
        if length(&self.organiser) > MAX_ORGANISER_CHARS {
            problem(
                EventField::Organiser,
                Problem::TooLong {
                    max: MAX_ORGANISER_CHARS,
                },
            );
        }
        if self
            .target_groups
            .iter()
            .any(|g| !dictionary.is_usable(DictionaryKind::TargetGroup, g))
        {
            problem(EventField::TargetGroups, Problem::UnknownChoice);
        }
        if self.plan_goals.is_empty() {
            problem(EventField::PlanGoals, Problem::Required);
        } else if self
            .plan_goals
            .iter()
            .any(|g| !dictionary.is_usable(DictionaryKind::PlanGoal, g))
        {
            problem(EventField::PlanGoals, Problem::UnknownChoice);
        }
        if length(&self.description) > MAX_DESCRIPTION_CHARS {
            problem(
                EventField::Description,
                Problem::TooLong {
                    max: MAX_DESCRIPTION_CHARS,
                },
            );
        }
        if self.expected.len() > MAX_EXPECTED {
            problem(EventField::Expected, Problem::TooLong { max: MAX_EXPECTED });
        }
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
    use chrono::Duration;

    fn fields() -> EventFields {
        let start = DateTime::UNIX_EPOCH;
        EventFields {
            title: " Klub  seniora ".into(),
            starts_at: start,
            ends_at: start + Duration::hours(2),
            location: "brzozowa_7".into(),
            organiser: String::new(),
            target_groups: vec!["seniors".into(), "seniors".into()],
            plan_goals: vec!["goal_6".into(), " goal_3".into()],
            description: String::new(),
            expected: vec![
                Person {
                    id: Uuid::from_u128(1),
                    name: "Jan  Kowalski".into(),
                },
                Person {
                    id: Uuid::from_u128(1),
                    name: "Jan Kowalski".into(),
                },
            ],
        }
    }

    #[test]
    fn a_complete_event_is_valid_once_normalised() {
        let event = fields().normalized();
        assert_eq!(event.title, "Klub seniora");
        assert_eq!(event.plan_goals, ["goal_3", "goal_6"]);
        assert_eq!(event.target_groups, ["seniors"]);
        assert_eq!(event.expected.len(), 1);
        assert_eq!(event.expected[0].name, "Jan Kowalski");
        assert_eq!(event.validate(&sample()), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let event = EventFields {
            title: "  ".into(),
            ends_at: DateTime::UNIX_EPOCH,
            location: "nowhere".into(),
            target_groups: vec!["pets".into()],
            plan_goals: Vec::new(),
            ..fields()
        };
        let fields_with_problems: Vec<_> = event
            .validate(&sample())
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect();
        assert_eq!(
            fields_with_problems,
            [
                (EventField::Title, Problem::Required),
                (EventField::EndsAt, Problem::Malformed),
                (EventField::Location, Problem::UnknownChoice),
                (EventField::TargetGroups, Problem::UnknownChoice),
                (EventField::PlanGoals, Problem::Required),
            ]
        );
    }

    #[test]
    fn an_event_lies_within_the_years_reports_count_in() {
        let year = |year: i32| {
            chrono::NaiveDate::from_ymd_opt(year, 6, 1)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc()
        };
        let (first, last) = (*REPORT_YEARS.start(), *REPORT_YEARS.end());
        let within = EventFields {
            starts_at: year(last),
            ends_at: year(last) + chrono::Duration::hours(2),
            ..fields().normalized()
        };
        assert_eq!(within.validate(&sample()), Ok(()));
        let problems = |starts_at, ends_at| {
            EventFields {
                starts_at,
                ends_at,
                ..fields().normalized()
            }
            .validate(&sample())
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect::<Vec<_>>()
        };
        assert_eq!(
            problems(year(last), year(last + 1)),
            [(EventField::EndsAt, Problem::OutsideYears)]
        );
        assert_eq!(
            problems(year(first - 1), year(first)),
            [(EventField::StartsAt, Problem::OutsideYears)]
        );
        assert_eq!(
            problems(DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MAX_UTC),
            [
                (EventField::StartsAt, Problem::OutsideYears),
                (EventField::EndsAt, Problem::OutsideYears)
            ]
        );
    }
}
