//! The audit log for coordinators, newest first, filtered and paged.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::account::Permission;

use super::{error, storage_failure, ApiState};
use crate::auth::Caller;
use crate::storage::audit::AuditFilter;

pub async fn browse(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    filter: Result<Query<AuditFilter>, QueryRejection>,
) -> Response {
    if let Err(denied) = caller.require(Permission::ReadAuditLog) {
        return denied.into_response();
    }
    let Query(filter) = match filter {
        Ok(filter) => filter,
        Err(rejection) => {
            return error(
                StatusCode::BAD_REQUEST,
                "malformed_query",
                rejection.body_text(),
            )
        }
    };
    match state.store.audit_page(&filter).await {
        Ok(page) => Json(page).into_response(),
        Err(e) => storage_failure(e),
    }
}
