//! Help requests converge across devices through the sync protocol as it runs (docs/sync-protocol.md):
//! outboxes of mutation envelopes pushed in batches, answers lost after the server committed and the
//! batch pushed again, a server that answers each mutation id once and replays that answer, and pulls by
//! cursor in pages, merged with what is still pending on the device (`merge_pulled`).

use std::collections::{BTreeMap, HashMap};

use proptest::test_runner::{RngSeed, TestCaseError};

use super::*;
use crate::sync::merge::merge_pulled;
use crate::sync::outbox::{acknowledge, next_batch, OutboxEntry, OutboxState};
use crate::sync::protocol::{
    ActOnHelpRequest, Change, EditHelpRequest, Mutation, MutationEnvelope, MutationResult, Outcome,
    PullResponse, Record, RejectReason,
};

/// The requests the devices work on, both recorded by the volunteer, so every device pulls both; two, so
/// that pulls come in pages of several records.
const REQUESTS: [u128; 2] = [100, 101];

/// The fields the generated edits change, in the order `changes_between` lists them.
const EDITED_FIELDS: [Field; 5] = [
    Field::District,
    Field::Category,
    Field::Description,
    Field::Urgency,
    Field::Place,
];

/// The server of `server/src/storage.rs`, reduced to help requests: it applies each mutation id once, in
/// the order pushes reach it, stores the answer and replays it; its change log keeps each request's
/// latest state under a cursor that grows in commit order.
struct Server {
    requests: BTreeMap<Uuid, HelpRequest>,
    change_log: Vec<Change>,
    last_cursor: i64,
    answers: HashMap<Uuid, Outcome>,
    /// Every mutation as the server first met it, in that order.
    arrivals: Vec<Arrival>,
}

/// A mutation's first arrival: the request before and after it, and the answer.
struct Arrival {
    mutation: Mutation,
    actor: Actor,
    before: HelpRequest,
    after: HelpRequest,
    outcome: Outcome,
}

impl Server {
    fn with(requests: impl IntoIterator<Item = HelpRequest>) -> Server {
        let mut server = Server {
            requests: BTreeMap::new(),
            change_log: Vec::new(),
            last_cursor: 0,
            answers: HashMap::new(),
            arrivals: Vec::new(),
        };
        for request in requests {
            server.save(request);
        }
        server
    }

    /// One push: an answer per mutation, in order; a mutation met before gets its stored answer again.
    fn push(&mut self, batch: &[MutationEnvelope], actor: &Actor) -> Vec<MutationResult> {
        let mut results: Vec<MutationResult> = Vec::with_capacity(batch.len());
        for envelope in batch {
            let (outcome, fresh) = if results.iter().any(|r| r.mutation_id == envelope.id) {
                (Outcome::Duplicate, false)
            } else if let Some(stored) = self.answers.get(&envelope.id) {
                (stored.clone(), false)
            } else {
                let outcome = self.apply(envelope, actor);
                self.answers.insert(envelope.id, outcome.clone());
                (outcome, true)
            };
            // As `storage::relog_target`: an answer that changed nothing still moves the request to a new
            // cursor, since its device kept its own copy while the mutation was pending.
            if !(fresh && outcome == Outcome::Applied) {
                let target = Mutation::from_envelope(envelope).map(|m| m.entity_id());
                if let Some(current) = target.ok().and_then(|id| self.requests.get(&id).cloned()) {
                    self.save(current);
                }
            }
            results.push(MutationResult {
                mutation_id: envelope.id,
                outcome,
            });
        }
        results
    }

