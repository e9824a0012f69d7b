//! The yearly evidence pack: one ZIP with the spreadsheets, a print-ready attendance sheet per meeting
//! (signatures as SVG) and the gallery's photos with their captions, opened from `spis-tresci.html`.

use std::io::{Cursor, Write};

use domain::attendance::{AttendanceList, Proof, PAD_HEIGHT, PAD_WIDTH};
use domain::dictionary::{Dictionary, DictionaryKind, Language};
use domain::event::Event;
use domain::export::{self, file_slug, ExportKind};
use domain::report::{events_in, gallery_photos, local_date, ReportScope};
use html_escape::{encode_double_quoted_attribute as attribute, encode_text as text};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::spreadsheet::{self, CsvFile};
use crate::storage::photo_files::Variant;
use crate::storage::reports::ReportRecords;
use crate::storage::Store;

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// What went into a pack, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PackSummary {
    pub attendance_sheets: usize,
    pub meeting_notes: usize,
    pub photos: usize,
    /// Photos in the gallery whose file is missing on disk (listed in the table of contents).
    pub missing_photos: usize,
}

const STYLE: &str = "body{font-family:sans-serif;margin:2rem;color:#1b1b1b}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;padding:.4rem;text-align:left;vertical-align:middle}\
svg{width:12rem;height:4.8rem}path{fill:none;stroke:#1b1b1b;stroke-width:6;stroke-linecap:round;stroke-linejoin:round}\
img{max-width:16rem}@page{size:A4;margin:15mm}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"pl\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        text(title)
    )
}

fn when(event: &Event) -> String {
    event
        .fields
        .starts_at
        .with_timezone(&domain::report::CENTRE_TIME_ZONE)
        .format("%d.%m.%Y, %H:%M")
        .to_string()
}

fn attendance_sheet(event: &Event, list: &AttendanceList, dictionary: &Dictionary) -> String {
    let place = dictionary.label(
        DictionaryKind::Location,
        &event.fields.location,
        Language::Pl,
    );
    let goals = event
        .fields
        .plan_goals
        .iter()
        .map(|g| dictionary.label(DictionaryKind::PlanGoal, g, Language::Pl))
        .collect::<Vec<_>>()
        .join("; ");
    let mut rows = String::new();
    for (n, entry) in list.present().enumerate() {
        let proof = match &entry.proof {
            Proof::Signature { signature } => format!(
                "<svg viewBox=\"0 0 {PAD_WIDTH} {PAD_HEIGHT}\" role=\"img\" aria-label=\"Podpis: {}\"><path d=\"{}\"/></svg>",
                attribute(&entry.attendee.name),
                attribute(&signature.svg_path())
            ),
            Proof::Paper => "podpis na liście papierowej".to_owned(),
            Proof::Erased => "podpis usunięty po okresie przechowywania".to_owned(),
            // The server holds every signature; only a volunteer's pulled copy withholds one.
            Proof::Withheld => "podpis".to_owned(),
        };
        let consent = match entry.image_consent {
            Some(c) if c.given => "tak",
            Some(_) => "nie",
            None => "nie pytano",
        };
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{consent}</td></tr>",
            n + 1,
            text(&entry.attendee.name),
            proof
        ));
    }
    let approval = match &list.approval {
        Some(approval) => format!(
            "Lista zatwierdzona przez {} dnia {}.",
            text(&approval.by.name),
            local_date(approval.at).format("%d.%m.%Y")
        ),
        None => "Lista niezatwierdzona.".to_owned(),
    };
    page(
        &format!("Lista obecności — {}", event.fields.title),
        &format!(
            "<h1>Lista obecności</h1><p><strong>{}</strong><br>{} · {}<br>Cele planu: {}</p>\
             <table><thead><tr><th>Lp.</th><th>Imię i nazwisko</th><th>Podpis</th><th>Zgoda na wizerunek</th></tr></thead>\
             <tbody>{rows}</tbody></table><p>{approval}</p>",
            text(&event.fields.title),
            when(event),
            text(place),
            text(&goals)
        ),
    )
}

