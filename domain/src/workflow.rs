//! A help request's life: who may do what in which status, how concurrent edits merge, and the history
//! that records every step. The server applies these rules in the order mutations reach it; the device
//! applies the same rules at once so the person sees the result offline. See docs/workflow.md.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::account::{Permission, Principal, Role};
use crate::dictionary::Dictionary;
use crate::help_request::{
    Assignee, Field, FieldError, HelpRequest, HelpRequestFields, HelpRequestStatus, HoursEntry,
    Person, Urgency,
};

/// One day of volunteering at most, per entry.
pub const MAX_MINUTES: u32 = 24 * 60;
pub const MAX_COMMENT_CHARS: usize = 2000;

/// Who is acting, as the server knows them from the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub person: Person,
    pub role: Role,
}

impl From<&crate::account::Account> for Actor {
    fn from(account: &crate::account::Account) -> Self {
        Actor {
            person: Person {
                id: account.id,
                name: account.display_name.clone(),
            },
            role: account.role,
        }
    }
}

impl Actor {
    /// Whether this person's role grants `permission` (`Principal::may`, the one table of grants).
    pub fn may(&self, permission: Permission) -> bool {
        Principal::User {
            id: self.person.id,
            role: self.role,
        }
        .may(permission)
    }

    /// Organisers and coordinators review entries (help requests, lists, photos, notes) and assign
    /// volunteers.
    pub fn is_reviewer(&self) -> bool {
        self.may(Permission::ReviewEntries)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Approve,
    Return {
        comment: String,
    },
    Reject {
        comment: String,
    },
    Resubmit,
    Assign {
        volunteers: Vec<Person>,
    },
    Accept,
    Decline,
    Start,
    LogHours {
        minutes: u32,
        on: NaiveDate,
    },
    Complete {
        outcome: String,
        minutes: u32,
        on: NaiveDate,
    },
    Cancel {
        comment: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Approve,
    Return,
    Reject,
    Resubmit,
    Assign,
    Accept,
    Decline,
    Start,
    LogHours,
    Complete,
    Cancel,
}

impl ActionKind {
    pub const ALL: [ActionKind; 11] = [
        ActionKind::Approve,
        ActionKind::Return,
        ActionKind::Reject,
        ActionKind::Resubmit,
        ActionKind::Assign,
        ActionKind::Accept,
        ActionKind::Decline,
        ActionKind::Start,
        ActionKind::LogHours,
        ActionKind::Complete,
        ActionKind::Cancel,
    ];

    /// A review decision: a stale volunteer edit never undoes it.
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            ActionKind::Approve | ActionKind::Return | ActionKind::Reject | ActionKind::Cancel
        )
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Approve => ActionKind::Approve,
            Action::Return { .. } => ActionKind::Return,
            Action::Reject { .. } => ActionKind::Reject,
            Action::Resubmit => ActionKind::Resubmit,
            Action::Assign { .. } => ActionKind::Assign,
            Action::Accept => ActionKind::Accept,
            Action::Decline => ActionKind::Decline,
            Action::Start => ActionKind::Start,
            Action::LogHours { .. } => ActionKind::LogHours,
            Action::Complete { .. } => ActionKind::Complete,
            Action::Cancel { .. } => ActionKind::Cancel,
        }
    }
}

/// Why an action or edit was refused; the same answer on the device and on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// The action does not apply to a request in this status.
    WrongStatus {
        action: ActionKind,
        status: HelpRequestStatus,
    },
    /// This person may not do it: not an organiser, not assigned, or not who recorded it.
    NotPermitted {
        action: ActionKind,
    },
    CommentRequired,
    CommentTooLong {
        max: usize,
    },
    OutcomeRequired,
    NoVolunteers,
    HoursOutOfRange {
        max_minutes: u32,
    },
    /// The request is closed for edits in this status (or to this person).
    EditNotAllowed {
        status: HelpRequestStatus,
    },
    Invalid {
        errors: Vec<FieldError>,
    },
}