    /// As `storage::help_requests::{edit, act}`: at the device's time of the mutation; an edit that
    /// changes nothing is a duplicate.
    fn apply(&mut self, envelope: &MutationEnvelope, actor: &Actor) -> Outcome {
        let mutation = match Mutation::from_envelope(envelope) {
            Ok(mutation) => mutation,
            Err(reason) => return Outcome::Rejected { reason },
        };
        let Some(before) = self.requests.get(&mutation.entity_id()).cloned() else {
            return Outcome::Rejected {
                reason: RejectReason::UnknownRecord,
            };
        };
        let at = envelope.recorded_at;
        let result = match &mutation {
            Mutation::EditHelpRequest(edit) => apply_edit(
                &before,
                actor,
                edit.seen_revision,
                &edit.changes,
                &sample(),
                at,
            ),
            Mutation::ActOnHelpRequest(act) => apply_action(&before, actor, &act.action, at),
            other => unreachable!("not generated: {other:?}"),
        };
        let (outcome, after) = match result {
            Ok(after) if after == before => (Outcome::Duplicate, after),
            Ok(after) => {
                self.save(after.clone());
                (Outcome::Applied, after)
            }
            Err(refusal) => (
                Outcome::Rejected {
                    reason: RejectReason::Refused { refusal },
                },
                before.clone(),
            ),
        };
        self.arrivals.push(Arrival {
            mutation,
            actor: actor.clone(),
            before,
            after,
            outcome: outcome.clone(),
        });
        outcome
    }

    /// Stores the request's new state and moves it to a new cursor.
    fn save(&mut self, request: HelpRequest) {
        self.change_log
            .retain(|c| !matches!(&c.record, Record::HelpRequest(r) if r.id == request.id));
        self.last_cursor += 1;
        self.change_log.push(Change {
            cursor: self.last_cursor,
            record: Record::HelpRequest(request.clone()),
        });
        self.requests.insert(request.id, request);
    }

    /// Changes committed after `since`, oldest first, at most `limit` of them.
    fn pull(&self, since: i64, limit: usize) -> PullResponse {
        let mut changes: Vec<Change> = self
            .change_log
            .iter()
            .filter(|c| c.cursor > since)
            .take(limit + 1)
            .cloned()
            .collect();
        let has_more = changes.len() > limit;
        changes.truncate(limit);
        PullResponse {
            next_cursor: changes.last().map_or(since, |c| c.cursor),
            changes,
            has_more,
            readable: Vec::new(),
        }
    }
}

/// What a person does to one of the requests.
#[derive(Debug, Clone)]
struct Intent {
    request: usize,
    op: Op,
}

#[derive(Debug, Clone)]
enum Op {
    /// New values typed into the form, at most one per field, in the order of `EDITED_FIELDS`.
    Edit(Vec<FieldChange>),
    Act(Action),
}

/// A device as `app/src/local/` runs it: its copy of the requests, its outbox, its pull cursor.
struct Device {
    name: &'static str,
    actor: Actor,
    intents: Vec<Intent>,
    requests: BTreeMap<Uuid, HelpRequest>,
    outbox: Vec<OutboxEntry>,
    cursor: i64,
    /// In the pull half of a sync cycle.
    pulling: bool,
}

impl Device {
    fn new(name: &'static str, actor: Actor, intents: Vec<Intent>) -> Device {
        Device {
            name,
            actor,
            intents,
            requests: BTreeMap::new(),
            outbox: Vec::new(),
            cursor: 0,
            pulling: false,
        }
    }

