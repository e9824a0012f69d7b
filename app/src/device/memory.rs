//! The device's store in memory, for native tests of the device-side logic. It keeps IndexedDB's rules
//! that the logic could break: a transaction touches only its scope, writes only when opened for writing,
//! keeps nothing unless committed, and an area with a key path takes the key from the value.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::store::{Area, DeviceStore, StoreError, StoreTransaction};

type Areas = BTreeMap<Area, BTreeMap<String, Value>>;

#[derive(Default)]
pub struct MemoryStore {
    areas: RefCell<Areas>,
    /// A test's fault: commits fail (a full disk, a closed tab) and keep nothing.
    failing_commits: Cell<bool>,
}

pub struct MemoryTransaction<'a> {
    store: &'a MemoryStore,
    writable: bool,
    /// The scope's areas as this transaction sees them; written back on commit.
    areas: RefCell<Areas>,
}

impl MemoryStore {
    fn begin(&self, scope: &[Area], writable: bool) -> MemoryTransaction<'_> {
        let stored = self.areas.borrow();
        let areas = scope
            .iter()
            .map(|area| (*area, stored.get(area).cloned().unwrap_or_default()))
            .collect();
        MemoryTransaction {
            store: self,
            writable,
            areas: RefCell::new(areas),
        }
    }
}

impl MemoryStore {
    pub fn fail_commits(&self, failing: bool) {
        self.failing_commits.set(failing);
    }

    /// Everything stored, as text: what someone reading the device's storage would see.
    #[cfg(test)]
    pub fn raw(&self) -> String {
        format!("{:?}", self.areas.borrow())
    }
}

impl DeviceStore for MemoryStore {
    type Tx<'a> = MemoryTransaction<'a>;

    fn read(&self, scope: &[Area]) -> Result<Self::Tx<'_>, StoreError> {
        Ok(self.begin(scope, false))
    }

    fn write(&self, scope: &[Area]) -> Result<Self::Tx<'_>, StoreError> {
        Ok(self.begin(scope, true))
    }
}

impl MemoryTransaction<'_> {
    fn in_scope(&self, area: Area) -> Result<(), StoreError> {
        match self.areas.borrow().contains_key(&area) {
            true => Ok(()),
            false => Err(StoreError(format!(
                "{} is not in the transaction's scope",
                area.name()
            ))),
        }
    }
}

/// The key a value carries at `path` (`mutation.id`).
fn inline_key(value: &Value, path: &str) -> Option<String> {
    path.split('.')
        .try_fold(value, |v, field| v.get(field))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

impl StoreTransaction for MemoryTransaction<'_> {
    async fn get<T: DeserializeOwned>(
        &self,
        area: Area,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        self.in_scope(area)?;
        let value = self.areas.borrow()[&area].get(key).cloned();
        Ok(value.map(serde_json::from_value).transpose()?)
    }

    async fn all<T: DeserializeOwned>(&self, area: Area) -> Result<Vec<T>, StoreError> {
        self.in_scope(area)?;
        let values: Vec<Value> = self.areas.borrow()[&area].values().cloned().collect();
        Ok(values
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<_, _>>()?)
    }

    async fn keys(&self, area: Area) -> Result<Vec<String>, StoreError> {
        self.in_scope(area)?;
        Ok(self.areas.borrow()[&area].keys().cloned().collect())
    }

    async fn put<T: Serialize>(&self, area: Area, key: &str, value: &T) -> Result<(), StoreError> {
        self.in_scope(area)?;
        if !self.writable {
            return Err(StoreError("a read transaction cannot write".into()));
        }
        let value = serde_json::to_value(value)?;
        let key = match area.key_path() {
            Some(path) => match inline_key(&value, path.path()) {
                Some(inline) if inline == key => inline,
                _ => {
                    return Err(StoreError(format!(
                        "the key at {} is not {key}",
                        path.path()
                    )))
                }
            },
            None => key.to_owned(),
        };
        self.areas
            .borrow_mut()
            .get_mut(&area)
            .map(|values| values.insert(key, value));
        Ok(())
    }

    async fn delete(&self, area: Area, key: &str) -> Result<(), StoreError> {
        self.in_scope(area)?;
        if !self.writable {
            return Err(StoreError("a read transaction cannot write".into()));
        }
        self.areas
            .borrow_mut()
            .get_mut(&area)
            .map(|values| values.remove(key));
        Ok(())
    }

    async fn commit(self) -> Result<(), StoreError> {
        if self.store.failing_commits.get() {
            return Err(StoreError("the commit failed".into()));
        }
        if self.writable {
            self.store
                .areas
                .borrow_mut()
                .extend(self.areas.into_inner());
        }
        Ok(())
    }
}
