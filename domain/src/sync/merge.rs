//! How pulled server state meets local, not yet acknowledged edits.
//!
//! Rule: the server's version of a record wins, except while the device still has a pending mutation for
//! that record: then the local version stays on screen (the person's latest intent), and the server's
//! version arrives with the pull that follows the acknowledgement.

use uuid::Uuid;

use super::outbox::{OutboxEntry, OutboxState};
use super::protocol::RejectReason;
use crate::help_request::HelpRequest;

/// Whether the server has what the person sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    Synced,
    Pending,
    Rejected(RejectReason),
}

/// The sync state of one record, from the outbox entries that touch it. A refusal outranks pending work.
pub fn sync_state(entity_id: Uuid, outbox: &[OutboxEntry]) -> SyncState {
    let mut state = SyncState::Synced;
    for entry in outbox.iter().filter(|e| e.entity_id == entity_id) {
        match &entry.state {
            OutboxState::Rejected { reason } => return SyncState::Rejected(reason.clone()),
            OutboxState::Pending => state = SyncState::Pending,
        }
    }
    state
}

/// A record that syncs: known by an id that outbox entries name.
pub trait Synced {
    fn id(&self) -> Uuid;
}

impl Synced for HelpRequest {
    fn id(&self) -> Uuid {
        self.id
    }
}

impl Synced for crate::resident::Resident {
    fn id(&self) -> Uuid {
        self.id
    }
}

impl Synced for crate::attendance::AttendanceList {
    fn id(&self) -> Uuid {
        self.event_id
    }
}

impl Synced for crate::meeting_note::MeetingNote {
    fn id(&self) -> Uuid {
        self.id
    }
}

impl Synced for crate::photo::Photo {
    fn id(&self) -> Uuid {
        self.id
    }
}

/// Decides which version of a record to keep when the server sends one: the local one while any change to
/// it still waits to be sent (whatever became of earlier ones).
pub fn merge_pulled<T: Synced>(local: Option<T>, incoming: T, outbox: &[OutboxEntry]) -> T {
    match local {
        Some(local)
            if outbox
                .iter()
                .any(|e| e.entity_id == local.id() && e.is_pending()) =>
        {
            local
        }
        _ => incoming,
    }
}

/// A list as the person sees it: newest recorded first.
pub fn newest_first(mut requests: Vec<HelpRequest>) -> Vec<HelpRequest> {
    requests.sort_by(|a, b| b.recorded_at.cmp(&a.recorded_at).then(b.id.cmp(&a.id)));
    requests
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::help_request::{HelpRequestFields, Person};
    use crate::sync::protocol::MutationEnvelope;
    use chrono::{DateTime, Duration};

    fn request(id: u128, description: &str, minutes: i64) -> HelpRequest {
        HelpRequest::recorded(
            Uuid::from_u128(id),
            HelpRequestFields {
                description: description.into(),
                ..Default::default()
            },
            Person {
                id: Uuid::nil(),
                name: String::new(),
            },
            DateTime::UNIX_EPOCH + Duration::minutes(minutes),
        )
    }

    fn outbox_for(entity: u128, state: OutboxState) -> OutboxEntry {
        OutboxEntry {
            mutation: MutationEnvelope {
                id: Uuid::from_u128(entity + 1000),
                kind: "help_request.create".into(),
                recorded_at: DateTime::UNIX_EPOCH,
                payload: serde_json::Value::Null,
            },
            entity_id: Uuid::from_u128(entity),
            state,
            seq: 0,
        }
    }

    #[test]
    fn the_server_version_wins_when_nothing_is_pending() {
        let merged = merge_pulled(Some(request(1, "local", 0)), request(1, "server", 0), &[]);
        assert_eq!(merged.fields.description, "server");
    }

    #[test]
    fn a_pending_local_edit_stays_until_acknowledged() {
        let outbox = [outbox_for(1, OutboxState::Pending)];
        let merged = merge_pulled(
            Some(request(1, "local", 0)),
            request(1, "server", 0),
            &outbox,
        );
        assert_eq!(merged.fields.description, "local");
    }

    #[test]
    fn a_pending_edit_stays_even_beside_an_older_refused_one() {
        let refused = outbox_for(
            1,
            OutboxState::Rejected {
                reason: RejectReason::Conflict,
            },
        );
        let mut pending = outbox_for(1, OutboxState::Pending);
        pending.mutation.id = Uuid::from_u128(5000);
        let merged = merge_pulled(
            Some(request(1, "local", 0)),
            request(1, "server", 0),
            &[refused, pending],
        );
        assert_eq!(merged.fields.description, "local");
    }

    #[test]
    fn a_new_record_from_the_server_is_taken_as_is() {
        let outbox = [outbox_for(2, OutboxState::Pending)];
        assert_eq!(
            merge_pulled(None, request(1, "server", 0), &outbox)
                .fields
                .description,
            "server"
        );
    }

    #[test]
    fn sync_state_reports_refusal_over_pending() {
        let outbox = [
            outbox_for(1, OutboxState::Pending),
            outbox_for(
                1,
                OutboxState::Rejected {
                    reason: RejectReason::Conflict,
                },
            ),
            outbox_for(2, OutboxState::Pending),
        ];
        assert_eq!(
            sync_state(Uuid::from_u128(1), &outbox),
            SyncState::Rejected(RejectReason::Conflict)
        );
        assert_eq!(sync_state(Uuid::from_u128(2), &outbox), SyncState::Pending);
        assert_eq!(sync_state(Uuid::from_u128(3), &outbox), SyncState::Synced);
    }

    #[test]
    fn lists_show_the_newest_first() {
        let ids: Vec<_> = newest_first(vec![
            request(1, "", 5),
            request(2, "", 9),
            request(3, "", 1),
        ])
        .iter()
        .map(|r| r.id.as_u128())
        .collect();
        assert_eq!(ids, [2, 1, 3]);
    }
}
