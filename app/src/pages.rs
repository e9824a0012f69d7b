pub mod new_request;
pub mod requests;