/// Where `action` takes a request in `status`, or `None` when it does not apply there.
pub fn target(status: HelpRequestStatus, action: ActionKind) -> Option<HelpRequestStatus> {
    use ActionKind as A;
    use HelpRequestStatus as S;
    match (action, status) {
        (A::Approve, S::AwaitingApproval) => Some(S::Approved),
        (A::Return, S::AwaitingApproval) => Some(S::Returned),
        (A::Reject, S::AwaitingApproval | S::Returned) => Some(S::Rejected),
        (A::Resubmit, S::Returned) => Some(S::AwaitingApproval),
        (A::Assign, S::Approved) => Some(S::Assigned),
        (A::Assign, S::Assigned | S::InProgress) => Some(status),
        (A::Accept, S::Assigned | S::InProgress) => Some(status),
        // Declining may leave nobody assigned; `apply_action` then returns the request to `Approved`.
        (A::Decline, S::Assigned) => Some(S::Assigned),
        (A::Start, S::Assigned) => Some(S::InProgress),
        (A::LogHours, S::InProgress | S::Done) => Some(status),
        (A::Complete, S::Assigned | S::InProgress) => Some(S::Done),
        (
            A::Cancel,
            S::AwaitingApproval | S::Returned | S::Approved | S::Assigned | S::InProgress,
        ) => Some(S::Cancelled),
        _ => None,
    }
}

/// Whether this person may take this kind of action on this request at all (status aside).
fn permitted(request: &HelpRequest, actor: &Actor, action: ActionKind) -> bool {
    let recorder = request
        .recorded_by
        .as_ref()
        .is_some_and(|p| p.id == actor.person.id);
    let assignee = request.is_assigned_to(actor.person.id);
    match action {
        ActionKind::Approve | ActionKind::Return | ActionKind::Reject | ActionKind::Assign => {
            actor.is_reviewer()
        }
        ActionKind::Resubmit => recorder || actor.is_reviewer(),
        ActionKind::Accept | ActionKind::Decline | ActionKind::Start | ActionKind::LogHours => {
            assignee
        }
        ActionKind::Complete => assignee || actor.is_reviewer(),
        // Whoever recorded it may withdraw it while it is still under review.
        ActionKind::Cancel => {
            actor.is_reviewer()
                || (recorder
                    && matches!(
                        request.status,
                        HelpRequestStatus::AwaitingApproval | HelpRequestStatus::Returned
                    ))
        }
    }
}

/// The actions this person can take on this request now, for the buttons on the request's page.
pub fn available_actions(request: &HelpRequest, actor: &Actor) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|&kind| target(request.status, kind).is_some() && permitted(request, actor, kind))
        .filter(|&kind| match kind {
            ActionKind::Accept => request
                .assignees
                .iter()
                .any(|a| a.volunteer.id == actor.person.id && !a.accepted),
            _ => true,
        })
        .collect()
}

fn required_comment(comment: &str) -> Result<String, Refusal> {
    let comment = comment.trim();
    if comment.is_empty() {
        Err(Refusal::CommentRequired)
    } else if comment.chars().count() > MAX_COMMENT_CHARS {
        Err(Refusal::CommentTooLong {
            max: MAX_COMMENT_CHARS,
        })
    } else {
        Ok(comment.to_owned())
    }
}

fn checked_minutes(minutes: u32) -> Result<u32, Refusal> {
    if (1..=MAX_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(Refusal::HoursOutOfRange {
            max_minutes: MAX_MINUTES,
        })
    }
}

