//! A person's data sealed at rest (issue 20): every value a person's store keeps is AES-256-GCM
//! ciphertext under a random data key that lives only in the page's memory while the app is unlocked. On
//! the device the data key exists only sealed (the [`KeyRing`]): under a key derived from the person's PIN,
//! and under the server's unlock key for this person on this device (`domain::app_lock::UnlockKey`), which
//! only a sign-in with the password brings. A key path (a record's id) stays readable beside the
//! ciphertext, as the store needs it to keep values apart; ids are random and name nobody.

use std::rc::Rc;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use chrono::{DateTime, Utc};
use domain::app_lock::{AfterWrongPin, PinAttempts};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::store::{Area, DeviceStore, KeyPath, StoreError, StoreTransaction};

const NONCE_LEN: usize = 12;

/// A 256-bit AES-GCM key: the data key, or a key that seals it.
pub struct DataKey {
    raw: Zeroizing<[u8; 32]>,
    cipher: Aes256Gcm,
}

impl DataKey {
    pub fn generate() -> Result<Self, StoreError> {
        let mut raw = Zeroizing::new([0u8; 32]);
        getrandom::fill(raw.as_mut())?;
        Ok(Self::from_secret(raw))
    }

    /// A key from 32 secret bytes (a PIN's derived bits, the server's unlock key).
    pub fn from_secret(raw: Zeroizing<[u8; 32]>) -> Self {
        let cipher = Aes256Gcm::new((&*raw).into());
        Self { raw, cipher }
    }

    /// `plain` sealed: a fresh random nonce, then the ciphertext with its tag.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)?;
        let mut sealed = nonce.to_vec();
        sealed.extend(self.cipher.encrypt(Nonce::from_slice(&nonce), plain)?);
        Ok(sealed)
    }

    /// What `seal` sealed; an error for another key's or damaged ciphertext.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        if sealed.len() < NONCE_LEN {
            return Err(StoreError("a sealed value is truncated".into()));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| StoreError("the value does not open with this key".into()))
    }

    /// This key sealed under `wrapping`.
    fn sealed_under(&self, wrapping: &DataKey) -> Result<Vec<u8>, StoreError> {
        wrapping.seal(self.raw.as_ref())
    }

    fn unsealed(sealed: &[u8], wrapping: &DataKey) -> Result<DataKey, StoreError> {
        let raw = Zeroizing::new(wrapping.open(sealed)?);
        let raw: [u8; 32] = raw
            .as_slice()
            .try_into()
            .map_err(|_| StoreError("a sealed key is not 32 bytes".into()))?;
        Ok(Self::from_secret(Zeroizing::new(raw)))
    }
}

/// The data key sealed under a PIN's key: PBKDF2-HMAC-SHA256 of the PIN with this salt and rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinSeal {
    #[serde(with = "hex")]
    pub salt: Vec<u8>,
    pub rounds: u32,
    #[serde(with = "hex")]
    sealed: Vec<u8>,
}

/// What a person's device keeps of the data key: only sealed copies, and the wrong PINs since the last
/// unlock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRing {
    /// Gone after too many wrong PINs, and until a PIN is chosen.
    pub pin: Option<PinSeal>,
    /// Under the server's unlock key for this person on this device.
    #[serde(with = "hex")]
    server: Vec<u8>,
    pub attempts: PinAttempts,
}

/// A PIN's salt, fresh for each PIN chosen.
#[cfg_attr(
    not(feature = "hydrate"),
    allow(dead_code, reason = "PINs are typed in the browser")
)]
pub fn new_salt() -> Result<Vec<u8>, StoreError> {
    let mut salt = vec![0u8; 16];
    getrandom::fill(&mut salt)?;
    Ok(salt)
}

impl KeyRing {
    /// A ring for `data`, sealed under the server's unlock key; no PIN yet.
    pub fn new(data: &DataKey, server: &DataKey) -> Result<Self, StoreError> {
        Ok(Self {
            pin: None,
            server: data.sealed_under(server)?,
            attempts: PinAttempts::default(),
        })
    }

    pub fn open_with_server_key(&self, server: &DataKey) -> Result<DataKey, StoreError> {
        DataKey::unsealed(&self.server, server)
    }

