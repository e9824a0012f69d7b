//! Attendance lists and image consent in SQLite. The list is one JSON record per event (the domain decides
//! every change); the `attendance` table beside it answers "who was where" for reports and withdrawals.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::attendance::{
    AttendanceList, Author, ImageConsent, ListChange, ListRefusal, RecordedBy,
};
use domain::consent::{ConsentKind, ConsentText, ConsentTexts, PublishedConsentText};
use domain::dictionary::{Dictionary, DictionaryKind};
use domain::event::Event;
use domain::help_request::Person;
use domain::kiosk::RosterEntry;
use domain::report::local_date;
use domain::resident::{withdraw_image_consent, DataConsent, Resident, ResidentFields};
use domain::sync::protocol::{
    ChangeAttendance, Outcome, RecordKind, RejectReason, WithdrawImageConsent,
};
use domain::workflow::Actor;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::accounts::stamp;
use super::documents::{self, Column, Document};
use super::{log_change, residents, Store, StoreError};

impl Document for AttendanceList {
    const KIND: RecordKind = RecordKind::AttendanceList;
    const TABLE: &'static str = "attendance_list";
    const KEY: &'static str = "event_id";

    fn key(&self) -> Uuid {
        self.event_id
    }

    fn columns(&self) -> Vec<(&'static str, Column)> {
        vec![("approved", Column::Flag(self.is_locked()))]
    }
}

