//! What a coordinator sets on the server (the `setting` table: a key, a value as text); a key never set
//! means the domain's default.

use domain::need_to_know::ClosedRequestDays;
use sqlx::SqliteConnection;

use super::{Store, StoreError};

const CLOSED_REQUEST_DAYS: &str = "closed_request_days";

/// The stored text of `key`, if it was ever set.
pub(super) async fn setting(
    conn: &mut SqliteConnection,
    key: &str,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM setting WHERE key = ?")
            .bind(key)
            .fetch_optional(conn)
            .await?,
    )
}

pub(super) async fn closed_request_days(
    conn: &mut SqliteConnection,
) -> Result<ClosedRequestDays, StoreError> {
    match setting(conn, CLOSED_REQUEST_DAYS).await? {
        None => Ok(ClosedRequestDays::default()),
        Some(text) => {
            text.parse()
                .ok()
                .and_then(ClosedRequestDays::new)
                .ok_or(StoreError::BadValue(format!(
                    "{CLOSED_REQUEST_DAYS} {text}"
                )))
        }
    }
}

impl Store {
    pub(super) async fn set_setting(&self, key: &str, value: String) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO setting (key, value) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn closed_request_days(&self) -> Result<ClosedRequestDays, StoreError> {
        let mut conn = self.pool.acquire().await?;
        closed_request_days(&mut conn).await
    }

    pub async fn set_closed_request_days(&self, days: ClosedRequestDays) -> Result<(), StoreError> {
        self.set_setting(CLOSED_REQUEST_DAYS, days.days.to_string())
            .await
    }
}
