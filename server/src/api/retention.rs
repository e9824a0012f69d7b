//! The retention period: coordinators set it, see what it makes due, and confirm the anonymisation
//! (rules in `domain::retention`). Nothing expires without that confirmation.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use domain::account::Permission;
use domain::report::local_date;
use domain::retention::{ApplyRetention, RetentionApplied, RetentionOverview, RetentionPeriod};
use serde_json::json;

use super::session::audit;
use super::{body, error, storage_failure, ApiState, Rejection};
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

async fn overview_answer(state: &ApiState, period: RetentionPeriod) -> Response {
    match overview(state, period).await {
        Ok(overview) => Json(overview).into_response(),
        Err(e) => storage_failure(e),
    }
}

fn out_of_range() -> Rejection {
    Rejection {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid_retention",
        message: format!(
            "The retention period is {} to {} whole years.",
            domain::retention::MIN_YEARS,
            domain::retention::MAX_YEARS
        ),
    }
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
pub async fn show(State(state): State<ApiState>, Extension(caller): Extension<Caller>) -> Response {
    if let Err(denied) = caller.require(Permission::Configure) {
        return denied.into_response();
    }
    let period = match state.store.retention_period().await {
        Ok(period) => period,
        Err(e) => return storage_failure(e),
    };
    overview_answer(&state, period).await
}

/// `PUT /api/v1/retention` `{years}`: a new period; nothing is anonymised until confirmed.
pub async fn change(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<ApplyRetention>, JsonRejection>,
) -> Response {
    let period = match requested_period(&caller, request) {
        Ok(period) => period,
        Err(refused) => return refused.into_response(),
    };
    let previous = match state.store.retention_period().await {
        Ok(previous) => previous,
        Err(e) => return storage_failure(e),
    };
    if let Err(e) = state.store.set_retention_period(period).await {
        return storage_failure(e);
    }
    audit(
        &state.store,
        &caller,
        "retention_changed",
        None,
        json!({"from_years": previous.years, "to_years": period.years}),
    )
    .await;
    overview_answer(&state, period).await
}

/// `POST /api/v1/retention/apply` `{years}`: the coordinator confirms; `years` must be the stored period
/// they saw the counts for.
pub async fn apply(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    request: Result<Json<ApplyRetention>, JsonRejection>,
) -> Response {
    let period = match requested_period(&caller, request) {
        Ok(period) => period,
        Err(refused) => return refused.into_response(),
    };
    let now = Utc::now();
    let today = local_date(now);
    let applied = match state.store.apply_retention(period, today, now).await {
        Ok(Some(applied)) => applied,
        Ok(None) => {
            return error(
                StatusCode::CONFLICT,
                "retention_changed",
                "The retention period changed since you looked; check what is due again.",
            )
        }
        Err(e) => return storage_failure(e),
    };
    audit(
        &state.store,
        &caller,
        "retention_applied",
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
    match overview(&state, period).await {
        Ok(overview) => Json(RetentionApplied { applied, overview }).into_response(),
        Err(e) => storage_failure(e),
    }
}