/// Applies `action` by `actor` to `request`: the new state with one more history entry, or why not.
pub fn apply_action(
    request: &HelpRequest,
    actor: &Actor,
    action: &Action,
    at: DateTime<Utc>,
) -> Result<HelpRequest, Refusal> {
    let kind = action.kind();
    if !permitted(request, actor, kind) {
        return Err(Refusal::NotPermitted { action: kind });
    }
    let from = request.status;
    let Some(mut to) = target(from, kind) else {
        return Err(Refusal::WrongStatus {
            action: kind,
            status: from,
        });
    };
    let mut next = request.clone();
    let mut recorded_action = action.clone();
    match action {
        Action::Approve | Action::Resubmit => next.review_comment = None,
        Action::Return { comment } | Action::Reject { comment } | Action::Cancel { comment } => {
            let comment = required_comment(comment)?;
            next.review_comment = Some(comment.clone());
            recorded_action = match action {
                Action::Return { .. } => Action::Return { comment },
                Action::Reject { .. } => Action::Reject { comment },
                _ => Action::Cancel { comment },
            };
        }
        Action::Assign { volunteers } => {
            let mut added = Vec::new();
            for volunteer in volunteers {
                if !next.is_assigned_to(volunteer.id) && !added.contains(volunteer) {
                    added.push(volunteer.clone());
                }
            }
            if added.is_empty() {
                return Err(Refusal::NoVolunteers);
            }
            next.assignees
                .extend(added.iter().cloned().map(|volunteer| Assignee {
                    volunteer,
                    accepted: false,
                }));
            recorded_action = Action::Assign { volunteers: added };
        }
        Action::Accept => mark_accepted(&mut next, actor.person.id),
        Action::Start => mark_accepted(&mut next, actor.person.id),
        Action::Decline => {
            next.assignees.retain(|a| a.volunteer.id != actor.person.id);
            if next.assignees.is_empty() {
                to = HelpRequestStatus::Approved;
            }
        }
        Action::LogHours { minutes, on } => {
            next.hours.push(HoursEntry {
                volunteer: actor.person.clone(),
                minutes: checked_minutes(*minutes)?,
                on: *on,
            });
        }
        Action::Complete {
            outcome,
            minutes,
            on,
        } => {
            let outcome = outcome.trim();
            if outcome.is_empty() {
                return Err(Refusal::OutcomeRequired);
            }
            next.outcome = Some(outcome.to_owned());
            next.hours.push(HoursEntry {
                volunteer: actor.person.clone(),
                minutes: checked_minutes(*minutes)?,
                on: *on,
            });
            recorded_action = Action::Complete {
                outcome: outcome.to_owned(),
                minutes: *minutes,
                on: *on,
            };
        }
    }
    next.status = to;
    next.revision += 1;
    if kind.is_decision() {
        next.decided_at_revision = next.revision;
    }
    next.history.push(HistoryEntry {
        at,
        by: actor.person.clone(),
        event: HistoryEvent::Acted {
            action: recorded_action,
            from,
            to,
        },
    });
    Ok(next)
}

fn mark_accepted(request: &mut HelpRequest, person: Uuid) {
    for assignee in &mut request.assignees {
        if assignee.volunteer.id == person {
            assignee.accepted = true;
        }
    }
}

/// A new value for one field; an edit carries only the fields the person changed, so edits of different
/// fields on two devices both survive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum FieldChange {
    Resident { id: Option<Uuid>, name: String },
    District(String),
    Category(String),
    Description(String),
    Urgency(Urgency),
    NeededBy(Option<NaiveDate>),
    Place(String),
}

impl FieldChange {
    pub fn field(&self) -> Field {
        match self {
            FieldChange::Resident { .. } => Field::ResidentName,
            FieldChange::District(_) => Field::District,
            FieldChange::Category(_) => Field::Category,
            FieldChange::Description(_) => Field::Description,
            FieldChange::Urgency(_) => Field::Urgency,
            FieldChange::NeededBy(_) => Field::NeededBy,
            FieldChange::Place(_) => Field::Place,
        }
    }

    fn apply_to(&self, fields: &mut HelpRequestFields) {
        match self.clone() {
            FieldChange::Resident { id, name } => {
                fields.resident_id = id;
                fields.resident_name = name;
            }
            FieldChange::District(v) => fields.district = v,
            FieldChange::Category(v) => fields.category = v,
            FieldChange::Description(v) => fields.description = v,
            FieldChange::Urgency(v) => fields.urgency = v,
            FieldChange::NeededBy(v) => fields.needed_by = v,
            FieldChange::Place(v) => fields.place = v,
        }
    }
}

