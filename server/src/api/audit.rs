//! The audit log for coordinators, newest first, filtered and paged.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use domain::account::Permission;
use domain::audit::{AuditFilter, AuditPage};

use super::{query, ApiState, Rejection};
use crate::auth::Caller;

pub async fn browse(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    filter: Result<Query<AuditFilter>, QueryRejection>,
) -> Result<Json<AuditPage>, Rejection> {
    caller.require(Permission::ReadAuditLog)?;
    let filter = query(filter)?;
    Ok(Json(state.store.audit_page(&filter).await?))
}
