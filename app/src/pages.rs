pub mod account;
pub mod admin;
pub mod devices;
mod forms;
pub mod kiosk;
pub mod new_request;
pub mod requests;
pub mod sign_in;
