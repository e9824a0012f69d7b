//! What an attendance kiosk keeps to work a whole event offline: the event's public details, the names it
//! may offer, the consent text, and a way to check the organiser's exit PIN without the network.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::consent::ConsentTexts;
use crate::dictionary::DictionaryEntry;
use crate::resident::{fold, matches_query};

/// A name the kiosk may offer: someone the organiser expects, or a resident who agreed to be listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub resident_id: Uuid,
    pub name: String,
}

/// The organiser's PIN that lets staff leave the kiosk flow, as a salted hash the tablet can check
/// offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitPin {
    pub salt: String,
    pub hash: String,
}

impl ExitPin {
    pub fn new(pin: &str, salt: &str) -> Self {
        Self {
            salt: salt.to_owned(),
            hash: pin_hash(pin, salt),
        }
    }

    pub fn matches(&self, typed: &str) -> bool {
        let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        pin_hash(&typed, &self.salt) == self.hash
    }
}

fn pin_hash(pin: &str, salt: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{pin}").as_bytes()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskEvent {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
}

/// Everything the kiosk downloads once and then works from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskPackage {
    pub event: KioskEvent,
    pub roster: Vec<RosterEntry>,
    pub consent_texts: ConsentTexts,
    pub districts: Vec<DictionaryEntry>,
    pub exit_pin: ExitPin,
}

/// A tablet enrolled as the kiosk of one event, as organisers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_title: String,
    pub code_expires_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub claimed: bool,
    pub revoked: bool,
    /// Shown to organisers; lets staff leave the kiosk flow on the tablet.
    pub exit_pin: String,
}

/// An organiser asks for a kiosk for this event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub event_id: Uuid,
}

/// Shown once to the organiser: the code to type on the tablet, or the QR code that opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentCode {
    pub enrolment: Enrolment,
    pub code: String,
    pub url: String,
    pub qr_svg: String,
}

/// The code a tablet redeems to become the kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRequest {
    pub code: String,
    /// The event whose signatures this tablet still has to send (or cannot tell whether it sent). A code
    /// for another event is then refused (`409 kiosk_unsent`) and stays unused: the tablet's session, the
    /// only one that may send those signatures, is never replaced by another event's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsent_event: Option<Uuid>,
    /// The tablet's device id: with it the answer brings the tablet's unlock key for this event
    /// (`account::SessionView::Kiosk::unlock`), the same for every code the tablet redeems for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<Uuid>,
}

/// Type-ahead over the roster: nothing until two letters are typed (so the tablet never shows the whole
/// list to whoever stands there), then the names that match, diacritics ignored, at most `limit`.
pub fn find_on_roster<'a>(
    roster: &'a [RosterEntry],
    typed: &str,
    limit: usize,
) -> Vec<&'a RosterEntry> {
    let query = fold(typed.trim());
    if query.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return Vec::new();
    }
    let mut found: Vec<&RosterEntry> = roster
        .iter()
        .filter(|entry| matches_query(&fold(&entry.name), &query))
        .collect();
    found.sort_by_cached_key(|e| fold(&e.name));
    found.truncate(limit);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster() -> Vec<RosterEntry> {
        ["Łucja Żak", "Lucjan Nowak", "Anna Kowalska"]
            .iter()
            .enumerate()
            .map(|(i, name)| RosterEntry {
                resident_id: Uuid::from_u128(i as u128),
                name: (*name).into(),
            })
            .collect()
    }

    #[test]
    fn the_roster_shows_nothing_until_two_letters_then_matches_without_diacritics() {
        let roster = roster();
        assert!(find_on_roster(&roster, "", 5).is_empty());
        assert!(find_on_roster(&roster, "l", 5).is_empty());
        let names: Vec<_> = find_on_roster(&roster, "luc", 5)
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(names, ["Łucja Żak", "Lucjan Nowak"]);
        assert_eq!(find_on_roster(&roster, "luc", 1).len(), 1);
    }

    #[test]
    fn the_exit_pin_is_checked_against_its_salted_hash() {
        let pin = ExitPin::new("482913", "enrolment-1");
        assert!(pin.matches("482913"));
        assert!(pin.matches(" 482 913 "));
        assert!(!pin.matches("482914"));
        assert_ne!(pin.hash, ExitPin::new("482913", "enrolment-2").hash);
    }
}
