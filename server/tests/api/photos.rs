//! Photos over HTTP against real SQLite and real files: the record through the sync push, the bytes by
//! `PUT /api/v1/photos/{id}/original`, what the server keeps (no EXIF, no GPS, at most 1600 px, one file
//! per content), what it refuses (and then keeps nothing), and who sees what before and after review.

use std::path::Path;

use crate::support::{declaring_size, Browser, TestApp};
use axum::http::{Method, StatusCode};
use bytes::Bytes;
use chrono::Utc;
use domain::account::Role;
use domain::help_request::HelpRequestFields;
use domain::photo::{
    sha256_hex, PeopleVisible, Photo, PhotoDecision, PhotoFile, PhotoReview, PhotoSubject,
};
use domain::sync::protocol::{
    AttachPhoto, CreateHelpRequest, Mutation, Outcome, PullResponse, PushRequest, PushResponse,
    Record, RejectReason, ReviewPhoto,
};
use image::{ImageEncoder, RgbImage};
use img_parts::jpeg::Jpeg;
use img_parts::ImageEXIF;
use uuid::Uuid;

/// A JPEG like a phone camera makes: a picture with detail, and EXIF carrying a GPS position (52°N,
/// 21°E) and an orientation.
fn camera_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x ^ y) & 0xFF) as u8,
        ])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .write_image(&picture, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut jpeg = Jpeg::from_bytes(Bytes::from(plain)).unwrap();
    jpeg.set_exif(Some(Bytes::from(exif_with_gps(orientation))));
    let mut out = Vec::new();
    jpeg.encoder().write_to(&mut out).unwrap();
    assert!(contains(&out, b"Exif\0\0"), "the sample must carry EXIF");
    out
}

/// A little-endian TIFF block: IFD0 with Orientation and a pointer to a GPS IFD holding a latitude.
fn exif_with_gps(orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8_u32.to_le_bytes());
    let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value);
        e
    };
    // IFD0 at 8: 2 entries (2 + 2×12 + 4 = 30 bytes), GPS IFD at 38, its rationals at 38 + 30 = 68.
    tiff.extend(2_u16.to_le_bytes());
    let mut orientation_value = orientation.to_le_bytes().to_vec();
    orientation_value.extend([0, 0]);
    tiff.extend(entry(0x0112, 3, 1, orientation_value.try_into().unwrap()));
    tiff.extend(entry(0x8825, 4, 1, 38_u32.to_le_bytes()));
    tiff.extend(0_u32.to_le_bytes());
    tiff.extend(2_u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, *b"N\0\0\0"));
    tiff.extend(entry(0x0002, 5, 3, 68_u32.to_le_bytes()));
    tiff.extend(0_u32.to_le_bytes());
    for (numerator, denominator) in [(52_u32, 1_u32), (13, 1), (3, 1)] {
        tiff.extend(numerator.to_le_bytes());
        tiff.extend(denominator.to_le_bytes());
    }
    tiff
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn files_in(dir: &Path) -> usize {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .map(|p| if p.is_dir() { files_in(&p) } else { 1 })
            .sum(),
        Err(_) => 0,
    }
}

