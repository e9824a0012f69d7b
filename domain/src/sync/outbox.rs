//! The outbox: mutations made on the device that the server has not acknowledged yet. Nothing leaves it
//! until the server says it has the mutation; a refused mutation stays, marked, for the person to see.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::protocol::{MutationEnvelope, MutationResult, Outcome, RejectReason};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub mutation: MutationEnvelope,
    /// The record the mutation changes.
    pub entity_id: Uuid,
    pub state: OutboxState,
    /// The order the device made it in: its own counter, not its clock, which may have been set back
    /// between two entries. Entries kept before the counter existed have 0 and keep their ids' order.
    #[serde(default)]
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Rejected { reason: RejectReason },
}

impl OutboxEntry {
    pub fn is_pending(&self) -> bool {
        self.state == OutboxState::Pending
    }
}

/// The next mutations to push: pending ones, in the order they were made.
pub fn next_batch(entries: &[OutboxEntry], max: usize) -> Vec<MutationEnvelope> {
    let mut pending: Vec<_> = entries.iter().filter(|e| e.is_pending()).collect();
    pending.sort_by_key(|e| (e.seq, e.mutation.id));
    pending
        .into_iter()
        .take(max)
        .map(|e| e.mutation.clone())
        .collect()
}

/// The batch size to try after the server refused a push as too large (`413`): half, down to a single
/// mutation. `None` when one mutation alone was refused; it then waits in the outbox, nothing is dropped.
pub fn smaller_batch(size: usize) -> Option<usize> {
    (size > 1).then_some(size / 2)
}

/// What to do with the outbox after a push.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Acknowledgement {
    /// The server has these: remove them.
    pub remove: Vec<Uuid>,
    /// The server refused these for good: keep them, marked.
    pub reject: Vec<(Uuid, RejectReason)>,
}

/// Reads the server's answers to the mutations `sent`. A mutation without an answer stays pending, and an
/// answer about a mutation that was not sent is ignored: only an explicit acknowledgement removes anything.
pub fn acknowledge(sent: &[MutationEnvelope], results: &[MutationResult]) -> Acknowledgement {
    let mut ack = Acknowledgement::default();
    for result in results {
        if !sent.iter().any(|m| m.id == result.mutation_id) {
            continue;
        }
        match &result.outcome {
            Outcome::Applied | Outcome::Duplicate => ack.remove.push(result.mutation_id),
            Outcome::Rejected { reason } => ack.reject.push((result.mutation_id, reason.clone())),
        }
    }
    ack.remove.dedup();
    ack
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn envelope(n: u128) -> MutationEnvelope {
        MutationEnvelope {
            id: Uuid::from_u128(n),
            kind: "help_request.create".into(),
            recorded_at: DateTime::UNIX_EPOCH,
            payload: serde_json::Value::Null,
        }
    }

    fn entry(n: u128, state: OutboxState) -> OutboxEntry {
        OutboxEntry {
            mutation: envelope(n),
            entity_id: Uuid::from_u128(100 + n),
            state,
            seq: 0,
        }
    }

    fn result(n: u128, outcome: Outcome) -> MutationResult {
        MutationResult {
            mutation_id: Uuid::from_u128(n),
            outcome,
        }
    }

    #[test]
    fn the_batch_follows_the_order_of_making_not_the_ids_clock() {
        let mut later_clock = entry(9, OutboxState::Pending);
        later_clock.seq = 1;
        let mut earlier_clock = entry(2, OutboxState::Pending);
        earlier_clock.seq = 2;
        let ids: Vec<_> = next_batch(&[earlier_clock, later_clock], 10)
            .iter()
            .map(|m| m.id.as_u128())
            .collect();
        assert_eq!(ids, [9, 2]);
    }

    #[test]
    fn batches_hold_pending_mutations_oldest_first_up_to_the_limit() {
        let rejected = OutboxState::Rejected {
            reason: RejectReason::Conflict,
        };
        let entries = [
            entry(3, OutboxState::Pending),
            entry(1, OutboxState::Pending),
            entry(2, rejected),
            entry(4, OutboxState::Pending),
        ];
        let ids: Vec<_> = next_batch(&entries, 2)
            .iter()
            .map(|m| m.id.as_u128())
            .collect();
        assert_eq!(ids, [1, 3]);
    }

    #[test]
    fn a_batch_too_large_is_halved_down_to_one_mutation() {
        let mut sizes = vec![200];
        while let Some(next) = smaller_batch(*sizes.last().unwrap()) {
            sizes.push(next);
        }
        assert_eq!(sizes, [200, 100, 50, 25, 12, 6, 3, 1]);
    }

    #[test]
    fn applied_and_duplicate_are_removed_rejected_are_kept_marked() {
        let sent = [envelope(1), envelope(2), envelope(3)];
        let ack = acknowledge(
            &sent,
            &[
                result(1, Outcome::Applied),
                result(2, Outcome::Duplicate),
                result(
                    3,
                    Outcome::Rejected {
                        reason: RejectReason::Conflict,
                    },
                ),
            ],
        );
        assert_eq!(ack.remove, [Uuid::from_u128(1), Uuid::from_u128(2)]);
        assert_eq!(ack.reject, [(Uuid::from_u128(3), RejectReason::Conflict)]);
    }

    #[test]
    fn a_mutation_the_server_did_not_answer_stays_pending() {
        let ack = acknowledge(&[envelope(1), envelope(2)], &[result(1, Outcome::Applied)]);
        assert_eq!(ack.remove, [Uuid::from_u128(1)]);
        assert!(ack.reject.is_empty());
    }

    #[test]
    fn answers_about_mutations_not_sent_remove_nothing() {
        let ack = acknowledge(&[envelope(1)], &[result(9, Outcome::Applied)]);
        assert_eq!(ack, Acknowledgement::default());
    }
}
