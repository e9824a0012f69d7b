//! Configurable lists (districts, help categories…) that records refer to by a stable code.

use serde::{Deserialize, Serialize};

use crate::help_request::Problem;

/// Plan goals are whole sentences; anything longer belongs in a document, not a list.
pub const MAX_LABEL_CHARS: usize = 200;
/// Codes are made from the Polish label when an entry is added, and never change after.
pub const MAX_CODE_CHARS: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DictionaryKind {
    District,
    HelpCategory,
    TargetGroup,
    /// Where the centre's events take place (the MAL's rooms).
    Location,
    /// The community plan's specific goals that events are tagged with.
    PlanGoal,
}

/// One entry of a dictionary, e.g. the district `jedwabnik` labelled "Jedwabnik".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DictionaryEntry {
    pub kind: DictionaryKind,
    pub code: String,
    pub label_pl: String,
    pub label_en: String,
    pub position: i64,
    /// Retired entries stay so that old records keep their label, but new records cannot use them.
    pub active: bool,
}

impl DictionaryEntry {
    /// The key under which the client stores this entry.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.code)
    }

    pub fn label(&self, language: Language) -> &str {
        match language {
            Language::Pl => &self.label_pl,
            Language::En => &self.label_en,
        }
    }
}

impl DictionaryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DictionaryKind::District => "district",
            DictionaryKind::HelpCategory => "help_category",
            DictionaryKind::TargetGroup => "target_group",
            DictionaryKind::Location => "location",
            DictionaryKind::PlanGoal => "plan_goal",
        }
    }
}

