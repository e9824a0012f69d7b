//! What must hold after every run, once the faults have stopped and everyone has synced:
//! - **nothing lost**: every change saved on a device is on the server (applied, or found already made),
//!   or was refused and is still on the device that made it, shown to its person (kept in the outbox as
//!   refused);
//! - **nothing duplicated**: no change took effect twice (every history entry of a request is one change:
//!   the time it was saved, by whom, what it did);
//! - **nothing silently overwritten**: an edit changed on the server only the fields its person changed
//!   in the form;
//! - **no outbox blocked**: nothing still waits to be sent;
//! - **everyone agrees**: every device holds exactly what the server would send its reader;
//! - **every opening logged once**: what a person opened on a device is in the audit log, once.

use std::collections::{BTreeMap, HashMap};

use domain::help_request::HelpRequest;
use domain::sync::outbox::OutboxState;
use domain::sync::protocol::{Outcome, Record};
use domain::workflow::HistoryEvent;
use uuid::Uuid;

use super::world::World;

pub async fn check(world: &World) -> Result<(), String> {
    every_opening_logged_once(world).await?;
    let outcomes = stored_outcomes(world).await;
    let all_requests = requests(&world.server_view(None).await.changes);
    nothing_lost_or_blocked(world, &outcomes).await?;
    nothing_duplicated(&all_requests)?;
    nothing_overwritten(world, &all_requests)?;
    everyone_agrees(world, &all_requests).await
}

/// The rows of `query` in the server's database.
async fn stored<T>(world: &World, query: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let file = world.server().data_dir.join(server::storage::DATABASE_FILE);
    let database = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", file.display()))
        .await
        .unwrap();
    let rows = sqlx::query_as(query).fetch_all(&database).await.unwrap();
    database.close().await;
    rows
}

async fn every_opening_logged_once(world: &World) -> Result<(), String> {
    let logged: Vec<(String,)> = stored(
        world,
        "SELECT receipt FROM audit_log WHERE receipt IS NOT NULL ORDER BY receipt",
    )
    .await;
    let mut logged: Vec<Uuid> = logged.iter().map(|(r,)| r.parse().unwrap()).collect();
    logged.sort_unstable();
    let mut opened: Vec<Uuid> = world
        .devices
        .iter()
        .flat_map(|d| d.opened.borrow().clone())
        .collect();
    opened.sort_unstable();
    if logged != opened {
        return Err(format!(
            "UNLOGGED: the devices opened {opened:?}, the audit log holds {logged:?}"
        ));
    }
    Ok(())
}

/// What the server answered each mutation id it has met, read from its database.
async fn stored_outcomes(world: &World) -> HashMap<Uuid, Outcome> {
    let rows: Vec<(String, String)> =
        stored(world, "SELECT id, outcome FROM applied_mutation").await;
    rows.into_iter()
        .map(|(id, outcome)| (id.parse().unwrap(), serde_json::from_str(&outcome).unwrap()))
        .collect()
}

fn requests(changes: &[domain::sync::protocol::Change]) -> BTreeMap<Uuid, HelpRequest> {
    changes
        .iter()
        .filter_map(|change| match &change.record {
            Record::HelpRequest(request) => Some((request.id, request.clone())),
            _ => None,
        })
        .collect()
}

async fn nothing_lost_or_blocked(
    world: &World,
    outcomes: &HashMap<Uuid, Outcome>,
) -> Result<(), String> {
    for device in &world.devices {
        let outbox = device.data().outbox().await.unwrap();
        if let Some(waiting) = outbox.iter().find(|e| e.is_pending()) {
            return Err(format!(
                "BLOCKED: {} still has {} ({}) waiting after everyone synced",
                device.name, waiting.mutation.kind, waiting.mutation.id
            ));
        }
        let made_here = device.made.borrow();
        for (n, made) in made_here.iter().enumerate() {
            let kept = outbox.iter().find(|e| e.mutation.id == made.mutation);
            // A refused creation its person corrected in the form went again as a new creation, in its
            // place (`LocalData::edit_help_request`): dealt with, not lost.
            let corrected = || {
                made.creates
                    && made_here[n + 1..]
                        .iter()
                        .any(|later| later.creates && later.request == made.request)
            };
            match (outcomes.get(&made.mutation), kept) {
                // Duplicate: its effect was already there (someone made the same change first).
                (Some(Outcome::Applied | Outcome::Duplicate), None) => {}
                (Some(Outcome::Rejected { .. }), None) if corrected() => {}
                (Some(Outcome::Rejected { reason }), Some(entry))
                    if entry.state
                        == (OutboxState::Rejected {
                            reason: reason.clone(),
                        }) => {}
                (server, device_copy) => {
                    return Err(format!(
                        "LOST: {}'s change {} ({made:?}) to {} — the server says {server:?}, the device keeps {:?}",
                        device.name,
                        made.mutation,
                        made.request,
                        device_copy.map(|e| &e.state)
                    ))
                }
            }
        }
    }
    Ok(())
}

