//! Attendance lists leave the app as CSV (for the yearly report's spreadsheets), and the consent texts
//! are configured here. Every export goes to the audit log.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use domain::account::Permission;
use domain::attendance::{Attendance, AttendanceList, Proof, RecordedBy};
use domain::audit::AuditAction;
use domain::consent::{ConsentKind, ConsentText, ConsentTextRequest};
use domain::dictionary::{DictionaryKind, Language};
use serde_json::json;

use super::session::audit;
use super::{attachment, body, missing, path_id, ApiState, Rejection};
use crate::auth::Caller;
use crate::spreadsheet::CsvFile;

/// Polish headers and values: the sheet goes to Polish officials as it is.
const CSV_HEADER: [&str; 9] = [
    "Lp.",
    "Imię i nazwisko",
    "Osiedle",
    "Potwierdzenie obecności",
    "Zgoda na wizerunek",
    "Wersja treści zgody",
    "Godzina wpisu",
    "Wpisał(a)",
    "Skreślenie (powód)",
];

pub async fn attendance_csv(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, Rejection> {
    caller.require(Permission::ReviewEntries)?;
    let id = path_id(&id, "event")?;
    let event = state
        .store
        .event(id)
        .await?
        .ok_or_else(|| missing("event"))?;
    let list = state
        .store
        .attendance_list(id)
        .await?
        .unwrap_or_else(|| AttendanceList::new(id));
    let dictionary = state.store.dictionary().await?;
    let registry = state.store.registry_districts(&list).await?;
    let district = |entry: &Attendance| match entry
        .district(registry.get(&entry.resident_id()).map(String::as_str))
    {
        "" => String::new(),
        code => dictionary
            .label(DictionaryKind::District, code, Language::Pl)
            .to_owned(),
    };
    let csv = attendance_sheet(&list, district).map_err(|e| {
        tracing::error!(error = %e, "CSV export failed");
        Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "export_failed",
            "The list could not be exported.",
        )
    })?;
    audit(
        &state.store,
        &caller,
        AuditAction::AttendanceExported,
        Some(id.to_string()),
        json!({"format": "csv", "rows": list.entries.len()}),
    )
    .await;
    let filename = format!(
        "lista-obecnosci-{}.csv",
        event.fields.starts_at.format("%Y-%m-%d")
    );
    Ok(attachment("text/csv; charset=utf-8", &filename, csv))
}

fn attendance_sheet(
    list: &AttendanceList,
    district: impl Fn(&Attendance) -> String,
) -> Result<Vec<u8>, csv::Error> {
    let mut sheet = CsvFile::default();
    sheet.row(CSV_HEADER)?;
    let mut number = 0;
    for entry in &list.entries {
        let position = if entry.is_present() {
            number += 1;
            number.to_string()
        } else {
            String::new()
        };
        let proof = match &entry.proof {
            Proof::Signature { .. } | Proof::Withheld => "podpis na tablecie",
            Proof::Paper => "podpis na liście papierowej",
            Proof::Erased => "podpis usunięty po okresie przechowywania",
        };
        let consent = match entry.image_consent {
            Some(c) if c.given => "tak",
            Some(_) => "nie",
            None => "nie pytano",
        };
        let version = entry
            .image_consent
            .map(|c| c.text_version.to_string())
            .unwrap_or_default();
        let by = match &entry.recorded_by {
            RecordedBy::Kiosk => "kiosk".to_owned(),
            RecordedBy::Person(person) => person.name.clone(),
        };
        let removed = entry
            .removed
            .as_ref()
            .map(|r| r.reason.clone())
            .unwrap_or_default();
        sheet.row([
            position,
            entry.attendee.name.clone(),
            district(entry),
            proof.to_owned(),
            consent.to_owned(),
            version,
            entry.recorded_at.format("%Y-%m-%d %H:%M").to_string(),
            by,
            removed,
        ])?;
    }
    sheet.into_bytes()
}

/// A coordinator changes one consent text: the next version of its kind (residents are asked again under
/// it); the same text again changes nothing.
pub async fn revise_consent_text(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Path(kind): Path<String>,
    request: Result<Json<ConsentTextRequest>, JsonRejection>,
) -> Result<Json<ConsentText>, Rejection> {
    let account = caller.person_with(Permission::Configure)?;
    let person = domain::help_request::Person {
        id: account.id,
        name: account.display_name.clone(),
    };
    let kind = ConsentKind::parse(&kind).ok_or_else(|| missing("consent text"))?;
    let request = body(request)?;
    if request.text_pl.trim().is_empty() || request.text_en.trim().is_empty() {
        return Err(Rejection::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "Both the Polish and the English text are required.",
        ));
    }
    let revised = state
        .store
        .revise_consent_text(kind, &request.text_pl, &request.text_en, &person)
        .await?;
    let Some(text) = revised else {
        return Ok(Json(state.store.consent_text(kind).await?));
    };
    audit(
        &state.store,
        &caller,
        AuditAction::ConsentTextRevised,
        Some(kind.as_str().into()),
        json!({"version": text.version}),
    )
    .await;
    Ok(Json(text))
}
