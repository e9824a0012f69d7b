//! The device-side logic over any [`DeviceStore`]: what the pages read, saving a change with the mutation
//! that carries it, the outbox, and merging pulled pages. The same code runs on IndexedDB in the browser
//! and on the in-memory store in native tests. Every change that belongs together is one transaction, so a
//! closed tab never leaves half of it behind.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use domain::account::{Account, Role};
use domain::attendance::{AttendanceList, Author, ListChange};
use domain::audit::{PersonalRead, ReadReceipt};
use domain::consent::{ConsentKind, ConsentText, ConsentTexts, PublishedConsentText};
use domain::dictionary::{Dictionary, DictionaryEntry};
use domain::event::Event;
use domain::help_request::{HelpRequest, HelpRequestFields};
use domain::meeting_note::{MeetingNote, NoteDecision};
use domain::photo::{LocalPhoto, Photo, PhotoDecision};
use domain::resident::{corrected, merge, withdraw_image_consent, Resident, ResidentFields};
use domain::sync::merge::{merge_pulled, Synced};
use domain::sync::outbox::{Acknowledgement, OutboxEntry, OutboxState};
use domain::sync::protocol::{
    ActOnHelpRequest, ChangeAttendance, CreateHelpRequest, CreateResident, EditHelpRequest,
    EditResident, MergeResidents, Mutation, PullResponse, ReadableKeys, Record, RecordKind,
    ReviewMeetingNote, ReviewPhoto, WithdrawImageConsent, WriteMeetingNote,
};
use domain::workflow::{applied_locally, apply_action, apply_edit, changes_between, Action, Actor};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::failure::{PhotoProblem, SaveFailure};
use super::store::{Area, DeviceStore, StoreError, StoreTransaction};

const META_CURSOR: &str = "pull_cursor";
const META_LAST_SYNC: &str = "last_sync";
/// Whom the device's copies were pulled for ([`Reader`]).
const META_READER: &str = "reader";
/// The number of the last mutation queued (`OutboxEntry::seq`).
const META_OUTBOX_SEQ: &str = "outbox_seq";

/// The person and role the device pulled its copies as: what the server sent depends on both.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Reader {
    account: Uuid,
    role: Role,
}

/// Puts `entries` in the outbox after everything queued before, in the order given; `tx` writes the
/// outbox and meta.
async fn enqueue(tx: &impl StoreTransaction, entries: &[OutboxEntry]) -> Result<(), StoreError> {
    let mut seq: u64 = tx.get(Area::Meta, META_OUTBOX_SEQ).await?.unwrap_or(0);
    for entry in entries {
        seq += 1;
        let entry = OutboxEntry {
            seq,
            ..entry.clone()
        };
        tx.put(Area::Outbox, &entry.mutation.id.to_string(), &entry)
            .await?;
    }
    tx.put(Area::Meta, META_OUTBOX_SEQ, &seq).await
}

/// Where the current text of a consent kind is kept ("image_consent_text" since before there were others).
fn consent_text_key(kind: ConsentKind) -> String {
    format!("{}_consent_text", kind.as_str())
}

/// A photo's blob keys in [`Area::PhotoBlobs`].
pub fn blob_key(photo: Uuid, kind: BlobKind) -> String {
    match kind {
        BlobKind::Original => format!("{photo}/original"),
        BlobKind::Thumbnail => format!("{photo}/thumbnail"),
    }
}

/// Which of a photo's blobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    Original,
    Thumbnail,
}

/// Everything the pages show, read in one transaction.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub requests: Vec<HelpRequest>,
    pub residents: Vec<Resident>,
    pub outbox: Vec<OutboxEntry>,
    pub dictionary: Vec<DictionaryEntry>,
    pub last_sync: Option<DateTime<Utc>>,
    pub events: Vec<Event>,
    pub attendance: Vec<AttendanceList>,
    pub consent_texts: ConsentTexts,
    pub photos: Vec<Photo>,
    pub local_photos: Vec<LocalPhoto>,
    pub notes: Vec<MeetingNote>,
}

