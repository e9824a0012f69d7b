//! Configurable lists (districts, help categories…) that records refer to by a stable code.

use serde::{Deserialize, Serialize};

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

    #[test]
    fn an_unknown_code_is_shown_as_itself() {
        assert_eq!(
            sample().label(DictionaryKind::HelpCategory, "x", Language::Pl),
            "x"
        );
    }
}
