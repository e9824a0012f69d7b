//! Coordinators configure the dictionaries: a new entry gets a stable code and reaches every device
//! through the pull; labels change, entries retire and return; bad labels are refused with reasons.

use crate::support::{Browser, TestApp};
use axum::http::{Method, StatusCode};
use domain::account::Role;
use domain::dictionary::DictionaryEntry;
use domain::sync::protocol::{PullResponse, Record};
use serde_json::json;

async fn pulled_entries(app: &TestApp, browser: &mut Browser) -> Vec<DictionaryEntry> {
    let answer = app
        .call(
            browser,
            Method::GET,
            "/api/v1/sync/pull?since=0&limit=1000",
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let pull: PullResponse = serde_json::from_value(answer.json).unwrap();
    pull.changes
        .into_iter()
        .filter_map(|change| match change.record {
            Record::DictionaryEntry(entry) => Some(entry),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_coordinator_adds_renames_and_retires_a_district_and_volunteers_pull_it() {
    let app = TestApp::new().await;
    app.add_account("koordynator", Role::Coordinator).await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    let mut coordinator = app.signed_in("koordynator").await;
    let mut volunteer = app.signed_in("wolontariusz").await;

    let added = app
        .call(
            &mut coordinator,
            Method::POST,
            "/api/v1/dictionary/district",
            Some(json!({"label_pl": "  Osiedle  „Żółta Łąka” ", "label_en": "Yellow Meadow", "active": true})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    assert_eq!(added.json["code"], "osiedle_zolta_laka");
    assert_eq!(added.json["label_pl"], "Osiedle „Żółta Łąka”");
    assert_eq!(added.json["position"], 9, "after the eight districts");
    let entry = |entries: &[DictionaryEntry]| {
        entries
            .iter()
            .find(|e| e.code == "osiedle_zolta_laka")
            .cloned()
    };
    let seen = entry(&pulled_entries(&app, &mut volunteer).await).expect("pulled");
    assert!(seen.active);

    let renamed = app
        .call(
            &mut coordinator,
            Method::PUT,
            "/api/v1/dictionary/district/osiedle_zolta_laka",
            Some(json!({"label_pl": "Żółta Łąka", "label_en": "Yellow Meadow", "active": false})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.json);
    let seen = entry(&pulled_entries(&app, &mut volunteer).await).unwrap();
    assert_eq!((seen.label_pl.as_str(), seen.active), ("Żółta Łąka", false));
    assert_eq!(seen.code, "osiedle_zolta_laka", "the code never changes");

    let audit = app
        .call(
            &mut coordinator,
            Method::GET,
            "/api/v1/audit?action=dictionary_changed",
            None,
        )
        .await;
    assert_eq!(audit.json["entries"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_labels_and_unknown_lists_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    app.add_account("koordynator", Role::Coordinator).await;
    let mut coordinator = app.signed_in("koordynator").await;
    let before = pulled_entries(&app, &mut coordinator).await;

    let duplicate = app
        .call(
            &mut coordinator,
            Method::POST,
            "/api/v1/dictionary/district",
            Some(json!({"label_pl": "okolna", "label_en": "", "active": true})),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        duplicate.json["errors"],
        json!([
            {"field": "label_en", "problem": "required"},
            {"field": "label_pl", "problem": "malformed"},
        ])
    );
    for (method, path) in [
        (Method::POST, "/api/v1/dictionary/planets"),
        (Method::PUT, "/api/v1/dictionary/district/nowhere"),
        (Method::PUT, "/api/v1/dictionary/planets/okolna"),
    ] {
        let answer = app
            .call(
                &mut coordinator,
                method,
                path,
                Some(json!({"label_pl": "Nowe", "label_en": "New", "active": true})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(pulled_entries(&app, &mut coordinator).await, before);
}