#[cfg(test)]
impl Snapshot {
    /// How many records of `kind` the pages get (for the test that every kind pulled reaches them).
    pub fn count(&self, kind: RecordKind) -> usize {
        match kind {
            RecordKind::HelpRequest => self.requests.len(),
            RecordKind::DictionaryEntry => self.dictionary.len(),
            RecordKind::Resident => self.residents.len(),
            RecordKind::Event => self.events.len(),
            RecordKind::AttendanceList => self.attendance.len(),
            RecordKind::ConsentText => ConsentKind::ALL
                .into_iter()
                .filter(|kind| self.consent_texts.current(*kind).is_some())
                .count(),
            RecordKind::Photo => self.photos.len(),
            RecordKind::MeetingNote => self.notes.len(),
        }
    }
}

/// A record changed on the device, stored beside its outbox entry.
#[derive(Debug, Clone)]
pub enum LocalRecord {
    Request(HelpRequest),
    Resident(Resident),
    Attendance(AttendanceList),
    Photo(Photo),
    MeetingNote(MeetingNote),
}

impl LocalRecord {
    fn kind(&self) -> RecordKind {
        match self {
            LocalRecord::Request(_) => RecordKind::HelpRequest,
            LocalRecord::Resident(_) => RecordKind::Resident,
            LocalRecord::Attendance(_) => RecordKind::AttendanceList,
            LocalRecord::Photo(_) => RecordKind::Photo,
            LocalRecord::MeetingNote(_) => RecordKind::MeetingNote,
        }
    }

    async fn put(&self, tx: &impl StoreTransaction) -> Result<(), StoreError> {
        let area = Area::of(self.kind());
        match self {
            LocalRecord::Request(r) => tx.put(area, &r.id().to_string(), r).await,
            LocalRecord::Resident(r) => tx.put(area, &r.id().to_string(), r).await,
            LocalRecord::Attendance(r) => tx.put(area, &r.id().to_string(), r).await,
            LocalRecord::Photo(r) => tx.put(area, &r.id().to_string(), r).await,
            LocalRecord::MeetingNote(r) => tx.put(area, &r.id().to_string(), r).await,
        }
    }
}

/// A mutation made `now` (the device's clock), waiting for the server. Its id is a UUIDv7 of that time.
pub fn queued(mutation: Mutation, now: DateTime<Utc>) -> OutboxEntry {
    let at = uuid::Timestamp::from_unix(
        uuid::NoContext,
        now.timestamp().max(0) as u64,
        now.timestamp_subsec_nanos(),
    );
    OutboxEntry {
        entity_id: mutation.entity_id(),
        mutation: mutation.into_envelope(Uuid::new_v7(at), now),
        state: OutboxState::Pending,
        seq: 0,
    }
}

/// The scope of a transaction that may touch every synced kind: their areas (from the one list of kinds,
/// so a new kind cannot be left out of it) and `also`.
fn synced_areas(also: &[Area]) -> Vec<Area> {
    let mut areas: Vec<Area> = RecordKind::ALL
        .into_iter()
        .map(Area::of)
        .chain(also.iter().copied())
        .collect();
    areas.sort_unstable();
    areas.dedup();
    areas
}

/// Stores a pulled record, unless a pending local change to it should stay on screen (`merge_pulled`).
async fn put_pulled<T>(
    tx: &impl StoreTransaction,
    area: Area,
    incoming: &T,
    outbox: &[OutboxEntry],
) -> Result<(), StoreError>
where
    T: Synced + Clone + Serialize + DeserializeOwned,
{
    let key = incoming.id().to_string();
    let local: Option<T> = tx.get(area, &key).await?;
    tx.put(area, &key, &merge_pulled(local, incoming.clone(), outbox))
        .await
}

