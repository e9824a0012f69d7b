//! The residents registry (mieszkańcy): people the centre helps, reused by help requests and attendance.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attendance::ImageConsent;
use crate::dictionary::{Dictionary, DictionaryKind};
use crate::help_request::Problem;
use crate::workflow::Actor;

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_PHONE_CHARS: usize = 20;
pub const MAX_ADDRESS_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 2000;

/// A resident's consent to the processing of their personal data: the version of the data-processing text
/// (`ConsentKind::DataProcessing`) they agreed to, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataConsent {
    #[serde(deserialize_with = "text_version")]
    pub text_version: u32,
    pub given_on: NaiveDate,
}

/// Consents recorded before the texts were versioned by number (issue 17) name their text "2026-01",
/// which is version 1.
fn text_version<'de, D: serde::Deserializer<'de>>(from: D) -> Result<u32, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Version {
        Number(u32),
        Named(String),
    }
    match Version::deserialize(from)? {
        Version::Number(version) => Ok(version),
        Version::Named(name) if name == "2026-01" => Ok(1),
        Version::Named(name) => Err(serde::de::Error::custom(format!(
            "unknown consent text `{name}`"
        ))),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentFields {
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    /// A district code, or empty when not known.
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub target_groups: Vec<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub consent: Option<DataConsent>,
    /// Agreed that the attendance kiosk may offer their name to pick.
    #[serde(default)]
    pub listed_at_kiosk: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resident {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: ResidentFields,
    pub recorded_at: DateTime<Utc>,
    /// Set when an organiser merged this duplicate into another resident; it then no longer shows.
    #[serde(default)]
    pub merged_into: Option<Uuid>,
    /// The latest answer to the image-consent question (at an event's kiosk), or its withdrawal.
    #[serde(default)]
    pub image_consent: Option<ImageConsent>,
    /// Set when the retention period ended and what identifies the person was removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResidentField {
    Name,
    Phone,
    Address,
    District,
    TargetGroups,
    Notes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentError {
    pub field: ResidentField,
    #[serde(flatten)]
    pub problem: Problem,
}

/// Why two residents cannot be merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeRefusal {
    SameResident,
    AlreadyMerged,
}

/// The registry entry the server makes for a request recorded without picking a resident: derived from
/// the request's id, so a replayed request finds the same entry instead of making another.
pub fn resident_id_for_request(help_request_id: Uuid) -> Uuid {
    Uuid::new_v5(&help_request_id, b"resident")
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl ResidentFields {
    pub fn normalized(&self) -> Self {
        let mut target_groups: Vec<String> = self
            .target_groups
            .iter()
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect();
        target_groups.sort();
        target_groups.dedup();
        Self {
            name: collapse(&self.name),
            phone: collapse(&self.phone),
            address: collapse(&self.address),
            district: self.district.trim().to_owned(),
            target_groups,
            notes: self.notes.trim().to_owned(),
            consent: self.consent.clone(),
            listed_at_kiosk: self.listed_at_kiosk,
        }
    }

    pub fn validate(&self, dictionary: &Dictionary) -> Result<(), Vec<ResidentError>> {
        let mut errors = Vec::new();
        let mut problem = |field, problem| errors.push(ResidentError { field, problem });
        let too_long = |text: &str, max| text.chars().count() > max;
        if self.name.trim().is_empty() {
            problem(ResidentField::Name, Problem::Required);
        } else if too_long(&self.name, MAX_NAME_CHARS) {
            problem(
                ResidentField::Name,
                Problem::TooLong {
                    max: MAX_NAME_CHARS,
                },
            );
        }
        let phone_ok = self
            .phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
        if !phone_ok || too_long(&self.phone, MAX_PHONE_CHARS) {
            problem(ResidentField::Phone, Problem::Malformed);
        }
        if too_long(&self.address, MAX_ADDRESS_CHARS) {
            problem(
                ResidentField::Address,
                Problem::TooLong {
                    max: MAX_ADDRESS_CHARS,
                },
            );
        }
        if !self.district.is_empty()
            && !dictionary.is_usable(DictionaryKind::District, &self.district)
        {
            problem(ResidentField::District, Problem::UnknownChoice);
        }
        if self
            .target_groups
            .iter()
            .any(|g| !dictionary.is_usable(DictionaryKind::TargetGroup, g))
        {
            problem(ResidentField::TargetGroups, Problem::UnknownChoice);
        }
        if too_long(&self.notes, MAX_NOTES_CHARS) {
            problem(
                ResidentField::Notes,
                Problem::TooLong {
                    max: MAX_NOTES_CHARS,
                },
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Why a correction of a registry entry is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionRefusal {
    /// What the resident decided (their data consent, being listed at the kiosk) is changed on an entry
    /// already in the registry only by an organiser or a coordinator.
    DecisionsNeedReviewer,
}

/// Applies a correction made on a device that showed `seen` of the entry: only the fields the person
/// changed there are written over `current`, so a correction someone else made meanwhile stays (the same
/// field changed by both: the later arrival wins, as with help requests).
pub fn corrected(
    current: &Resident,
    actor: &Actor,
    seen: &ResidentFields,
    typed: &ResidentFields,
) -> Result<Resident, CorrectionRefusal> {
    // Destructured without `..`: a new field must be placed here or this does not compile.
    let ResidentFields {
        name,
        phone,
        address,
        district,
        target_groups,
        notes,
        consent,
        listed_at_kiosk,
    } = typed.clone();
    if (consent != seen.consent || listed_at_kiosk != seen.listed_at_kiosk) && !actor.is_reviewer()
    {
        return Err(CorrectionRefusal::DecisionsNeedReviewer);
    }
    let mut next = current.clone();
    let fields = &mut next.fields;
    if name != seen.name {
        fields.name = name;
    }
    if phone != seen.phone {
        fields.phone = phone;
    }
    if address != seen.address {
        fields.address = address;
    }
    if district != seen.district {
        fields.district = district;
    }
    if target_groups != seen.target_groups {
        fields.target_groups = target_groups;
    }
    if notes != seen.notes {
        fields.notes = notes;
    }
    if consent != seen.consent {
        fields.consent = consent;
    }
    if listed_at_kiosk != seen.listed_at_kiosk {
        fields.listed_at_kiosk = listed_at_kiosk;
    }
    Ok(next)
}

/// The resident withdraws image consent; `None` when they had not given it (nothing to withdraw).
pub fn withdraw_image_consent(resident: &Resident, at: DateTime<Utc>) -> Option<Resident> {
    let withdrawn = resident.image_consent.as_ref()?.withdrawn(at)?;
    Some(Resident {
        image_consent: Some(withdrawn),
        ..resident.clone()
    })
}

/// Text folded for searching: lower case, without Polish (or any) diacritics, so "Łukasz" finds "lukasz".
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// Whether every word typed appears in the folded `haystack`.
pub fn matches_query(haystack_folded: &str, query_folded: &str) -> bool {
    query_folded
        .split_whitespace()
        .all(|word| haystack_folded.contains(word))
}

/// Residents whose name (or phone) matches what was typed, by name; merged duplicates never show.
pub fn search<'a>(residents: &'a [Resident], query: &str) -> Vec<&'a Resident> {
    let query = fold(query);
    let mut found: Vec<&Resident> = residents
        .iter()
        .filter(|r| r.merged_into.is_none() && r.anonymised_at.is_none())
        .filter(|r| {
            matches_query(
                &fold(&format!("{} {}", r.fields.name, r.fields.phone)),
                &query,
            )
        })
        .collect();
    found.sort_by_cached_key(|r| (fold(&r.fields.name), r.id));
    found
}

/// Merges `duplicate` into `keep`: what `keep` lacks is taken from the duplicate, target groups and notes
/// are joined, the newer consent wins. Returns both updated; the duplicate points at `keep`.
pub fn merge(keep: &Resident, duplicate: &Resident) -> Result<(Resident, Resident), MergeRefusal> {
    if keep.id == duplicate.id {
        return Err(MergeRefusal::SameResident);
    }
    if keep.merged_into.is_some() || duplicate.merged_into.is_some() {
        return Err(MergeRefusal::AlreadyMerged);
    }
    let mut kept = keep.clone();
    let (k, d) = (&mut kept.fields, &duplicate.fields);
    for (mine, theirs) in [
        (&mut k.phone, &d.phone),
        (&mut k.address, &d.address),
        (&mut k.district, &d.district),
    ] {
        if mine.is_empty() {
            mine.clone_from(theirs);
        }
    }
    k.target_groups.extend(d.target_groups.iter().cloned());
    k.target_groups.sort();
    k.target_groups.dedup();
    if !d.notes.is_empty() && !k.notes.contains(&d.notes) {
        k.notes = [k.notes.as_str(), d.notes.as_str()]
            .iter()
            .filter(|n| !n.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
    }
    k.consent = match (k.consent.take(), d.consent.clone()) {
        (Some(a), Some(b)) => Some(if b.given_on > a.given_on { b } else { a }),
        (a, b) => a.or(b),
    };
    k.listed_at_kiosk |= d.listed_at_kiosk;
    // The most recent event in either record (an answer or a withdrawal) is the person's current wish.
    let latest = |c: &ImageConsent| c.withdrawn_at.unwrap_or(c.answered_at).max(c.answered_at);
    kept.image_consent = match (keep.image_consent.clone(), duplicate.image_consent.clone()) {
        (Some(a), Some(b)) => Some(if latest(&b) > latest(&a) { b } else { a }),
        (a, b) => a.or(b),
    };
    let mut merged = duplicate.clone();
    merged.merged_into = Some(keep.id);
    Ok((kept, merged))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dictionary::tests::sample;

    fn resident(n: u128, name: &str) -> Resident {
        Resident {
            id: Uuid::from_u128(n),
            fields: ResidentFields {
                name: name.into(),
                ..Default::default()
            },
            recorded_at: DateTime::UNIX_EPOCH,
            merged_into: None,
            image_consent: None,
            anonymised_at: None,
        }
    }

    fn person(role: crate::account::Role) -> Actor {
        Actor {
            person: crate::help_request::Person {
                id: Uuid::from_u128(9),
                name: "Wiola".into(),
            },
            role,
        }
    }

    #[test]
    fn a_correction_writes_only_the_fields_changed_in_what_the_person_saw() {
        let seen = resident(1, "Anna Kowalska");
        let mut current = seen.clone();
        current.fields.phone = "600 100 200".into();
        let mut typed = seen.fields.clone();
        typed.address = "Brzozowa 7".into();

        let next = corrected(
            &current,
            &person(crate::account::Role::Volunteer),
            &seen.fields,
            &typed,
        )
        .unwrap();
        assert_eq!(
            next.fields.phone, "600 100 200",
            "the other correction stays"
        );
        assert_eq!(next.fields.address, "Brzozowa 7");
    }

    #[test]
    fn only_reviewers_change_what_the_resident_decided_on_an_existing_entry() {
        let seen = resident(1, "Anna Kowalska");
        let mut listed = seen.fields.clone();
        listed.listed_at_kiosk = true;
        let mut consented = seen.fields.clone();
        consented.consent = Some(DataConsent {
            text_version: 1,
            given_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        });
        for typed in [&listed, &consented] {
            assert_eq!(
                corrected(
                    &seen,
                    &person(crate::account::Role::Volunteer),
                    &seen.fields,
                    typed
                ),
                Err(CorrectionRefusal::DecisionsNeedReviewer)
            );
            let organiser = person(crate::account::Role::Organiser);
            assert_eq!(
                corrected(&seen, &organiser, &seen.fields, typed).map(|r| r.fields),
                Ok(typed.clone())
            );
        }
    }

    #[test]
    fn search_ignores_case_and_polish_diacritics() {
        let residents = [
            resident(1, "Łukasz Żółć"),
            resident(2, "Anna Kowalska"),
            resident(3, "łucja Ślęzak"),
        ];
        let names = |q| -> Vec<String> {
            search(&residents, q)
                .iter()
                .map(|r| r.fields.name.clone())
                .collect()
        };
        assert_eq!(names("lukasz"), ["Łukasz Żółć"]);
        assert_eq!(names("ŁUKASZ zolc"), ["Łukasz Żółć"]);
        assert_eq!(names("slez"), ["łucja Ślęzak"]);
        assert_eq!(names("lu"), ["łucja Ślęzak", "Łukasz Żółć"]);
        assert!(names("Zenon").is_empty());
    }

    #[test]
    fn merged_duplicates_do_not_show_in_search() {
        let mut duplicate = resident(2, "Anna Kowalska");
        duplicate.merged_into = Some(Uuid::from_u128(1));
        let residents = [resident(1, "Anna Kowalska"), duplicate];
        assert_eq!(search(&residents, "anna").len(), 1);
    }

    #[test]
    fn a_consent_recorded_under_the_named_text_of_2026_is_version_1() {
        let legacy: DataConsent =
            serde_json::from_str(r#"{"text_version":"2026-01","given_on":"2026-02-03"}"#).unwrap();
        assert_eq!(legacy.text_version, 1);
        let current: DataConsent =
            serde_json::from_str(r#"{"text_version":3,"given_on":"2026-02-03"}"#).unwrap();
        assert_eq!(current.text_version, 3);
    }

    #[test]
    fn merging_keeps_what_either_record_knew() {
        let mut keep = resident(1, "Anna Kowalska");
        keep.fields.phone = "600 100 200".into();
        keep.fields.target_groups = vec!["seniors".into()];
        keep.fields.consent = Some(DataConsent {
            text_version: 1,
            given_on: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        });
        let mut duplicate = resident(2, "Anna Kowalska");
        duplicate.fields.phone = "500 000 000".into();
        duplicate.fields.address = "ul. Brzozowa 7".into();
        duplicate.fields.target_groups = vec!["youth".into(), "seniors".into()];
        duplicate.fields.notes = "Klucz u sąsiadki".into();
        duplicate.fields.consent = Some(DataConsent {
            text_version: 2,
            given_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        });
        let (kept, merged) = merge(&keep, &duplicate).unwrap();
        assert_eq!(kept.fields.phone, "600 100 200");
        assert_eq!(kept.fields.address, "ul. Brzozowa 7");
        assert_eq!(kept.fields.target_groups, ["seniors", "youth"]);
        assert_eq!(kept.fields.notes, "Klucz u sąsiadki");
        assert_eq!(kept.fields.consent.unwrap().text_version, 2);
        assert_eq!(merged.merged_into, Some(keep.id));
        assert_eq!(merge(&keep, &keep), Err(MergeRefusal::SameResident));
        assert_eq!(merge(&keep, &merged), Err(MergeRefusal::AlreadyMerged));
    }

    #[test]
    fn a_resident_needs_a_name_and_known_choices() {
        let mut fields = ResidentFields {
            name: " ".into(),
            phone: "tel. 600".into(),
            district: "atlantyda".into(),
            target_groups: vec!["seniors".into(), "pirates".into()],
            ..Default::default()
        };
        let problems: Vec<_> = fields
            .validate(&sample())
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            problems,
            [
                ResidentField::Name,
                ResidentField::Phone,
                ResidentField::District,
                ResidentField::TargetGroups
            ]
        );
        fields = ResidentFields {
            name: "Jan".into(),
            phone: "+48 600-100-200".into(),
            district: "okolna".into(),
            target_groups: vec!["seniors".into()],
            ..Default::default()
        };
        assert_eq!(fields.validate(&sample()), Ok(()));
    }
}
