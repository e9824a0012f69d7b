//! Kiosk enrolments: a tablet becomes the attendance kiosk of one event.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::event::Event;
use domain::kiosk::Enrolment;
use domain::report::REPORT_YEARS;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::accounts::stamp;
use super::{parse_time, parse_uuid, parse_uuid_column, Store, StoreError};

/// An enrolment code must be typed in (or scanned) this soon after it is shown.
pub const CODE_VALID_MINUTES: i64 = 15;
/// A kiosk keeps working this long after its event ends (late signatures, syncing the list).
pub const KIOSK_GRACE_HOURS: i64 = 4;

fn enrolment_from(row: &SqliteRow) -> Result<Enrolment, StoreError> {
    Ok(Enrolment {
        id: parse_uuid_column(row, "id")?,
        event_id: parse_uuid_column(row, "event_id")?,
        event_title: row.get("title"),
        code_expires_at: parse_time(row.get("code_expires_at"))?,
        expires_at: parse_time(row.get("expires_at"))?,
        claimed: row.get::<Option<String>, _>("claimed_at").is_some(),
        revoked: row.get::<Option<String>, _>("revoked_at").is_some(),
        exit_pin: row.get("exit_pin"),
    })
}

/// What redeeming an enrolment code came to.
#[derive(Debug)]
pub enum Claim {
    /// The code was current and is used now: the tablet is this enrolment's kiosk.
    Claimed(Enrolment),
    /// The code is current but for another event than the tablet must stay with; it stays unused.
    OtherEvent,
    /// Wrong, used, expired or revoked.
    Invalid,
}

const ENROLMENT_SELECT: &str =
    "SELECT d.id, d.event_id, ev.title, d.code_expires_at, d.expires_at, \
     d.claimed_at, d.revoked_at, d.exit_pin FROM device_enrolment d JOIN event ev ON ev.id = d.event_id";

impl Store {
    /// Enrols a (future) kiosk for `event`; `code_hash` is the hash of the code shown to the organiser.
    pub async fn create_enrolment(
        &self,
        event: &Event,
        code_hash: &str,
        exit_pin: &str,
        created_by: Uuid,
    ) -> Result<Enrolment, StoreError> {
        let at = Utc::now();
        let enrolment = Enrolment {
            id: Uuid::now_v7(),
            event_id: event.id,
            event_title: event.fields.title.clone(),
            code_expires_at: at + Duration::minutes(CODE_VALID_MINUTES),
            // Enrolling a tablet in the morning for an evening event, or a day ahead, is fine.
            // Stored times compare as text, which orders four-digit years only: an event on the last
            // evening of year 9999 keeps its tablet until that year ends.
            expires_at: (event.fields.ends_at + Duration::hours(KIOSK_GRACE_HOURS))
                .max(at + Duration::hours(KIOSK_GRACE_HOURS))
                .min(last_moment_of(*REPORT_YEARS.end())),
            claimed: false,
            revoked: false,
            exit_pin: exit_pin.to_owned(),
        };
        sqlx::query(
            "INSERT INTO device_enrolment (id, event_id, code_hash, code_expires_at, expires_at, created_by, created_at, exit_pin) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(enrolment.id.to_string())
        .bind(event.id.to_string())
        .bind(code_hash)
        .bind(stamp(enrolment.code_expires_at))
        .bind(stamp(enrolment.expires_at))
        .bind(created_by.to_string())
        .bind(stamp(at))
        .bind(exit_pin)
        .execute(&self.pool)
        .await?;
        Ok(enrolment)
    }

    /// Redeems a code once: the enrolment it names, if the code is current and nobody used it yet. With
    /// `only_event`, a current code for another event is left unused and answered `OtherEvent`.
    pub async fn claim_enrolment(
        &self,
        code_hash: &str,
        only_event: Option<Uuid>,
    ) -> Result<Claim, StoreError> {
        let at = stamp(Utc::now());
        let only_event = only_event.map(|id| id.to_string());
        let claimed: Option<String> = sqlx::query_scalar(
            "UPDATE device_enrolment SET code_hash = NULL, claimed_at = ?1 \
             WHERE code_hash = ?2 AND code_expires_at > ?1 AND expires_at > ?1 AND revoked_at IS NULL \
             AND (?3 IS NULL OR event_id = ?3) RETURNING id",
        )
        .bind(&at)
        .bind(code_hash)
        .bind(&only_event)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(id) = claimed {
            return Ok(match self.enrolment(parse_uuid(&id)?).await? {
                Some(enrolment) => Claim::Claimed(enrolment),
                None => Claim::Invalid,
            });
        }
        let current: Option<String> = sqlx::query_scalar(
            "SELECT id FROM device_enrolment \
             WHERE code_hash = ?2 AND code_expires_at > ?1 AND expires_at > ?1 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match current {
            Some(_) => Claim::OtherEvent,
            None => Claim::Invalid,
        })
    }

    pub async fn enrolment(&self, id: Uuid) -> Result<Option<Enrolment>, StoreError> {
        let row = sqlx::query(&format!("{ENROLMENT_SELECT} WHERE d.id = ?"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(enrolment_from).transpose()
    }

    /// Enrolments still in force or waiting for their code, newest first.
    pub async fn current_enrolments(&self) -> Result<Vec<Enrolment>, StoreError> {
        let at = stamp(Utc::now());
        let rows = sqlx::query(&format!(
            "{ENROLMENT_SELECT} WHERE d.revoked_at IS NULL AND d.expires_at > ? \
             AND (d.claimed_at IS NOT NULL OR d.code_expires_at > ?) ORDER BY d.created_at DESC"
        ))
        .bind(&at)
        .bind(&at)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(enrolment_from).collect()
    }

    /// Revokes the enrolment and ends the kiosk's session; `false` if there was no such enrolment.
    pub async fn revoke_enrolment(&self, id: Uuid) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let revoked = sqlx::query(
            "UPDATE device_enrolment SET revoked_at = ?, code_hash = NULL WHERE id = ? AND revoked_at IS NULL",
        )
        .bind(stamp(Utc::now()))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM session WHERE enrolment_id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(revoked.rows_affected() == 1)
    }
}

fn last_moment_of(year: i32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, 12, 31)
        .and_then(|day| day.and_hms_milli_opt(23, 59, 59, 999))
        .expect("the last moment of a year within chrono's calendar")
        .and_utc()
}