/// Writes the pack for `scope` into memory. Photos are read from the store's files one at a time.
pub fn write(
    scope: &ReportScope,
    records: &ReportRecords,
    dictionary: &Dictionary,
    store: &Store,
) -> Result<(Vec<u8>, PackSummary), PackError> {
    let data = records.data();
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    // JPEGs are compressed already.
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut contents = String::new();
    let period = format!(
        "{} – {}",
        scope.period.from.format("%d.%m.%Y"),
        scope.period.to.format("%d.%m.%Y")
    );

    contents.push_str("<h2>Arkusze</h2><ul>");
    for kind in [
        ExportKind::Statistics,
        ExportKind::Requests,
        ExportKind::Attendance,
        ExportKind::VolunteerHours,
    ] {
        let name = format!("arkusze/{}.xlsx", kind.file_stem());
        let tables = export::tables(kind, scope, &data, dictionary);
        zip.start_file(name.as_str(), deflated)?;
        zip.write_all(&spreadsheet::xlsx(&tables)?)?;
        contents.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            attribute(&name),
            text(&name)
        ));
    }
    contents.push_str("</ul>");

    let mut summary = PackSummary {
        attendance_sheets: 0,
        meeting_notes: 0,
        photos: 0,
        missing_photos: 0,
    };
    contents.push_str("<h2>Listy obecności</h2><ul>");
    for (event, list) in events_in(scope, &data) {
        let Some(list) = list.filter(|l| l.present().next().is_some()) else {
            continue;
        };
        summary.attendance_sheets += 1;
        let name = format!(
            "listy-obecnosci/{:03}-{}-{}.html",
            summary.attendance_sheets,
            local_date(event.fields.starts_at),
            file_slug(&event.fields.title)
        );
        zip.start_file(name.as_str(), deflated)?;
        zip.write_all(attendance_sheet(event, list, dictionary).as_bytes())?;
        contents.push_str(&format!(
            "<li><a href=\"{}\">{} — {}</a> ({} os.)</li>",
            attribute(&name),
            when(event),
            text(&event.fields.title),
            list.present().count()
        ));
    }
    contents.push_str("</ul>");

    let events: std::collections::HashMap<uuid::Uuid, &Event> = events_in(scope, &data)
        .into_iter()
        .map(|(event, _)| (event.id, event))
        .collect();
    let mut notes: Vec<_> = data
        .notes
        .iter()
        .filter(|n| scope.include_unapproved || n.is_approved())
        .filter_map(|n| Some((events.get(&n.event_id)?, n)))
        .collect();
    notes.sort_by_key(|(event, note)| (event.fields.starts_at, note.written_at));
    let mut notes_page = String::from("<h1>Notatki ze spotkań</h1>");
    for (event, note) in &notes {
        notes_page.push_str(&format!(
            "<h2>{} — {}</h2><p style=\"white-space:pre-wrap\">{}</p><p><em>{}{}</em></p>",
            when(event),
            text(&event.fields.title),
            text(&note.text),
            text(&note.author.name),
            if note.is_approved() {
                ""
            } else {
                " (niezatwierdzona)"
            }
        ));
    }
    zip.start_file("notatki-ze-spotkan.html", deflated)?;
    zip.write_all(page(&format!("Notatki ze spotkań {period}"), &notes_page).as_bytes())?;
    summary.meeting_notes = notes.len();
    contents.push_str(&format!(
        "<h2>Notatki ze spotkań</h2><p><a href=\"notatki-ze-spotkan.html\">Notatki ze spotkań</a> ({})</p>",
        notes.len()
    ));

    contents.push_str(
        "<h2>Zdjęcia</h2><p>Tylko zdjęcia zatwierdzone, bez zdjęć osób, które wycofały zgodę na wizerunek.</p>\
         <table><thead><tr><th>Zdjęcie</th><th>Czego dotyczy</th><th>Podpis</th><th>Autor, data</th></tr></thead><tbody>",
    );
    let mut captions = CsvFile::default();
    captions
        .row(["Plik", "Czego dotyczy", "Podpis", "Autor", "Data"])
        .map_err(std::io::Error::other)?;
    for pack_photo in gallery_photos(scope, &data) {
        let photo = pack_photo.photo;
        let bytes = records
            .photo_files
            .get(&photo.id)
            .map(|sha256| store.photo_bytes(Variant::Original, sha256));
        let Some(Ok(bytes)) = bytes else {
            summary.missing_photos += 1;
            tracing::warn!(photo = %photo.id, "an approved photo's file is missing from the evidence pack");
            continue;
        };
        summary.photos += 1;
        let taken = local_date(photo.taken_at);
        let name = format!(
            "zdjecia/{:03}-{taken}-{}.jpg",
            summary.photos,
            file_slug(&pack_photo.subject_title)
        );
        zip.start_file(name.as_str(), stored)?;
        zip.write_all(&bytes)?;
        captions
            .row([
                name.trim_start_matches("zdjecia/"),
                &pack_photo.subject_title,
                &photo.caption,
                &photo.taken_by.name,
                &taken.to_string(),
            ])
            .map_err(std::io::Error::other)?;
        contents.push_str(&format!(
            "<tr><td><img src=\"{}\" alt=\"{}\"></td><td>{}</td><td>{}</td><td>{}, {}</td></tr>",
            attribute(&name),
            attribute(&photo.caption),
            text(&pack_photo.subject_title),
            text(&photo.caption),
            text(&photo.taken_by.name),
            taken.format("%d.%m.%Y")
        ));
    }
    contents.push_str("</tbody></table>");
    if summary.missing_photos > 0 {
        contents.push_str(&format!(
            "<p><strong>Brakuje plików {} zatwierdzonych zdjęć — sprawdź kopię zapasową katalogu photos/.</strong></p>",
            summary.missing_photos
        ));
    }
    zip.start_file("zdjecia/podpisy.csv", deflated)?;
    zip.write_all(&captions.into_bytes().map_err(std::io::Error::other)?)?;

    let scope_note = if scope.include_unapproved {
        "Obejmuje także wpisy niezatwierdzone (zdjęcia — wyłącznie zatwierdzone)."
    } else {
        "Obejmuje wyłącznie wpisy zatwierdzone."
    };
    zip.start_file("spis-tresci.html", deflated)?;
    zip.write_all(
        page(
            &format!("Dokumentacja działań {period}"),
            &format!(
                "<h1>Dokumentacja działań — {period}</h1><p>Centrum Usług Społecznych, Miejsce Aktywności Lokalnej. {scope_note}</p>{contents}"
            ),
        )
        .as_bytes(),
    )?;
    let bytes = zip.finish()?.into_inner();
    Ok((bytes, summary))
}