/// Deletes the records of a kind the reader may no longer hold (`PullResponse::readable`), except those an
/// outbox entry still names: what the person changed is sent first (and a refused change stays to be seen).
async fn forget_unreadable(
    tx: &impl StoreTransaction,
    readable: &ReadableKeys,
    outbox: &[OutboxEntry],
) -> Result<(), StoreError> {
    let Some(kind) = RecordKind::ALL
        .into_iter()
        .find(|kind| kind.as_str() == readable.entity)
    else {
        return Ok(());
    };
    let area = match kind {
        RecordKind::HelpRequest
        | RecordKind::DictionaryEntry
        | RecordKind::Resident
        | RecordKind::Event
        | RecordKind::AttendanceList
        | RecordKind::Photo
        | RecordKind::MeetingNote => Area::of(kind),
        // Kept in the meta area beside the device's own bookkeeping, and no one's personal data.
        RecordKind::ConsentText => return Ok(()),
    };
    let readable: HashSet<&str> = readable.keys.iter().map(String::as_str).collect();
    let unsent: HashSet<String> = outbox.iter().map(|e| e.entity_id.to_string()).collect();
    for key in tx.keys(area).await? {
        if !readable.contains(key.as_str()) && !unsent.contains(&key) {
            tx.delete(area, &key).await?;
        }
    }
    Ok(())
}

/// The device's data in a store.
pub struct LocalData<S> {
    store: S,
}

