//! Events in SQLite: the whole event as JSON beside the columns enrolment and listing query, and every
//! change in the change log so devices have the events offline.

use chrono::Utc;
use domain::event::{Event, EventFields};
use domain::sync::protocol::RecordKind;
use domain::workflow::Actor;
use uuid::Uuid;

use super::accounts::stamp;
use super::documents::{self, Column, Document};
use super::{Store, StoreError};

impl Document for Event {
    const KIND: RecordKind = RecordKind::Event;
    const TABLE: &'static str = "event";
    const KEY: &'static str = "id";

    fn key(&self) -> Uuid {
        self.id
    }

    /// Listing sorts by start; enrolment reads the title and the times.
    fn columns(&self) -> Vec<(&'static str, Column)> {
        vec![
            ("title", Column::Text(self.fields.title.clone())),
            ("starts_at", Column::Text(stamp(self.fields.starts_at))),
            ("ends_at", Column::Text(stamp(self.fields.ends_at))),
        ]
    }
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
        documents::save(&mut tx, &event).await?;
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
        let Some(mut event) = documents::load::<Event>(&mut tx, id).await? else {
            return Ok(None);
        };
        event.fields = fields;
        documents::save(&mut tx, &event).await?;
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
        documents::load(&mut conn, id).await
    }
}
