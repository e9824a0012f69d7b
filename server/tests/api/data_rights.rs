//! A resident's requests under the GDPR: everything about one person in one download (art. 15), and
//! erasure on request (art. 17), after which no record, file or device copy holds their name.

use std::io::Read;

use app::device::{sync_once, LocalData, MemoryStore, Pass};
use axum::http::{Method, StatusCode};
use chrono::Utc;
use domain::account::Role;
use domain::attendance::{Attendee, Proof, Signature};
use domain::help_request::HelpRequestFields;
use domain::photo::{PeopleVisible, PhotoSubject};
use domain::resident::ResidentFields;
use domain::sync::protocol::{CreateHelpRequest, CreateResident, Mutation};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{on_list, small_jpeg, small_jpeg_attached, Browser, DeviceLink, TestApp};

const AT: &str = "2026-11-20T10:00:00Z";
const ZOFIA: &str = "Zofia Lis";
const ZOFIA_PHONE: &str = "600 100 200";
const ZOFIA_ADDRESS: &str = "Brzozowa 7 m. 3";
const JAN: &str = "Jan Nowak";
const JAN_PHONE: &str = "500 900 800";

struct Centre {
    app: TestApp,
    coordinator: Browser,
    organiser: Browser,
    zofia: Uuid,
    jan: Uuid,
    zofias_photo: Uuid,
    jpeg: Vec<u8>,
}

fn resident(id: Uuid, name: &str, phone: &str, address: &str) -> Mutation {
    Mutation::CreateResident(CreateResident {
        resident_id: id,
        fields: ResidentFields {
            name: name.into(),
            phone: phone.into(),
            address: address.into(),
            district: "okolna".into(),
            ..Default::default()
        },
    })
}

fn request_for(resident: Uuid, name: &str, description: &str) -> (Uuid, Mutation) {
    let id = Uuid::now_v7();
    let create = Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: id,
        fields: HelpRequestFields {
            resident_name: name.into(),
            resident_id: Some(resident),
            district: "okolna".into(),
            category: "shopping".into(),
            description: description.into(),
            ..Default::default()
        },
    });
    (id, create)
}

fn signed(event: Uuid, resident: Uuid, name: &str, phone: &str, x: f64) -> Mutation {
    let mut signature = Signature::default();
    signature.begin_stroke(x, 300.0);
    signature.extend_stroke(x + 60.0, 120.0);
    let attendee = Attendee {
        resident_id: Some(resident),
        name: name.into(),
        phone: phone.into(),
        district: "okolna".into(),
    };
    on_list(event, attendee, Proof::Signature { signature })
}

/// Zofia and Jan, each with a help request, both signed in on one meeting's list; a photo of Zofia's
/// request, uploaded.
async fn centre() -> Centre {
    let app = TestApp::new().await;
    app.add_account("koordynatorka", Role::Coordinator).await;
    app.add_account("organizator", Role::Organiser).await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    let coordinator = app.signed_in("koordynatorka").await;
    let mut organiser = app.signed_in("organizator").await;
    let mut volunteer = app.signed_in("wolontariusz").await;
    let (zofia, jan) = (Uuid::now_v7(), Uuid::now_v7());
    let (zofias_request, for_zofia) = request_for(zofia, ZOFIA, "Zakupy dla pani Zofii");
    let (_, for_jan) = request_for(jan, JAN, "Podwiezienie pana Jana");
    app.push_applied(
        &mut volunteer,
        AT,
        vec![
            resident(zofia, ZOFIA, ZOFIA_PHONE, ZOFIA_ADDRESS),
            resident(jan, JAN, JAN_PHONE, "Sosnowa 1"),
            for_zofia,
            for_jan,
        ],
    )
    .await;
    let event = app.create_event(&mut organiser, "Klub seniora").await;
    app.push_applied(
        &mut organiser,
        AT,
        vec![
            signed(event, zofia, ZOFIA, ZOFIA_PHONE, 100.0),
            signed(event, jan, JAN, JAN_PHONE, 400.0),
        ],
    )
    .await;
    let (zofias_photo, jpeg) = (Uuid::now_v7(), small_jpeg());
    let attach = small_jpeg_attached(
        zofias_photo,
        PhotoSubject::HelpRequest(zofias_request),
        "Zakupy",
        PeopleVisible::NoIdentifiablePeople,
    );
    app.push_applied(&mut volunteer, AT, vec![attach]).await;
    let path = format!("/api/v1/photos/{zofias_photo}/original");
    let uploaded = app
        .put_bytes(&mut volunteer, &path, "image/jpeg", jpeg.clone())
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.json);
    Centre {
        app,
        coordinator,
        organiser,
        zofia,
        jan,
        zofias_photo,
        jpeg,
    }
}

/// The files of a ZIP download, by name.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|n| {
            let mut file = archive.by_index(n).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().into_owned(), content)
        })
        .collect()
}

async fn download(
    app: &TestApp,
    coordinator: &mut Browser,
    resident: Uuid,
) -> (StatusCode, Vec<u8>) {
    let uri = format!("/api/v1/residents/{resident}/subject-access.zip");
    let answer = app.call(coordinator, Method::GET, &uri, None).await;
    (answer.status, answer.bytes)
}