impl<S: DeviceStore> LocalData<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }

    #[cfg(test)]
    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn into_store(self) -> S {
        self.store
    }

    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let tx = self.store.read(&synced_areas(&[
            Area::Outbox,
            Area::LocalPhotos,
            Area::Meta,
        ]))?;
        let mut consent_texts = ConsentTexts::default();
        for kind in ConsentKind::ALL {
            let text: Option<ConsentText> = tx.get(Area::Meta, &consent_text_key(kind)).await?;
            if let Some(text) = text {
                consent_texts.publish(PublishedConsentText { kind, text });
            }
        }
        Ok(Snapshot {
            requests: tx.all(Area::HelpRequests).await?,
            residents: tx.all(Area::Residents).await?,
            outbox: tx.all(Area::Outbox).await?,
            dictionary: tx.all(Area::Dictionary).await?,
            last_sync: tx.get(Area::Meta, META_LAST_SYNC).await?,
            events: tx.all(Area::Events).await?,
            attendance: tx.all(Area::Attendance).await?,
            consent_texts,
            photos: tx.all(Area::Photos).await?,
            local_photos: tx.all(Area::LocalPhotos).await?,
            notes: tx.all(Area::MeetingNotes).await?,
        })
    }

    /// Saves records and the mutations that will carry them to the server, together or not at all.
    pub async fn record(
        &self,
        records: &[LocalRecord],
        entries: &[OutboxEntry],
    ) -> Result<(), StoreError> {
        // Exactly the areas written, so no list of them can fall behind the record types.
        let mut scope: Vec<Area> = records.iter().map(|r| Area::of(r.kind())).collect();
        scope.extend([Area::Outbox, Area::Meta]);
        scope.sort_unstable();
        scope.dedup();
        let tx = self.store.write(&scope)?;
        for record in records {
            record.put(&tx).await?;
        }
        enqueue(&tx, entries).await?;
        tx.commit().await
    }

    async fn one<T: DeserializeOwned>(&self, area: Area, id: Uuid) -> Result<T, SaveFailure> {
        let tx = self.store.read(&[area])?;
        tx.get(area, &id.to_string())
            .await?
            .ok_or(SaveFailure::NotFound)
    }

    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        self.store.read(&[Area::Outbox])?.all(Area::Outbox).await
    }

    /// What the person would lose if the device's data went now: entries and photos the server does not
    /// have — waiting, or refused and not yet dealt with (a refused entry stays until a person corrects or
    /// discards it).
    pub async fn unsent_count(&self) -> Result<usize, StoreError> {
        // Keys only: counted without opening anything, so also on a locked kiosk.
        let tx = self.store.read(&[Area::Outbox, Area::LocalPhotos])?;
        Ok(tx.keys(Area::Outbox).await?.len() + tx.keys(Area::LocalPhotos).await?.len())
    }

    pub async fn acknowledge(&self, ack: &Acknowledgement) -> Result<(), StoreError> {
        let tx = self.store.write(&[Area::Outbox])?;
        for id in &ack.remove {
            tx.delete(Area::Outbox, &id.to_string()).await?;
        }
        for (id, reason) in &ack.reject {
            let key = id.to_string();
            let entry: Option<OutboxEntry> = tx.get(Area::Outbox, &key).await?;
            if let Some(mut entry) = entry {
                entry.state = OutboxState::Rejected {
                    reason: reason.clone(),
                };
                tx.put(Area::Outbox, &key, &entry).await?;
            }
        }
        tx.commit().await
    }

    pub async fn pull_cursor(&self) -> Result<i64, StoreError> {
        let cursor: Option<i64> = self
            .store
            .read(&[Area::Meta])?
            .get(Area::Meta, META_CURSOR)
            .await?;
        Ok(cursor.unwrap_or(0))
    }

    /// Applies a page pulled from cursor `since` and moves the cursor past it, in the same transaction,
    /// so a page is never applied twice or skipped. A page whose `since` is no longer the cursor (another
    /// tab pulled meanwhile, or the device must pull everything again) is older than what the device
    /// has or would be: it is dropped (`false`) and the next pull starts from the cursor as it is.
    pub async fn apply_pull(&self, since: i64, page: &PullResponse) -> Result<bool, StoreError> {
        let tx = self
            .store
            .write(&synced_areas(&[Area::Outbox, Area::Meta]))?;
        let cursor: Option<i64> = tx.get(Area::Meta, META_CURSOR).await?;
        if cursor.unwrap_or(0) != since {
            return Ok(false);
        }
        let outbox: Vec<OutboxEntry> = tx.all(Area::Outbox).await?;
        for change in &page.changes {
            let area = Area::of(change.record.kind());
            match &change.record {
                Record::HelpRequest(incoming) => put_pulled(&tx, area, incoming, &outbox).await?,
                Record::Resident(incoming) => put_pulled(&tx, area, incoming, &outbox).await?,
                Record::DictionaryEntry(entry) => tx.put(area, &entry.key(), entry).await?,
                // Events change only online, on the server: its version is the only one.
                Record::Event(event) => tx.put(area, &event.id.to_string(), event).await?,
                Record::AttendanceList(incoming) => {
                    put_pulled(&tx, area, incoming, &outbox).await?
                }
                Record::Photo(incoming) => put_pulled(&tx, area, incoming, &outbox).await?,
                Record::MeetingNote(incoming) => put_pulled(&tx, area, incoming, &outbox).await?,
                Record::ConsentText(published) => {
                    tx.put(area, &consent_text_key(published.kind), &published.text)
                        .await?
                }
            }
        }
        for readable in &page.readable {
            forget_unreadable(&tx, readable, &outbox).await?;
        }
        tx.put(Area::Meta, META_CURSOR, &page.next_cursor).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The device has learnt who is signed in (at sign-in, or when the session is checked). When the
    /// role is not the one its copies were pulled as, the next pull starts from the beginning: the
    /// server may now send records it did not send before, and the cursor is already past them.
    pub async fn signed_in_as(&self, account: &Account) -> Result<(), StoreError> {
        let reader = Reader {
            account: account.id,
            role: account.role,
        };
        let tx = self.store.write(&[Area::Meta])?;
        let pulled_as: Option<Reader> = tx.get(Area::Meta, META_READER).await?;
        if pulled_as.as_ref() == Some(&reader) {
            return Ok(());
        }
        tx.put(Area::Meta, META_CURSOR, &0i64).await?;
        tx.put(Area::Meta, META_READER, &reader).await?;
        tx.commit().await
    }

    pub async fn set_last_sync(&self, at: DateTime<Utc>) -> Result<(), StoreError> {
        let tx = self.store.write(&[Area::Meta])?;
        tx.put(Area::Meta, META_LAST_SYNC, &at).await?;
        tx.commit().await
    }

    /// Notes that the person opened `read` (the audit log hears of it at the next sync).
    pub async fn note_read(
        &self,
        read: PersonalRead,
        now: DateTime<Utc>,
    ) -> Result<ReadReceipt, StoreError> {
        let receipt = ReadReceipt {
            id: Uuid::now_v7(),
            read,
            opened_at: now,
        };
        let tx = self.store.write(&[Area::ReadReceipts])?;
        tx.put(Area::ReadReceipts, &receipt.id.to_string(), &receipt)
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// The openings not yet reported, oldest first, at most `limit`.
    pub async fn read_receipts(&self, limit: usize) -> Result<Vec<ReadReceipt>, StoreError> {
        let mut receipts: Vec<ReadReceipt> = self
            .store
            .read(&[Area::ReadReceipts])?
            .all(Area::ReadReceipts)
            .await?;
        receipts.sort_by_key(|r| r.id);
        receipts.truncate(limit);
        Ok(receipts)
    }

    /// The server has logged these openings.
    pub async fn reported(&self, receipts: &[ReadReceipt]) -> Result<(), StoreError> {
        let tx = self.store.write(&[Area::ReadReceipts])?;
        for receipt in receipts {
            tx.delete(Area::ReadReceipts, &receipt.id.to_string())
                .await?;
        }
        tx.commit().await
    }

    /// Empties every area at once (the account's wipe order): records, outbox, photos, bookkeeping.
    pub async fn erase(&self) -> Result<(), StoreError> {
        let areas = Area::all();
        let tx = self.store.write(&areas)?;
        for area in areas {
            for key in tx.keys(area).await? {
                tx.delete(area, &key).await?;
            }
        }
        tx.commit().await
    }

    /// Writes every value back through the store, in one transaction: a store that seals (issue 20)
    /// then holds nothing plain that was kept before sealing began on this device.
    #[cfg_attr(
        not(feature = "hydrate"),
        allow(dead_code, reason = "only the browser seals")
    )]
    pub async fn rewrite_all(&self) -> Result<(), StoreError> {
        let areas = Area::all();
        let tx = self.store.write(&areas)?;
        for area in areas {
            for key in tx.keys(area).await? {
                if area == Area::PhotoBlobs {
                    if let Some(bytes) = tx.get_bytes(area, &key).await? {
                        tx.put_bytes(area, &key, &bytes).await?;
                    }
                } else if let Some(value) = tx.get::<serde_json::Value>(area, &key).await? {
                    tx.put(area, &key, &value).await?;
                }
            }
        }
        tx.commit().await
    }
}

