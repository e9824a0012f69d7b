//! The consents the centre asks residents for. Each kind has its own text, configurable by a coordinator
//! and versioned: a changed text is the next version, and every answer keeps the version it answered, so it
//! is always known what exactly someone agreed to.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// Photos of the person may be used; asked at every event.
    Image,
    /// The centre may process the person's personal data: the lawful basis for keeping a newcomer.
    DataProcessing,
    /// The attendance kiosk may offer the person's name at later events.
    KioskListing,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 3] = [
        ConsentKind::Image,
        ConsentKind::DataProcessing,
        ConsentKind::KioskListing,
    ];

    /// The wire and storage name (`/api/v1/consent-texts/{kind}`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::Image => "image",
            ConsentKind::DataProcessing => "data_processing",
            ConsentKind::KioskListing => "kiosk_listing",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A consent text as residents see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentText {
    pub version: u32,
    pub text_pl: String,
    pub text_en: String,
    pub since: DateTime<Utc>,
}

impl ConsentText {
    /// The next version, or `None` when the texts did not change (no one needs asking again).
    pub fn revise(&self, text_pl: &str, text_en: &str, at: DateTime<Utc>) -> Option<ConsentText> {
        let (text_pl, text_en) = (text_pl.trim(), text_en.trim());
        if text_pl == self.text_pl && text_en == self.text_en {
            return None;
        }
        Some(ConsentText {
            version: self.version + 1,
            text_pl: text_pl.to_owned(),
            text_en: text_en.to_owned(),
            since: at,
        })
    }
}

/// A coordinator's new wording of one consent, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentTextRequest {
    pub text_pl: String,
    pub text_en: String,
}

/// A text as the server publishes it to devices: which consent it is, and the text itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedConsentText {
    pub kind: ConsentKind,
    #[serde(flatten)]
    pub text: ConsentText,
}

/// The text currently asked for each kind of consent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConsentTexts(BTreeMap<ConsentKind, ConsentText>);

impl ConsentTexts {
    pub fn current(&self, kind: ConsentKind) -> Option<&ConsentText> {
        self.0.get(&kind)
    }

    /// Takes a newly published text; an older version that arrives late does not replace a newer one.
    pub fn publish(&mut self, published: PublishedConsentText) {
        let newer = self
            .current(published.kind)
            .is_none_or(|known| known.version <= published.text.version);
        if newer {
            self.0.insert(published.kind, published.text);
        }
    }

    /// The answer to the current text of `kind`, or `None` when that text is not known here.
    pub fn answer(&self, kind: ConsentKind, given: bool) -> Option<ConsentAnswer> {
        self.current(kind).map(|text| ConsentAnswer {
            given,
            text_version: text.version,
        })
    }
}

impl FromIterator<PublishedConsentText> for ConsentTexts {
    fn from_iter<I: IntoIterator<Item = PublishedConsentText>>(texts: I) -> Self {
        let mut all = ConsentTexts::default();
        for text in texts {
            all.publish(text);
        }
        all
    }
}

/// One answer to a consent question, and the text version it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentAnswer {
    pub given: bool,
    pub text_version: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published(kind: ConsentKind, version: u32) -> PublishedConsentText {
        PublishedConsentText {
            kind,
            text: ConsentText {
                version,
                text_pl: format!("tekst {version}"),
                text_en: format!("text {version}"),
                since: DateTime::UNIX_EPOCH,
            },
        }
    }

    #[test]
    fn every_kind_has_its_own_wire_name() {
        for kind in ConsentKind::ALL {
            assert_eq!(ConsentKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
        assert_eq!(ConsentKind::parse("photos"), None);
    }

    #[test]
    fn a_late_older_version_does_not_replace_the_current_text() {
        let texts: ConsentTexts = [
            published(ConsentKind::DataProcessing, 2),
            published(ConsentKind::DataProcessing, 1),
            published(ConsentKind::Image, 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            texts.answer(ConsentKind::DataProcessing, true),
            Some(ConsentAnswer {
                given: true,
                text_version: 2
            })
        );
        assert_eq!(texts.current(ConsentKind::Image).unwrap().version, 1);
        assert_eq!(texts.answer(ConsentKind::KioskListing, true), None);
    }
}
