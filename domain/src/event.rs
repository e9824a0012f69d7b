//! Events (meetings, workshops) as far as enrolling a kiosk needs them; the events issue adds the rest.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_TITLE_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum EventProblem {
    TitleRequired,
    TitleTooLong { max: usize },
    EndsBeforeStart,
}

impl NewEvent {
    pub fn normalized(&self) -> Self {
        Self {
            title: self.title.split_whitespace().collect::<Vec<_>>().join(" "),
            ..self.clone()
        }
    }

    pub fn validate(&self) -> Result<(), Vec<EventProblem>> {
        let mut problems = Vec::new();
        let chars = self.title.trim().chars().count();
        if chars == 0 {
            problems.push(EventProblem::TitleRequired);
        } else if chars > MAX_TITLE_CHARS {
            problems.push(EventProblem::TitleTooLong {
                max: MAX_TITLE_CHARS,
            });
        }
        if self.ends_at <= self.starts_at {
            problems.push(EventProblem::EndsBeforeStart);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn an_event_needs_a_title_and_to_end_after_it_starts() {
        let start = DateTime::UNIX_EPOCH;
        let event = NewEvent {
            title: "  ".into(),
            starts_at: start,
            ends_at: start,
        };
        assert_eq!(
            event.validate(),
            Err(vec![
                EventProblem::TitleRequired,
                EventProblem::EndsBeforeStart
            ])
        );
        let event = NewEvent {
            title: " Klub  seniora ".into(),
            starts_at: start,
            ends_at: start + Duration::hours(2),
        }
        .normalized();
        assert_eq!(event.title, "Klub seniora");
        assert_eq!(event.validate(), Ok(()));
    }
}