    /// Seals `data` under the key of a newly chosen PIN (derived with `salt` and `rounds`).
    pub fn set_pin(
        &mut self,
        data: &DataKey,
        pin_key: &DataKey,
        salt: Vec<u8>,
        rounds: u32,
    ) -> Result<(), StoreError> {
        self.pin = Some(PinSeal {
            salt,
            rounds,
            sealed: data.sealed_under(pin_key)?,
        });
        self.attempts = PinAttempts::default();
        Ok(())
    }

    /// Opens the data key with a typed PIN's key. A wrong one is counted; past the limit the PIN's seal is
    /// dropped, and only the server's unlock key opens the data again.
    pub fn open_with_pin(
        &mut self,
        pin_key: &DataKey,
        now: DateTime<Utc>,
    ) -> Result<DataKey, AfterWrongPin> {
        let Some(seal) = &self.pin else {
            return Err(AfterWrongPin::PasswordNeeded);
        };
        match DataKey::unsealed(&seal.sealed, pin_key) {
            Ok(data) => {
                self.attempts = PinAttempts::default();
                Ok(data)
            }
            Err(_) => {
                let after = self.attempts.failed(now);
                if after == AfterWrongPin::PasswordNeeded {
                    self.pin = None;
                }
                Err(after)
            }
        }
    }
}

/// A store whose values are sealed under the data key; values written before sealing existed (plain)
/// are still read, and sealed when next written.
pub struct Sealed<S> {
    store: S,
    /// `None` only to count a kiosk's unsent signatures without its key, and for a kiosk enrolled by an
    /// older version, whose data was never sealed.
    key: Option<Rc<DataKey>>,
}

impl<S: DeviceStore> Sealed<S> {
    pub fn new(store: S, key: Rc<DataKey>) -> Self {
        Self {
            store,
            key: Some(key),
        }
    }

    #[cfg_attr(
        not(feature = "hydrate"),
        allow(dead_code, reason = "kiosks are browsers")
    )]
    /// Reads only plain values and keys, and writes plain.
    pub fn unsealed(store: S) -> Self {
        Self { store, key: None }
    }

    pub fn into_inner(self) -> S {
        self.store
    }
}

impl<S: DeviceStore> DeviceStore for Sealed<S> {
    type Tx<'a>
        = SealedTx<'a, S::Tx<'a>>
    where
        Self: 'a;

    fn read(&self, scope: &[Area]) -> Result<Self::Tx<'_>, StoreError> {
        Ok(SealedTx {
            tx: self.store.read(scope)?,
            key: self.key.as_deref(),
        })
    }

    fn write(&self, scope: &[Area]) -> Result<Self::Tx<'_>, StoreError> {
        Ok(SealedTx {
            tx: self.store.write(scope)?,
            key: self.key.as_deref(),
        })
    }
}

pub struct SealedTx<'a, T> {
    tx: T,
    key: Option<&'a DataKey>,
}

/// A value as the store holds it: sealed, or plain from before.
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored<T> {
    Sealed {
        #[serde(with = "serde_bytes")]
        sealed: Vec<u8>,
    },
    Plain(T),
}

/// A sealed value with its key where the area's key path looks for it (structs, not maps: the browser's
/// store reads key paths from plain objects).
#[derive(Serialize)]
#[serde(untagged)]
enum Envelope<'a> {
    Id {
        id: &'a str,
        #[serde(with = "serde_bytes")]
        sealed: &'a [u8],
    },
    EventId {
        event_id: &'a str,
        #[serde(with = "serde_bytes")]
        sealed: &'a [u8],
    },
    MutationId {
        mutation: MutationKey<'a>,
        #[serde(with = "serde_bytes")]
        sealed: &'a [u8],
    },
    Keyless {
        #[serde(with = "serde_bytes")]
        sealed: &'a [u8],
    },
}

#[derive(Serialize)]
struct MutationKey<'a> {
    id: &'a str,
}

impl<'a> Envelope<'a> {
    fn new(path: Option<KeyPath>, key: &'a str, sealed: &'a [u8]) -> Self {
        match path {
            Some(KeyPath::Id) => Envelope::Id { id: key, sealed },
            Some(KeyPath::EventId) => Envelope::EventId {
                event_id: key,
                sealed,
            },
            Some(KeyPath::MutationId) => Envelope::MutationId {
                mutation: MutationKey { id: key },
                sealed,
            },
            None => Envelope::Keyless { sealed },
        }
    }
}

