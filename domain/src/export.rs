//! What the organiser's exports contain: one table per export, with Polish headers and labels (the
//! spreadsheets go to Polish officials as they are). The server writes a table as CSV or XLSX.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::attendance::Proof;
use crate::dictionary::{Dictionary, DictionaryKind, Language};
use crate::report::{
    events_in, hours_in, local_time, requests_in, Dashboard, ReportData, ReportScope,
};

/// The exports an organiser can download; `Residents` is for coordinators only (personal data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Requests,
    Residents,
    Attendance,
    VolunteerHours,
    /// The dashboard's tables, one sheet each.
    Statistics,
}

impl ExportKind {
    pub const ALL: [ExportKind; 5] = [
        ExportKind::Requests,
        ExportKind::Residents,
        ExportKind::Attendance,
        ExportKind::VolunteerHours,
        ExportKind::Statistics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Requests => "requests",
            ExportKind::Residents => "residents",
            ExportKind::Attendance => "attendance",
            ExportKind::VolunteerHours => "volunteer_hours",
            ExportKind::Statistics => "statistics",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The file name's stem, in Polish like the content.
    pub fn file_stem(self) -> &'static str {
        match self {
            ExportKind::Requests => "zgloszenia",
            ExportKind::Residents => "mieszkancy",
            ExportKind::Attendance => "obecnosci",
            ExportKind::VolunteerHours => "godziny-wolontariuszy",
            ExportKind::Statistics => "statystyki",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

/// One value of a table; the spreadsheet keeps numbers and dates as such.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Text(String),
    Integer(i64),
    Number(f64),
    Date(NaiveDate),
    /// Local time at the centre.
    DateTime(NaiveDateTime),
}

impl Cell {
    /// As a CSV field: dates in ISO order, decimal numbers with a comma as Polish spreadsheets expect.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Integer(n) => n.to_string(),
            Cell::Number(n) => n.to_string().replace('.', ","),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

/// A CSV field a spreadsheet program will show and never run. A field that may begin a formula (`=`, `+`,
/// `-`, `@`, a tab or a carriage return first) gets a leading apostrophe, as OWASP's advice on CSV
/// injection says: a walk-in who gives their name as `=HYPERLINK(…)` stays text in the organiser's
/// spreadsheet. A phone number written `+48 …` shows its apostrophe too; that is the price of the rule.
pub fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

fn local(at: DateTime<Utc>) -> Cell {
    Cell::DateTime(local_time(at))
}

fn hours(minutes: u32) -> Cell {
    Cell::Number((f64::from(minutes) / 60.0 * 100.0).round() / 100.0)
}

fn yes_no(value: bool) -> Cell {
    text(if value { "Tak" } else { "Nie" })
}

/// A sheet: its name (≤ 31 characters, as XLSX allows), headers and rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    fn new(name: &str, headers: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }
}

fn status_label(status: crate::help_request::HelpRequestStatus) -> &'static str {
    use crate::help_request::HelpRequestStatus as S;
    match status {
        S::AwaitingApproval => "Czeka na akceptację",
        S::Returned => "Zwrócone do poprawy",
        S::Rejected => "Odrzucone",
        S::Approved => "Zaakceptowane",
        S::Assigned => "Przydzielone",
        S::InProgress => "W realizacji",
        S::Done => "Zrealizowane",
        S::Cancelled => "Anulowane",
    }
}

fn labels(dictionary: &Dictionary, kind: DictionaryKind, codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| dictionary.label(kind, c, Language::Pl))
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn requests(scope: &ReportScope, data: &ReportData, dictionary: &Dictionary) -> Table {
    let mut table = Table::new(
        "Zgłoszenia",
        &[
            "Data zgłoszenia",
            "Mieszkaniec",
            "Osiedle",
            "Kategoria",
            "Opis",
            "Status",
            "Zapisał(a)",
            "Wolontariusze",
            "Godziny",
            "Wynik",
        ],
    );
    for request in requests_in(scope, data) {
        let fields = &request.fields;
        table.rows.push(vec![
            local(request.recorded_at),
            text(&fields.resident_name),
            text(dictionary.label(DictionaryKind::District, &fields.district, Language::Pl)),
            text(dictionary.label(DictionaryKind::HelpCategory, &fields.category, Language::Pl)),
            text(&fields.description),
            text(status_label(request.status)),
            text(request.recorded_by.as_ref().map_or("", |p| p.name.as_str())),
            text(
                request
                    .assignees
                    .iter()
                    .map(|a| a.volunteer.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            hours(request.hours.iter().map(|h| h.minutes).sum()),
            text(request.outcome.clone().unwrap_or_default()),
        ]);
    }
    table
}

/// The registry as it is today (no period): merged duplicates left out.
pub fn residents(data: &ReportData, dictionary: &Dictionary) -> Table {
    let mut table = Table::new(
        "Mieszkańcy",
        &[
            "Imię i nazwisko",
            "Telefon",
            "Adres",
            "Osiedle",
            "Grupy docelowe",
            "Zgoda na przetwarzanie danych (data)",
            "Zgoda na wizerunek",
            "Uwagi",
            "Zapisano",
        ],
    );
    let mut residents: Vec<_> = data
        .residents
        .iter()
        .filter(|r| r.merged_into.is_none())
        .collect();
    residents.sort_by(|a, b| {
        crate::resident::fold(&a.fields.name).cmp(&crate::resident::fold(&b.fields.name))
    });
    for resident in residents {
        let fields = &resident.fields;
        let image = match &resident.image_consent {
            None => "nie pytano",
            Some(c) if c.withdrawn_at.is_some() => "wycofana",
            Some(c) if c.given => "tak",
            Some(_) => "nie",
        };
        table.rows.push(vec![
            text(&fields.name),
            text(&fields.phone),
            text(&fields.address),
            text(dictionary.label(DictionaryKind::District, &fields.district, Language::Pl)),
            text(labels(
                dictionary,
                DictionaryKind::TargetGroup,
                &fields.target_groups,
            )),
            fields
                .consent
                .as_ref()
                .map_or(text(""), |c| Cell::Date(c.given_on)),
            text(image),
            text(&fields.notes),
            local(resident.recorded_at),
        ]);
    }
    table
}

/// Everyone present at the period's events, event by event.
pub fn attendance(scope: &ReportScope, data: &ReportData, dictionary: &Dictionary) -> Table {
    let mut table = Table::new(
        "Obecności",
        &[
            "Wydarzenie",
            "Data",
            "Miejsce",
            "Cele planu",
            "Lp.",
            "Imię i nazwisko",
            "Osiedle",
            "Potwierdzenie obecności",
            "Zgoda na wizerunek",
            "Nowa osoba",
            "Lista zatwierdzona",
        ],
    );
    for (event, list) in events_in(scope, data) {
        let Some(list) = list else { continue };
        for (n, entry) in list.present().enumerate() {
            let proof = match entry.proof {
                Proof::Signature { .. } | Proof::Withheld => "podpis",
                Proof::Paper => "lista papierowa",
                Proof::Erased => "podpis (usunięty po okresie przechowywania)",
            };
            table.rows.push(vec![
                text(&event.fields.title),
                local(event.fields.starts_at),
                text(dictionary.label(
                    DictionaryKind::Location,
                    &event.fields.location,
                    Language::Pl,
                )),
                text(labels(
                    dictionary,
                    DictionaryKind::PlanGoal,
                    &event.fields.plan_goals,
                )),
                Cell::Integer(n as i64 + 1),
                text(&entry.attendee.name),
                text(dictionary.label(
                    DictionaryKind::District,
                    &entry.attendee.district,
                    Language::Pl,
                )),
                text(proof),
                text(match &entry.image_consent {
                    None => "",
                    Some(answer) if answer.given => "Tak",
                    Some(_) => "Nie",
                }),
                yes_no(entry.walk_in),
                yes_no(list.approval.is_some()),
            ]);
        }
    }
    table
}

pub fn volunteer_hours(scope: &ReportScope, data: &ReportData, dictionary: &Dictionary) -> Table {
    let mut table = Table::new(
        "Godziny wolontariuszy",
        &[
            "Wolontariusz",
            "Dzień",
            "Zgłoszenie (mieszkaniec)",
            "Kategoria",
            "Minuty",
            "Godziny",
        ],
    );
    for (request, entry) in hours_in(scope, data) {
        table.rows.push(vec![
            text(&entry.volunteer.name),
            Cell::Date(entry.on),
            text(&request.fields.resident_name),
            text(dictionary.label(
                DictionaryKind::HelpCategory,
                &request.fields.category,
                Language::Pl,
            )),
            Cell::Integer(i64::from(entry.minutes)),
            hours(entry.minutes),
        ]);
    }
    table
}

/// The dashboard's numbers as sheets for the yearly report.
pub fn statistics(report: &Dashboard, dictionary: &Dictionary) -> Vec<Table> {
    let count = |n: u32| Cell::Integer(i64::from(n));
    let mut summary = Table::new("Podsumowanie", &["Wskaźnik", "Wartość"]);
    for (label, value) in [
        ("Wydarzenia", count(report.events)),
        ("Notatki ze spotkań", count(report.meeting_notes)),
        ("Obecności", count(report.attendances)),
        ("Różne osoby (mieszkańcy)", count(report.unique_residents)),
        ("Zgłoszenia pomocy", count(report.requests)),
        ("Godziny wolontariuszy", hours(report.volunteer_minutes)),
    ] {
        summary.rows.push(vec![text(label), value]);
    }
    let mut months = Table::new(
        "Miesiące",
        &[
            "Miesiąc",
            "Wydarzenia",
            "Obecności",
            "Zgłoszenia",
            "Godziny wolontariuszy",
        ],
    );
    for row in &report.by_month {
        months.rows.push(vec![
            text(row.month.format("%Y-%m").to_string()),
            count(row.events),
            count(row.attendances),
            count(row.requests),
            hours(row.volunteer_minutes),
        ]);
    }
    let mut goals = Table::new(
        "Cele planu",
        &["Cel", "Wydarzenia", "Obecności", "Różne osoby"],
    );
    for row in &report.by_goal {
        goals.rows.push(vec![
            text(dictionary.label(DictionaryKind::PlanGoal, &row.goal, Language::Pl)),
            count(row.events),
            count(row.attendances),
            count(row.unique_residents),
        ]);
    }
    let counts = |name: &str, header: &str, kind: Option<DictionaryKind>, rows: &[_]| {
        let mut table = Table::new(name, &[header, "Zgłoszenia"]);
        for row in rows {
            let crate::report::Count { code, count: n } = row;
            let label = match kind {
                _ if code.is_empty() => "nie podano".to_owned(),
                Some(kind) => dictionary.label(kind, code, Language::Pl).to_owned(),
                None => crate::help_request::HelpRequestStatus::parse(code)
                    .map_or(code.clone(), |s| status_label(s).to_owned()),
            };
            table.rows.push(vec![text(label), count(*n)]);
        }
        table
    };
    let mut volunteers = Table::new("Wolontariusze", &["Wolontariusz", "Godziny", "Zgłoszenia"]);
    for row in &report.volunteers {
        volunteers.rows.push(vec![
            text(&row.volunteer.name),
            hours(row.minutes),
            count(row.requests),
        ]);
    }
    vec![
        summary,
        months,
        goals,
        counts("Statusy", "Status", None, &report.requests_by_status),
        counts(
            "Kategorie",
            "Kategoria",
            Some(DictionaryKind::HelpCategory),
            &report.requests_by_category,
        ),
        counts(
            "Osiedla",
            "Osiedle",
            Some(DictionaryKind::District),
            &report.requests_by_district,
        ),
        counts(
            "Grupy docelowe",
            "Grupa docelowa",
            Some(DictionaryKind::TargetGroup),
            &report.requests_by_target_group,
        ),
        volunteers,
    ]
}

/// A file-name-safe form of a title: ASCII letters and digits joined by hyphens, at most 40 characters.
pub fn file_slug(title: &str) -> String {
    let ascii = deunicode::deunicode(title).to_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut slug = String::new();
    for word in words {
        if slug.len() + word.len() + 1 > 40 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        slug.push_str("bez-tytulu");
    }
    slug
}

/// The tables of one export; only `Statistics` has more than one.
pub fn tables(
    kind: ExportKind,
    scope: &ReportScope,
    data: &ReportData,
    dictionary: &Dictionary,
) -> Vec<Table> {
    match kind {
        ExportKind::Requests => vec![requests(scope, data, dictionary)],
        ExportKind::Residents => vec![residents(data, dictionary)],
        ExportKind::Attendance => vec![attendance(scope, data, dictionary)],
        ExportKind::VolunteerHours => vec![volunteer_hours(scope, data, dictionary)],
        ExportKind::Statistics => statistics(
            &crate::report::dashboard(*scope, data, dictionary),
            dictionary,
        ),
    }
}

#[cfg(test)]
mod tests;