async fn push(app: &TestApp, browser: &mut Browser, mutation: Mutation) -> Outcome {
    let body = PushRequest {
        device_id: Uuid::now_v7(),
        mutations: vec![mutation.into_envelope(Uuid::now_v7(), Utc::now())],
    };
    let answer = app
        .call(
            browser,
            Method::POST,
            "/api/v1/sync/push",
            Some(serde_json::to_value(body).unwrap()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    let response: PushResponse = serde_json::from_value(answer.json).unwrap();
    response.results.into_iter().next().unwrap().outcome
}

async fn photos_seen_by(app: &TestApp, browser: &mut Browser) -> Vec<Photo> {
    let answer = app
        .call(
            browser,
            Method::GET,
            "/api/v1/sync/pull?since=0&limit=1000",
            None,
        )
        .await;
    let page: PullResponse = serde_json::from_value(answer.json).unwrap();
    page.changes
        .into_iter()
        .filter_map(|c| match c.record {
            Record::Photo(photo) => Some(photo),
            _ => None,
        })
        .collect()
}

async fn help_request(app: &TestApp, volunteer: &mut Browser) -> Uuid {
    let id = Uuid::now_v7();
    let create = Mutation::CreateHelpRequest(CreateHelpRequest {
        help_request_id: id,
        fields: HelpRequestFields {
            resident_name: "Irena Kowalska".into(),
            district: "okolna".into(),
            category: "shopping".into(),
            description: "Zakupy na tydzień".into(),
            ..Default::default()
        },
    });
    assert_eq!(push(app, volunteer, create).await, Outcome::Applied);
    id
}

/// Pushes the photo's record, declaring `declared` as its bytes.
async fn attach(
    app: &TestApp,
    browser: &mut Browser,
    subject: PhotoSubject,
    declared: &[u8],
) -> (Uuid, Outcome) {
    let id = Uuid::now_v7();
    let outcome = push(
        app,
        browser,
        Mutation::AttachPhoto(AttachPhoto {
            photo_id: id,
            subject,
            caption: "Zakupy dostarczone".into(),
            people: PeopleVisible::NoIdentifiablePeople,
            file: PhotoFile {
                sha256: sha256_hex(declared),
                bytes: declared.len().min(1000) as u64,
                width: 1600,
                height: 1200,
            },
        }),
    )
    .await;
    (id, outcome)
}

async fn upload(
    app: &TestApp,
    browser: &mut Browser,
    id: Uuid,
    bytes: &[u8],
) -> crate::support::Answer {
    app.put_bytes(
        browser,
        &format!("/api/v1/photos/{id}/original"),
        "image/jpeg",
        bytes.to_vec(),
    )
    .await
}

#[tokio::test]
async fn a_camera_photo_is_kept_upright_at_most_1600_px_without_exif_or_gps() {
    let app = TestApp::new().await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    app.add_account("organizator", Role::Organiser).await;
    let mut volunteer = app.signed_in("wolontariusz").await;
    let mut organiser = app.signed_in("organizator").await;
    let request = help_request(&app, &mut volunteer).await;
    // Landscape pixels that the EXIF orientation (6) says to turn a quarter clockwise.
    let photo = camera_jpeg(2400, 1800, 6);
    let (id, outcome) = attach(
        &app,
        &mut volunteer,
        PhotoSubject::HelpRequest(request),
        &photo,
    )
    .await;
    assert_eq!(outcome, Outcome::Applied);

    let answer = upload(&app, &mut volunteer, id, &photo).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
    let stored: Photo = serde_json::from_value(answer.json).unwrap();
    assert!(stored.uploaded);
    assert_eq!((stored.file.width, stored.file.height), (1200, 1600));

    let original = app
        .call(
            &mut organiser,
            Method::GET,
            &format!("/api/v1/photos/{id}/original"),
            None,
        )
        .await;
    assert_eq!(original.status, StatusCode::OK);
    let kept = image::load_from_memory(&original.bytes).unwrap();
    assert_eq!((kept.width(), kept.height()), (1200, 1600));
    let parsed = Jpeg::from_bytes(Bytes::from(original.bytes.clone())).unwrap();
    assert!(parsed.exif().is_none());
    assert!(!contains(&original.bytes, b"Exif"));

    let thumbnail = app
        .call(
            &mut volunteer,
            Method::GET,
            &format!("/api/v1/photos/{id}/thumbnail"),
            None,
        )
        .await;
    assert_eq!(thumbnail.status, StatusCode::OK);
    let thumb = image::load_from_memory(&thumbnail.bytes).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (240, 320));

    app.add_account("koordynator", Role::Coordinator).await;
    let mut coordinator = app.signed_in("koordynator").await;
    let audit = app
        .call(
            &mut coordinator,
            Method::GET,
            "/api/v1/audit?action=photo_downloaded",
            None,
        )
        .await;
    assert_eq!(audit.json["entries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_photo_sent_again_is_one_photo_and_one_file() {
    let app = TestApp::new().await;
    app.add_account("organizator", Role::Organiser).await;
    let mut organiser = app.signed_in("organizator").await;
    let event = app.create_event(&mut organiser, "Sadzenie drzew").await;
    let photo = camera_jpeg(1000, 750, 1);
    let (id, _) = attach(&app, &mut organiser, PhotoSubject::Event(event), &photo).await;

    let first = upload(&app, &mut organiser, id, &photo).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    // The answer was lost on the way back; the device sends the photo again.
    let again = upload(&app, &mut organiser, id, &photo).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json);
    assert_eq!(again.json, first.json);
    // The same picture attached a second time is a second photo but not a second file.
    let (copy, _) = attach(&app, &mut organiser, PhotoSubject::Event(event), &photo).await;
    assert_eq!(
        upload(&app, &mut organiser, copy, &photo).await.status,
        StatusCode::CREATED
    );

    let photos = app.data_dir.join("photos");
    assert_eq!(files_in(&photos.join("originals")), 1);
    assert_eq!(files_in(&photos.join("thumbnails")), 1);
    assert_eq!(photos_seen_by(&app, &mut organiser).await.len(), 2);
    let kept = std::fs::read(
        std::fs::read_dir(photos.join("originals"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path()
            .read_dir()
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap();
    // Small enough to keep as sent: only the metadata segments are gone.
    assert!(Jpeg::from_bytes(Bytes::from(kept.clone()))
        .unwrap()
        .exif()
        .is_none());
    assert!(!contains(&kept, b"Exif"));
    assert_eq!(image::load_from_memory(&kept).unwrap().width(), 1000);
}

#[tokio::test]
async fn a_bad_upload_gets_a_clear_answer_and_nothing_is_kept() {
    let app = TestApp::new().await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    let mut volunteer = app.signed_in("wolontariusz").await;
    let request = help_request(&app, &mut volunteer).await;
    let subject = PhotoSubject::HelpRequest(request);
    let photo = camera_jpeg(800, 600, 1);

    let unknown = upload(&app, &mut volunteer, Uuid::now_v7(), &photo).await;
    assert_eq!(
        (unknown.status, unknown.json["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("photo_unknown"))
    );

    let text = "to nie jest zdjęcie".as_bytes();
    let (id, _) = attach(&app, &mut volunteer, subject, text).await;
    let answer = upload(&app, &mut volunteer, id, text).await;
    assert_eq!(
        (answer.status, answer.json["error"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("not_a_jpeg"))
    );

    let cut = &photo[..photo.len() / 2];
    let (id, _) = attach(&app, &mut volunteer, subject, cut).await;
    let answer = upload(&app, &mut volunteer, id, cut).await;
    assert_eq!(
        (answer.status, answer.json["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_an_image"))
    );

    // The body stopped half way: what arrived is not what the record declared.
    let (id, _) = attach(&app, &mut volunteer, subject, &photo).await;
    let answer = upload(&app, &mut volunteer, id, cut).await;
    assert_eq!(
        (answer.status, answer.json["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("hash_mismatch"))
    );
    let mut damaged = photo.clone();
    damaged[photo.len() / 3] ^= 0xFF;
    let answer = upload(&app, &mut volunteer, id, &damaged).await;
    assert_eq!(answer.json["error"].as_str(), Some("hash_mismatch"));

    // The size is read from the header and refused before any pixel is decoded: 36 million pixels, and a
    // side beyond 12,000, each in a file of a few kilobytes.
    for (width, height) in [(6000, 6000), (20_000, 100)] {
        let bomb = declaring_size(&camera_jpeg(64, 64, 1), width, height);
        let (id, _) = attach(&app, &mut volunteer, subject, &bomb).await;
        let answer = upload(&app, &mut volunteer, id, &bomb).await;
        assert_eq!(
            (answer.status, answer.json["error"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("photo_too_many_pixels")
            ),
            "{width}×{height}: {}",
            answer.text
        );
        assert!(
            answer.json["message"]
                .as_str()
                .unwrap()
                .contains(&format!("{width}×{height}")),
            "{}",
            answer.text
        );
    }

    let huge = vec![0_u8; domain::photo::MAX_UPLOAD_BYTES + 1];
    let answer = upload(&app, &mut volunteer, id, &huge).await;
    assert_eq!(
        (answer.status, answer.json["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("photo_too_large"))
    );
    assert!(answer.json["message"].as_str().unwrap().contains("8 MB"));

    assert_eq!(files_in(&app.data_dir.join("photos")), 0);
    let photos = photos_seen_by(&app, &mut volunteer).await;
    assert_eq!(photos.len(), 5);
    assert!(photos.iter().all(|p| !p.uploaded));
    // The good bytes still go through afterwards.
    assert_eq!(
        upload(&app, &mut volunteer, id, &photo).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn others_see_a_photo_only_after_an_organiser_approves_it() {
    let app = TestApp::new().await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    app.add_account("sasiadka", Role::Volunteer).await;
    app.add_account("organizator", Role::Organiser).await;
    let mut author = app.signed_in("wolontariusz").await;
    let mut other = app.signed_in("sasiadka").await;
    let mut organiser = app.signed_in("organizator").await;
    let event = app
        .create_event(&mut organiser, "Kawiarenka sąsiedzka")
        .await;
    let photo = camera_jpeg(640, 480, 1);
    let (id, _) = attach(&app, &mut author, PhotoSubject::Event(event), &photo).await;
    let thumbnail = format!("/api/v1/photos/{id}/thumbnail");

    // No bytes yet: nothing to review.
    let early = push(
        &app,
        &mut organiser,
        Mutation::ReviewPhoto(ReviewPhoto {
            photo_id: id,
            decision: PhotoDecision::Approve,
        }),
    )
    .await;
    assert!(matches!(
        early,
        Outcome::Rejected {
            reason: RejectReason::PhotoRefused { .. }
        }
    ));
    upload(&app, &mut author, id, &photo).await;

    assert_eq!(
        app.call(&mut author, Method::GET, &thumbnail, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.call(&mut other, Method::GET, &thumbnail, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let by_volunteer = push(
        &app,
        &mut other,
        Mutation::ReviewPhoto(ReviewPhoto {
            photo_id: id,
            decision: PhotoDecision::Approve,
        }),
    )
    .await;
    assert!(matches!(by_volunteer, Outcome::Rejected { .. }));
    let no_reason = push(
        &app,
        &mut organiser,
        Mutation::ReviewPhoto(ReviewPhoto {
            photo_id: id,
            decision: PhotoDecision::Reject { reason: " ".into() },
        }),
    )
    .await;
    assert!(matches!(no_reason, Outcome::Rejected { .. }));

    let approve = Mutation::ReviewPhoto(ReviewPhoto {
        photo_id: id,
        decision: PhotoDecision::Approve,
    });
    assert_eq!(push(&app, &mut organiser, approve).await, Outcome::Applied);
    assert_eq!(
        app.call(&mut other, Method::GET, &thumbnail, None)
            .await
            .status,
        StatusCode::OK
    );
    let seen = photos_seen_by(&app, &mut other).await;
    assert!(matches!(seen[0].review, PhotoReview::Approved { .. }));
    // Originals are for organisers.
    let original = format!("/api/v1/photos/{id}/original");
    assert_eq!(
        app.call(&mut other, Method::GET, &original, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_volunteer_cannot_attach_photos_to_someone_elses_help_request() {
    let app = TestApp::new().await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    app.add_account("sasiadka", Role::Volunteer).await;
    let mut author = app.signed_in("wolontariusz").await;
    let mut other = app.signed_in("sasiadka").await;
    let request = help_request(&app, &mut author).await;
    let photo = camera_jpeg(320, 240, 1);
    let (_, outcome) = attach(&app, &mut other, PhotoSubject::HelpRequest(request), &photo).await;
    assert_eq!(
        outcome,
        Outcome::Rejected {
            reason: RejectReason::Forbidden
        }
    );
    let (_, outcome) = attach(
        &app,
        &mut other,
        PhotoSubject::HelpRequest(Uuid::now_v7()),
        &photo,
    )
    .await;
    assert_eq!(
        outcome,
        Outcome::Rejected {
            reason: RejectReason::UnknownRecord
        }
    );
    assert!(photos_seen_by(&app, &mut other).await.is_empty());
}
