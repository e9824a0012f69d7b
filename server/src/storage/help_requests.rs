//! Help requests in SQLite: the whole record as the domain shapes it (`data`), plus columns for queries.
//! Every change goes through `workflow`, in the order the server receives it.

use chrono::{DateTime, SecondsFormat, Utc};
use domain::dictionary::Dictionary;
use domain::help_request::{HelpRequest, Person};
use domain::resident::{resident_id_for_request, ResidentFields};
use domain::sync::protocol::{
    ActOnHelpRequest, CreateHelpRequest, EditHelpRequest, Outcome, RecordKind, RejectReason,
};
use domain::workflow::{apply_action, apply_edit, Action, Actor};
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::documents::{self, Column, Document};
use super::{now, residents, StoreError};

impl Document for HelpRequest {
    const KIND: RecordKind = RecordKind::HelpRequest;
    const TABLE: &'static str = "help_request";
    const KEY: &'static str = "id";

    fn key(&self) -> Uuid {
        self.id
    }

    /// Reports count by district, category and status; merging residents finds their requests.
    fn columns(&self) -> Vec<(&'static str, Column)> {
        vec![
            (
                "resident_name",
                Column::Text(self.fields.resident_name.clone()),
            ),
            (
                "resident_id",
                Column::MaybeText(self.fields.resident_id.map(|id| id.to_string())),
            ),
            ("district", Column::Text(self.fields.district.clone())),
            ("category", Column::Text(self.fields.category.clone())),
            ("description", Column::Text(self.fields.description.clone())),
            ("status", Column::Text(self.status.as_str().to_owned())),
        ]
    }
}