pub(super) async fn save(
    conn: &mut SqliteConnection,
    list: &mut AttendanceList,
) -> Result<(), StoreError> {
    list.revision += 1;
    documents::save(conn, &*list).await?;
    let event_id = list.event_id.to_string();
    sqlx::query("DELETE FROM attendance WHERE event_id = ?")
        .bind(&event_id)
        .execute(&mut *conn)
        .await?;
    for entry in &list.entries {
        sqlx::query(
            "INSERT INTO attendance (id, event_id, resident_id, present, image_consent) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(entry.id.to_string())
        .bind(&event_id)
        .bind(entry.resident_id().to_string())
        .bind(entry.is_present())
        .bind(entry.image_consent.map(|c| c.given))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn refused(refusal: ListRefusal) -> Outcome {
    Outcome::Rejected {
        reason: RejectReason::ListRefused { refusal },
    }
}

/// Applies a change to an event's list through `AttendanceList::apply`. A new entry also updates the
/// resident: a walk-in joins the registry with the consents they gave, and the image-consent answer
/// becomes their current one.
pub(super) async fn change(
    conn: &mut SqliteConnection,
    request: ChangeAttendance,
    at: DateTime<Utc>,
    author: &Author,
    dictionary: &Dictionary,
) -> Result<Outcome, StoreError> {
    if documents::load::<Event>(conn, request.event_id)
        .await?
        .is_none()
    {
        return Ok(Outcome::Rejected {
            reason: RejectReason::UnknownRecord,
        });
    }
    let list = documents::load::<AttendanceList>(conn, request.event_id)
        .await?
        .unwrap_or_else(|| AttendanceList::new(request.event_id));
    if list.anonymised_at.is_some() {
        return Ok(Outcome::Rejected {
            reason: RejectReason::Anonymised,
        });
    }
    let mut next = match list.apply(author, &request.change, dictionary, at) {
        Ok(next) => next,
        // The kiosk cannot ask anyone; a person who signed twice is on the list once, which is the point.
        Err(ListRefusal::AlreadyPresent { .. }) if matches!(author, Author::Kiosk { .. }) => {
            return Ok(Outcome::Duplicate)
        }
        Err(refusal) => return Ok(refused(refusal)),
    };
    if next == list {
        return Ok(Outcome::Duplicate);
    }
    if let ListChange::Record(new) = &request.change {
        let entry = next
            .entries
            .iter_mut()
            .find(|a| a.id == new.attendance_id)
            .expect("the entry just recorded");
        let resident_id = entry.resident_id();
        if entry.attendee.resident_id.is_none() {
            let recorded_by = match &entry.recorded_by {
                RecordedBy::Person(person) => Some(person.id),
                RecordedBy::Kiosk => None,
            };
            let registration = entry.registration;
            let fields = ResidentFields {
                name: entry.attendee.name.clone(),
                phone: entry.attendee.phone.clone(),
                district: entry.attendee.district.clone(),
                consent: registration
                    .filter(|r| r.data_processing.given)
                    .map(|r| DataConsent {
                        text_version: r.data_processing.text_version,
                        given_on: local_date(at),
                    }),
                listed_at_kiosk: registration.is_some_and(|r| r.kiosk_listing.given),
                ..Default::default()
            };
            residents::add_if_missing(conn, resident_id, fields, at, recorded_by).await?;
            entry.attendee.resident_id = Some(resident_id);
        }
        if let Some(answer) = entry.image_consent {
            if let Some(mut resident) = documents::load::<Resident>(conn, resident_id).await? {
                let consent = ImageConsent::answered(resident.image_consent.as_ref(), answer, at);
                if resident.image_consent.as_ref() != Some(&consent) {
                    resident.image_consent = Some(consent);
                    documents::save(conn, &resident).await?;
                }
            }
        }
    }
    save(conn, &mut next).await?;
    Ok(Outcome::Applied)
}

/// The resident withdraws image consent: stored on the resident, and every event they attended with
/// consent gets its photos flagged for checking.
pub(super) async fn withdraw(
    conn: &mut SqliteConnection,
    request: WithdrawImageConsent,
    at: DateTime<Utc>,
    actor: &Actor,
) -> Result<Outcome, StoreError> {
    let Some(resident) = documents::load::<Resident>(conn, request.resident_id).await? else {
        return Ok(Outcome::Rejected {
            reason: RejectReason::UnknownRecord,
        });
    };
    let Some(withdrawn) = withdraw_image_consent(&resident, at) else {
        return Ok(Outcome::Rejected {
            reason: RejectReason::NoImageConsent,
        });
    };
    documents::save(conn, &withdrawn).await?;
    let attended: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT event_id FROM attendance WHERE resident_id = ? AND present = 1 AND image_consent = 1",
    )
    .bind(resident.id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    for event_id in attended {
        let Some(list) =
            documents::load::<AttendanceList>(conn, super::parse_uuid(&event_id)?).await?
        else {
            continue;
        };
        if let Some(mut flagged) = list.flag_consent_withdrawal(resident.id, &actor.person, at) {
            save(conn, &mut flagged).await?;
        }
    }
    Ok(Outcome::Applied)
}

async fn consent_text(
    conn: &mut SqliteConnection,
    kind: ConsentKind,
) -> Result<ConsentText, StoreError> {
    let row: (i64, String, String, String) = sqlx::query_as(
        "SELECT version, text_pl, text_en, since FROM consent_text WHERE kind = ? ORDER BY version DESC LIMIT 1",
    )
    .bind(kind.as_str())
    .fetch_one(conn)
    .await?;
    Ok(ConsentText {
        version: u32::try_from(row.0)
            .map_err(|_| StoreError::BadValue("consent version".into()))?,
        text_pl: row.1,
        text_en: row.2,
        since: super::parse_time(row.3)?,
    })
}

impl Store {
    pub async fn attendance_list(
        &self,
        event_id: Uuid,
    ) -> Result<Option<AttendanceList>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        documents::load(&mut conn, event_id).await
    }

    /// The registry's current district of each listed resident (of the resident a duplicate was merged
    /// into), for lists and exports that show where people live.
    pub async fn registry_districts(
        &self,
        list: &AttendanceList,
    ) -> Result<HashMap<Uuid, String>, StoreError> {
        let ids: Vec<String> = list
            .entries
            .iter()
            .map(|entry| entry.resident_id().to_string())
            .collect();
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT r.id, coalesce(m.district, r.district) FROM resident r \
             LEFT JOIN resident m ON m.id = r.merged_into \
             WHERE r.id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::to_string(&ids)?)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, district)| {
                let id = Uuid::parse_str(&id).map_err(|e| StoreError::BadValue(e.to_string()))?;
                Ok((id, district))
            })
            .collect()
    }

    pub async fn consent_text(&self, kind: ConsentKind) -> Result<ConsentText, StoreError> {
        let mut conn = self.pool.acquire().await?;
        consent_text(&mut conn, kind).await
    }

    /// The text now asked for every kind of consent.
    pub async fn consent_texts(&self) -> Result<ConsentTexts, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut texts = Vec::new();
        for kind in ConsentKind::ALL {
            let text = consent_text(&mut conn, kind).await?;
            texts.push(PublishedConsentText { kind, text });
        }
        Ok(texts.into_iter().collect())
    }

    /// Stores a changed text as the next version of its kind (devices learn it through the pull); the same
    /// text again changes nothing and returns `None`.
    pub async fn revise_consent_text(
        &self,
        kind: ConsentKind,
        text_pl: &str,
        text_en: &str,
        by: &Person,
    ) -> Result<Option<ConsentText>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let current = consent_text(&mut tx, kind).await?;
        let Some(revised) = current.revise(text_pl, text_en, Utc::now()) else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO consent_text (kind, version, text_pl, text_en, since, created_by) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(kind.as_str())
        .bind(i64::from(revised.version))
        .bind(&revised.text_pl)
        .bind(&revised.text_en)
        .bind(stamp(revised.since))
        .bind(by.id.to_string())
        .execute(&mut *tx)
        .await?;
        let published = PublishedConsentText {
            kind,
            text: revised.clone(),
        };
        let data = serde_json::to_string(&published)?;
        log_change(&mut tx, RecordKind::ConsentText, kind.as_str(), &data).await?;
        tx.commit().await?;
        Ok(Some(revised))
    }

    /// The names a kiosk may offer: the residents the organiser expects, and residents who agreed to be
    /// listed, by name, without duplicates. Nothing else about them leaves the server.
    pub async fn kiosk_roster(&self, expected: &[Person]) -> Result<Vec<RosterEntry>, StoreError> {
        let listed: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, name FROM resident WHERE merged_into IS NULL \
             AND json_extract(data, '$.listed_at_kiosk') = 1 ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut roster: Vec<RosterEntry> = expected
            .iter()
            .map(|p| RosterEntry {
                resident_id: p.id,
                name: p.name.clone(),
            })
            .collect();
        for (id, name) in listed {
            let resident_id = super::parse_uuid(&id)?;
            if !roster.iter().any(|e| e.resident_id == resident_id) {
                roster.push(RosterEntry { resident_id, name });
            }
        }
        Ok(roster)
    }

    /// The districts a walk-in may pick from, in their configured order.
    pub async fn districts(&self) -> Result<Vec<domain::dictionary::DictionaryEntry>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let dictionary = super::load_dictionary(&mut conn).await?;
        Ok(dictionary
            .active(DictionaryKind::District)
            .cloned()
            .collect())
    }
}
