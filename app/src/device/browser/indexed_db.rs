//! The device's store in IndexedDB: one object store per [`Area`], one database per person
//! (`sasiedzi-<account id>`) or kiosk (`sasiedzi-kiosk-<event id>`). Opening a database creates the areas
//! it lacks, so the schema follows the list of areas with no version kept by hand.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::device::store::{missing_areas, Area, DeviceStore, StoreError, StoreTransaction};

const DB_PREFIX: &str = "sasiedzi-";

pub fn name_for(account: uuid::Uuid) -> String {
    format!("{DB_PREFIX}{account}")
}

pub fn name_for_kiosk(event: uuid::Uuid) -> String {
    format!("{DB_PREFIX}kiosk-{event}")
}

/// Deletes a person's database (after a sign-out with nothing left to send).
pub async fn delete(name: &str) -> Result<(), StoreError> {
    Database::delete_by_name(name)?.await?;
    Ok(())
}

pub struct IndexedDb {
    db: Database,
}

fn existing_areas(db: &Database) -> Vec<String> {
    db.object_store_names().collect()
}

/// Creates the areas `db` lacks; runs inside the version change that `IndexedDb::open` asks for.
fn create_missing(db: &Database) -> indexed_db_futures::Result<()> {
    for area in missing_areas(&existing_areas(db)) {
        let store = db.create_object_store(area.name());
        match area.key_path() {
            Some(path) => store.with_key_path(path.path().into()).build()?,
            None => store.build()?,
        };
    }
    Ok(())
}

impl IndexedDb {
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let db = Database::open(name).await?;
        if missing_areas(&existing_areas(&db)).is_empty() {
            return Ok(Self { db });
        }
        // A new device, or a build with a new area: one version up, in which the areas are created.
        let version = db.version() as u32 + 1;
        db.close();
        let db = Database::open(name)
            .with_version(version)
            .with_on_upgrade_needed(|_, db| create_missing(&db))
            .await?;
        Ok(Self { db })
    }

    pub fn close(self) {
        self.db.close();
    }

    fn begin(&self, scope: &[Area], mode: TransactionMode) -> Result<IndexedDbTx<'_>, StoreError> {
        let names: Vec<&'static str> = scope.iter().map(|area| area.name()).collect();
        let tx = self.db.transaction(names).with_mode(mode).build()?;
        Ok(IndexedDbTx { tx })
    }
}

impl DeviceStore for IndexedDb {
    type Tx<'a> = IndexedDbTx<'a>;

    fn read(&self, scope: &[Area]) -> Result<Self::Tx<'_>, StoreError> {
        self.begin(scope, TransactionMode::Readonly)
    }

    fn write(&self, scope: &[Area]) -> Result<Self::Tx<'_>, StoreError> {
        self.begin(scope, TransactionMode::Readwrite)
    }
}

pub struct IndexedDbTx<'a> {
    tx: Transaction<'a>,
}

impl StoreTransaction for IndexedDbTx<'_> {
    async fn get<T: DeserializeOwned>(
        &self,
        area: Area,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let value = self
            .tx
            .object_store(area.name())?
            .get(key.to_owned())
            .serde()?
            .await?;
        Ok(value)
    }

    async fn all<T: DeserializeOwned>(&self, area: Area) -> Result<Vec<T>, StoreError> {
        let records = self
            .tx
            .object_store(area.name())?
            .get_all()
            .serde()?
            .await?;
        Ok(records.collect::<Result<_, _>>()?)
    }

    async fn keys(&self, area: Area) -> Result<Vec<String>, StoreError> {
        let keys = self
            .tx
            .object_store(area.name())?
            .get_all_keys::<String>()
            .primitive()?
            .await?;
        Ok(keys.collect::<Result<_, _>>()?)
    }

    async fn put<T: Serialize>(&self, area: Area, key: &str, value: &T) -> Result<(), StoreError> {
        let store = self.tx.object_store(area.name())?;
        match area.key_path() {
            Some(_) => store.put(value).serde()?.await?,
            None => {
                store.put(value).with_key(key.to_owned()).serde()?.await?;
            }
        }
        Ok(())
    }

    async fn delete(&self, area: Area, key: &str) -> Result<(), StoreError> {
        self.tx
            .object_store(area.name())?
            .delete(key.to_owned())
            .await?;
        Ok(())
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Asks the browser not to evict the offline data under storage pressure.
pub fn request_persistent_storage() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(promise) = window.navigator().storage().persist() else {
        return;
    };
    leptos::task::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    });
}