/// Changes the person makes, under the same rules the server applies when they arrive.
impl<S: DeviceStore> LocalData<S> {
    async fn commit(
        &self,
        records: Vec<LocalRecord>,
        mutations: Vec<Mutation>,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let entries: Vec<OutboxEntry> = mutations.into_iter().map(|m| queued(m, now)).collect();
        Ok(self.record(&records, &entries).await?)
    }

    /// A new help request; a resident not picked from the registry is added by the server
    /// (`resident_id_for_request`).
    pub async fn record_help_request(
        &self,
        actor: &Actor,
        fields: HelpRequestFields,
        now: DateTime<Utc>,
    ) -> Result<Uuid, SaveFailure> {
        let request =
            HelpRequest::recorded(Uuid::now_v7(), fields.clone(), actor.person.clone(), now);
        let id = request.id;
        let create = Mutation::CreateHelpRequest(CreateHelpRequest {
            help_request_id: id,
            fields,
        });
        self.commit(vec![LocalRecord::Request(request)], vec![create], now)
            .await?;
        Ok(id)
    }

    pub async fn help_request(&self, id: Uuid) -> Result<HelpRequest, SaveFailure> {
        self.one(Area::HelpRequests, id).await
    }

    /// Changes a request's fields (and, for a returned one, sends it back for approval). `seen` is the
    /// copy the form showed: only what the person changed from it is sent, so a change someone else made
    /// while the form was open (and pulled meanwhile) is not sent back with its old value.
    pub async fn edit_help_request(
        &self,
        actor: &Actor,
        seen: &HelpRequest,
        fields: HelpRequestFields,
        resubmit: bool,
        dictionary: &Dictionary,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let base = self.help_request(seen.id).await?;
        let changes = changes_between(&seen.fields, &fields);
        let mut next = apply_edit(&base, actor, seen.revision, &changes, dictionary, now)
            .map_err(SaveFailure::Refused)?;
        let refused = self.refused_creation(seen.id).await?;
        let mut mutations = Vec::new();
        if let Some(refused) = refused {
            // The server never took the request: corrected, it is sent again as new, in place of the
            // refused one.
            let next = applied_locally(&base, next);
            let create = Mutation::CreateHelpRequest(CreateHelpRequest {
                help_request_id: seen.id,
                fields: next.fields.clone(),
            });
            let tx = self
                .store
                .write(&[Area::HelpRequests, Area::Outbox, Area::Meta])?;
            LocalRecord::Request(next).put(&tx).await?;
            tx.delete(Area::Outbox, &refused.to_string()).await?;
            enqueue(&tx, &[queued(create, now)]).await?;
            return Ok(tx.commit().await?);
        }
        if next != base {
            mutations.push(Mutation::EditHelpRequest(EditHelpRequest {
                help_request_id: seen.id,
                seen_revision: seen.revision,
                changes,
            }));
        }
        if resubmit {
            next =
                apply_action(&next, actor, &Action::Resubmit, now).map_err(SaveFailure::Refused)?;
            mutations.push(Mutation::ActOnHelpRequest(ActOnHelpRequest {
                help_request_id: seen.id,
                seen_revision: seen.revision,
                action: Action::Resubmit,
            }));
        }
        let next = applied_locally(&base, next);
        self.commit(vec![LocalRecord::Request(next)], mutations, now)
            .await
    }

