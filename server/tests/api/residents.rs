//! Corrections of the residents registry: each writes only what its person changed, and what the
//! resident decided (consent, listing at the kiosk) only reviewers change.

use axum::http::Method;
use domain::account::Role;
use domain::resident::{Resident, ResidentFields};
use domain::sync::protocol::{CreateResident, EditResident, Mutation, Outcome, RejectReason};
use uuid::Uuid;

use crate::support::TestApp;

const AT: &str = "2026-03-02T10:00:00Z";

async fn registry(app: &TestApp, browser: &mut crate::support::Browser) -> Vec<Resident> {
    let answer = app
        .call(
            browser,
            Method::GET,
            "/api/v1/sync/pull?since=0&limit=1000",
            None,
        )
        .await;
    answer.json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "resident")
        .map(|c| serde_json::from_value(c["data"].clone()).unwrap())
        .collect()
}

#[tokio::test]
async fn corrections_of_different_fields_from_two_devices_both_stay() {
    let app = TestApp::new().await;
    app.add_account("wolontariuszka", Role::Volunteer).await;
    app.add_account("organizator", Role::Organiser).await;
    let mut volunteer = app.signed_in("wolontariuszka").await;
    let mut organiser = app.signed_in("organizator").await;
    let id = Uuid::now_v7();
    let seen = ResidentFields {
        name: "Zofia Lis".into(),
        ..Default::default()
    };
    app.push_applied(
        &mut volunteer,
        AT,
        vec![Mutation::CreateResident(CreateResident {
            resident_id: id,
            fields: seen.clone(),
        })],
    )
    .await;

    // Both opened the entry as created; each corrects one field.
    let phone = ResidentFields {
        phone: "600 100 200".into(),
        ..seen.clone()
    };
    let address = ResidentFields {
        address: "Brzozowa 7".into(),
        ..seen.clone()
    };
    for (browser, fields) in [(&mut organiser, phone), (&mut volunteer, address)] {
        app.push_applied(
            browser,
            AT,
            vec![Mutation::EditResident(EditResident {
                resident_id: id,
                fields,
                seen: Some(seen.clone()),
            })],
        )
        .await;
    }

    let residents = registry(&app, &mut organiser).await;
    let zofia = residents.iter().find(|r| r.id == id).unwrap();
    assert_eq!(zofia.fields.phone, "600 100 200");
    assert_eq!(zofia.fields.address, "Brzozowa 7");
}

#[tokio::test]
async fn a_volunteer_cannot_list_a_resident_at_the_kiosk_and_an_organiser_can() {
    let app = TestApp::new().await;
    app.add_account("wolontariuszka", Role::Volunteer).await;
    app.add_account("organizator", Role::Organiser).await;
    let mut volunteer = app.signed_in("wolontariuszka").await;
    let mut organiser = app.signed_in("organizator").await;
    let id = Uuid::now_v7();
    let seen = ResidentFields {
        name: "Jan Wiśniewski".into(),
        ..Default::default()
    };
    app.push_applied(
        &mut organiser,
        AT,
        vec![Mutation::CreateResident(CreateResident {
            resident_id: id,
            fields: seen.clone(),
        })],
    )
    .await;
    let listed = EditResident {
        resident_id: id,
        fields: ResidentFields {
            listed_at_kiosk: true,
            ..seen.clone()
        },
        seen: Some(seen.clone()),
    };

    let refused = app
        .push(
            &mut volunteer,
            AT,
            vec![Mutation::EditResident(listed.clone())],
        )
        .await;
    assert_eq!(
        refused,
        [Outcome::Rejected {
            reason: RejectReason::Forbidden
        }]
    );
    let residents = registry(&app, &mut organiser).await;
    assert!(
        !residents
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .fields
            .listed_at_kiosk
    );

    app.push_applied(&mut organiser, AT, vec![Mutation::EditResident(listed)])
        .await;
    let residents = registry(&app, &mut organiser).await;
    assert!(
        residents
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .fields
            .listed_at_kiosk
    );
}