/// The value of `field` as the history shows it (codes for dictionary fields; the page labels them).
pub fn field_text(fields: &HelpRequestFields, field: Field) -> String {
    match field {
        Field::ResidentName => fields.resident_name.clone(),
        Field::District => fields.district.clone(),
        Field::Category => fields.category.clone(),
        Field::Description => fields.description.clone(),
        Field::Urgency => fields.urgency.as_str().to_owned(),
        Field::NeededBy => fields.needed_by.map(|d| d.to_string()).unwrap_or_default(),
        Field::Place => fields.place.clone(),
    }
}

/// The changes that turn `old` into `new`, one per differing field.
pub fn changes_between(old: &HelpRequestFields, new: &HelpRequestFields) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    if old.resident_name != new.resident_name || old.resident_id != new.resident_id {
        changes.push(FieldChange::Resident {
            id: new.resident_id,
            name: new.resident_name.clone(),
        });
    }
    if old.district != new.district {
        changes.push(FieldChange::District(new.district.clone()));
    }
    if old.category != new.category {
        changes.push(FieldChange::Category(new.category.clone()));
    }
    if old.description != new.description {
        changes.push(FieldChange::Description(new.description.clone()));
    }
    if old.urgency != new.urgency {
        changes.push(FieldChange::Urgency(new.urgency));
    }
    if old.needed_by != new.needed_by {
        changes.push(FieldChange::NeededBy(new.needed_by));
    }
    if old.place != new.place {
        changes.push(FieldChange::Place(new.place.clone()));
    }
    changes
}

/// One field's change as the history keeps it: the overwritten value is never lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedValue {
    pub field: Field,
    pub from: String,
    pub to: String,
}

/// Whether `actor` may change the fields of `request` now: an organiser or coordinator until it is done,
/// rejected or cancelled; the volunteer who recorded it while it waits for, or has had, approval. The
/// request page offers editing by this rule, and `apply_edit` applies it.
pub fn may_edit(request: &HelpRequest, actor: &Actor) -> bool {
    use HelpRequestStatus as S;
    if actor.is_reviewer() {
        return !request.status.is_final();
    }
    let recorder = request
        .recorded_by
        .as_ref()
        .is_some_and(|p| p.id == actor.person.id);
    recorder
        && matches!(
            request.status,
            S::AwaitingApproval | S::Returned | S::Approved
        )
}

/// Applies an edit made on a device that had seen `seen_revision` of the request. The merge rule:
/// - fields merge one by one; for the same field, the edit the server receives last wins, and the value
///   it overwrote stays in the history;
/// - an edit made before an organiser's decision (stale) never undoes it: on a decided request its values
///   are kept in the history but not applied;
/// - an edit by a volunteer to an approved request sends it back to review.
pub fn apply_edit(
    request: &HelpRequest,
    actor: &Actor,
    seen_revision: u32,
    changes: &[FieldChange],
    dictionary: &Dictionary,
    at: DateTime<Utc>,
) -> Result<HelpRequest, Refusal> {
    use HelpRequestStatus as S;
    let recorder = request
        .recorded_by
        .as_ref()
        .is_some_and(|p| p.id == actor.person.id);
    let status = request.status;
    if !actor.is_reviewer() && !recorder {
        return Err(Refusal::EditNotAllowed { status });
    }
    let mut edited = request.fields.clone();
    for change in changes {
        change.apply_to(&mut edited);
    }
    let edited = edited.normalized();
    let changed: Vec<ChangedValue> = changes_between(&request.fields, &edited)
        .iter()
        .map(|c| ChangedValue {
            field: c.field(),
            from: field_text(&request.fields, c.field()),
            to: field_text(&edited, c.field()),
        })
        .collect();
    if changed.is_empty() {
        return Ok(request.clone());
    }
    if let Err(errors) = edited.validate(dictionary) {
        let errors: Vec<_> = errors
            .into_iter()
            .filter(|e| changed.iter().any(|c| c.field == e.field))
            .collect();
        if !errors.is_empty() {
            return Err(Refusal::Invalid { errors });
        }
    }
    let stale = seen_revision < request.decided_at_revision;
    let mut next = request.clone();
    next.revision += 1;
    if !actor.is_reviewer() && stale && !matches!(status, S::AwaitingApproval | S::Returned) {
        next.history.push(HistoryEntry {
            at,
            by: actor.person.clone(),
            event: HistoryEvent::EditSuperseded { changes: changed },
        });
        return Ok(next);
    }
    if !may_edit(request, actor) {
        return Err(Refusal::EditNotAllowed { status });
    }
    next.fields = edited;
    next.history.push(HistoryEntry {
        at,
        by: actor.person.clone(),
        event: HistoryEvent::Edited { changes: changed },
    });
    if !actor.is_reviewer() && status == S::Approved {
        next.status = S::AwaitingApproval;
        next.history.push(HistoryEntry {
            at,
            by: actor.person.clone(),
            event: HistoryEvent::SentBackToReview,
        });
    }
    Ok(next)
}

