//! The device's store in IndexedDB: records, dictionaries, the outbox and sync bookkeeping. Every change
//! that belongs together happens in one transaction, so a closed tab never leaves half of it behind.

use chrono::{DateTime, Utc};
use domain::attendance::AttendanceList;
use domain::consent::{ConsentKind, ConsentText, ConsentTexts, PublishedConsentText};
use domain::dictionary::DictionaryEntry;
use domain::event::Event;
use domain::help_request::HelpRequest;
use domain::meeting_note::MeetingNote;
use domain::photo::{LocalPhoto, Photo};
use domain::resident::Resident;
use domain::sync::merge::{merge_pulled, Synced};
use domain::sync::outbox::{Acknowledgement, OutboxEntry, OutboxState};
use domain::sync::protocol::{PullResponse, Record, RecordKind};
use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;

/// One database per person: `sasiedzi-<account id>`; a kiosk has `sasiedzi-kiosk-<event id>`.
const DB_PREFIX: &str = "sasiedzi-";
/// Raise with every schema change and add the step to `upgrade`.
const DB_VERSION: u32 = 5;

const HELP_REQUESTS: &str = "help_requests";
const RESIDENTS: &str = "residents";
const OUTBOX: &str = "outbox";
const DICTIONARY: &str = "dictionary";
const META: &str = "meta";
const EVENTS: &str = "events";
const ATTENDANCE: &str = "attendance";
/// Photo records as the server has them.
const PHOTOS: &str = "photos";
/// Photos made on this device that the server has not acknowledged, without their bytes…
const LOCAL_PHOTOS: &str = "local_photos";
/// …which live here as Blobs, keyed `<photo id>/original` and `<photo id>/thumbnail`.
const PHOTO_BLOBS: &str = "photo_blobs";
const MEETING_NOTES: &str = "meeting_notes";

const META_CURSOR: &str = "pull_cursor";
const META_LAST_SYNC: &str = "last_sync";

/// Where the current text of a consent kind is kept ("image_consent_text" since before there were others).
fn consent_text_key(kind: ConsentKind) -> String {
    format!("{}_consent_text", kind.as_str())
}

#[derive(Debug, Clone)]
pub struct DbError(pub String);

impl<E: std::fmt::Display> From<E> for DbError {
    fn from(e: E) -> Self {
        DbError(e.to_string())
    }
}

/// Everything the pages show, read in one transaction.
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

/// Which of a photo's blobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    Original,
    Thumbnail,
}

fn blob_key(photo: uuid::Uuid, kind: BlobKind) -> String {
    match kind {
        BlobKind::Original => format!("{photo}/original"),
        BlobKind::Thumbnail => format!("{photo}/thumbnail"),
    }
}

/// A record changed on the device, stored beside its outbox entry.
pub enum LocalRecord {
    Request(HelpRequest),
    Resident(Resident),
    Attendance(AttendanceList),
    Photo(Photo),
    MeetingNote(MeetingNote),
}

impl LocalRecord {
    fn store(&self) -> &'static str {
        match self {
            LocalRecord::Request(_) => store_of(RecordKind::HelpRequest),
            LocalRecord::Resident(_) => store_of(RecordKind::Resident),
            LocalRecord::Attendance(_) => store_of(RecordKind::AttendanceList),
            LocalRecord::Photo(_) => store_of(RecordKind::Photo),
            LocalRecord::MeetingNote(_) => store_of(RecordKind::MeetingNote),
        }
    }
}

/// The object store that keeps the pulled records of `kind` (consent texts live in `meta`).
fn store_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::HelpRequest => HELP_REQUESTS,
        RecordKind::DictionaryEntry => DICTIONARY,
        RecordKind::Resident => RESIDENTS,
        RecordKind::Event => EVENTS,
        RecordKind::AttendanceList => ATTENDANCE,
        RecordKind::ConsentText => META,
        RecordKind::Photo => PHOTOS,
        RecordKind::MeetingNote => MEETING_NOTES,
    }
}

