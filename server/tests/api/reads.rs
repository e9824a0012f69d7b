//! Audit of reads (issue 20): what staff open on their devices, often offline, reaches the audit log
//! once, with who, what, and when by the device's clock, through the device's own sync code.

use app::device::{sync_once, LocalData, MemoryStore, Pass};
use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use domain::account::Role;
use domain::api as v1;
use domain::audit::{PersonalRead, ReadReceipt, ReadReceipts, MAX_READ_RECEIPTS};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{Browser, DeviceLink, TestApp};

async fn logged(app: &TestApp, coordinator: &mut Browser, action: &str) -> Vec<Value> {
    let page = app
        .call(
            coordinator,
            Method::GET,
            &format!("/api/v1/audit?action={action}"),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.json);
    page.json["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn openings_noted_offline_reach_the_audit_log_once_even_when_the_answer_was_lost() {
    let app = TestApp::new().await;
    app.add_account("olga", Role::Organiser).await;
    app.add_account("kasia", Role::Coordinator).await;
    let mut coordinator = app.signed_in("kasia").await;
    let phone = LocalData::new(MemoryStore::default());
    let link = DeviceLink::new(&app, app.signed_in("olga").await);
    let resident_id = Uuid::now_v7();
    let event_id = Uuid::now_v7();
    // Her phone's clock is an hour behind; the log keeps both times.
    let opened_at = Utc::now() - Duration::hours(1);
    phone
        .note_read(PersonalRead::Resident { resident_id }, opened_at)
        .await
        .unwrap();
    phone
        .note_read(PersonalRead::SignedAttendance { event_id }, opened_at)
        .await
        .unwrap();
    let waiting = phone.read_receipts(MAX_READ_RECEIPTS).await.unwrap();
    assert_eq!(waiting.len(), 2);
    let pass = Pass {
        device_id: Uuid::now_v7(),
        pulls: true,
        now: Utc::now(),
    };
    sync_once(&phone, &link, &pass, |_| {}).await.unwrap();

    let records = logged(&app, &mut coordinator, "resident_record_opened").await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["actor"], "olga");
    assert_eq!(records[0]["target"], resident_id.to_string());
    let noted: chrono::DateTime<Utc> =
        serde_json::from_value(records[0]["details"]["opened_at"].clone()).unwrap();
    assert_eq!(noted, opened_at);
    let lists = logged(&app, &mut coordinator, "signatures_opened").await;
    assert_eq!(lists.len(), 1, "{lists:?}");
    assert_eq!(lists[0]["target"], event_id.to_string());

    // The answer was lost on the way back: the device sends the same receipt again, and the log keeps one.
    let again = ReadReceipts { receipts: waiting };
    let resent = app
        .call(
            &mut link.browser(),
            Method::POST,
            &v1::path::<v1::RecordReads>(&[]),
            Some(serde_json::to_value(&again).unwrap()),
        )
        .await;
    assert_eq!(resent.status, StatusCode::NO_CONTENT, "{}", resent.json);
    assert_eq!(
        logged(&app, &mut coordinator, "resident_record_opened")
            .await
            .len(),
        1
    );
    assert_eq!(phone.read_receipts(10).await.unwrap(), vec![]);
}

#[tokio::test]
async fn a_report_of_too_many_or_of_an_unknown_kind_of_record_is_refused_whole() {
    let app = TestApp::new().await;
    app.add_account("olga", Role::Organiser).await;
    let mut olga = app.signed_in("olga").await;
    let receipt = |_| ReadReceipt {
        id: Uuid::now_v7(),
        read: PersonalRead::Resident {
            resident_id: Uuid::now_v7(),
        },
        opened_at: Utc::now(),
    };
    let too_many = ReadReceipts {
        receipts: (0..=MAX_READ_RECEIPTS).map(receipt).collect(),
    };
    let uri = v1::path::<v1::RecordReads>(&[]);
    let answer = app
        .call(
            &mut olga,
            Method::POST,
            &uri,
            Some(serde_json::to_value(&too_many).unwrap()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let unknown =
        json!({"receipts": [{"id": Uuid::now_v7(), "record": "salary", "opened_at": Utc::now()}]});
    let answer = app.call(&mut olga, Method::POST, &uri, Some(unknown)).await;
    assert!(answer.status.is_client_error(), "{}", answer.status);
    app.add_account("kasia", Role::Coordinator).await;
    let mut coordinator = app.signed_in("kasia").await;
    assert!(logged(&app, &mut coordinator, "resident_record_opened")
        .await
        .is_empty());
}
