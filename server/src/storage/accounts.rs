//! Accounts and sessions (of people and of kiosk tablets).

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use domain::account::{
    Account, AccountChanges, AccountRecord, DeviceWipe, NewAccount, Principal, Role,
};
use domain::app_lock::UnlockKey;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::{now, parse_time, parse_uuid, parse_uuid_column, Store, StoreError};

/// Whose sealed data an unlock key opens on one device: a person's, or a kiosk tablet's for one event.
#[derive(Debug, Clone, Copy)]
pub enum UnlockKeyOwner {
    Person(Uuid),
    Kiosk(Uuid),
}

/// A session stays valid this long after its last use, so a phone used weekly never has to sign in again.
pub const SESSION_IDLE_DAYS: i64 = 30;
/// `last_seen_at` is written at most this often, so reads do not turn into writes.
const TOUCH_AFTER_MINUTES: i64 = 10;
/// Sessions that are not wipe orders: ending sessions never cancels a wipe its device still has to do.
const LIVE: &str = "wipe_ordered_at IS NULL";

/// A request's session, as the cookie's token resolves.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub token_hash: String,
    pub principal: Principal,
    pub csrf_token: String,
    pub account: Option<Account>,
    /// The account was deactivated: this device may only send what it has and confirm it erased the
    /// account's data.
    pub wipe_ordered: bool,
}

pub enum SessionOwner {
    Account(Uuid),
    Kiosk {
        enrolment_id: Uuid,
        expires_at: DateTime<Utc>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("username taken")]
    UsernameTaken,
    #[error("accounts already exist")]
    SetupDone,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Store(e.into())
    }
}

fn account_from(row: &SqliteRow) -> Result<Account, StoreError> {
    let role: String = row.get("role");
    Ok(Account {
        id: parse_uuid_column(row, "id")?,
        username: row.get("username"),
        display_name: row.get("display_name"),
        role: Role::parse(&role).ok_or_else(|| StoreError::BadValue(format!("role {role}")))?,
    })
}

impl Store {
    /// Whether any account exists (the one-time setup is done). Asked on every page load until it is.
    pub async fn is_set_up(&self) -> Result<bool, StoreError> {
        if self.set_up.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM account")
            .fetch_one(&self.pool)
            .await?;
        self.set_up.store(count > 0, Ordering::Relaxed);
        Ok(count > 0)
    }

