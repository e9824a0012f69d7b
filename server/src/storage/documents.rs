//! The one way a synced record is stored: the whole record as the domain shapes it, as JSON in its table's
//! `data` column, beside the columns that queries filter on (and only those). Loading, saving and the
//! change-log entry that carries the record to devices are the same for every kind; a kind declares its
//! table and columns (`impl Document`) and nothing else.

use domain::sync::protocol::RecordKind;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::{log_change, StoreError};

/// A value of an indexed column.
pub(super) enum Column {
    Text(String),
    MaybeText(Option<String>),
    Flag(bool),
}

/// A synced record kept as a document.
pub(super) trait Document: Serialize + DeserializeOwned {
    /// What devices pull it as.
    const KIND: RecordKind;
    const TABLE: &'static str;
    /// The table's key column.
    const KEY: &'static str;

    fn key(&self) -> Uuid;

    /// The columns queries need, rewritten from the record on every save so they never drift from it.
    fn columns(&self) -> Vec<(&'static str, Column)>;
}

pub(super) async fn load<D: Document>(
    conn: &mut SqliteConnection,
    key: Uuid,
) -> Result<Option<D>, StoreError> {
    let sql = format!("SELECT data FROM {} WHERE {} = ?", D::TABLE, D::KEY);
    let data: Option<String> = sqlx::query_scalar(&sql)
        .bind(key.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
}

/// Writes the record's state over its row (adding the row for a new record) and moves it to a new cursor
/// for the pull, in the caller's transaction.
pub(super) async fn save<D: Document>(
    conn: &mut SqliteConnection,
    document: &D,
) -> Result<(), StoreError> {
    let data = serde_json::to_string(document)?;
    let key = document.key().to_string();
    let columns = document.columns();
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let assignments: String = names.iter().map(|name| format!("{name} = ?, ")).collect();
    let update = format!(
        "UPDATE {} SET {assignments}data = ? WHERE {} = ?",
        D::TABLE,
        D::KEY
    );
    let mut query = sqlx::query(&update);
    for (_, value) in &columns {
        query = bind(query, value);
    }
    let updated = query.bind(&data).bind(&key).execute(&mut *conn).await?;
    if updated.rows_affected() == 0 {
        let insert = format!(
            "INSERT INTO {} ({}, {}data) VALUES (?, {}?)",
            D::TABLE,
            D::KEY,
            names
                .iter()
                .map(|name| format!("{name}, "))
                .collect::<String>(),
            "?, ".repeat(names.len())
        );
        let mut query = sqlx::query(&insert).bind(&key);
        for (_, value) in &columns {
            query = bind(query, value);
        }
        query.bind(&data).execute(&mut *conn).await?;
    }
    log_change(conn, D::KIND, &key, &data).await
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

fn bind<'q>(query: Query<'q>, value: &'q Column) -> Query<'q> {
    match value {
        Column::Text(text) => query.bind(text.as_str()),
        Column::MaybeText(text) => query.bind(text.as_deref()),
        Column::Flag(flag) => query.bind(*flag),
    }
}
