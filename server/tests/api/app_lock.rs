//! The app lock's server side (issue 20): the secret that reopens a device's sealed data comes only with a
//! sign-in with the password from that device, the same each time for that person there, and never from
//! a session alone; the coordinator's idle period reaches devices with their session.

use axum::http::{Method, StatusCode};
use domain::account::{Role, SessionView};
use domain::app_lock::LockAfter;
use serde_json::json;
use uuid::Uuid;

use crate::support::{Browser, TestApp, PASSWORD};

async fn sign_in_from(
    app: &TestApp,
    username: &str,
    device: Option<Uuid>,
) -> (Browser, SessionView) {
    let mut browser = app.visitor().await;
    let answer = app
        .call(
            &mut browser,
            Method::POST,
            "/api/v1/session",
            Some(json!({"username": username, "password": PASSWORD, "device_id": device})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    (browser, serde_json::from_value(answer.json).unwrap())
}

fn unlock_key(view: &SessionView) -> Option<String> {
    match view {
        SessionView::Person { unlock_key, .. } => unlock_key.as_ref().map(|k| k.0.clone()),
        SessionView::Kiosk { .. } => None,
    }
}

#[tokio::test]
async fn a_devices_unlock_key_comes_only_with_a_password_sign_in_from_it_and_stays_its_own() {
    let app = TestApp::new().await;
    app.add_account("wiola", Role::Volunteer).await;
    app.add_account("marek", Role::Volunteer).await;
    let (phone, tablet) = (Uuid::now_v7(), Uuid::now_v7());

    let (mut browser, first) = sign_in_from(&app, "wiola", Some(phone)).await;
    let key = unlock_key(&first).expect("a sign-in from a named device brings its key");
    assert!(domain::app_lock::UnlockKey(key.clone()).bytes().is_some());
    // Signing in again there (a forgotten PIN) brings the same key: the sealed data opens again.
    let (_, again) = sign_in_from(&app, "wiola", Some(phone)).await;
    assert_eq!(unlock_key(&again), Some(key.clone()));
    // Another device, another person on the same device: other keys.
    let (_, elsewhere) = sign_in_from(&app, "wiola", Some(tablet)).await;
    let (_, someone_else) = sign_in_from(&app, "marek", Some(phone)).await;
    assert_ne!(unlock_key(&elsewhere), Some(key.clone()));
    assert_ne!(unlock_key(&someone_else), Some(key.clone()));
    assert_ne!(unlock_key(&elsewhere), unlock_key(&someone_else));
    // Without a device, no key; and a session alone (a found phone's cookie) never brings one.
    let (_, unnamed) = sign_in_from(&app, "wiola", None).await;
    assert_eq!(unlock_key(&unnamed), None);
    let check = app
        .call(&mut browser, Method::GET, "/api/v1/session", None)
        .await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(!check.text.contains(&key), "{}", check.text);
    assert_eq!(check.json["unlock_key"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_wrong_password_or_a_deactivated_account_brings_no_unlock_key() {
    let app = TestApp::new().await;
    let account = app.add_account("wiola", Role::Volunteer).await;
    app.add_account("koordynator", Role::Coordinator).await;
    let phone = Uuid::now_v7();
    let (_, first) = sign_in_from(&app, "wiola", Some(phone)).await;
    let key = unlock_key(&first).unwrap();

    let mut finder = app.visitor().await;
    let wrong = app
        .call(
            &mut finder,
            Method::POST,
            "/api/v1/session",
            Some(json!({"username": "wiola", "password": "zgadywanka", "device_id": phone})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(!wrong.text.contains(&key));

    let mut coordinator = app.signed_in("koordynator").await;
    let deactivated = app
        .call(
            &mut coordinator,
            Method::PATCH,
            &format!("/api/v1/users/{}", account.id),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.json);
    let mut again = app.visitor().await;
    let refused = app
        .call(
            &mut again,
            Method::POST,
            "/api/v1/session",
            Some(json!({"username": "wiola", "password": PASSWORD, "device_id": phone})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(!refused.text.contains(&key));
}

#[tokio::test]
async fn the_coordinators_idle_period_reaches_devices_with_their_session_and_bad_ones_are_refused()
{
    let app = TestApp::new().await;
    app.add_account("koordynator", Role::Coordinator).await;
    app.add_account("wiola", Role::Volunteer).await;
    let mut coordinator = app.signed_in("koordynator").await;
    let mut volunteer = app.signed_in("wiola").await;
    let lock_after = |answer: &serde_json::Value| answer["lock_after"]["minutes"].as_u64();

    let session = app
        .call(&mut volunteer, Method::GET, "/api/v1/session", None)
        .await;
    assert_eq!(lock_after(&session.json), Some(LockAfter::DEFAULT.into()));

    for refused in [
        json!({"minutes": 0}),
        json!({"minutes": LockAfter::MAX + 1}),
        json!({"minutes": "pięć"}),
    ] {
        let answer = app
            .call(
                &mut coordinator,
                Method::PUT,
                "/api/v1/settings/lock-after",
                Some(refused.clone()),
            )
            .await;
        assert!(
            answer.status.is_client_error(),
            "{refused}: {}",
            answer.status
        );
    }
    let changed = app
        .call(
            &mut coordinator,
            Method::PUT,
            "/api/v1/settings/lock-after",
            Some(json!({"minutes": 2})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    let session = app
        .call(&mut volunteer, Method::GET, "/api/v1/session", None)
        .await;
    assert_eq!(lock_after(&session.json), Some(2));
    let (_, signed_in) = sign_in_from(&app, "wiola", Some(Uuid::now_v7())).await;
    assert!(matches!(
        signed_in,
        SessionView::Person { lock_after, .. } if lock_after.minutes == 2
    ));
    let audit = app
        .call(
            &mut coordinator,
            Method::GET,
            "/api/v1/audit?action=lock_after_changed",
            None,
        )
        .await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(audit.text.contains("lock_after_changed"), "{}", audit.text);
}

async fn claim_from(
    app: &TestApp,
    code: &str,
    device: Option<Uuid>,
) -> (Browser, serde_json::Value) {
    let mut tablet = app.visitor().await;
    let answer = app
        .call(
            &mut tablet,
            Method::POST,
            "/api/v1/kiosk/claim",
            Some(json!({"code": code, "device_id": device})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    (tablet, answer.json)
}

/// A kiosk tablet's data opens with the exit PIN or with the server's key for that event on that tablet;
/// the key and the PIN come only in the answer to an enrolment code, and a new code for the same event on
/// the same tablet brings the same key (too many wrong PINs cost a code, never the signatures).
#[tokio::test]
async fn a_kiosks_unlock_key_comes_only_with_an_enrolment_code_and_stays_its_events_on_its_tablet()
{
    let app = TestApp::new().await;
    app.add_account("organizator", Role::Organiser).await;
    let mut organiser = app.signed_in("organizator").await;
    let cafe = app.create_event(&mut organiser, "Kawiarenka").await;
    let walk = app.create_event(&mut organiser, "Spacer").await;
    let tablet = Uuid::now_v7();

    let (_, code) = app.enrol(&mut organiser, cafe).await;
    let (mut kiosk, first) = claim_from(&app, &code, Some(tablet)).await;
    let key = first["unlock"]["key"].as_str().expect("a key").to_owned();
    assert!(domain::app_lock::UnlockKey(key.clone()).bytes().is_some());
    let enrolments = app
        .call(&mut organiser, Method::GET, "/api/v1/enrolments", None)
        .await;
    let shown_pin = enrolments.json.as_array().unwrap()[0]["exit_pin"].clone();
    assert_eq!(first["unlock"]["exit_pin"], shown_pin);

    let (_, again) = app.enrol(&mut organiser, cafe).await;
    let (_, second) = claim_from(&app, &again, Some(tablet)).await;
    assert_eq!(second["unlock"]["key"], first["unlock"]["key"]);
    assert_ne!(second["unlock"]["exit_pin"], serde_json::Value::Null);
    let (_, other_tablet) = app.enrol(&mut organiser, cafe).await;
    let (_, elsewhere) = claim_from(&app, &other_tablet, Some(Uuid::now_v7())).await;
    let (_, other_event) = app.enrol(&mut organiser, walk).await;
    let (_, walk_answer) = claim_from(&app, &other_event, Some(tablet)).await;
    for other in [&elsewhere, &walk_answer] {
        assert_ne!(other["unlock"]["key"], first["unlock"]["key"]);
    }
    let (_, unnamed) = app.enrol(&mut organiser, cafe).await;
    let (_, without_device) = claim_from(&app, &unnamed, None).await;
    assert_eq!(without_device["unlock"], serde_json::Value::Null);

    // The session alone (a taken tablet's cookie) never brings the key or the PIN.
    let check = app
        .call(&mut kiosk, Method::GET, "/api/v1/session", None)
        .await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(!check.text.contains(&key), "{}", check.text);
    assert_eq!(check.json["unlock"], serde_json::Value::Null);
}