    /// The refused mutation that was to create record `id`, if the server refused its creation.
    async fn refused_creation(&self, id: Uuid) -> Result<Option<Uuid>, StoreError> {
        Ok(self
            .outbox()
            .await?
            .into_iter()
            .find(|e| {
                e.entity_id == id
                    && !e.is_pending()
                    && Mutation::from_envelope(&e.mutation).is_ok_and(|m| m.creates())
            })
            .map(|e| e.mutation.id))
    }

    /// The person has read why the server refused changes to record `id` and lets them go: the refused
    /// entries leave the outbox and, when it was the record's creation that was refused, the record
    /// leaves the device (the server never had it). The server's copy of a record it has came back
    /// after the refusal.
    pub async fn discard_refused(&self, kind: RecordKind, id: Uuid) -> Result<(), StoreError> {
        let created_here = self.refused_creation(id).await?.is_some();
        let area = Area::of(kind);
        let tx = self.store.write(&[area, Area::Outbox])?;
        let outbox: Vec<OutboxEntry> = tx.all(Area::Outbox).await?;
        for entry in outbox
            .iter()
            .filter(|e| e.entity_id == id && !e.is_pending())
        {
            tx.delete(Area::Outbox, &entry.mutation.id.to_string())
                .await?;
        }
        if created_here {
            tx.delete(area, &id.to_string()).await?;
        }
        tx.commit().await
    }

    /// One step of the workflow on one request or (bulk approval) several.
    pub async fn act_on_help_requests(
        &self,
        actor: &Actor,
        ids: Vec<Uuid>,
        action: Action,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let mut records = Vec::new();
        let mut mutations = Vec::new();
        for id in ids {
            let base = self.help_request(id).await?;
            let next = apply_action(&base, actor, &action, now).map_err(SaveFailure::Refused)?;
            mutations.push(Mutation::ActOnHelpRequest(ActOnHelpRequest {
                help_request_id: id,
                seen_revision: base.revision,
                action: action.clone(),
            }));
            records.push(LocalRecord::Request(applied_locally(&base, next)));
        }
        self.commit(records, mutations, now).await
    }

    /// Adds a resident to the registry (`seen` is `None`) or corrects the entry as the form showed it.
    pub async fn save_resident(
        &self,
        actor: &Actor,
        seen: Option<&Resident>,
        fields: ResidentFields,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let (resident, mutation) = match seen {
            Some(seen) => {
                let current: Resident = self.one(Area::Residents, seen.id).await?;
                let resident = corrected(&current, actor, &seen.fields, &fields)
                    .map_err(SaveFailure::Correction)?;
                let edit = EditResident {
                    resident_id: seen.id,
                    fields,
                    seen: Some(seen.fields.clone()),
                };
                (resident, Mutation::EditResident(edit))
            }
            None => {
                let resident = Resident {
                    id: Uuid::now_v7(),
                    fields: fields.clone(),
                    recorded_at: now,
                    merged_into: None,
                    image_consent: None,
                    anonymised_at: None,
                };
                let create = CreateResident {
                    resident_id: resident.id,
                    fields,
                };
                (resident, Mutation::CreateResident(create))
            }
        };
        self.commit(vec![LocalRecord::Resident(resident)], vec![mutation], now)
            .await
    }

