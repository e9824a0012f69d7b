//! The device's storage, as the device-side logic needs it: named areas of keyed values, read and written in
//! transactions that apply whole or not at all. IndexedDB implements it in the browser
//! (`browser::indexed_db`); an in-memory store implements it for native tests (`memory`).

use domain::sync::protocol::RecordKind;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The store failed (full, closed, blocked, unreadable); the detail is for the developer console.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreError(pub String);

impl<E: std::fmt::Display> From<E> for StoreError {
    fn from(e: E) -> Self {
        StoreError(e.to_string())
    }
}

impl From<StoreError> for super::failure::SaveFailure {
    fn from(e: StoreError) -> Self {
        super::failure::SaveFailure::Storage(e.0)
    }
}

/// One area of the store (an IndexedDB object store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    HelpRequests,
    Residents,
    Dictionary,
    Events,
    Attendance,
    Photos,
    MeetingNotes,
    /// Mutations the server has not acknowledged.
    Outbox,
    /// Sync bookkeeping (cursor, last sync) and the consent texts in force.
    Meta,
    /// Photos made on this device that the server has not acknowledged, without their bytes…
    LocalPhotos,
    /// …which live here, keyed `<photo id>/original` and `<photo id>/thumbnail`.
    PhotoBlobs,
    /// Openings of personal data the audit log has not heard of yet (`domain::audit::ReadReceipt`).
    ReadReceipts,
}

impl Area {
    /// The area that keeps the pulled records of `kind`: a new kind does not compile without one.
    pub fn of(kind: RecordKind) -> Area {
        match kind {
            RecordKind::HelpRequest => Area::HelpRequests,
            RecordKind::DictionaryEntry => Area::Dictionary,
            RecordKind::Resident => Area::Residents,
            RecordKind::Event => Area::Events,
            RecordKind::AttendanceList => Area::Attendance,
            RecordKind::ConsentText => Area::Meta,
            RecordKind::Photo => Area::Photos,
            RecordKind::MeetingNote => Area::MeetingNotes,
        }
    }

    /// Every area: the record kinds' areas (from the one list of kinds) and the device's own.
    pub fn all() -> Vec<Area> {
        let mut areas: Vec<Area> = RecordKind::ALL.into_iter().map(Area::of).collect();
        areas.extend([
            Area::Outbox,
            Area::Meta,
            Area::LocalPhotos,
            Area::PhotoBlobs,
            Area::ReadReceipts,
        ]);
        areas.sort_unstable();
        areas.dedup();
        areas
    }

    pub fn name(self) -> &'static str {
        match self {
            Area::HelpRequests => "help_requests",
            Area::Residents => "residents",
            Area::Dictionary => "dictionary",
            Area::Events => "events",
            Area::Attendance => "attendance",
            Area::Photos => "photos",
            Area::MeetingNotes => "meeting_notes",
            Area::Outbox => "outbox",
            Area::Meta => "meta",
            Area::LocalPhotos => "local_photos",
            Area::PhotoBlobs => "photo_blobs",
            Area::ReadReceipts => "read_receipts",
        }
    }

    /// Where a value carries its own key; `None`: the key is given beside the value.
    pub fn key_path(self) -> Option<KeyPath> {
        match self {
            Area::HelpRequests
            | Area::Residents
            | Area::Events
            | Area::Photos
            | Area::MeetingNotes
            | Area::LocalPhotos
            | Area::ReadReceipts => Some(KeyPath::Id),
            Area::Attendance => Some(KeyPath::EventId),
            Area::Outbox => Some(KeyPath::MutationId),
            Area::Dictionary | Area::Meta | Area::PhotoBlobs => None,
        }
    }
}

/// Where in a value its key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPath {
    Id,
    EventId,
    MutationId,
}

impl KeyPath {
    pub fn path(self) -> &'static str {
        match self {
            KeyPath::Id => "id",
            KeyPath::EventId => "event_id",
            KeyPath::MutationId => "mutation.id",
        }
    }
}

/// The areas a store that has `existing` lacks: opening the store creates them, so a new area needs
/// nothing but its arms above.
#[cfg(any(feature = "hydrate", test))]
pub fn missing_areas(existing: &[String]) -> Vec<Area> {
    Area::all()
        .into_iter()
        .filter(|area| !existing.iter().any(|name| name == area.name()))
        .collect()
}

/// A store of areas. Its futures are not `Send`: the browser's store lives on the page's one thread.
#[allow(async_fn_in_trait, reason = "a device's futures never cross threads")]
pub trait DeviceStore {
    type Tx<'a>: StoreTransaction
    where
        Self: 'a;

    /// A transaction that reads `scope`.
    fn read(&self, scope: &[Area]) -> Result<Self::Tx<'_>, StoreError>;

    /// A transaction that may write `scope`; nothing of it is kept unless it is committed.
    fn write(&self, scope: &[Area]) -> Result<Self::Tx<'_>, StoreError>;
}

/// The operations of one transaction. `key` is the value's own key in areas with a key path (and must
/// match it), the key it is stored under in the others.
#[allow(async_fn_in_trait, reason = "a device's futures never cross threads")]
pub trait StoreTransaction {
    async fn get<T: DeserializeOwned>(
        &self,
        area: Area,
        key: &str,
    ) -> Result<Option<T>, StoreError>;
    async fn all<T: DeserializeOwned>(&self, area: Area) -> Result<Vec<T>, StoreError>;
    /// The keys of every value in `area`, as strings (every key the app writes is one).
    async fn keys(&self, area: Area) -> Result<Vec<String>, StoreError>;
    async fn put<T: Serialize>(&self, area: Area, key: &str, value: &T) -> Result<(), StoreError>;
    /// Bytes (a photo) kept as they are, in an area without a key path.
    async fn get_bytes(&self, area: Area, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let bytes: Option<serde_bytes::ByteBuf> = self.get(area, key).await?;
        Ok(bytes.map(serde_bytes::ByteBuf::into_vec))
    }
    async fn put_bytes(&self, area: Area, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.put(area, key, &serde_bytes::Bytes::new(bytes)).await
    }
    async fn delete(&self, area: Area, key: &str) -> Result<(), StoreError>;
    async fn commit(self) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_device_creates_every_area_and_an_up_to_date_one_creates_none() {
        assert_eq!(missing_areas(&[]), Area::all());
        let existing: Vec<String> = Area::all()
            .into_iter()
            .map(|a| a.name().to_owned())
            .collect();
        assert!(missing_areas(&existing).is_empty());
    }

    #[test]
    fn area_names_are_distinct() {
        let mut names: Vec<_> = Area::all().into_iter().map(Area::name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Area::all().len());
    }
}
