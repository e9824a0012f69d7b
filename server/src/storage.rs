//! SQLite storage: the only code that speaks SQL. Handlers call it; the domain crate decides what is valid.

pub mod accounts;
mod attendance;
pub mod audit;
pub mod data_rights;
pub mod devices;
mod documents;
mod events;
mod help_requests;
mod meeting_notes;
pub mod photo_files;
mod photos;
pub mod reports;
mod residents;
mod retention;
mod settings;

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use domain::account::Principal;
use domain::attendance::Author;
use domain::dictionary::{Dictionary, DictionaryEntry};
use domain::help_request::Person;
use domain::need_to_know::{need, ClosedRequestDays, Reach, Reader, Scope};
use domain::sync::protocol::{
    Change, Mutation, MutationEnvelope, MutationResult, Outcome, PullResponse, PushRequest,
    ReadableKeys, Record, RecordKind, RejectReason,
};
use sqlx::sqlite::SqliteRow;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use uuid::Uuid;

pub const DATABASE_FILE: &str = "sasiedzi.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored record is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("stored value is malformed: {0}")]
    BadValue(String),
    #[error("photo files: {0}")]
    Files(std::io::Error),
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    photo_files: photo_files::PhotoFiles,
    /// Accounts are never deleted: once one exists the install stays set up, and page loads need not ask.
    set_up: Arc<AtomicBool>,
}

impl Store {
    /// Opens (creating and migrating when needed) the database file in `data_dir`.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(data_dir.join(DATABASE_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // An answer the device takes as "the server has it" must survive a power cut: every commit
            // reaches the disk before the answer leaves (NORMAL could lose the last ones in WAL mode).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self {
            pool,
            photo_files: photo_files::PhotoFiles::new(data_dir),
            set_up: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Applies a batch in one transaction: either every answer is committed with its effect, or (on a
    /// database failure) nothing is, and the client sends the batch again.
    pub async fn push(
        &self,
        request: &PushRequest,
        author: &Author,
    ) -> Result<Vec<MutationResult>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let dictionary = load_dictionary(&mut tx).await?;
        let mut results: Vec<MutationResult> = Vec::with_capacity(request.mutations.len());
        // What each id said earlier in this batch.
        let mut said: HashMap<Uuid, String> = HashMap::new();
        for envelope in &request.mutations {
            let content = content_hash(envelope)?;
            let (outcome, fresh) = if let Some(earlier) = said.get(&envelope.id) {
                (
                    same_or_conflict(earlier == &content, Outcome::Duplicate),
                    false,
                )
            } else if let Some((stored, stored_content)) =
                stored_outcome(&mut tx, envelope.id).await?
            {
                let same = stored_content.is_none_or(|stored| stored == content);
                (same_or_conflict(same, stored), false)
            } else {
                let outcome =
                    apply_alone(&mut tx, envelope, request.device_id, author, &dictionary).await?;
                record_outcome(&mut tx, envelope, request.device_id, &outcome, &content).await?;
                (outcome, true)
            };
            said.entry(envelope.id).or_insert(content);
            if !(fresh && outcome == Outcome::Applied) {
                relog_target(&mut tx, envelope).await?;
            }
            results.push(MutationResult {
                mutation_id: envelope.id,
                outcome,
            });
        }
        tx.commit().await?;
        Ok(results)
    }

    /// Changes committed after `since` that `reader` may hold, oldest first, at most `limit` of them, cut
    /// to the fields the reader needs: both as `need_to_know::need` says. The last page also names, for
    /// each kind the reader holds only part of, every record they may hold now (`PullResponse::readable`).
    /// A change under a name no kind has goes to nobody. `now` decides which closed requests still reach
    /// volunteers.
    pub async fn pull(
        &self,
        principal: Principal,
        since: i64,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<PullResponse, StoreError> {
        let Some(reader) = Reader::of(principal) else {
            return Ok(PullResponse {
                changes: Vec::new(),
                next_cursor: since,
                has_more: false,
                readable: Vec::new(),
            });
        };
        let account = match principal {
            Principal::User { id, .. } => id,
            Principal::Anonymous | Principal::Kiosk { .. } => Uuid::nil(),
        };
        let mut tx = self.pool.begin().await?;
        let days: ClosedRequestDays = settings::number_setting(&mut tx).await?;
        let closed_before = accounts::stamp(days.leave_before(now));
        let rows = sqlx::query(&PULL_QUERIES[&reader])
            .bind(account.to_string())
            .bind(&closed_before)
            .bind(since)
            .bind(i64::from(limit) + 1)
            .fetch_all(&mut *tx)
            .await?;
        let has_more = rows.len() > limit as usize;
        let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
        for row in rows.into_iter().take(limit as usize) {
            let entity: String = row.get("entity");
            let data: String = row.get("data");
            changes.push(Change {
                cursor: row.get("cursor"),
                record: as_needed(Record::from_log(&entity, &data)?, reader, account),
            });
        }
        // Read in the same transaction as the page, so the keys name what the page brought.
        let readable = if has_more {
            Vec::new()
        } else {
            readable_keys(&mut tx, reader, account, &closed_before).await?
        };
        let next_cursor = changes.last().map_or(since, |c| c.cursor);
        Ok(PullResponse {
            changes,
            next_cursor,
            has_more,
            readable,
        })
    }

    /// Active volunteers, by name: whom an organiser can assign.
    pub async fn volunteers(&self) -> Result<Vec<Person>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, display_name FROM account WHERE role = 'volunteer' AND active = 1 \
             ORDER BY display_name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Person {
                    id: parse_uuid_column(row, "id")?,
                    name: row.get("display_name"),
                })
            })
            .collect()
    }

    /// Every dictionary entry, retired ones included (old records keep their labels).
    pub async fn dictionary(&self) -> Result<Dictionary, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_dictionary(&mut conn).await
    }

    pub async fn help_request_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM help_request")
            .fetch_one(&self.pool)
            .await?)
    }
}