/// What the device shows right after a local action or edit, before the server has it: the new state, but
/// with the revisions the device last received, since only the server counts revisions.
pub fn applied_locally(base: &HelpRequest, mut result: HelpRequest) -> HelpRequest {
    result.revision = base.revision;
    result.decided_at_revision = base.decided_at_revision;
    result
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When the person did it on their device.
    pub at: DateTime<Utc>,
    pub by: Person,
    #[serde(flatten)]
    pub event: HistoryEvent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum HistoryEvent {
    Recorded,
    Edited {
        changes: Vec<ChangedValue>,
    },
    /// An edit that arrived after an organiser's decision it had not seen: kept, not applied.
    EditSuperseded {
        changes: Vec<ChangedValue>,
    },
    SentBackToReview,
    Acted {
        #[serde(flatten)]
        action: Action,
        from: HelpRequestStatus,
        to: HelpRequestStatus,
    },
}

/// Reads hours as people type them: "2,5", "2.5", "2:30" or "3" (hours). `None` when unreadable.
pub fn parse_hours(text: &str) -> Option<u32> {
    let text = text.trim().replace(',', ".");
    let minutes = if let Some((hours, minutes)) = text.split_once(':') {
        let hours: u32 = hours.trim().parse().ok()?;
        let minutes: u32 = minutes.trim().parse().ok()?;
        if minutes >= 60 {
            return None;
        }
        hours.checked_mul(60)?.checked_add(minutes)?
    } else {
        let hours: f64 = text.parse().ok()?;
        if !hours.is_finite() || hours < 0.0 || hours > f64::from(MAX_MINUTES) {
            return None;
        }
        (hours * 60.0).round() as u32
    };
    Some(minutes)
}

/// Minutes as hours for people: "2,5 h" style numbers with at most two decimals, no trailing zeros.
pub fn hours_text(minutes: u32) -> String {
    let hours = f64::from(minutes) / 60.0;
    let text = format!("{hours:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// One month of a volunteer's logged time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthHours {
    pub year: i32,
    pub month: u32,
    pub minutes: u32,
}

/// A volunteer's time per month, newest month first.
pub fn monthly_hours<'a>(
    requests: impl IntoIterator<Item = &'a HelpRequest>,
    person: Uuid,
) -> Vec<MonthHours> {
    let mut months: std::collections::BTreeMap<(i32, u32), u32> = Default::default();
    for request in requests {
        for entry in request.hours.iter().filter(|h| h.volunteer.id == person) {
            *months
                .entry((entry.on.year(), entry.on.month()))
                .or_default() += entry.minutes;
        }
    }
    months
        .into_iter()
        .rev()
        .map(|((year, month), minutes)| MonthHours {
            year,
            month,
            minutes,
        })
        .collect()
}

#[cfg(test)]
mod tests;