impl<T> SealedTx<'_, T> {
    fn open_bytes(&self, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.key
            .ok_or_else(|| StoreError("a sealed value in an unsealed store".into()))?
            .open(sealed)
    }

    fn opened<V: DeserializeOwned>(&self, stored: Stored<V>) -> Result<V, StoreError> {
        match stored {
            Stored::Sealed { sealed } => Ok(serde_json::from_slice(&self.open_bytes(&sealed)?)?),
            Stored::Plain(value) => Ok(value),
        }
    }
}

impl<T: StoreTransaction> StoreTransaction for SealedTx<'_, T> {
    async fn get<V: DeserializeOwned>(
        &self,
        area: Area,
        key: &str,
    ) -> Result<Option<V>, StoreError> {
        let stored: Option<Stored<V>> = self.tx.get(area, key).await?;
        stored.map(|s| self.opened(s)).transpose()
    }

    async fn all<V: DeserializeOwned>(&self, area: Area) -> Result<Vec<V>, StoreError> {
        let stored: Vec<Stored<V>> = self.tx.all(area).await?;
        stored.into_iter().map(|s| self.opened(s)).collect()
    }

    async fn keys(&self, area: Area) -> Result<Vec<String>, StoreError> {
        self.tx.keys(area).await
    }

    async fn put<V: Serialize>(&self, area: Area, key: &str, value: &V) -> Result<(), StoreError> {
        let Some(data_key) = self.key else {
            return self.tx.put(area, key, value).await;
        };
        let sealed = data_key.seal(&serde_json::to_vec(value)?)?;
        self.tx
            .put(area, key, &Envelope::new(area.key_path(), key, &sealed))
            .await
    }

    async fn get_bytes(&self, area: Area, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let stored: Option<Stored<serde_bytes::ByteBuf>> = self.tx.get(area, key).await?;
        match stored {
            Some(Stored::Sealed { sealed }) => self.open_bytes(&sealed).map(Some),
            Some(Stored::Plain(bytes)) => Ok(Some(bytes.into_vec())),
            None => Ok(None),
        }
    }

    async fn put_bytes(&self, area: Area, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        match self.key {
            Some(data_key) => {
                let sealed = data_key.seal(bytes)?;
                self.tx
                    .put(area, key, &Envelope::new(area.key_path(), key, &sealed))
                    .await
            }
            None => self.tx.put_bytes(area, key, bytes).await,
        }
    }

    async fn delete(&self, area: Area, key: &str) -> Result<(), StoreError> {
        self.tx.delete(area, key).await
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use domain::help_request::{HelpRequestFields, Person};
    use domain::photo::{LocalPhoto, PhotoDetails, PhotoFile, PhotoSubject, UploadState};
    use domain::workflow::Actor;
    use futures::executor::block_on;
    use uuid::Uuid;

    use super::*;
    use crate::device::local_data::{BlobKind, LocalData};
    use crate::device::memory::MemoryStore;

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000, 0).unwrap()
    }

    fn volunteer() -> Actor {
        Actor {
            person: Person {
                id: Uuid::from_u128(1),
                name: "Wiola Wolontariuszka".into(),
            },
            role: domain::account::Role::Volunteer,
        }
    }

    fn request() -> HelpRequestFields {
        HelpRequestFields {
            resident_name: "Tadeusz Tajny".into(),
            place: "Okólna 12 m. 4".into(),
            district: "okolna".into(),
            category: "shopping".into(),
            description: "Zakupy dla pana Tadeusza".into(),
            ..Default::default()
        }
    }

    fn secret(byte: u8) -> DataKey {
        DataKey::from_secret(Zeroizing::new([byte; 32]))
    }

    #[test]
    fn what_a_person_saves_is_stored_unreadable_and_reads_back_only_with_the_data_key() {
        block_on(async {
            let key = Rc::new(DataKey::generate().unwrap());
            let device = LocalData::new(Sealed::new(MemoryStore::default(), key.clone()));
            let id = device
                .record_help_request(&volunteer(), request(), now())
                .await
                .unwrap();

            let raw = device.store().store.raw();
            for personal in ["Tadeusz", "Okólna 12", "Zakupy", "Wiola"] {
                assert!(!raw.contains(personal), "{personal} readable in {raw}");
            }
            // The key path stays, so the store keeps records apart and the outbox in order.
            assert!(raw.contains(&id.to_string()));
            let saved = device.snapshot().await.unwrap();
            assert_eq!(saved.requests[0].fields.resident_name, "Tadeusz Tajny");
            assert_eq!(saved.outbox.len(), 1);

            // Another key opens nothing.
            let stolen = LocalData::new(Sealed::new(
                device.into_store().into_inner(),
                Rc::new(DataKey::generate().unwrap()),
            ));
            assert!(stolen.snapshot().await.is_err());
        });
    }

    #[test]
    fn what_a_device_kept_before_sealing_is_still_read_and_sealed_by_the_first_rewrite() {
        block_on(async {
            let plain = LocalData::new(MemoryStore::default());
            plain
                .record_help_request(&volunteer(), request(), now())
                .await
                .unwrap();
            plain
                .add_local_photo(&local_photo(), b"Tadeusz JPEG", b"Tadeusz thumbnail")
                .await
                .unwrap();
            let device = LocalData::new(Sealed::new(
                plain.into_store(),
                Rc::new(DataKey::generate().unwrap()),
            ));
            let before = device.snapshot().await.unwrap();
            assert_eq!(before.requests[0].fields.resident_name, "Tadeusz Tajny");
            assert!(device.store().store.raw().contains("Tadeusz"));

            device.rewrite_all().await.unwrap();

            assert!(!device.store().store.raw().contains("Tadeusz"));
            let after = device.snapshot().await.unwrap();
            assert_eq!(after.requests, before.requests);
            assert_eq!(after.outbox, before.outbox);
            let photo = device
                .photo_bytes(local_photo().id, BlobKind::Original)
                .await
                .unwrap();
            assert_eq!(photo.as_deref(), Some(&b"Tadeusz JPEG"[..]));
        });
    }

    fn local_photo() -> LocalPhoto {
        LocalPhoto {
            id: Uuid::from_u128(5),
            subject: PhotoSubject::Event(Uuid::from_u128(6)),
            details: PhotoDetails {
                caption: String::new(),
                people: None,
            },
            file: PhotoFile {
                sha256: "00".repeat(32),
                bytes: 12,
                width: 1,
                height: 1,
            },
            thumbnail_bytes: 17,
            created_at: now(),
            upload: UploadState::Draft,
        }
    }

    #[test]
    fn the_data_key_opens_with_the_pin_or_the_servers_key_and_ten_wrong_pins_leave_only_the_server()
    {
        let data = DataKey::generate().unwrap();
        let (server, pin, wrong) = (secret(1), secret(2), secret(3));
        let mut ring = KeyRing::new(&data, &server).unwrap();
        assert_eq!(
            ring.open_with_pin(&pin, now()).err(),
            Some(AfterWrongPin::PasswordNeeded),
            "no PIN chosen yet"
        );
        ring.set_pin(&data, &pin, vec![7; 16], 1).unwrap();
        let sealed = data.seal(b"Tadeusz Tajny").unwrap();
        let opened = ring.open_with_pin(&pin, now()).unwrap();
        assert_eq!(opened.open(&sealed).unwrap(), b"Tadeusz Tajny");
        assert!(!format!("{ring:?}").contains(&hex::encode(*data.raw)));

        for n in 1..MAX_TRIES {
            assert!(matches!(
                ring.open_with_pin(&wrong, now() + chrono::Duration::hours(n.into())),
                Err(AfterWrongPin::TryAgain { .. } | AfterWrongPin::Wait { .. })
            ));
        }
        // The right PIN after some wrong ones still opens, and the count starts again.
        assert!(ring.open_with_pin(&pin, now()).is_ok());
        assert_eq!(ring.attempts, PinAttempts::default());
        for n in 1..=MAX_TRIES {
            let _ = ring.open_with_pin(&wrong, now() + chrono::Duration::hours(n.into()));
        }
        assert_eq!(ring.pin, None);
        assert_eq!(
            ring.open_with_pin(&pin, now()).err(),
            Some(AfterWrongPin::PasswordNeeded)
        );
        let recovered = ring.open_with_server_key(&server).unwrap();
        assert_eq!(recovered.open(&sealed).unwrap(), b"Tadeusz Tajny");
        assert!(ring.open_with_server_key(&secret(9)).is_err());
    }

    const MAX_TRIES: u32 = domain::app_lock::MAX_PIN_FAILURES;
}