async fn load_dictionary(conn: &mut SqliteConnection) -> Result<Dictionary, StoreError> {
    let rows = sqlx::query(
        "SELECT kind, code, label_pl, label_en, position, active FROM dictionary_entry",
    )
    .fetch_all(conn)
    .await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        entries.push(DictionaryEntry {
            kind: serde_json::from_value(serde_json::Value::String(row.get("kind")))?,
            code: row.get("code"),
            label_pl: row.get("label_pl"),
            label_en: row.get("label_en"),
            position: row.get("position"),
            active: row.get("active"),
        });
    }
    Ok(Dictionary::new(entries))
}

/// What a mutation says (its kind and payload), as a hash: one id must always say the same thing.
fn content_hash(envelope: &MutationEnvelope) -> Result<String, StoreError> {
    let said = serde_json::to_string(&(&envelope.kind, &envelope.payload))?;
    Ok(domain::photo::sha256_hex(said.as_bytes()))
}

/// The answer to an id used before: the earlier answer when it says the same, else a conflict (a
/// different mutation wearing a used key changes nothing).
fn same_or_conflict(same: bool, answer: Outcome) -> Outcome {
    if same {
        answer
    } else {
        Outcome::Rejected {
            reason: RejectReason::Conflict,
        }
    }
}

/// The stored answer to a mutation id, with the hash of what it said (none for answers stored before
/// hashes were kept).
async fn stored_outcome(
    conn: &mut SqliteConnection,
    id: Uuid,
) -> Result<Option<(Outcome, Option<String>)>, StoreError> {
    let stored: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT outcome, content_sha256 FROM applied_mutation WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
    stored
        .map(|(json, content)| Ok((serde_json::from_str(&json)?, content)))
        .transpose()
}

