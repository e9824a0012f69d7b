//! The server's API over HTTP against real SQLite files, one module a capability. One test binary, so the
//! whole server links once.

mod support;

mod access;
mod access_ends;
mod app_lock;
mod attendance;
mod configuration;
mod data_rights;
mod hostile;
mod notes;
mod photos;
mod pwa;
mod readers;
mod reads;
mod replay_v1;
mod reports;
mod residents;
mod retention;
mod simulation;
mod sync;
mod workflow;