    /// The person's next intent, as `edit_help_request` and `act_on_help_request` do it: on the local
    /// copy, queued with the revision it was made on. What the workflow refuses on the device is not
    /// offered there, so nothing is queued.
    fn act_on_next_intent(&mut self, mutation_id: Uuid, at: DateTime<Utc>) {
        if self.intents.is_empty() {
            return;
        }
        let Intent { request, op } = self.intents.remove(0);
        let id = Uuid::from_u128(REQUESTS[request]);
        let base = self.requests[&id].clone();
        let (next, mutation) = match op {
            Op::Edit(typed) => {
                let changes: Vec<FieldChange> = typed
                    .into_iter()
                    .filter(|c| field_text(&base.fields, c.field()) != written_text(c))
                    .collect();
                let edited = apply_edit(&base, &self.actor, base.revision, &changes, &sample(), at);
                let next = match edited {
                    Ok(next) if next != base => next,
                    _ => return,
                };
                let edit = EditHelpRequest {
                    help_request_id: id,
                    seen_revision: base.revision,
                    changes,
                };
                (next, Mutation::EditHelpRequest(edit))
            }
            Op::Act(action) => {
                let Ok(next) = apply_action(&base, &self.actor, &action, at) else {
                    return;
                };
                let act = ActOnHelpRequest {
                    help_request_id: id,
                    seen_revision: base.revision,
                    action,
                };
                (next, Mutation::ActOnHelpRequest(act))
            }
        };
        self.requests.insert(id, applied_locally(&base, next));
        self.outbox.push(OutboxEntry {
            mutation: mutation.into_envelope(mutation_id, at),
            entity_id: id,
            state: OutboxState::Pending,
            seq: 0,
        });
    }

    /// One request of the app's sync cycle (`sync_once`): pushes of the oldest pending mutations while
    /// any are left, then pull pages until none is left. When `answer_lost`, the connection drops before
    /// the answer arrives (a push is committed on the server all the same) and the cycle ends; the next
    /// one starts with the push again. Whether the cycle ended.
    fn sync_step(&mut self, server: &mut Server, sizes: Sizes, answer_lost: bool) -> bool {
        if !self.pulling {
            let batch = next_batch(&self.outbox, sizes.batch);
            if !batch.is_empty() {
                let results = server.push(&batch, &self.actor);
                if !answer_lost {
                    self.acknowledge(&batch, &results);
                }
                return answer_lost;
            }
            self.pulling = true;
        }
        let page = server.pull(self.cursor, sizes.page);
        if answer_lost {
            self.pulling = false;
            return true;
        }
        for change in page.changes {
            let Record::HelpRequest(incoming) = change.record else {
                unreachable!("only help requests are logged");
            };
            let local = self.requests.remove(&incoming.id);
            let merged = merge_pulled(local, incoming, &self.outbox);
            self.requests.insert(merged.id, merged);
        }
        self.cursor = page.next_cursor;
        self.pulling = page.has_more;
        !page.has_more
    }

    /// As `LocalDb::acknowledge`: applied and duplicate leave the outbox, refused stay in it, marked.
    fn acknowledge(&mut self, batch: &[MutationEnvelope], results: &[MutationResult]) {
        let ack = acknowledge(batch, results);
        self.outbox.retain(|e| !ack.remove.contains(&e.mutation.id));
        for (id, reason) in ack.reject {
            for entry in self.outbox.iter_mut().filter(|e| e.mutation.id == id) {
                entry.state = OutboxState::Rejected {
                    reason: reason.clone(),
                };
            }
        }
    }

    /// Syncs with the network up until a cycle ends with nothing left to push.
    fn sync_to_the_end(&mut self, server: &mut Server, sizes: Sizes) {
        while !self.sync_step(server, sizes, false)
            || self.outbox.iter().any(OutboxEntry::is_pending)
        {}
    }
}

/// How many mutations a push carries (fewer than `MAX_PUSH_BATCH` after a `413`), how many changes a
/// pull page.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    batch: usize,
    page: usize,
}

/// One thing that happens on a device while the others work offline.
#[derive(Debug, Clone)]
enum Moment {
    /// The person does what they intend next, also in the middle of a sync.
    Work,
    /// The next request of the device's sync cycle; with `answer_lost`, its answer never arrives.
    Sync { answer_lost: bool },
}

/// The value a change writes, as the history shows it: read from the change itself, so that the check
/// does not rely on the code it checks.
fn written_text(change: &FieldChange) -> String {
    match change {
        FieldChange::District(value)
        | FieldChange::Category(value)
        | FieldChange::Description(value)
        | FieldChange::Place(value) => value.clone(),
        FieldChange::Urgency(urgency) => urgency.as_str().to_owned(),
        other => unreachable!("not generated: {other:?}"),
    }
}