async fn erase(
    app: &TestApp,
    coordinator: &mut Browser,
    resident: Uuid,
    reason: &str,
) -> (StatusCode, Value) {
    let uri = format!("/api/v1/residents/{resident}/erasure");
    let body = Some(json!({"reason": reason}));
    let answer = app.call(coordinator, Method::POST, &uri, body).await;
    (answer.status, answer.json)
}

#[tokio::test]
async fn one_persons_download_holds_everything_that_names_them_and_nothing_about_anyone_else() {
    let Centre {
        app,
        mut coordinator,
        zofia,
        zofias_photo,
        jpeg,
        ..
    } = centre().await;
    let (status, bytes) = download(&app, &mut coordinator, zofia).await;
    assert_eq!(status, StatusCode::OK);
    let files = unzip(&bytes);
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    let photo = format!("zdjecia/{}.jpg", zofias_photo);
    assert_eq!(names, ["opis.txt", "dane.json", photo.as_str()]);
    assert_eq!(files[2].1, jpeg, "the original as uploaded");

    let data: Value = serde_json::from_slice(&files[1].1).unwrap();
    let text = data.to_string();
    for hers in [ZOFIA, ZOFIA_PHONE, ZOFIA_ADDRESS, "Zakupy dla pani Zofii"] {
        assert!(text.contains(hers), "{hers} is in her data");
    }
    assert_eq!(data["residents"].as_array().unwrap().len(), 1);
    assert_eq!(data["help_requests"].as_array().unwrap().len(), 1);
    let entries = data["events"][0]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "her own line of the list only");
    assert_eq!(entries[0]["proof"], "signature", "with her signature");
    for theirs in [JAN, JAN_PHONE, "Podwiezienie pana Jana", "Sosnowa 1"] {
        assert!(!text.contains(theirs), "{theirs} is not hers to receive");
    }

    // The download is in the log, and the next download lists it among what names her.
    let (_, again) = download(&app, &mut coordinator, zofia).await;
    let again: Value = serde_json::from_slice(&unzip(&again)[1].1).unwrap();
    let actions: Vec<&str> = again["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"subject_access_downloaded"),
        "{actions:?}"
    );

    let (status, _) = download(&app, &mut coordinator, Uuid::now_v7()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nobody has that id");
}

#[tokio::test]
async fn after_an_erasure_on_request_no_record_file_or_device_copy_holds_their_name() {
    let Centre {
        app,
        mut coordinator,
        mut organiser,
        zofia,
        jan,
        zofias_photo,
        ..
    } = centre().await;
    // The organiser's phone holds everything before the erasure.
    let device = LocalData::new(MemoryStore::default());
    let link = DeviceLink::new(&app, organiser.clone());
    let pass = Pass {
        device_id: Uuid::now_v7(),
        pulls: true,
        now: Utc::now(),
    };
    sync_once(&device, &link, &pass, |_| {}).await.unwrap();
    let before = format!("{:?}", device.snapshot().await.unwrap());
    assert!(before.contains(ZOFIA) && before.contains(ZOFIA_PHONE));

    let (status, json) = erase(&app, &mut coordinator, zofia, "  ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        json["errors"],
        json!([{"field": "reason", "problem": "required"}])
    );
    let (status, _) = erase(&app, &mut coordinator, Uuid::now_v7(), "wniosek").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, counts) = erase(&app, &mut coordinator, zofia, "wniosek mieszkanki z 20.11").await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    assert_eq!(
        counts,
        json!({"residents": 1, "help_requests": 1, "attendance_lists": 1, "events": 0, "photos": 1})
    );

    // The device's next pull replaces every copy.
    sync_once(&device, &link, &pass, |_| {}).await.unwrap();
    let after = format!("{:?}", device.snapshot().await.unwrap());
    for hers in [ZOFIA, ZOFIA_PHONE, ZOFIA_ADDRESS, "Zakupy dla pani Zofii"] {
        assert!(!after.contains(hers), "{hers} is still on the device");
    }
    assert!(
        after.contains(JAN) && after.contains(JAN_PHONE),
        "Jan stays"
    );

    // The server: no record names her (a pull from scratch), her photo's file is gone.
    let pulled = app
        .call(
            &mut organiser,
            Method::GET,
            "/api/v1/sync/pull?since=0&limit=1000",
            None,
        )
        .await;
    let text = pulled.json.to_string();
    assert!(
        !text.contains(ZOFIA) && !text.contains(ZOFIA_PHONE),
        "{text}"
    );
    assert!(text.contains(JAN));
    let photo = format!("/api/v1/photos/{}/original", zofias_photo);
    let file = app.call(&mut organiser, Method::GET, &photo, None).await;
    assert_eq!(file.status, StatusCode::NOT_FOUND);

    // What is left of her still counts, and the download says so without her name.
    let (_, bytes) = download(&app, &mut coordinator, zofia).await;
    let data = String::from_utf8(unzip(&bytes)[1].1.clone()).unwrap();
    assert!(!data.contains(ZOFIA), "{data}");
    assert!(data.contains("resident_erased") && data.contains("wniosek mieszkanki z 20.11"));
    let (_, jan) = download(&app, &mut coordinator, jan).await;
    let jan = String::from_utf8(unzip(&jan)[1].1.clone()).unwrap();
    assert!(jan.contains(JAN_PHONE), "Jan's data is untouched");
}
