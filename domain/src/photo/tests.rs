use super::*;
use crate::account::Role;
use chrono::TimeZone;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 12, 10, minute, 0).unwrap()
}

fn actor(n: u128, role: Role) -> Actor {
    Actor {
        person: Person {
            id: Uuid::from_u128(n),
            name: format!("Osoba {n}"),
        },
        role,
    }
}

fn photo(people: PeopleVisible) -> Photo {
    Photo {
        id: Uuid::from_u128(100),
        subject: PhotoSubject::Event(Uuid::from_u128(7)),
        caption: "Sadzenie drzew".into(),
        people,
        file: PhotoFile {
            sha256: "ab".repeat(32),
            bytes: 250_000,
            width: 1600,
            height: 1200,
        },
        taken_by: actor(1, Role::Volunteer).person,
        taken_at: at(0),
        uploaded: true,
        review: PhotoReview::Pending,
        erased_at: None,
    }
}

#[test]
fn a_photo_cannot_be_saved_without_the_people_answer() {
    let details = PhotoDetails {
        caption: "  Zakupy dla pani Ireny ".into(),
        people: None,
    };
    assert_eq!(
        details.validate(),
        Err(vec![PhotoDetailsError::PeopleNotAnswered])
    );
    let answered = PhotoDetails {
        people: Some(PeopleVisible::NoIdentifiablePeople),
        ..details
    };
    assert_eq!(
        answered.validate(),
        Ok((
            "Zakupy dla pani Ireny".to_owned(),
            PeopleVisible::NoIdentifiablePeople
        ))
    );
}

#[test]
fn a_caption_longer_than_the_limit_is_refused_with_the_missing_answer() {
    let details = PhotoDetails {
        caption: "ł".repeat(MAX_CAPTION_CHARS + 1),
        people: None,
    };
    assert_eq!(
        details.validate(),
        Err(vec![
            PhotoDetailsError::PeopleNotAnswered,
            PhotoDetailsError::CaptionTooLong
        ])
    );
    let at_limit = PhotoDetails {
        caption: "ł".repeat(MAX_CAPTION_CHARS),
        people: Some(PeopleVisible::WithConsent),
    };
    assert!(at_limit.validate().is_ok());
}

#[test]
fn a_twelve_megapixel_photo_shrinks_to_the_long_edge_keeping_its_shape() {
    assert_eq!(fit_within(4000, 3000, MAX_EDGE), (1600, 1200));
    assert_eq!(fit_within(3000, 4000, MAX_EDGE), (1200, 1600));
    assert_eq!(fit_within(4032, 1816, MAX_EDGE), (1600, 721));
    assert_eq!(fit_within(800, 600, MAX_EDGE), (800, 600));
    assert_eq!(fit_within(20000, 10, THUMBNAIL_EDGE), (320, 1));
}

#[test]
fn the_declared_file_must_look_like_what_a_device_makes() {
    let good = photo(PeopleVisible::WithConsent).file;
    assert!(good.is_plausible());
    for bad in [
        PhotoFile {
            sha256: "AB".repeat(32),
            ..good.clone()
        },
        PhotoFile {
            sha256: "ab".repeat(31),
            ..good.clone()
        },
        PhotoFile {
            width: MAX_EDGE + 1,
            ..good.clone()
        },
        PhotoFile {
            bytes: MAX_UPLOAD_BYTES as u64 + 1,
            ..good.clone()
        },
        PhotoFile { bytes: 0, ..good },
    ] {
        assert!(!bad.is_plausible(), "{bad:?}");
    }
}

#[test]
fn only_organisers_review_and_a_rejection_needs_a_reason() {
    let mut p = photo(PeopleVisible::WithConsent);
    assert_eq!(
        p.review(PhotoDecision::Approve, &actor(1, Role::Volunteer), at(5)),
        Err(PhotoRefusal::NotAllowed)
    );
    let organiser = actor(2, Role::Organiser);
    assert_eq!(
        p.review(
            PhotoDecision::Reject {
                reason: "  ".into()
            },
            &organiser,
            at(5)
        ),
        Err(PhotoRefusal::ReasonRequired)
    );
    assert_eq!(p.review, PhotoReview::Pending);
    p.review(
        PhotoDecision::Reject {
            reason: "Nieostre".into(),
        },
        &organiser,
        at(6),
    )
    .unwrap();
    assert!(matches!(&p.review, PhotoReview::Rejected { reason, .. } if reason == "Nieostre"));
    p.review(PhotoDecision::Approve, &organiser, at(7)).unwrap();
    assert!(p.is_approved());
}