fn edit_strategy() -> impl Strategy<Value = Op> {
    let typed = |values: Vec<&'static str>, change: fn(String) -> FieldChange| {
        prop::option::weighted(
            0.4,
            prop::sample::select(values).prop_map(move |v| change(v.into())),
        )
    };
    (
        typed(vec!["okolna", "jedwabnik"], FieldChange::District),
        typed(vec!["shopping", "transport"], FieldChange::Category),
        typed(vec!["A", "B", "C"], FieldChange::Description),
        prop::option::weighted(
            0.4,
            prop::sample::select(vec![Urgency::Low, Urgency::Urgent])
                .prop_map(FieldChange::Urgency),
        ),
        typed(vec!["", "MAL", "przychodnia"], FieldChange::Place),
    )
        .prop_map(|(district, category, text, urgency, place)| {
            Op::Edit(
                [district, category, text, urgency, place]
                    .into_iter()
                    .flatten()
                    .collect(),
            )
        })
}

fn organiser_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => edit_strategy(),
        1 => Just(Op::Act(Action::Approve)),
        1 => Just(Op::Act(action_of(ActionKind::Return))),
        1 => Just(Op::Act(action_of(ActionKind::Reject))),
        1 => Just(Op::Act(action_of(ActionKind::Cancel))),
        1 => Just(Op::Act(Action::Assign {
            volunteers: vec![volunteer().person]
        })),
    ]
}

fn volunteer_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => edit_strategy(),
        1 => Just(Op::Act(Action::Resubmit)),
        1 => Just(Op::Act(Action::Accept)),
        1 => Just(Op::Act(Action::Start)),
        1 => Just(Op::Act(action_of(ActionKind::LogHours))),
        1 => Just(Op::Act(action_of(ActionKind::Complete))),
    ]
}

fn intents(op: impl Strategy<Value = Op>) -> impl Strategy<Value = Vec<Intent>> {
    prop::collection::vec(
        (0..REQUESTS.len(), op).prop_map(|(request, op)| Intent { request, op }),
        0..8,
    )
}

fn moment_strategy() -> impl Strategy<Value = Moment> {
    prop_oneof![
        1 => Just(Moment::Work),
        2 => prop::bool::weighted(0.2).prop_map(|answer_lost| Moment::Sync { answer_lost }),
    ]
}

