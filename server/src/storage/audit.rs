//! The audit log: who did what, when. Written next to the change it describes; read by coordinators.

use domain::account::Account;
use domain::audit::{AuditAction, AuditEntry, AuditFilter, AuditPage, ReadReceipt};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use uuid::Uuid;

use super::{now, Store, StoreError};

pub const AUDIT_PAGE: i64 = 100;

/// One thing that happened, as the code that did it describes it.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    /// The account that acted, if a person did.
    pub actor_id: Option<Uuid>,
    /// How the actor reads in the log: a username, `kiosk`, `cli`, or `anonymous`.
    pub actor: &'a str,
    pub action: AuditAction,
    pub target: Option<String>,
    pub details: serde_json::Value,
}

impl Store {
    pub async fn audit(&self, event: AuditEvent<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, actor, action, target, details) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(now())
        .bind(event.actor_id.map(|id| id.to_string()))
        .bind(event.actor)
        .bind(event.action.name())
        .bind(event.target)
        .bind(event.details.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Logs the openings a device of `reader` reports, each once however often it arrives.
    pub async fn record_reads(
        &self,
        reader: &Account,
        device: &str,
        receipts: &[ReadReceipt],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        for receipt in receipts {
            let details = serde_json::json!({"opened_at": receipt.opened_at, "device": device});
            sqlx::query(
                "INSERT INTO audit_log (at, actor_id, actor, action, target, details, receipt) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(&at)
            .bind(reader.id.to_string())
            .bind(&reader.username)
            .bind(receipt.read.action().name())
            .bind(receipt.read.target().to_string())
            .bind(details.to_string())
            .bind(receipt.id.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Newest first, one page.
    pub async fn audit_page(&self, filter: &AuditFilter) -> Result<AuditPage, StoreError> {
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT id, at, actor, action, target, details FROM audit_log WHERE 1 = 1",
        );
        if let Some(action) = filter.action.as_deref().filter(|a| !a.is_empty()) {
            query.push(" AND action = ").push_bind(action.to_owned());
        }
        if let Some(actor) = filter.actor.as_deref().filter(|a| !a.is_empty()) {
            query
                .push(" AND actor = ")
                .push_bind(actor.trim().to_lowercase());
        }
        if let Some(from) = filter.from {
            query.push(" AND at >= ").push_bind(from.to_string());
        }
        if let Some(to) = filter.to.and_then(|to| to.succ_opt()) {
            query.push(" AND at < ").push_bind(to.to_string());
        }
        if let Some(before) = filter.before {
            query.push(" AND id < ").push_bind(before);
        }
        query
            .push(" ORDER BY id DESC LIMIT ")
            .push_bind(AUDIT_PAGE + 1);
        let rows = query.build().fetch_all(&self.pool).await?;
        let more = rows.len() as i64 > AUDIT_PAGE;
        let entries = rows
            .iter()
            .take(AUDIT_PAGE as usize)
            .map(entry)
            .collect::<Result<Vec<_>, _>>()?;
        let older = if more {
            entries.last().map(|e| e.id)
        } else {
            None
        };
        Ok(AuditPage { entries, older })
    }
}

/// Every entry whose target is one of `targets`, oldest first: what the log says about one person's
/// records (`domain::data_rights`).
pub(super) async fn entries_about(
    conn: &mut SqliteConnection,
    targets: &[String],
) -> Result<Vec<AuditEntry>, StoreError> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT id, at, actor, action, target, details FROM audit_log WHERE target IN (",
    );
    let mut list = query.separated(", ");
    for target in targets {
        list.push_bind(target.clone());
    }
    query.push(") ORDER BY id");
    let rows = query.build().fetch_all(conn).await?;
    rows.iter().map(entry).collect()
}

fn entry(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
    let details: String = row.get("details");
    Ok(AuditEntry {
        id: row.get("id"),
        at: row.get("at"),
        actor: row.get("actor"),
        action: row.get("action"),
        target: row.get("target"),
        details: serde_json::from_str(&details)?,
    })
}
