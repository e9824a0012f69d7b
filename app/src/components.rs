//! Widgets and texts that several pages use. Pages import from here, never from one another.

pub mod app_lock;
pub mod cards;
pub mod data_rights;
pub mod event;
pub mod forms;
pub mod notes;
pub mod opening;
pub mod photos;
pub mod retention;
pub mod signature_pad;
pub mod words;