    /// An organiser's decision that two residents are one person.
    pub async fn merge_residents(
        &self,
        keep: Uuid,
        duplicate: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let kept: Resident = self.one(Area::Residents, keep).await?;
        let merged: Resident = self.one(Area::Residents, duplicate).await?;
        let (kept, merged) = merge(&kept, &merged).map_err(SaveFailure::Merge)?;
        self.commit(
            vec![LocalRecord::Resident(kept), LocalRecord::Resident(merged)],
            vec![Mutation::MergeResidents(MergeResidents { keep, duplicate })],
            now,
        )
        .await
    }

    /// A resident withdraws image consent; the server flags the photos of the events they attended.
    pub async fn withdraw_image_consent(
        &self,
        resident_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let resident: Resident = self.one(Area::Residents, resident_id).await?;
        let withdrawn =
            withdraw_image_consent(&resident, now).ok_or(SaveFailure::NothingToWithdraw)?;
        self.commit(
            vec![LocalRecord::Resident(withdrawn)],
            vec![Mutation::WithdrawImageConsent(WithdrawImageConsent {
                resident_id,
            })],
            now,
        )
        .await
    }

    /// A change to an event's attendance list by staff on this device.
    pub async fn change_attendance(
        &self,
        actor: Actor,
        event_id: Uuid,
        change: ListChange,
        dictionary: &Dictionary,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let base = match self.one(Area::Attendance, event_id).await {
            Err(SaveFailure::NotFound) => AttendanceList::new(event_id),
            found => found?,
        };
        let next = base
            .apply(&Author::Staff(actor), &change, dictionary, now)
            .map_err(SaveFailure::List)?;
        self.commit(
            vec![LocalRecord::Attendance(next)],
            vec![Mutation::ChangeAttendance(ChangeAttendance {
                event_id,
                change,
            })],
            now,
        )
        .await
    }

    /// A kiosk queues a change to its event's list; the server checks it (the kiosk keeps no list).
    pub async fn queue_kiosk_change(
        &self,
        event_id: Uuid,
        change: ListChange,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let mutation = Mutation::ChangeAttendance(ChangeAttendance { event_id, change });
        self.commit(Vec::new(), vec![mutation], now).await
    }

    /// A new meeting note (`id` = `None`) or the author's correction of one; returns its id.
    pub async fn write_note(
        &self,
        actor: &Actor,
        id: Option<Uuid>,
        event_id: Uuid,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Uuid, SaveFailure> {
        let existing: Option<MeetingNote> = match id {
            Some(id) => match self.one(Area::MeetingNotes, id).await {
                Err(SaveFailure::NotFound) => None,
                found => Some(found?),
            },
            None => None,
        };
        let id = id.unwrap_or_else(Uuid::now_v7);
        let note = MeetingNote::write(existing.as_ref(), id, event_id, text, actor, now)
            .map_err(SaveFailure::Note)?;
        let write = Mutation::WriteMeetingNote(WriteMeetingNote {
            note_id: id,
            event_id,
            text: note.text.clone(),
        });
        self.commit(vec![LocalRecord::MeetingNote(note)], vec![write], now)
            .await?;
        Ok(id)
    }

    pub async fn review_note(
        &self,
        actor: &Actor,
        id: Uuid,
        decision: NoteDecision,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let mut note: MeetingNote = self.one(Area::MeetingNotes, id).await?;
        note.review(decision.clone(), actor, now)
            .map_err(SaveFailure::Note)?;
        self.commit(
            vec![LocalRecord::MeetingNote(note)],
            vec![Mutation::ReviewMeetingNote(ReviewMeetingNote {
                note_id: id,
                decision,
            })],
            now,
        )
        .await
    }

    pub async fn review_photo(
        &self,
        actor: &Actor,
        id: Uuid,
        decision: PhotoDecision,
        now: DateTime<Utc>,
    ) -> Result<(), SaveFailure> {
        let mut photo: Photo = self.one(Area::Photos, id).await?;
        photo
            .review(decision.clone(), actor, now)
            .map_err(|refusal| SaveFailure::Photo(PhotoProblem::Refused(refusal)))?;
        self.commit(
            vec![LocalRecord::Photo(photo)],
            vec![Mutation::ReviewPhoto(ReviewPhoto {
                photo_id: id,
                decision,
            })],
            now,
        )
        .await
    }
}

/// Photos on their way to the server (their bytes are the browser's: `browser::indexed_db`).
impl<S: DeviceStore> LocalData<S> {
    pub async fn local_photo(&self, id: Uuid) -> Result<LocalPhoto, SaveFailure> {
        self.one(Area::LocalPhotos, id).await
    }

