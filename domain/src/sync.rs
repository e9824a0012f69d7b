//! Offline-first sync: the wire protocol, the client's outbox of unacknowledged mutations, and how pulled
//! server state merges with local edits. See docs/sync-protocol.md.

pub mod backoff;
pub mod merge;
pub mod outbox;
pub mod protocol;