    /// Creates an account. With `only_if_first`, refuses once any account exists (the one-time setup),
    /// checked in the same transaction so two setup pages racing cannot both win.
    pub async fn create_account(
        &self,
        account: &NewAccount,
        password_hash: &str,
        only_if_first: bool,
    ) -> Result<Account, AccountError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if only_if_first {
            let count: i64 = sqlx::query_scalar("SELECT count(*) FROM account")
                .fetch_one(&mut *tx)
                .await?;
            if count > 0 {
                return Err(AccountError::SetupDone);
            }
        }
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM account WHERE username = ?")
            .bind(&account.username)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(AccountError::UsernameTaken);
        }
        let created = Account {
            id: Uuid::now_v7(),
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            role: account.role,
        };
        let at = now();
        sqlx::query(
            "INSERT INTO account (id, username, display_name, role, password_hash, active, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
        )
        .bind(created.id.to_string())
        .bind(&created.username)
        .bind(&created.display_name)
        .bind(created.role.as_str())
        .bind(password_hash)
        .bind(&at)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The account behind a username with its password hash, whether or not it is active.
    pub async fn login_candidate(
        &self,
        username: &str,
    ) -> Result<Option<(Account, String, bool)>, StoreError> {
        let row = sqlx::query("SELECT * FROM account WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok((
                account_from(&row)?,
                row.get("password_hash"),
                row.get("active"),
            ))
        })
        .transpose()
    }

    pub async fn password_hash(&self, account_id: Uuid) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM account WHERE id = ? AND active = 1")
                .bind(account_id.to_string())
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM account ORDER BY active DESC, display_name")
            .fetch_all(&self.pool)
            .await?;
        let mut wipes = self.device_wipes(None).await?;
        rows.iter()
            .map(|row| {
                let account = account_from(row)?;
                Ok(AccountRecord {
                    device_wipes: wipes.remove(&account.id).unwrap_or_default(),
                    account,
                    active: row.get("active"),
                    created_at: row.get("created_at"),
                })
            })
            .collect()
    }

    pub async fn account(&self, id: Uuid) -> Result<Option<AccountRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM account WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(AccountRecord {
            account: account_from(&row)?,
            active: row.get("active"),
            created_at: row.get("created_at"),
            device_wipes: self
                .device_wipes(Some(id))
                .await?
                .remove(&id)
                .unwrap_or_default(),
        }))
    }

    /// The wipes ordered on the devices of `account` (of every account with `None`), by account.
    async fn device_wipes(
        &self,
        account: Option<Uuid>,
    ) -> Result<HashMap<Uuid, Vec<DeviceWipe>>, StoreError> {
        let rows = sqlx::query(
            "SELECT account_id, device, created_at, wipe_ordered_at, wiped_at FROM session \
             WHERE wipe_ordered_at IS NOT NULL AND (?1 IS NULL OR account_id = ?1) \
             ORDER BY wipe_ordered_at, created_at",
        )
        .bind(account.map(|id| id.to_string()))
        .fetch_all(&self.pool)
        .await?;
        let mut wipes: HashMap<Uuid, Vec<DeviceWipe>> = HashMap::new();
        for row in rows {
            wipes
                .entry(parse_uuid_column(&row, "account_id")?)
                .or_default()
                .push(DeviceWipe {
                    device: row.get("device"),
                    signed_in_at: parse_time(row.get("created_at"))?,
                    ordered_at: parse_time(row.get("wipe_ordered_at"))?,
                    wiped_at: row
                        .get::<Option<String>, _>("wiped_at")
                        .map(parse_time)
                        .transpose()?,
                });
        }
        Ok(wipes)
    }

    /// Applies the changes. A deactivated account's sessions turn into wipe orders at once (its devices
    /// send what they have, then erase its data); a new role ends the sessions.
    pub async fn update_account(
        &self,
        id: Uuid,
        changes: &AccountChanges,
    ) -> Result<Option<AccountRecord>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let updated = sqlx::query(
            "UPDATE account SET display_name = coalesce(?, display_name), role = coalesce(?, role), \
             active = coalesce(?, active), updated_at = ? WHERE id = ?",
        )
        .bind(changes.display_name.as_deref())
        .bind(changes.role.map(Role::as_str))
        .bind(changes.active)
        .bind(now())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        if changes.active == Some(false) {
            sqlx::query(
                "UPDATE session SET wipe_ordered_at = ? WHERE account_id = ? AND wipe_ordered_at IS NULL",
            )
            .bind(now())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        } else if changes.role.is_some() {
            // A new role takes effect on the next sign-in, with a client that knows it.
            sqlx::query(&format!(
                "DELETE FROM session WHERE account_id = ? AND {LIVE}"
            ))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.account(id).await
    }

    /// Sets a new password hash and ends the account's sessions, except `keep` (the one that changed it).
    pub async fn set_password(
        &self,
        id: Uuid,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let updated =
            sqlx::query("UPDATE account SET password_hash = ?, updated_at = ? WHERE id = ?")
                .bind(password_hash)
                .bind(now())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        sqlx::query(&format!(
            "DELETE FROM session WHERE account_id = ? AND token_hash IS NOT ? AND {LIVE}"
        ))
        .bind(id.to_string())
        .bind(keep)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Stores a session under the token's hash; `device` is the browser's name for itself.
    pub async fn create_session(
        &self,
        token_hash: &str,
        csrf_token: &str,
        owner: &SessionOwner,
        device: &str,
    ) -> Result<(), StoreError> {
        let at = Utc::now();
        let (account_id, enrolment_id, expires_at) = match owner {
            SessionOwner::Account(id) => (
                Some(id.to_string()),
                None,
                at + Duration::days(SESSION_IDLE_DAYS),
            ),
            SessionOwner::Kiosk {
                enrolment_id,
                expires_at,
            } => (None, Some(enrolment_id.to_string()), *expires_at),
        };
        sqlx::query(
            "INSERT INTO session (token_hash, account_id, enrolment_id, csrf_token, created_at, last_seen_at, expires_at, device) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(enrolment_id)
        .bind(csrf_token)
        .bind(stamp(at))
        .bind(stamp(at))
        .bind(stamp(expires_at))
        .bind(device)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session with this token hash; expired ones, of inactive accounts or of revoked
    /// enrolments, do not count. A person's session slides forward with use. A wipe order not yet
    /// carried out counts however old it is, since the device may come back after months.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionInfo>, StoreError> {
        let at = Utc::now();
        let row = sqlx::query(
"SELECT s.csrf_token, s.last_seen_at, s.expires_at, s.enrolment_id, s.wipe_ordered_at, s.wiped_at, \
                    e.event_id, e.revoked_at, \
                    a.id, a.username, a.display_name, a.role, a.active \
             FROM session s \
             LEFT JOIN account a ON a.id = s.account_id \
             LEFT JOIN device_enrolment e ON e.id = s.enrolment_id \
             WHERE s.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        if row.get::<Option<String>, _>("wipe_ordered_at").is_some() {
            if row.get::<Option<String>, _>("wiped_at").is_some() {
                return Ok(None);
            }
            let account = account_from(&row)?;
            return Ok(Some(SessionInfo {
                token_hash: token_hash.to_owned(),
                principal: Principal::User {
                    id: account.id,
                    role: account.role,
                },
                csrf_token: row.get("csrf_token"),
                account: Some(account),
                wipe_ordered: true,
            }));
        }
        if parse_time(row.get("expires_at"))? <= at {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        let csrf_token: String = row.get("csrf_token");
        let enrolment_id: Option<String> = row.get("enrolment_id");
        if let Some(enrolment_id) = enrolment_id {
            let revoked: Option<String> = row.get("revoked_at");
            if revoked.is_some() {
                return Ok(None);
            }
            return Ok(Some(SessionInfo {
                token_hash: token_hash.to_owned(),
                principal: Principal::Kiosk {
                    enrolment_id: parse_uuid(&enrolment_id)?,
                    event_id: parse_uuid_column(&row, "event_id")?,
                },
                csrf_token,
                account: None,
                wipe_ordered: false,
            }));
        }
        if !row.get::<bool, _>("active") {
            return Ok(None);
        }
        let account = account_from(&row)?;
        if parse_time(row.get("last_seen_at"))? < at - Duration::minutes(TOUCH_AFTER_MINUTES) {
            sqlx::query("UPDATE session SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?")
                .bind(stamp(at))
                .bind(stamp(at + Duration::days(SESSION_IDLE_DAYS)))
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(SessionInfo {
            token_hash: token_hash.to_owned(),
            principal: Principal::User {
                id: account.id,
                role: account.role,
            },
            csrf_token,
            account: Some(account),
            wipe_ordered: false,
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "DELETE FROM session WHERE token_hash = ? AND {LIVE}"
        ))
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The secret kept for `owner` on `device_id` (`domain::app_lock::UnlockKey`): the one made at the
    /// device's first sign-in or enrolment, or `fresh` when this is it.
    pub async fn unlock_key(
        &self,
        owner: UnlockKeyOwner,
        device_id: Uuid,
        fresh: String,
    ) -> Result<UnlockKey, StoreError> {
        let (table, column, id) = match owner {
            UnlockKeyOwner::Person(account) => ("unlock_key", "account_id", account),
            UnlockKeyOwner::Kiosk(event) => ("kiosk_unlock_key", "event_id", event),
        };
        sqlx::query(&format!(
            "INSERT INTO {table} ({column}, device_id, secret, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT ({column}, device_id) DO NOTHING"
        ))
        .bind(id.to_string())
        .bind(device_id.to_string())
        .bind(fresh)
        .bind(now())
        .execute(&self.pool)
        .await?;
        let secret = sqlx::query_scalar(&format!(
            "SELECT secret FROM {table} WHERE {column} = ? AND device_id = ?"
        ))
        .bind(id.to_string())
        .bind(device_id.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(UnlockKey(secret))
    }

    /// Ends every session of the account ("sign out of all devices"); returns how many there were.
    pub async fn delete_account_sessions(&self, account_id: Uuid) -> Result<u64, StoreError> {
        let deleted = sqlx::query(&format!(
            "DELETE FROM session WHERE account_id = ? AND {LIVE}"
        ))
        .bind(account_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(deleted.rows_affected())
    }

    /// The device of this wipe order says it erased the account's data; `false` when there is no
    /// such order still open. The row stays, as the coordinator's record of it.
    pub async fn confirm_wipe(&self, token_hash: &str) -> Result<bool, StoreError> {
        let confirmed = sqlx::query(
            "UPDATE session SET wiped_at = ? WHERE token_hash = ? \
             AND wipe_ordered_at IS NOT NULL AND wiped_at IS NULL",
        )
        .bind(now())
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(confirmed.rows_affected() == 1)
    }
}

pub(super) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