/// The scope of a transaction that may touch every synced kind: their stores (from the one list of
/// kinds, so a new kind cannot be left out of it) and `also`.
fn synced_stores(also: &[&'static str]) -> Vec<&'static str> {
    let mut stores: Vec<&'static str> = RecordKind::ALL
        .into_iter()
        .map(store_of)
        .chain(also.iter().copied())
        .collect();
    stores.sort_unstable();
    stores.dedup();
    stores
}

pub struct LocalDb {
    db: Database,
}

pub fn name_for(account: uuid::Uuid) -> String {
    format!("{DB_PREFIX}{account}")
}

pub fn name_for_kiosk(event: uuid::Uuid) -> String {
    format!("{DB_PREFIX}kiosk-{event}")
}

/// Deletes a person's database (after a sign-out with nothing left to send).
pub async fn delete(name: &str) -> Result<(), DbError> {
    Database::delete_by_name(name)?.await?;
    Ok(())
}

impl LocalDb {
    pub async fn open(name: &str) -> Result<Self, DbError> {
        let db = Database::open(name)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|event, db| upgrade(event.old_version() as u32, &db))
            .await?;
        Ok(Self { db })
    }

    pub fn close(self) {
        self.db.close();
    }

    pub async fn snapshot(&self) -> Result<Snapshot, DbError> {
        let tx = self
            .db
            .transaction(synced_stores(&[OUTBOX, LOCAL_PHOTOS, META]))
            .build()?;
        let requests = all(&tx, HELP_REQUESTS).await?;
        let residents = all(&tx, RESIDENTS).await?;
        let outbox = all(&tx, OUTBOX).await?;
        let dictionary = all(&tx, DICTIONARY).await?;
        let events = all(&tx, EVENTS).await?;
        let attendance = all(&tx, ATTENDANCE).await?;
        let photos = all(&tx, PHOTOS).await?;
        let local_photos = all(&tx, LOCAL_PHOTOS).await?;
        let notes = all(&tx, MEETING_NOTES).await?;
        let meta = tx.object_store(META)?;
        let last_sync = meta.get(META_LAST_SYNC).serde()?.await?;
        let mut consent_texts = ConsentTexts::default();
        for kind in ConsentKind::ALL {
            let text: Option<ConsentText> = meta.get(consent_text_key(kind)).serde()?.await?;
            if let Some(text) = text {
                consent_texts.publish(PublishedConsentText { kind, text });
            }
        }
        Ok(Snapshot {
            requests,
            residents,
            outbox,
            dictionary,
            last_sync,
            events,
            attendance,
            consent_texts,
            photos,
            local_photos,
            notes,
        })
    }

    /// Saves records and the mutations that will carry them to the server, together or not at all.
    pub async fn record(
        &self,
        records: &[LocalRecord],
        entries: &[OutboxEntry],
    ) -> Result<(), DbError> {
        // Exactly the stores written, so no list of them can fall behind the record types.
        let mut scope: Vec<&'static str> = records.iter().map(LocalRecord::store).collect();
        scope.push(OUTBOX);
        scope.sort_unstable();
        scope.dedup();
        let tx = self
            .db
            .transaction(scope)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        for record in records {
            let store = tx.object_store(record.store())?;
            match record {
                LocalRecord::Request(request) => store.put(request).serde()?.await?,
                LocalRecord::Resident(resident) => store.put(resident).serde()?.await?,
                LocalRecord::Attendance(list) => store.put(list).serde()?.await?,
                LocalRecord::Photo(photo) => store.put(photo).serde()?.await?,
                LocalRecord::MeetingNote(note) => store.put(note).serde()?.await?,
            }
        }
        for entry in entries {
            tx.object_store(OUTBOX)?.put(entry).serde()?.await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn help_request(&self, id: uuid::Uuid) -> Result<Option<HelpRequest>, DbError> {
        let tx = self.db.transaction(HELP_REQUESTS).build()?;
        let request = tx
            .object_store(HELP_REQUESTS)?
            .get(id.to_string())
            .serde()?
            .await?;
        Ok(request)
    }

    pub async fn resident(&self, id: uuid::Uuid) -> Result<Option<Resident>, DbError> {
        let tx = self.db.transaction(RESIDENTS).build()?;
        let resident = tx
            .object_store(RESIDENTS)?
            .get(id.to_string())
            .serde()?
            .await?;
        Ok(resident)
    }

    pub async fn attendance_list(
        &self,
        event_id: uuid::Uuid,
    ) -> Result<Option<AttendanceList>, DbError> {
        let tx = self.db.transaction(ATTENDANCE).build()?;
        let list = tx
            .object_store(ATTENDANCE)?
            .get(event_id.to_string())
            .serde()?
            .await?;
        Ok(list)
    }

    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>, DbError> {
        let tx = self.db.transaction(OUTBOX).build()?;
        let entries = all(&tx, OUTBOX).await?;
        Ok(entries)
    }

    pub async fn acknowledge(&self, ack: &Acknowledgement) -> Result<(), DbError> {
        let tx = self
            .db
            .transaction(OUTBOX)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(OUTBOX)?;
        for id in &ack.remove {
            store.delete(id.to_string()).await?;
        }
        for (id, reason) in &ack.reject {
            let entry: Option<OutboxEntry> = store.get(id.to_string()).serde()?.await?;
            if let Some(mut entry) = entry {
                entry.state = OutboxState::Rejected {
                    reason: reason.clone(),
                };
                store.put(&entry).serde()?.await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn pull_cursor(&self) -> Result<i64, DbError> {
        let tx = self.db.transaction(META).build()?;
        let cursor: Option<i64> = tx.object_store(META)?.get(META_CURSOR).serde()?.await?;
        Ok(cursor.unwrap_or(0))
    }

    /// Applies a pulled page and moves the cursor past it in the same transaction, so a page is never
    /// applied twice or skipped.
    pub async fn apply_pull(&self, page: &PullResponse) -> Result<(), DbError> {
        let tx = self
            .db
            .transaction(synced_stores(&[OUTBOX, META]))
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let outbox: Vec<OutboxEntry> = all(&tx, OUTBOX).await?;
        for change in &page.changes {
            let store = tx.object_store(store_of(change.record.kind()))?;
            match &change.record {
                Record::HelpRequest(incoming) => put_pulled(&store, incoming, &outbox).await?,
                Record::Resident(incoming) => put_pulled(&store, incoming, &outbox).await?,
                Record::DictionaryEntry(entry) => {
                    store.put(entry).with_key(entry.key()).serde()?.await?;
                }
                // Events change only online, on the server: its version is the only one.
                Record::Event(event) => store.put(event).serde()?.await?,
                Record::AttendanceList(incoming) => put_pulled(&store, incoming, &outbox).await?,
                Record::Photo(incoming) => put_pulled(&store, incoming, &outbox).await?,
                Record::MeetingNote(incoming) => put_pulled(&store, incoming, &outbox).await?,
                Record::ConsentText(published) => {
                    store
                        .put(&published.text)
                        .with_key(consent_text_key(published.kind))
                        .serde()?
                        .await?;
                }
            }
        }
        let meta = tx.object_store(META)?;
        meta.put(page.next_cursor)
            .with_key(META_CURSOR.to_owned())
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_last_sync(&self, at: DateTime<Utc>) -> Result<(), DbError> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(META)?
            .put(at)
            .with_key(META_LAST_SYNC.to_owned())
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Photos on their way to the server.
impl LocalDb {
    /// A photo just shrunk on the device, with its bytes: kept before anything else happens to it.
    pub async fn add_local_photo(
        &self,
        photo: &LocalPhoto,
        original: &web_sys::Blob,
        thumbnail: &web_sys::Blob,
    ) -> Result<(), DbError> {
        let tx = self
            .db
            .transaction([LOCAL_PHOTOS, PHOTO_BLOBS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(LOCAL_PHOTOS)?.put(photo).serde()?.await?;
        let blobs = tx.object_store(PHOTO_BLOBS)?;
        for (kind, blob) in [
            (BlobKind::Original, original),
            (BlobKind::Thumbnail, thumbnail),
        ] {
            blobs
                .put(wasm_bindgen::JsValue::from(blob.clone()))
                .with_key(blob_key(photo.id, kind))
                .primitive()?
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn local_photo(&self, id: uuid::Uuid) -> Result<Option<LocalPhoto>, DbError> {
        let tx = self.db.transaction(LOCAL_PHOTOS).build()?;
        let photo = tx
            .object_store(LOCAL_PHOTOS)?
            .get(id.to_string())
            .serde()?
            .await?;
        Ok(photo)
    }

    pub async fn local_photos(&self) -> Result<Vec<LocalPhoto>, DbError> {
        let tx = self.db.transaction(LOCAL_PHOTOS).build()?;
        all(&tx, LOCAL_PHOTOS).await
    }

    /// Updates a local photo, with the mutations its new state needs, together.
    pub async fn put_local_photo(
        &self,
        photo: &LocalPhoto,
        entries: &[OutboxEntry],
    ) -> Result<(), DbError> {
        let tx = self
            .db
            .transaction([LOCAL_PHOTOS, OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(LOCAL_PHOTOS)?.put(photo).serde()?.await?;
        for entry in entries {
            tx.object_store(OUTBOX)?.put(entry).serde()?.await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn photo_blob(
        &self,
        id: uuid::Uuid,
        kind: BlobKind,
    ) -> Result<Option<web_sys::Blob>, DbError> {
        use wasm_bindgen::JsCast;
        let tx = self.db.transaction(PHOTO_BLOBS).build()?;
        let value: Option<wasm_bindgen::JsValue> = tx
            .object_store(PHOTO_BLOBS)?
            .get(blob_key(id, kind))
            .primitive()?
            .await?;
        Ok(value.and_then(|v| v.dyn_into().ok()))
    }

    /// The server has the bytes: its record replaces the local copy, which only now is deleted.
    pub async fn photo_acknowledged(&self, photo: &Photo) -> Result<(), DbError> {
        let tx = self
            .db
            .transaction([PHOTOS, LOCAL_PHOTOS, PHOTO_BLOBS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(PHOTOS)?.put(photo).serde()?.await?;
        tx.object_store(LOCAL_PHOTOS)?
            .delete(photo.id.to_string())
            .await?;
        let blobs = tx.object_store(PHOTO_BLOBS)?;
        for kind in [BlobKind::Original, BlobKind::Thumbnail] {
            blobs.delete(blob_key(photo.id, kind)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The person discards a photo that has not left the device, with any refused mutation for it.
    pub async fn discard_local_photo(&self, id: uuid::Uuid) -> Result<(), DbError> {
        let tx = self
            .db
            .transaction([LOCAL_PHOTOS, PHOTO_BLOBS, OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(LOCAL_PHOTOS)?
            .delete(id.to_string())
            .await?;
        let blobs = tx.object_store(PHOTO_BLOBS)?;
        for kind in [BlobKind::Original, BlobKind::Thumbnail] {
            blobs.delete(blob_key(id, kind)).await?;
        }
        let outbox = tx.object_store(OUTBOX)?;
        let entries: Vec<OutboxEntry> = all(&tx, OUTBOX).await?;
        for entry in entries.iter().filter(|e| e.entity_id == id) {
            outbox.delete(entry.mutation.id.to_string()).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Stores a pulled record, unless a pending local change to it should stay on screen (`merge_pulled`).
async fn put_pulled<T>(
    store: &ObjectStore<'_>,
    incoming: &T,
    outbox: &[OutboxEntry],
) -> Result<(), DbError>
where
    T: Synced + Clone + serde::Serialize + serde::de::DeserializeOwned,
{
    let local: Option<T> = store.get(incoming.id().to_string()).serde()?.await?;
    store
        .put(merge_pulled(local, incoming.clone(), outbox))
        .serde()?
        .await?;
    Ok(())
}

/// Every record of one store, read within the transaction `tx`.
async fn all<T: serde::de::DeserializeOwned>(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    store: &str,
) -> Result<Vec<T>, DbError> {
    let records = tx.object_store(store)?.get_all().serde()?.await?;
    Ok(records.collect::<Result<_, _>>()?)
}

/// Schema steps, applied in order from the version the device has.
fn upgrade(from: u32, db: &Database) -> indexed_db_futures::Result<()> {
    if from < 1 {
        db.create_object_store(HELP_REQUESTS)
            .with_key_path("id".into())
            .build()?;
        db.create_object_store(OUTBOX)
            .with_key_path("mutation.id".into())
            .build()?;
        db.create_object_store(DICTIONARY).build()?;
        db.create_object_store(META).build()?;
    }
    if from < 2 {
        db.create_object_store(RESIDENTS)
            .with_key_path("id".into())
            .build()?;
    }
    if from < 3 {
        db.create_object_store(EVENTS)
            .with_key_path("id".into())
            .build()?;
        db.create_object_store(ATTENDANCE)
            .with_key_path("event_id".into())
            .build()?;
    }
    if from < 4 {
        db.create_object_store(PHOTOS)
            .with_key_path("id".into())
            .build()?;
        db.create_object_store(LOCAL_PHOTOS)
            .with_key_path("id".into())
            .build()?;
        db.create_object_store(PHOTO_BLOBS).build()?;
    }
    if from < 5 {
        db.create_object_store(MEETING_NOTES)
            .with_key_path("id".into())
            .build()?;
    }
    Ok(())
}