    pub async fn local_photos(&self) -> Result<Vec<LocalPhoto>, StoreError> {
        self.store
            .read(&[Area::LocalPhotos])?
            .all(Area::LocalPhotos)
            .await
    }

    /// Updates a local photo, with the mutations its new state needs, together.
    /// A photo just shrunk on the device, with its bytes: kept before anything else happens to it.
    #[cfg_attr(
        not(feature = "hydrate"),
        allow(dead_code, reason = "only the browser takes photos")
    )]
    pub async fn add_local_photo(
        &self,
        photo: &LocalPhoto,
        original: &[u8],
        thumbnail: &[u8],
    ) -> Result<(), StoreError> {
        let tx = self.store.write(&[Area::LocalPhotos, Area::PhotoBlobs])?;
        tx.put(Area::LocalPhotos, &photo.id.to_string(), photo)
            .await?;
        for (kind, bytes) in [
            (BlobKind::Original, original),
            (BlobKind::Thumbnail, thumbnail),
        ] {
            tx.put_bytes(Area::PhotoBlobs, &blob_key(photo.id, kind), bytes)
                .await?;
        }
        tx.commit().await
    }

    #[cfg_attr(
        not(feature = "hydrate"),
        allow(dead_code, reason = "only the browser takes photos")
    )]
    pub async fn photo_bytes(
        &self,
        id: Uuid,
        kind: BlobKind,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.store.read(&[Area::PhotoBlobs])?;
        tx.get_bytes(Area::PhotoBlobs, &blob_key(id, kind)).await
    }

    pub async fn put_local_photo(
        &self,
        photo: &LocalPhoto,
        entries: &[OutboxEntry],
    ) -> Result<(), StoreError> {
        let tx = self
            .store
            .write(&[Area::LocalPhotos, Area::Outbox, Area::Meta])?;
        tx.put(Area::LocalPhotos, &photo.id.to_string(), photo)
            .await?;
        enqueue(&tx, entries).await?;
        tx.commit().await
    }

    /// The server has the bytes: its record replaces the local copy, which only now is deleted.
    pub async fn photo_acknowledged(&self, photo: &Photo) -> Result<(), StoreError> {
        let tx = self
            .store
            .write(&[Area::Photos, Area::LocalPhotos, Area::PhotoBlobs])?;
        tx.put(Area::Photos, &photo.id.to_string(), photo).await?;
        tx.delete(Area::LocalPhotos, &photo.id.to_string()).await?;
        for kind in [BlobKind::Original, BlobKind::Thumbnail] {
            tx.delete(Area::PhotoBlobs, &blob_key(photo.id, kind))
                .await?;
        }
        tx.commit().await
    }

    /// The person discards a photo that has not left the device, with any refused mutation for it.
    pub async fn discard_local_photo(&self, id: Uuid) -> Result<(), StoreError> {
        let tx = self
            .store
            .write(&[Area::LocalPhotos, Area::PhotoBlobs, Area::Outbox])?;
        tx.delete(Area::LocalPhotos, &id.to_string()).await?;
        for kind in [BlobKind::Original, BlobKind::Thumbnail] {
            tx.delete(Area::PhotoBlobs, &blob_key(id, kind)).await?;
        }
        let entries: Vec<OutboxEntry> = tx.all(Area::Outbox).await?;
        for entry in entries.iter().filter(|e| e.entity_id == id) {
            tx.delete(Area::Outbox, &entry.mutation.id.to_string())
                .await?;
        }
        tx.commit().await
    }
}