async fn record_outcome(
    conn: &mut SqliteConnection,
    envelope: &MutationEnvelope,
    device_id: Uuid,
    outcome: &Outcome,
    content: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO applied_mutation (id, device_id, kind, outcome, received_at, content_sha256) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(envelope.id.to_string())
        .bind(device_id.to_string())
        .bind(&envelope.kind)
        .bind(serde_json::to_string(outcome)?)
        .bind(now())
        .bind(content)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies one mutation of a batch so that, when the database refuses what it would write (a key or a
/// reference another record holds), it is refused alone: its writes are undone and the rest of the batch
/// goes on. Any other failure (disk, I/O) fails the batch, which the device sends again.
async fn apply_alone(
    conn: &mut SqliteConnection,
    envelope: &MutationEnvelope,
    device_id: Uuid,
    author: &Author,
    dictionary: &Dictionary,
) -> Result<Outcome, StoreError> {
    sqlx::query("SAVEPOINT mutation")
        .execute(&mut *conn)
        .await?;
    let outcome = match apply(conn, envelope, device_id, author, dictionary).await {
        Err(StoreError::Database(sqlx::Error::Database(refused)))
            if refused.kind() != sqlx::error::ErrorKind::Other =>
        {
            tracing::warn!(mutation = %envelope.id, kind = %envelope.kind, error = %refused, "mutation refused by the database");
            sqlx::query("ROLLBACK TO mutation")
                .execute(&mut *conn)
                .await?;
            Outcome::Rejected {
                reason: RejectReason::Conflict,
            }
        }
        applied => applied?,
    };
    sqlx::query("RELEASE mutation").execute(&mut *conn).await?;
    Ok(outcome)
}

async fn apply(
    conn: &mut SqliteConnection,
    envelope: &MutationEnvelope,
    device_id: Uuid,
    author: &Author,
    dictionary: &Dictionary,
) -> Result<Outcome, StoreError> {
    let mutation = match Mutation::from_envelope(envelope) {
        Ok(mutation) => mutation,
        Err(reason) => return Ok(Outcome::Rejected { reason }),
    };
    let at = envelope.recorded_at;
    let staff = match (author, mutation) {
        (Author::Staff(actor), mutation) => (actor, mutation),
        (Author::Kiosk { .. }, Mutation::ChangeAttendance(m)) => {
            return attendance::change(conn, m, at, author, dictionary).await
        }
        // A kiosk records signatures and nothing else.
        (Author::Kiosk { .. }, _) => {
            return Ok(Outcome::Rejected {
                reason: RejectReason::Forbidden,
            })
        }
    };
    match staff {
        (actor, Mutation::CreateHelpRequest(m)) => {
            help_requests::create(conn, m, at, device_id, actor, dictionary).await
        }
        (actor, Mutation::EditHelpRequest(m)) => {
            help_requests::edit(conn, m, at, actor, dictionary).await
        }
        (actor, Mutation::ActOnHelpRequest(m)) => help_requests::act(conn, m, at, actor).await,
        (actor, Mutation::CreateResident(m)) => {
            residents::create(conn, m, at, actor, dictionary).await
        }
        (actor, Mutation::EditResident(m)) => residents::edit(conn, m, actor, dictionary).await,
        (actor, Mutation::MergeResidents(m)) => residents::merge_duplicate(conn, m, actor).await,
        (_, Mutation::ChangeAttendance(m)) => {
            attendance::change(conn, m, at, author, dictionary).await
        }
        (actor, Mutation::WithdrawImageConsent(m)) => {
            attendance::withdraw(conn, m, at, actor).await
        }
        (actor, Mutation::AttachPhoto(m)) => photos::attach(conn, m, at, actor).await,
        (actor, Mutation::ReviewPhoto(m)) => photos::review(conn, m, at, actor).await,
        (actor, Mutation::WriteMeetingNote(m)) => meeting_notes::write(conn, m, at, actor).await,
        (actor, Mutation::ReviewMeetingNote(m)) => meeting_notes::review(conn, m, at, actor).await,
    }
}

/// The keys of the records a scope grants, as SQL: `?1` is the reader's account id, `?2` the moment before
/// which closed requests no longer reach volunteers (`need_to_know::ClosedRequestDays`).
fn scope_keys(scope: Scope) -> &'static str {
    match scope {
        Scope::TheirRequests => THEIR_REQUESTS,
        Scope::ResidentsOfTheirRequests => {
            static RESIDENTS: LazyLock<String> = LazyLock::new(|| {
                format!(
                    "SELECT id FROM resident WHERE merged_into IS NULL \
                     AND json_extract(data, '$.anonymised_at') IS NULL \
                     AND (id IN (SELECT resident_id FROM help_request WHERE id IN ({THEIR_REQUESTS})) \
                       OR (recorded_by = ?1 AND id NOT IN \
                         (SELECT resident_id FROM help_request WHERE resident_id IS NOT NULL)))"
                )
            });
            &RESIDENTS
        }
        Scope::PhotosOfTheirWork => {
            static PHOTOS: LazyLock<String> = LazyLock::new(|| {
                format!(
                    "SELECT id FROM photo WHERE taken_by = ?1 OR subject_kind = 'event' \
                     OR (subject_kind = 'help_request' AND subject_id IN ({THEIR_REQUESTS}))"
                )
            });
            &PHOTOS
        }
        Scope::OwnOrApprovedNotes => {
            "SELECT id FROM meeting_note WHERE author = ?1 OR approved = 1"
        }
        Scope::OpenLists => "SELECT event_id FROM attendance_list WHERE approved = 0",
    }
}

/// The requests a volunteer recorded or is assigned to, not closed before `?2` nor anonymised.
const THEIR_REQUESTS: &str = "SELECT id FROM help_request \
     WHERE json_extract(data, '$.anonymised_at') IS NULL AND (closed_at IS NULL OR closed_at >= ?2) \
     AND (recorded_by = ?1 \
       OR id IN (SELECT help_request_id FROM help_request_assignee WHERE account_id = ?1))";

/// Each reader's pull query, built once from `need_to_know::need`: `?1` and `?2` as in `scope_keys`, `?3`
/// the cursor, `?4` the row limit. Kind names are this program's own constants, so they are written into the
/// SQL as literals.
static PULL_QUERIES: LazyLock<HashMap<Reader, String>> = LazyLock::new(|| {
    Reader::ALL
        .into_iter()
        .map(|reader| {
            let granted: Vec<String> = RecordKind::ALL
                .into_iter()
                .filter_map(|kind| match need(kind, reader).reach {
                    Reach::Nothing => None,
                    Reach::Everything => Some(format!("entity = '{}'", kind.as_str())),
                    Reach::Within(scope) => Some(format!(
                        "(entity = '{}' AND entity_key IN ({}))",
                        kind.as_str(),
                        scope_keys(scope)
                    )),
                })
                .collect();
            let condition = if granted.is_empty() {
                "0".to_owned()
            } else {
                granted.join(" OR ")
            };
            let query = format!(
                "SELECT cursor, entity, data FROM change_log WHERE cursor > ?3 AND ({condition}) \
                 ORDER BY cursor LIMIT ?4"
            );
            (reader, query)
        })
        .collect()
});

/// A pulled record cut to the fields `reader` (account `account`) needs.
fn as_needed(record: Record, reader: Reader, account: Uuid) -> Record {
    let fields = need(record.kind(), reader).fields;
    match record {
        Record::AttendanceList(list) => Record::AttendanceList(list.as_needed(fields, account)),
        whole => whole,
    }
}

/// For each kind `reader` holds only part of, the keys of every record of it they may hold now.
async fn readable_keys(
    conn: &mut SqliteConnection,
    reader: Reader,
    account: Uuid,
    closed_before: &str,
) -> Result<Vec<ReadableKeys>, StoreError> {
    let mut readable = Vec::new();
    for kind in RecordKind::ALL {
        let keys = match need(kind, reader).reach {
            Reach::Everything => continue,
            Reach::Nothing => Vec::new(),
            Reach::Within(scope) => {
                sqlx::query_scalar::<_, String>(scope_keys(scope))
                    .bind(account.to_string())
                    .bind(closed_before)
                    .fetch_all(&mut *conn)
                    .await?
            }
        };
        readable.push(ReadableKeys {
            entity: kind.as_str().to_owned(),
            keys,
        });
    }
    Ok(readable)
}

/// Moves the records a mutation targets to a new cursor as they are. A mutation answered anything but a
/// fresh `applied` wrote nothing new, yet the device that sent it kept its own copy of the record while
/// the mutation was pending (`merge_pulled`) and may have pulled past the server's copy meanwhile: its
/// next pull must bring that copy again.
async fn relog_target(
    conn: &mut SqliteConnection,
    envelope: &MutationEnvelope,
) -> Result<(), StoreError> {
    let Ok(mutation) = Mutation::from_envelope(envelope) else {
        return Ok(());
    };
    relog(conn, &mutation.entity_id().to_string()).await
}

/// Moves the logged records under `key` to a new cursor as they are.
async fn relog(conn: &mut SqliteConnection, key: &str) -> Result<(), StoreError> {
    let logged: Vec<(String, String)> =
        sqlx::query_as("SELECT entity, data FROM change_log WHERE entity_key = ?")
            .bind(key)
            .fetch_all(&mut *conn)
            .await?;
    for (entity, data) in logged {
        log_entry(conn, &entity, key, &data).await?;
    }
    Ok(())
}

/// Moves a record of `kind` to a new cursor with its latest state.
async fn log_change(
    conn: &mut SqliteConnection,
    kind: RecordKind,
    key: &str,
    data: &str,
) -> Result<(), StoreError> {
    log_entry(conn, kind.as_str(), key, data).await
}

async fn log_entry(
    conn: &mut SqliteConnection,
    entity: &str,
    key: &str,
    data: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM change_log WHERE entity = ? AND entity_key = ?")
        .bind(entity)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO change_log (entity, entity_key, data) VALUES (?, ?, ?)")
        .bind(entity)
        .bind(key)
        .bind(data)
        .execute(conn)
        .await?;
    Ok(())
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: String) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::BadValue(format!("time {text}")))
}

fn parse_uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|_| StoreError::BadValue(format!("uuid {text}")))
}

fn parse_uuid_column(row: &SqliteRow, column: &str) -> Result<Uuid, StoreError> {
    parse_uuid(&row.get::<String, _>(column))
}

impl Store {
    /// Adds or changes a dictionary entry; devices learn it through the ordinary pull.
    pub async fn save_dictionary_entry(&self, entry: &DictionaryEntry) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO dictionary_entry (kind, code, label_pl, label_en, position, active) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, code) DO UPDATE SET \
             label_pl = excluded.label_pl, label_en = excluded.label_en, position = excluded.position, \
             active = excluded.active",
        )
        .bind(entry.kind.as_str())
        .bind(&entry.code)
        .bind(&entry.label_pl)
        .bind(&entry.label_en)
        .bind(entry.position)
        .bind(entry.active)
        .execute(&mut *tx)
        .await?;
        log_change(
            &mut tx,
            RecordKind::DictionaryEntry,
            &entry.key(),
            &serde_json::to_string(entry)?,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_commit_reaches_the_disk_before_it_is_answered() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        // 2 = FULL: the WAL is synced at every commit.
        assert_eq!(synchronous, 2);
    }
}
