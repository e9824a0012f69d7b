//! The organiser's dashboard and exports. Both count what an organiser approved unless
//! `include_unapproved` asks for the rest; every export is written to the audit log.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use domain::account::Permission;
use domain::audit::AuditAction;
use domain::dictionary::Dictionary;
use domain::export::{tables, ExportFormat, ExportKind};
use domain::report::{
    dashboard, Dashboard, Period, PeriodProblem, ReportScope, ScopeQuery, REPORT_YEARS,
};
use serde_json::json;

use super::session::audit;
use super::{attachment, missing, ApiState, Rejection};
use crate::auth::Caller;
use crate::spreadsheet;
use crate::storage::reports::ReportRecords;

fn scope(query: Result<Query<ScopeQuery>, QueryRejection>) -> Result<ReportScope, Rejection> {
    let invalid =
        |message: String| Rejection::new(StatusCode::BAD_REQUEST, "invalid_period", message);
    let Query(query) = query.map_err(|rejection| {
        invalid(format!(
            "Give the period as from=YYYY-MM-DD&to=YYYY-MM-DD ({}).",
            rejection.body_text()
        ))
    })?;
    let period = Period::new(query.from, query.to).map_err(|problem| {
        invalid(match problem {
            PeriodProblem::EndsBeforeStart => "The period ends before it starts.".to_owned(),
            PeriodProblem::TooLong => "The period is longer than five years.".to_owned(),
            PeriodProblem::OutsideYears => format!(
                "The period must lie within the years {} to {}.",
                REPORT_YEARS.start(),
                REPORT_YEARS.end()
            ),
        })
    })?;
    Ok(ReportScope {
        period,
        include_unapproved: query.include_unapproved,
    })
}

async fn records_and_dictionary(
    state: &ApiState,
) -> Result<(ReportRecords, Dictionary), Rejection> {
    Ok((
        state.store.report_records().await?,
        state.store.dictionary().await?,
    ))
}

/// An export that could not be written: logged, and said plainly.
fn export_failed(e: impl std::fmt::Display, what: &str) -> Rejection {
    tracing::error!(error = %e, "{what} failed");
    Rejection::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "export_failed",
        format!("The {what} could not be written."),
    )
}

pub async fn show_dashboard(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<ScopeQuery>, QueryRejection>,
) -> Result<Json<Dashboard>, Rejection> {
    caller.require(Permission::ReviewEntries)?;
    let scope = scope(query)?;
    let (records, dictionary) = records_and_dictionary(&state).await?;
    Ok(Json(dashboard(scope, &records.data(), &dictionary)))
}

const EVIDENCE_PACK: &str = "evidence_pack.zip";

/// `GET /api/v1/exports/{kind}.{csv|xlsx}`, or the evidence pack.
pub async fn download(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(file): Path<String>,
    query: Result<Query<ScopeQuery>, QueryRejection>,
) -> Result<Response, Rejection> {
    caller.require(Permission::ReviewEntries)?;
    if file == EVIDENCE_PACK {
        return evidence_pack(state, caller, query).await;
    }
    let (kind, format) = file
        .split_once('.')
        .and_then(|(kind, format)| Some((ExportKind::parse(kind)?, ExportFormat::parse(format)?)))
        .ok_or_else(|| missing("export"))?;
    if kind == ExportKind::Residents {
        caller.require(Permission::ExportResidents)?;
    }
    let scope = scope(query)?;
    let (records, dictionary) = records_and_dictionary(&state).await?;
    let tables = tables(kind, &scope, &records.data(), &dictionary);
    let bytes = match format {
        ExportFormat::Csv => match tables.as_slice() {
            [table] => spreadsheet::csv(table).map_err(|e| export_failed(e, "export"))?,
            _ => {
                return Err(Rejection::new(
                    StatusCode::NOT_FOUND,
                    "csv_unavailable",
                    "This export has several sheets; download it as XLSX.",
                ))
            }
        },
        ExportFormat::Xlsx => spreadsheet::xlsx(&tables).map_err(|e| export_failed(e, "export"))?,
    };
    audit(
        &state.store,
        &caller,
        AuditAction::ExportDownloaded,
        Some(kind.as_str().to_owned()),
        json!({
            "format": format.extension(),
            "from": scope.period.from,
            "to": scope.period.to,
            "include_unapproved": scope.include_unapproved,
            "rows": tables.iter().map(|t| t.rows.len()).sum::<usize>(),
        }),
    )
    .await;
    let filename = format!(
        "{}-{}-{}.{}",
        kind.file_stem(),
        scope.period.from,
        scope.period.to,
        format.extension()
    );
    let content_type = match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok(attachment(content_type, &filename, bytes))
}

/// The period's spreadsheets, attendance sheets and gallery photos in one ZIP.
async fn evidence_pack(
    state: ApiState,
    caller: Caller,
    query: Result<Query<ScopeQuery>, QueryRejection>,
) -> Result<Response, Rejection> {
    let scope = scope(query)?;
    let (records, dictionary) = records_and_dictionary(&state).await?;
    // Reading the photo files and compressing blocks; keep it off the async workers.
    let store = state.store.clone();
    let written = tokio::task::spawn_blocking(move || {
        crate::evidence_pack::write(&scope, &records, &dictionary, &store)
    })
    .await;
    let (bytes, summary) = written
        .map_err(|e| e.to_string())
        .and_then(|w| w.map_err(|e| e.to_string()))
        .map_err(|e| export_failed(e, "evidence pack"))?;
    audit(
        &state.store,
        &caller,
        AuditAction::ExportDownloaded,
        Some("evidence_pack".to_owned()),
        json!({
            "format": "zip",
            "from": scope.period.from,
            "to": scope.period.to,
            "include_unapproved": scope.include_unapproved,
            "attendance_sheets": summary.attendance_sheets,
            "meeting_notes": summary.meeting_notes,
            "photos": summary.photos,
            "missing_photos": summary.missing_photos,
        }),
    )
    .await;
    let filename = format!(
        "teczka-dokumentacji-{}-{}.zip",
        scope.period.from, scope.period.to
    );
    Ok(attachment("application/zip", &filename, bytes))
}
