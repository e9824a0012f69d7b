//! The audit log for coordinators, newest first, filtered and paged; and the openings of personal data
//! that staff's devices report to it.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::account::Permission;
use domain::audit::{AuditFilter, AuditPage, ReadReceipts, MAX_READ_RECEIPTS};

use super::{at_most, body, query, ApiState, Rejection};
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

/// `POST /api/v1/audit/reads`: what a person opened on their device. A device ordered to wipe reports
/// too, as it sends its entries, before it erases them; kiosks open no one's record.
pub async fn record_reads(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<ReadReceipts>, JsonRejection>,
) -> Result<StatusCode, Rejection> {
    let reader = caller.sender()?;
    let reads = body(request)?;
    at_most(&reads.receipts, MAX_READ_RECEIPTS, "receipts")?;
    state
        .store
        .record_reads(reader, &caller.device, &reads.receipts)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