/// No accepted edit is lost silently (docs/workflow.md, concurrent edits). An edit the server applied
/// left one history entry with every value it wrote and the value that value overwrote: `edited`, or
/// `edit_superseded` without any change when it was a volunteer's stale edit of a decided request. An
/// edit answered `duplicate` had nothing to write. The history is only ever appended to, and its edits
/// replay from the recorded values to the request's fields, so a value the server accepted is either
/// still there or was overwritten by a later edit the history shows.
fn assert_no_accepted_edit_lost(server: &Server) -> Result<(), TestCaseError> {
    for arrival in &server.arrivals {
        let Mutation::EditHelpRequest(edit) = &arrival.mutation else {
            continue;
        };
        let before = &arrival.before;
        let written: Vec<ChangedValue> = edit
            .changes
            .iter()
            .map(|change| ChangedValue {
                field: change.field(),
                from: field_text(&before.fields, change.field()),
                to: written_text(change),
            })
            .filter(|c| c.from != c.to)
            .collect();
        match arrival.outcome {
            Outcome::Duplicate => prop_assert!(written.is_empty(), "dropped: {written:?}"),
            Outcome::Applied => {
                let latest = &server.requests[&before.id];
                prop_assert!(latest.history.starts_with(&arrival.after.history));
                let entry = &arrival.after.history[before.history.len()];
                prop_assert_eq!(&entry.by, &arrival.actor.person);
                let stale = edit.seen_revision < before.decided_at_revision;
                let decided = !matches!(before.status, S::AwaitingApproval | S::Returned);
                if !arrival.actor.is_reviewer() && stale && decided {
                    prop_assert_eq!(
                        &entry.event,
                        &HistoryEvent::EditSuperseded { changes: written }
                    );
                    prop_assert_eq!(arrival.after.status, before.status);
                    prop_assert_eq!(&arrival.after.fields, &before.fields);
                } else {
                    prop_assert_eq!(&entry.event, &HistoryEvent::Edited { changes: written });
                }
            }
            // Refused edits stay on the device, marked on the record.
            Outcome::Rejected { .. } => {}
        }
    }
    for request in server.requests.values() {
        let mut values: HashMap<Field, String> = EDITED_FIELDS
            .iter()
            .map(|&field| (field, field_text(&fields(), field)))
            .collect();
        for entry in &request.history {
            if let HistoryEvent::Edited { changes } = &entry.event {
                for change in changes {
                    prop_assert_eq!(&values[&change.field], &change.from);
                    values.insert(change.field, change.to.clone());
                }
            }
        }
        for (field, value) in values {
            prop_assert_eq!(field_text(&request.fields, field), value, "{:?}", field);
        }
    }
    Ok(())
}

proptest! {
    // Seeded, so every run checks the same cases; PROPTEST_RNG_SEED=<n> explores others.
    #![proptest_config(ProptestConfig {
        cases: 2000,
        rng_seed: RngSeed::Fixed(16),
        ..ProptestConfig::default()
    })]

    /// Three devices (the volunteer's phone and tablet, the organiser's laptop) work on two requests
    /// offline and in the middle of syncs; their mutations reach the server in any interleaving, in
    /// batches, some pushed again after a lost answer, between the pages of pulls. After every device
    /// has synced to the end, all of them hold exactly the server's requests, and no accepted edit was
    /// lost.
    #[test]
    fn devices_converge_on_the_server_whatever_the_delivery_order(
        phone in intents(volunteer_op()),
        tablet in intents(volunteer_op()),
        laptop in intents(organiser_op()),
        moments in prop::collection::vec((0..3usize, moment_strategy()), 0..80),
        last_sync_order in Just(vec![0usize, 1, 2]).prop_shuffle(),
        batch in 1..4usize,
        page in 1..3usize,
    ) {
        let sizes = Sizes { batch, page };
        let recorded = REQUESTS.map(|id| {
            HelpRequest::recorded(Uuid::from_u128(id), fields(), volunteer().person, at(0))
        });
        let mut server = Server::with(recorded);
        let mut devices = [
            Device::new("phone", volunteer(), phone),
            Device::new("tablet", volunteer(), tablet),
            Device::new("laptop", organiser(), laptop),
        ];
        for device in &mut devices {
            device.sync_to_the_end(&mut server, sizes);
        }
        // Mutation ids grow with time, as UUIDv7 do, and each is made at its own minute.
        let mut clock: u32 = 0;
        for (index, moment) in moments {
            let device = &mut devices[index];
            match moment {
                Moment::Work => {
                    clock += 1;
                    device.act_on_next_intent(Uuid::from_u128(clock.into()), at(clock.into()));
                }
                Moment::Sync { answer_lost } => {
                    device.sync_step(&mut server, sizes, answer_lost);
                }
            }
        }
        for index in last_sync_order {
            devices[index].sync_to_the_end(&mut server, sizes);
        }
        for device in &mut devices {
            device.sync_to_the_end(&mut server, sizes);
        }
        for device in &devices {
            for (id, request) in &server.requests {
                prop_assert_eq!(device.requests.get(id), Some(request), "{} differs", device.name);
            }
        }
        assert_no_accepted_edit_lost(&server)?;
    }
}