#[test]
fn a_photo_whose_bytes_have_not_arrived_cannot_be_reviewed() {
    let mut p = photo(PeopleVisible::NoIdentifiablePeople);
    p.uploaded = false;
    assert_eq!(
        p.review(PhotoDecision::Approve, &actor(2, Role::Organiser), at(5)),
        Err(PhotoRefusal::NotUploaded)
    );
    assert!(!p.awaits_review(&[]));
}

#[test]
fn only_approved_photos_reach_the_gallery() {
    let organiser = actor(2, Role::Organiser);
    let mut p = photo(PeopleVisible::WithConsent);
    assert!(!p.in_gallery(&[]));
    assert!(p.awaits_review(&[]));
    p.review(PhotoDecision::Approve, &organiser, at(5)).unwrap();
    assert!(p.in_gallery(&[]));
    assert!(!p.awaits_review(&[]));
}

#[test]
fn a_withdrawal_after_approval_flags_the_photo_until_an_organiser_looks_again() {
    let organiser = actor(2, Role::Organiser);
    let mut p = photo(PeopleVisible::WithConsent);
    p.review(PhotoDecision::Approve, &organiser, at(5)).unwrap();
    assert!(
        !p.consent_withdrawn(&[at(4)]),
        "withdrawn before the approval"
    );
    let withdrawals = [at(10)];
    assert!(p.consent_withdrawn(&withdrawals));
    assert!(!p.in_gallery(&withdrawals));
    assert!(p.awaits_review(&withdrawals));
    p.review(PhotoDecision::Approve, &organiser, at(11))
        .unwrap();
    assert!(p.in_gallery(&withdrawals));
}

#[test]
fn a_photo_without_identifiable_people_is_never_flagged() {
    let mut p = photo(PeopleVisible::NoIdentifiablePeople);
    p.review(PhotoDecision::Approve, &actor(2, Role::Organiser), at(5))
        .unwrap();
    assert!(!p.consent_withdrawn(&[at(10)]));
    assert!(p.in_gallery(&[at(10)]));
}

#[test]
fn volunteers_see_their_own_photos_and_approved_ones() {
    let p = photo(PeopleVisible::WithConsent);
    assert!(p.visible_to(&actor(1, Role::Volunteer), &[]));
    assert!(!p.visible_to(&actor(3, Role::Volunteer), &[]));
    assert!(p.visible_to(&actor(2, Role::Organiser), &[]));
}

#[test]
fn failed_uploads_back_off_doubling_up_to_five_minutes() {
    let delays: Vec<i64> = (1..=9).map(|n| upload_backoff(n).num_seconds()).collect();
    assert_eq!(delays, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
    let state = UploadState::waiting_now(at(0));
    assert!(state.due(at(0)));
    let failed = state.failed("offline".into(), at(0));
    assert!(!failed.due(at(0)));
    assert!(failed.due(at(0) + Duration::seconds(5)));
    let twice = failed.failed("offline".into(), at(1));
    assert!(matches!(twice, UploadState::Waiting { attempts: 2, .. }));
    assert!(!UploadState::Draft.due(at(30)));
    assert!(!UploadState::Refused {
        message: "x".into()
    }
    .due(at(30)));
}

#[test]
fn storage_is_low_below_a_tenth_of_the_quota_or_a_hundred_megabytes() {
    let gb = 1024.0 * 1024.0 * 1024.0;
    assert!(!StorageUse {
        usage: 0.5 * gb,
        quota: 2.0 * gb
    }
    .is_low());
    assert!(StorageUse {
        usage: 1.85 * gb,
        quota: 2.0 * gb
    }
    .is_low());
    assert!(StorageUse {
        usage: 10.0,
        quota: 50.0 * 1024.0 * 1024.0
    }
    .is_low());
    assert!(!StorageUse {
        usage: 0.0,
        quota: 0.0
    }
    .is_low());
}

#[test]
fn the_hash_is_lowercase_hex_sha256() {
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
