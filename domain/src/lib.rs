//! Domain rules of Sąsiedzi: what a help request is, what makes one valid, the dictionaries it refers to, and
//! the sync protocol with its outbox and merge rules. Shared by the browser client and the server, so both
//! enforce the same rules; nothing here knows about browsers, HTTP or databases.

pub mod account;
pub mod api;
pub mod app_lock;
pub mod attendance;
pub mod audit;
pub mod consent;
pub mod data_rights;
pub mod dictionary;
pub mod event;
pub mod export;
pub mod help_request;
pub mod kiosk;
pub mod meeting_note;
pub mod need_to_know;
pub mod photo;
pub mod report;
pub mod request_list;
pub mod resident;
pub mod retention;
pub mod review;
pub mod settings;
pub mod sync;
pub mod workflow;
