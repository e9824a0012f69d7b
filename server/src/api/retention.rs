//! The retention period: coordinators set it, see what it makes due, and confirm the anonymisation
//! (rules in `domain::retention`). Nothing expires without that confirmation.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::Utc;
use domain::account::Permission;
use domain::audit::AuditAction;
use domain::report::local_date;
use domain::retention::{ApplyRetention, RetentionApplied, RetentionOverview, RetentionPeriod};
use serde_json::json;

use super::session::audit;
use super::{body, ApiState, Rejection};
use crate::auth::Caller;
use crate::storage::StoreError;

async fn overview(
    state: &ApiState,
    period: RetentionPeriod,
) -> Result<RetentionOverview, StoreError> {
    let today = local_date(Utc::now());
    Ok(RetentionOverview {
        years: period.years,
        last_expired_year: period.last_expired_year(today),
        due: state.store.retention_due(period, today).await?,
    })
}

fn out_of_range() -> Rejection {
    Rejection::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_retention",
        format!(
            "The retention period is {} to {} whole years.",
            domain::retention::MIN_YEARS,
            domain::retention::MAX_YEARS
        ),
    )
}

/// The period a coordinator sends, or the answer why it is not taken.
fn requested_period(
    caller: &Caller,
    request: Result<Json<ApplyRetention>, JsonRejection>,
) -> Result<RetentionPeriod, Rejection> {
    caller.require(Permission::Configure)?;
    let years = body(request)?.years;
    RetentionPeriod::new(years).map_err(|_| out_of_range())
}

/// `GET /api/v1/retention`: the period and what it makes due today.
pub async fn show(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<RetentionOverview>, Rejection> {
    caller.require(Permission::Configure)?;
    let period = state.store.retention_period().await?;
    Ok(Json(overview(&state, period).await?))
}

/// `PUT /api/v1/retention` `{years}`: a new period; nothing is anonymised until confirmed.
pub async fn change(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<ApplyRetention>, JsonRejection>,
) -> Result<Json<RetentionOverview>, Rejection> {
    let period = requested_period(&caller, request)?;
    let previous = state.store.retention_period().await?;
    state.store.set_retention_period(period).await?;
    audit(
        &state.store,
        &caller,
        AuditAction::RetentionChanged,
        None,
        json!({"from_years": previous.years, "to_years": period.years}),
    )
    .await;
    Ok(Json(overview(&state, period).await?))
}

/// `POST /api/v1/retention/apply` `{years}`: the coordinator confirms; `years` must be the stored period
/// they saw the counts for.
pub async fn apply(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<ApplyRetention>, JsonRejection>,
) -> Result<Json<RetentionApplied>, Rejection> {
    let period = requested_period(&caller, request)?;
    let now = Utc::now();
    let today = local_date(now);
    let applied = state
        .store
        .apply_retention(period, today, now)
        .await?
        .ok_or_else(|| {
            Rejection::new(
                StatusCode::CONFLICT,
                "retention_changed",
                "The retention period changed since you looked; check what is due again.",
            )
        })?;
    audit(
        &state.store,
        &caller,
        AuditAction::RetentionApplied,
        None,
        json!({
            "years": period.years,
            "last_expired_year": period.last_expired_year(today),
            "residents": applied.residents,
            "help_requests": applied.help_requests,
            "attendance_lists": applied.attendance_lists,
            "photos": applied.photos,
        }),
    )
    .await;
    let overview = overview(&state, period).await?;
    Ok(Json(RetentionApplied { applied, overview }))
}
