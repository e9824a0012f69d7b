//! What a coordinator sets on the server (the `setting` table: a key, a value as text); a key never set
//! means the domain's default (`domain::settings`).

use domain::settings::NumberSetting;
use sqlx::SqliteConnection;

use super::{Store, StoreError};

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

pub(super) async fn number_setting<S: NumberSetting>(
    conn: &mut SqliteConnection,
) -> Result<S, StoreError> {
    match setting(conn, S::KEY).await? {
        None => Ok(S::default()),
        Some(text) => text
            .parse()
            .ok()
            .and_then(S::new)
            .ok_or(StoreError::BadValue(format!("{} {text}", S::KEY))),
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

    pub async fn number_setting<S: NumberSetting>(&self) -> Result<S, StoreError> {
        let mut conn = self.pool.acquire().await?;
        number_setting(&mut conn).await
    }

    pub async fn set_number_setting<S: NumberSetting>(&self, value: S) -> Result<(), StoreError> {
        self.set_setting(S::KEY, value.number().to_string()).await
    }
}
