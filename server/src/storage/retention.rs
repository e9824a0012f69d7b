//! The retention period and its confirmed application: what the domain's plan names is rewritten in one
//! transaction (devices get the anonymised records through the pull), then photo files nobody uses any
//! more are deleted.

use chrono::{DateTime, NaiveDate, Utc};
use domain::retention::{self, RetentionCounts, RetentionPeriod};
use sqlx::SqliteConnection;

use super::reports::load_records;
use super::{attendance, documents, help_requests, photos, settings, Store, StoreError};

const RETENTION_YEARS: &str = "retention_years";

async fn stored_period(conn: &mut SqliteConnection) -> Result<RetentionPeriod, StoreError> {
    match settings::setting(conn, RETENTION_YEARS).await? {
        None => Ok(RetentionPeriod::default()),
        Some(text) => text
            .parse()
            .ok()
            .and_then(|years| RetentionPeriod::new(years).ok())
            .ok_or(StoreError::BadValue(format!("{RETENTION_YEARS} {text}"))),
    }
}

impl Store {
    pub async fn retention_period(&self) -> Result<RetentionPeriod, StoreError> {
        let mut conn = self.pool.acquire().await?;
        stored_period(&mut conn).await
    }

    pub async fn set_retention_period(&self, period: RetentionPeriod) -> Result<(), StoreError> {
        self.set_setting(RETENTION_YEARS, period.years.to_string())
            .await
    }

    /// What the period makes due on `today`, counted.
    pub async fn retention_due(
        &self,
        period: RetentionPeriod,
        today: NaiveDate,
    ) -> Result<RetentionCounts, StoreError> {
        let records = self.report_records().await?;
        Ok(retention::plan(period, today, &records.data()).counts())
    }

    /// Anonymises what is due on `today` under the stored period, which must still be `confirmed` (else
    /// `None`: someone changed it since the coordinator looked). Returns what was changed.
    pub async fn apply_retention(
        &self,
        confirmed: RetentionPeriod,
        today: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<Option<RetentionCounts>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if stored_period(&mut tx).await? != confirmed {
            return Ok(None);
        }
        let records = load_records(&mut tx).await?;
        let plan = retention::plan(confirmed, today, &records.data());
        for resident in records
            .residents
            .iter()
            .filter(|r| plan.residents.contains(&r.id))
        {
            documents::save(&mut tx, &retention::anonymise_resident(resident, at)).await?;
        }
        for request in records
            .requests
            .iter()
            .filter(|r| plan.help_requests.contains(&r.id))
        {
            help_requests::save(&mut tx, &retention::anonymise_help_request(request, at)).await?;
        }
        for list in records
            .lists
            .iter()
            .filter(|l| plan.attendance_lists.contains(&l.event_id))
        {
            let mut list = retention::anonymise_attendance_list(list, at);
            attendance::save(&mut tx, &mut list).await?;
        }
        let erased: Vec<_> = records
            .photos
            .iter()
            .filter(|p| plan.photos.contains(&p.id))
            .map(|p| retention::erase_photo(p, at))
            .collect();
        let unused = photos::erase(&mut tx, &erased, &records.photo_files).await?;
        tx.commit().await?;
        self.remove_photo_files(&unused)?;
        Ok(Some(plan.counts()))
    }
}