/// Every history entry is one change: saved at a distinct moment (the world gives every save its own
/// millisecond), by one person, doing one thing.
fn nothing_duplicated(requests: &BTreeMap<Uuid, HelpRequest>) -> Result<(), String> {
    for request in requests.values() {
        let mut seen: HashMap<(i64, Uuid, String), usize> = HashMap::new();
        for entry in &request.history {
            let what = serde_json::to_value(&entry.event).unwrap();
            let key = (
                entry.at.timestamp_millis(),
                entry.by.id,
                what.get("event")
                    .or_else(|| what.get("action"))
                    .map(ToString::to_string)
                    .unwrap_or_else(|| what.to_string()),
            );
            *seen.entry(key.clone()).or_default() += 1;
            if seen[&key] > 1 {
                return Err(format!(
                    "DUPLICATED: request {} has {:?} by {} at {} twice",
                    request.id, entry.event, entry.by.name, entry.at
                ));
            }
        }
    }
    Ok(())
}

/// An edit's history entry names the fields it changed on the server: only those its person changed.
fn nothing_overwritten(
    world: &World,
    requests: &BTreeMap<Uuid, HelpRequest>,
) -> Result<(), String> {
    let made: Vec<_> = world
        .devices
        .iter()
        .flat_map(|d| d.made.borrow().clone())
        .collect();
    for request in requests.values() {
        for entry in &request.history {
            let changes = match &entry.event {
                HistoryEvent::Edited { changes } | HistoryEvent::EditSuperseded { changes } => {
                    changes
                }
                _ => continue,
            };
            let edit = made
                .iter()
                .find(|m| m.at == entry.at && m.by == entry.by.id && m.request == request.id);
            let Some(typed) = edit.and_then(|m| m.edited.as_ref()) else {
                return Err(format!(
                    "OVERWRITTEN: request {} has an edit at {} by {} that nobody saved",
                    request.id, entry.at, entry.by.name
                ));
            };
            if let Some(change) = changes.iter().find(|c| !typed.contains(&c.field)) {
                return Err(format!(
                    "OVERWRITTEN: {}'s edit of request {} at {} changed {:?} from {:?} to {:?}, \
                     which they did not touch (they changed {typed:?})",
                    entry.by.name, request.id, entry.at, change.field, change.from, change.to
                ));
            }
        }
    }
    Ok(())
}

/// Every device holds what the server sends its reader. A device may hold more only where its person
/// must still act (a refused change, kept with its refusal): a request its reader may no longer hold has
/// left it with the last pull (`PullResponse::readable`).
async fn everyone_agrees(
    world: &World,
    all_requests: &BTreeMap<Uuid, HelpRequest>,
) -> Result<(), String> {
    for device in &world.devices {
        let view = world.server_view(Some(device)).await;
        let theirs = requests(&view.changes);
        let snapshot = device.data().snapshot().await.unwrap();
        let mine: BTreeMap<Uuid, HelpRequest> =
            snapshot.requests.into_iter().map(|r| (r.id, r)).collect();
        for (id, request) in &theirs {
            match mine.get(id) {
                Some(local) if local == request => {}
                local => {
                    return Err(format!(
                        "DIVERGED: {} holds {:?}\nof request {id}; the server has {request:?}",
                        device.name, local
                    ))
                }
            }
        }
        for id in mine.keys().filter(|id| !theirs.contains_key(id)) {
            let refused = snapshot
                .outbox
                .iter()
                .any(|e| e.entity_id == *id && !e.is_pending());
            if !refused {
                let why = if all_requests.contains_key(id) {
                    "its reader may no longer hold"
                } else {
                    "the server does not have"
                };
                return Err(format!(
                    "DIVERGED: {} holds request {id}, which {why}",
                    device.name
                ));
            }
        }
        let dictionary: Vec<_> = view
            .changes
            .iter()
            .filter_map(|c| match &c.record {
                Record::DictionaryEntry(entry) => Some(entry.clone()),
                _ => None,
            })
            .collect();
        let mut local_dictionary = snapshot.dictionary;
        let mut server_dictionary = dictionary;
        local_dictionary.sort_by_key(|e| e.key());
        server_dictionary.sort_by_key(|e| e.key());
        if local_dictionary != server_dictionary {
            return Err(format!("DIVERGED: {}'s choice lists", device.name));
        }
    }
    Ok(())
}