/// Writes the request's new state (moving it to a new cursor for the pull), its assignees and when the server
/// saw it closed (`need_to_know::ClosedRequestDays` count from then). Its resident
/// and photos move to a new cursor too: a volunteer the request now reaches (newly assigned, or its
/// resident newly linked) has pulled past them, and receives them with the request (`need_to_know`).
pub(super) async fn save(
    conn: &mut SqliteConnection,
    request: &HelpRequest,
) -> Result<(), StoreError> {
    documents::save(conn, request).await?;
    sqlx::query(
        "UPDATE help_request SET closed_at = CASE WHEN ?2 THEN COALESCE(closed_at, ?3) ELSE NULL END \
         WHERE id = ?1",
    )
    .bind(request.id.to_string())
    .bind(request.status.is_final())
    .bind(now())
    .execute(&mut *conn)
    .await?;
    let photos: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM photo WHERE subject_kind = 'help_request' AND subject_id = ?",
    )
    .bind(request.id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    for key in request
        .fields
        .resident_id
        .map(|id| id.to_string())
        .into_iter()
        .chain(photos)
    {
        super::relog(conn, &key).await?;
    }
    sqlx::query("DELETE FROM help_request_assignee WHERE help_request_id = ?")
        .bind(request.id.to_string())
        .execute(&mut *conn)
        .await?;
    for assignee in &request.assignees {
        sqlx::query(
            "INSERT INTO help_request_assignee (help_request_id, account_id) VALUES (?, ?)",
        )
        .bind(request.id.to_string())
        .bind(assignee.volunteer.id.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(super) async fn create(
    conn: &mut SqliteConnection,
    create: CreateHelpRequest,
    recorded_at: DateTime<Utc>,
    device_id: Uuid,
    actor: &Actor,
    dictionary: &Dictionary,
) -> Result<Outcome, StoreError> {
    let mut fields = create.fields.normalized();
    if let Err(errors) = fields.validate(dictionary) {
        return Ok(Outcome::Rejected {
            reason: RejectReason::Invalid { errors },
        });
    }
    if fields.resident_id.is_none() {
        let resident_id = resident_id_for_request(create.help_request_id);
        let resident = ResidentFields {
            name: fields.resident_name.clone(),
            district: fields.district.clone(),
            ..Default::default()
        };
        residents::add_if_missing(
            conn,
            resident_id,
            resident,
            recorded_at,
            Some(actor.person.id),
        )
        .await?;
        fields.resident_id = Some(resident_id);
    }
    if let Some(existing) = documents::load::<HelpRequest>(conn, create.help_request_id).await? {
        return Ok(if existing.fields == fields {
            Outcome::Duplicate
        } else {
            Outcome::Rejected {
                reason: RejectReason::Conflict,
            }
        });
    }
    let request = HelpRequest::recorded(
        create.help_request_id,
        fields,
        actor.person.clone(),
        recorded_at,
    );
    sqlx::query(
        "INSERT INTO help_request (id, resident_name, district, category, description, status, recorded_at, \
         received_at, recorded_by_device, recorded_by) VALUES (?, '', '', '', '', '', ?, ?, ?, ?)",
    )
    .bind(request.id.to_string())
    .bind(request.recorded_at.to_rfc3339_opts(SecondsFormat::Millis, true))
    .bind(now())
    .bind(device_id.to_string())
    .bind(actor.person.id.to_string())
    .execute(&mut *conn)
    .await?;
    save(conn, &request).await?;
    Ok(Outcome::Applied)
}

pub(super) async fn edit(
    conn: &mut SqliteConnection,
    edit: EditHelpRequest,
    at: DateTime<Utc>,
    actor: &Actor,
    dictionary: &Dictionary,
) -> Result<Outcome, StoreError> {
    let Some(request) = documents::load::<HelpRequest>(conn, edit.help_request_id).await? else {
        return Ok(unknown());
    };
    if request.anonymised_at.is_some() {
        return Ok(anonymised());
    }
    match apply_edit(
        &request,
        actor,
        edit.seen_revision,
        &edit.changes,
        dictionary,
        at,
    ) {
        Ok(next) if next == request => Ok(Outcome::Duplicate),
        Ok(next) => {
            save(conn, &next).await?;
            Ok(Outcome::Applied)
        }
        Err(refusal) => Ok(Outcome::Rejected {
            reason: RejectReason::Refused { refusal },
        }),
    }
}

pub(super) async fn act(
    conn: &mut SqliteConnection,
    act: ActOnHelpRequest,
    at: DateTime<Utc>,
    actor: &Actor,
) -> Result<Outcome, StoreError> {
    let Some(request) = documents::load::<HelpRequest>(conn, act.help_request_id).await? else {
        return Ok(unknown());
    };
    if request.anonymised_at.is_some() {
        return Ok(anonymised());
    }
    let action = match act.action {
        Action::Assign { volunteers } => match active_volunteers(conn, &volunteers).await? {
            Some(volunteers) => Action::Assign { volunteers },
            None => return Ok(unknown()),
        },
        other => other,
    };
    match apply_action(&request, actor, &action, at) {
        Ok(next) => {
            save(conn, &next).await?;
            Ok(Outcome::Applied)
        }
        Err(refusal) => Ok(Outcome::Rejected {
            reason: RejectReason::Refused { refusal },
        }),
    }
}

/// The named volunteers with the names the server knows, or `None` if one is not an active account.
async fn active_volunteers(
    conn: &mut SqliteConnection,
    named: &[Person],
) -> Result<Option<Vec<Person>>, StoreError> {
    let mut found = Vec::with_capacity(named.len());
    for person in named {
        let name: Option<String> =
            sqlx::query_scalar("SELECT display_name FROM account WHERE id = ? AND active = 1")
                .bind(person.id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        match name {
            Some(name) => found.push(Person {
                id: person.id,
                name,
            }),
            None => return Ok(None),
        }
    }
    Ok(Some(found))
}

/// Points every request of a merged duplicate at the resident it was merged into.
pub(super) async fn repoint_resident(
    conn: &mut SqliteConnection,
    from: Uuid,
    to: Uuid,
) -> Result<(), StoreError> {
    let ids: Vec<String> = sqlx::query("SELECT id FROM help_request WHERE resident_id = ?")
        .bind(from.to_string())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.get("id"))
        .collect();
    for id in ids {
        if let Some(mut request) =
            documents::load::<HelpRequest>(conn, super::parse_uuid(&id)?).await?
        {
            request.fields.resident_id = Some(to);
            request.revision += 1;
            save(conn, &request).await?;
        }
    }
    Ok(())
}

fn unknown() -> Outcome {
    Outcome::Rejected {
        reason: RejectReason::UnknownRecord,
    }
}

fn anonymised() -> Outcome {
    Outcome::Rejected {
        reason: RejectReason::Anonymised,
    }
}
