//! Photo bytes on disk, content-addressed: `photos/originals/ab/abcd….jpg` and the same name under
//! `photos/thumbnails`. The same bytes always land on the same path, so a repeated upload writes
//! nothing new, and a file is complete before its name appears (written aside, then renamed).

use std::io::Write;
use std::path::{Path, PathBuf};

use domain::photo::sha256_hex;

#[derive(Debug, Clone)]
pub struct PhotoFiles {
    root: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Thumbnail,
}

impl Variant {
    fn folder(self) -> &'static str {
        match self {
            Variant::Original => "originals",
            Variant::Thumbnail => "thumbnails",
        }
    }
}

impl PhotoFiles {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("photos"),
        }
    }

    pub fn path(&self, variant: Variant, sha256: &str) -> PathBuf {
        self.root
            .join(variant.folder())
            .join(&sha256[..2])
            .join(format!("{sha256}.jpg"))
    }

    /// Stores a photo's original under its hash and its thumbnail under the same name, unless they are
    /// already there; returns the hash.
    pub fn put(&self, original: &[u8], thumbnail: &[u8]) -> std::io::Result<String> {
        let sha256 = sha256_hex(original);
        // The thumbnail first: once the original exists, a retry skips both.
        self.write_once(&self.path(Variant::Thumbnail, &sha256), thumbnail)?;
        self.write_once(&self.path(Variant::Original, &sha256), original)?;
        Ok(sha256)
    }

    fn write_once(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        if path.exists() {
            return Ok(());
        }
        let dir = path.parent().expect("a photo path has a folder");
        std::fs::create_dir_all(dir)?;
        let mut aside = tempfile::NamedTempFile::new_in(dir)?;
        aside.write_all(bytes)?;
        aside.as_file().sync_all()?;
        aside.persist(path).map_err(|e| e.error)?;
        // The new name (and a folder made just now) must be on disk before the device is told it may
        // delete its copy: sync the folder and the one above it.
        for folder in [Some(dir), dir.parent()].into_iter().flatten() {
            std::fs::File::open(folder)?.sync_all()?;
        }
        Ok(())
    }

    pub fn read(&self, variant: Variant, sha256: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(variant, sha256))
    }

    /// Deletes one stored file; one already gone is fine (a repeated deletion after a crash).
    pub fn remove(&self, variant: Variant, sha256: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(variant, sha256)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
