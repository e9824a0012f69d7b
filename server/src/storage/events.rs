//! Events in SQLite: the whole event as JSON beside the columns enrolment and listing query, and every
//! change in the change log so devices have the events offline.

use chrono::Utc;
use domain::event::{Event, EventFields};
use domain::sync::protocol::RecordKind;
use domain::workflow::Actor;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::accounts::stamp;
use super::{log_change, Store, StoreError};

async fn save(conn: &mut SqliteConnection, event: &Event) -> Result<(), StoreError> {
    let data = serde_json::to_string(event)?;
    sqlx::query("UPDATE event SET title = ?, starts_at = ?, ends_at = ?, data = ? WHERE id = ?")
        .bind(&event.fields.title)
        .bind(stamp(event.fields.starts_at))
        .bind(stamp(event.fields.ends_at))
        .bind(&data)
        .bind(event.id.to_string())
        .execute(&mut *conn)
        .await?;
    log_change(conn, RecordKind::Event, &event.id.to_string(), &data).await
}

pub(super) async fn load(
    conn: &mut SqliteConnection,
    id: Uuid,
) -> Result<Option<Event>, StoreError> {
    let data: Option<String> = sqlx::query_scalar("SELECT data FROM event WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
}

impl Store {
    /// Stores a new event; `fields` are already normalised and valid. An empty organiser means the
    /// person who created it.
    pub async fn create_event(
        &self,
        mut fields: EventFields,
        by: &Actor,
    ) -> Result<Event, StoreError> {
        if fields.organiser.is_empty() {
            fields.organiser.clone_from(&by.person.name);
        }
        let event = Event {
            id: Uuid::now_v7(),
            fields,
            created_by: Some(by.person.clone()),
            created_at: Utc::now(),
        };
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO event (id, title, starts_at, ends_at, created_by, created_at) VALUES (?, '', '', '', ?, ?)",
        )
        .bind(event.id.to_string())
        .bind(by.person.id.to_string())
        .bind(stamp(event.created_at))
        .execute(&mut *tx)
        .await?;
        save(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(event)
    }

    /// Replaces an event's details; `None` when there is no such event.
    pub async fn update_event(
        &self,
        id: Uuid,
        fields: EventFields,
    ) -> Result<Option<Event>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(mut event) = load(&mut tx, id).await? else {
            return Ok(None);
        };
        event.fields = fields;
        save(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Some(event))
    }

    /// All events, the latest start first.
    pub async fn events(&self) -> Result<Vec<Event>, StoreError> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM event ORDER BY starts_at DESC")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|d| serde_json::from_str(d).map_err(StoreError::from))
            .collect()
    }

    pub async fn event(&self, id: Uuid) -> Result<Option<Event>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }
}