impl DictionaryKind {
    pub const ALL: [DictionaryKind; 5] = [
        DictionaryKind::District,
        DictionaryKind::Location,
        DictionaryKind::HelpCategory,
        DictionaryKind::TargetGroup,
        DictionaryKind::PlanGoal,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// What a coordinator types for an entry: its labels, and whether new records may still use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryLabels {
    pub label_pl: String,
    pub label_en: String,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelField {
    LabelPl,
    LabelEn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelError {
    pub field: LabelField,
    #[serde(flatten)]
    pub problem: Problem,
}

impl EntryLabels {
    pub fn normalized(&self) -> Self {
        let collapse = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        Self {
            label_pl: collapse(&self.label_pl),
            label_en: collapse(&self.label_en),
            active: self.active,
        }
    }

    /// Both labels are required and limited; a Polish label another entry of the kind already has is
    /// refused (`Malformed`), since people pick entries by it.
    pub fn validate(
        &self,
        dictionary: &Dictionary,
        kind: DictionaryKind,
        code: Option<&str>,
    ) -> Result<(), Vec<LabelError>> {
        let mut errors = Vec::new();
        for (field, label) in [
            (LabelField::LabelPl, &self.label_pl),
            (LabelField::LabelEn, &self.label_en),
        ] {
            let problem = if label.trim().is_empty() {
                Some(Problem::Required)
            } else if label.chars().count() > MAX_LABEL_CHARS {
                Some(Problem::TooLong {
                    max: MAX_LABEL_CHARS,
                })
            } else {
                None
            };
            if let Some(problem) = problem {
                errors.push(LabelError { field, problem });
            }
        }
        let folded = crate::resident::fold(&self.label_pl);
        let taken = dictionary.entries.iter().any(|e| {
            e.kind == kind
                && Some(e.code.as_str()) != code
                && crate::resident::fold(&e.label_pl) == folded
        });
        if taken && !folded.is_empty() {
            errors.push(LabelError {
                field: LabelField::LabelPl,
                problem: Problem::Malformed,
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Pl,
    En,
}

/// All dictionary entries known to one side of the sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dictionary {
    entries: Vec<DictionaryEntry>,
}

impl Dictionary {
    pub fn new(mut entries: Vec<DictionaryEntry>) -> Self {
        entries.sort_by(|a, b| (a.kind.as_str(), a.position).cmp(&(b.kind.as_str(), b.position)));
        Self { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Active entries of one kind, in their configured order: what a form offers.
    pub fn active(&self, kind: DictionaryKind) -> impl Iterator<Item = &DictionaryEntry> {
        self.entries
            .iter()
            .filter(move |e| e.kind == kind && e.active)
    }

    pub fn find(&self, kind: DictionaryKind, code: &str) -> Option<&DictionaryEntry> {
        self.entries
            .iter()
            .find(|e| e.kind == kind && e.code == code)
    }

    /// The label to show for a code; the code itself when the entry is unknown (e.g. not yet synced).
    pub fn label<'a>(&'a self, kind: DictionaryKind, code: &'a str, language: Language) -> &'a str {
        self.find(kind, code).map_or(code, |e| e.label(language))
    }

    pub fn is_usable(&self, kind: DictionaryKind, code: &str) -> bool {
        self.find(kind, code).is_some_and(|e| e.active)
    }

    /// Every entry of one kind, retired ones too, in their configured order: what a coordinator edits.
    pub fn all(&self, kind: DictionaryKind) -> impl Iterator<Item = &DictionaryEntry> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// The code for a new entry: its Polish label in ASCII with underscores (records store codes, and
    /// a code never changes), with a number added when the code is taken.
    pub fn new_code(&self, kind: DictionaryKind, label_pl: &str) -> String {
        let ascii = deunicode::deunicode(label_pl).to_lowercase();
        let mut base = String::new();
        for word in ascii
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if base.len() + word.len() + 1 > MAX_CODE_CHARS - 3 {
                break;
            }
            if !base.is_empty() {
                base.push('_');
            }
            base.push_str(word);
        }
        if base.is_empty() {
            base.push_str(kind.as_str());
        }
        let mut code = base.clone();
        let mut n = 2;
        while self.find(kind, &code).is_some() {
            code = format!("{base}_{n}");
            n += 1;
        }
        code
    }

    /// Adds an entry or replaces the one with its kind and code, keeping the configured order.
    pub fn upsert(&mut self, entry: DictionaryEntry) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.retain(|e| !(e.kind == entry.kind && e.code == entry.code));
        entries.push(entry);
        *self = Dictionary::new(entries);
    }

    /// After the last entry of the kind.
    pub fn next_position(&self, kind: DictionaryKind) -> i64 {
        self.all(kind).map(|e| e.position).max().unwrap_or(0) + 1
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn entry(kind: DictionaryKind, code: &str, position: i64, active: bool) -> DictionaryEntry {
        DictionaryEntry {
            kind,
            code: code.into(),
            label_pl: format!("{code} (pl)"),
            label_en: format!("{code} (en)"),
            position,
            active,
        }
    }

    pub fn sample() -> Dictionary {
        Dictionary::new(vec![
            entry(DictionaryKind::District, "okolna", 2, true),
            entry(DictionaryKind::District, "jedwabnik", 1, true),
            entry(DictionaryKind::District, "stare", 3, false),
            entry(DictionaryKind::HelpCategory, "shopping", 1, true),
            entry(DictionaryKind::HelpCategory, "transport", 2, true),
            entry(DictionaryKind::TargetGroup, "seniors", 1, true),
            entry(DictionaryKind::TargetGroup, "youth", 2, true),
            entry(DictionaryKind::Location, "brzozowa_7", 1, true),
            entry(DictionaryKind::PlanGoal, "goal_3", 3, true),
            entry(DictionaryKind::PlanGoal, "goal_6", 6, true),
        ])
    }

    #[test]
    fn a_form_offers_active_entries_in_configured_order() {
        let dictionary = sample();
        let codes: Vec<_> = dictionary
            .active(DictionaryKind::District)
            .map(|e| e.code.as_str())
            .collect();
        assert_eq!(codes, ["jedwabnik", "okolna"]);
    }

    #[test]
    fn retired_entries_keep_their_label_but_are_not_usable() {
        let dictionary = sample();
        assert_eq!(
            dictionary.label(DictionaryKind::District, "stare", Language::En),
            "stare (en)"
        );
        assert!(!dictionary.is_usable(DictionaryKind::District, "stare"));
        assert!(dictionary.is_usable(DictionaryKind::District, "okolna"));
    }

    fn labels(pl: &str, en: &str) -> EntryLabels {
        EntryLabels {
            label_pl: pl.into(),
            label_en: en.into(),
            active: true,
        }
    }

    #[test]
    fn a_new_entry_gets_a_stable_ascii_code_that_is_not_taken() {
        let dictionary = sample();
        assert_eq!(
            dictionary.new_code(DictionaryKind::District, "Osiedle „Żółta Łąka”"),
            "osiedle_zolta_laka"
        );
        assert_eq!(
            dictionary.new_code(DictionaryKind::District, "Okolna"),
            "okolna_2"
        );
        assert_eq!(
            dictionary.new_code(DictionaryKind::Location, "!!!"),
            "location"
        );
        assert!(
            dictionary
                .new_code(
                    DictionaryKind::PlanGoal,
                    &"Bardzo długi cel planu ".repeat(8)
                )
                .len()
                <= MAX_CODE_CHARS
        );
        assert_eq!(dictionary.next_position(DictionaryKind::District), 4);
        let mut changed = dictionary.clone();
        changed.upsert(DictionaryEntry {
            active: false,
            ..entry(DictionaryKind::District, "okolna", 2, true)
        });
        changed.upsert(entry(DictionaryKind::District, "nowe", 4, true));
        let codes: Vec<_> = changed
            .active(DictionaryKind::District)
            .map(|e| e.code.as_str())
            .collect();
        assert_eq!(codes, ["jedwabnik", "nowe"]);
        assert_eq!(dictionary.next_position(DictionaryKind::Location), 2);
    }

    #[test]
    fn labels_are_required_limited_and_unique_in_polish() {
        let dictionary = sample();
        assert_eq!(
            labels(" ", &"x".repeat(201)).validate(&dictionary, DictionaryKind::District, None),
            Err(vec![
                LabelError {
                    field: LabelField::LabelPl,
                    problem: Problem::Required
                },
                LabelError {
                    field: LabelField::LabelEn,
                    problem: Problem::TooLong { max: 200 }
                },
            ])
        );
        let taken = labels("OKOLNA (PL)", "Okolna");
        assert_eq!(
            taken.validate(&dictionary, DictionaryKind::District, None),
            Err(vec![LabelError {
                field: LabelField::LabelPl,
                problem: Problem::Malformed
            }])
        );
        // Its own label, and the same label in another dictionary, are fine.
        assert_eq!(
            taken.validate(&dictionary, DictionaryKind::District, Some("okolna")),
            Ok(())
        );
        assert_eq!(
            taken.validate(&dictionary, DictionaryKind::Location, None),
            Ok(())
        );
    }

    #[test]
    fn an_unknown_code_is_shown_as_itself() {
        assert_eq!(
            sample().label(DictionaryKind::HelpCategory, "x", Language::Pl),
            "x"
        );
    }
}
