use super::*;
use crate::account::Role;
use crate::consent::ConsentText;
use crate::dictionary::tests::sample;
use chrono::Duration;

fn scribble(points: &[(f64, f64)]) -> Signature {
    let mut signature = Signature::default();
    let mut points = points.iter();
    if let Some((x, y)) = points.next() {
        signature.begin_stroke(*x, *y);
    }
    for (x, y) in points {
        signature.extend_stroke(*x, *y);
    }
    signature
}

/// A short zig-zag, like a quick initial.
fn a_signature() -> Signature {
    scribble(&[
        (100.0, 300.0),
        (160.0, 120.0),
        (220.0, 300.0),
        (280.0, 140.0),
    ])
}

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + Duration::minutes(minutes)
}

fn person(n: u128, name: &str) -> Person {
    Person {
        id: Uuid::from_u128(n),
        name: name.into(),
    }
}

fn staff(role: Role) -> Author {
    Author::Staff(Actor {
        person: person(900, "Olga Organizator"),
        role,
    })
}

const EVENT: Uuid = Uuid::from_u128(1);

fn kiosk() -> Author {
    Author::Kiosk { event_id: EVENT }
}

pub(crate) fn signed(id: u128, resident: Option<u128>, name: &str) -> ListChange {
    ListChange::Record(NewAttendance {
        attendance_id: Uuid::from_u128(id),
        attendee: Attendee {
            resident_id: resident.map(Uuid::from_u128),
            name: name.into(),
            ..Default::default()
        },
        proof: Proof::Signature {
            signature: a_signature(),
        },
        image_consent: Some(ConsentAnswer {
            given: true,
            text_version: 1,
        }),
        walk_in: resident.is_none(),
        registration: resident.is_none().then_some(Registration {
            data_processing: ConsentAnswer {
                given: true,
                text_version: 1,
            },
            kiosk_listing: ConsentAnswer {
                given: false,
                text_version: 1,
            },
        }),
        reason: None,
    })
}

fn on_paper(id: u128, name: &str, reason: Option<&str>) -> ListChange {
    ListChange::Record(NewAttendance {
        attendance_id: Uuid::from_u128(id),
        attendee: Attendee {
            name: name.into(),
            ..Default::default()
        },
        proof: Proof::Paper,
        image_consent: None,
        walk_in: false,
        registration: None,
        reason: reason.map(str::to_owned),
    })
}

fn apply(
    list: &AttendanceList,
    author: &Author,
    change: ListChange,
) -> Result<AttendanceList, ListRefusal> {
    list.apply(
        author,
        &change,
        &sample(),
        at(list.history.len() as i64 + 10),
    )
}

fn approved_list() -> AttendanceList {
    let list = AttendanceList::new(EVENT);
    let list = apply(&list, &kiosk(), signed(10, Some(100), "Anna Nowak")).unwrap();
    let list = apply(&list, &kiosk(), signed(11, None, "Jan Gość")).unwrap();
    apply(&list, &staff(Role::Organiser), ListChange::Approve).unwrap()
}

#[test]
fn an_empty_pad_or_a_dot_is_not_a_signature() {
    assert_eq!(
        Signature::default().validate(),
        Err(SignatureProblem::Empty)
    );
    assert_eq!(
        scribble(&[(500.0, 200.0)]).validate(),
        Err(SignatureProblem::TooShort)
    );
    // A finger resting on the glass wobbles a few units: still a dot.
    assert_eq!(
        scribble(&[
            (500.0, 200.0),
            (503.0, 201.0),
            (501.0, 204.0),
            (504.0, 202.0)
        ])
        .validate(),
        Err(SignatureProblem::TooShort)
    );
    assert_eq!(a_signature().validate(), Ok(()));
}

#[test]
fn points_outside_the_pad_are_clamped_and_jitter_is_dropped() {
    let mut signature = Signature::default();
    signature.begin_stroke(-20.0, 900.0);
    assert_eq!(signature.strokes[0].points, [[0, PAD_HEIGHT]]);
    assert!(!signature.extend_stroke(0.6, 399.5));
    assert!(signature.extend_stroke(30.0, 350.0));
    assert_eq!(signature.strokes[0].points.len(), 2);
}

#[test]
fn an_oversized_signature_is_refused() {
    let mut signature = Signature::default();
    for i in 0..=MAX_STROKES {
        signature.begin_stroke(i as f64, 0.0);
        signature.extend_stroke(i as f64, 100.0);
    }
    assert_eq!(signature.validate(), Err(SignatureProblem::TooLarge));
    let forged = Signature {
        strokes: vec![Stroke {
            points: vec![[0, 0], [2000, 0]],
        }],
    };
    assert_eq!(forged.validate(), Err(SignatureProblem::TooLarge));
}

#[test]
fn the_svg_path_curves_through_midpoints_and_draws_dots() {
    let signature = scribble(&[(0.0, 0.0), (10.0, 10.0), (20.0, 0.0), (30.0, 10.0)]);
    assert_eq!(signature.svg_path(), "M0 0 Q10 10 15 5 Q20 0 25 5 L30 10");
    assert_eq!(scribble(&[(5.0, 5.0)]).svg_path(), "M5 5 l0.1 0");
    let two = Signature {
        strokes: vec![
            Stroke {
                points: vec![[1, 1], [9, 9]],
            },
            Stroke {
                points: vec![[3, 3]],
            },
        ],
    };
    assert_eq!(two.svg_path(), "M1 1 L9 9 M3 3 l0.1 0");
}

#[test]
fn a_changed_consent_text_gets_a_new_version_and_is_asked_again() {
    let text = ConsentText {
        version: 1,
        text_pl: "Zgadzam się.".into(),
        text_en: "I agree.".into(),
        since: at(0),
    };
    assert_eq!(text.revise(" Zgadzam się. ", "I agree.", at(5)), None);
    let revised = text
        .revise("Zgadzam się na zdjęcia.", "I agree.", at(5))
        .unwrap();
    assert_eq!(revised.version, 2);
    assert_eq!(revised.since, at(5));

    let answered = ImageConsent::answered(
        None,
        ConsentAnswer {
            given: true,
            text_version: 1,
        },
        at(1),
    );
    assert!(ImageConsent::needs_asking(None, 1));
    assert!(!ImageConsent::needs_asking(Some(&answered), 1));
    assert!(ImageConsent::needs_asking(Some(&answered), revised.version));
    // A withdrawal stands until the person answers again: the text changing does not revive it.
    let withdrawn = answered.withdrawn(at(2)).unwrap();
    assert!(!withdrawn.permits_photos());
    assert!(!ImageConsent::needs_asking(
        Some(&withdrawn),
        revised.version
    ));
    assert_eq!(withdrawn.withdrawn(at(3)), None);
}

#[test]
fn a_late_arriving_older_answer_does_not_replace_a_newer_one() {
    let newer = ImageConsent::answered(
        None,
        ConsentAnswer {
            given: false,
            text_version: 2,
        },
        at(10),
    );
    let kept = ImageConsent::answered(
        Some(&newer),
        ConsentAnswer {
            given: true,
            text_version: 1,
        },
        at(5),
    );
    assert_eq!(kept, newer);
}

#[test]
fn kiosk_signatures_make_a_list_that_awaits_approval() {
    let list = AttendanceList::new(EVENT);
    assert!(!list.awaits_approval());
    let list = apply(&list, &kiosk(), signed(10, Some(100), "  Anna   Nowak ")).unwrap();
    assert!(list.awaits_approval());
    assert_eq!(list.entries[0].attendee.name, "Anna Nowak");
    assert_eq!(list.entries[0].recorded_by, RecordedBy::Kiosk);
    assert!(list.history.is_empty());
    // The same signature sent again (a replay) changes nothing.
    assert_eq!(
        apply(&list, &kiosk(), signed(10, Some(100), "Anna Nowak")).unwrap(),
        list
    );
    // A walk-in counts for the resident the server adds for them.
    let list = apply(&list, &kiosk(), signed(11, None, "Jan Gość")).unwrap();
    assert_eq!(
        list.entries[1].resident_id(),
        resident_id_for_attendance(Uuid::from_u128(11))
    );
}

#[test]
fn a_kiosk_records_only_signed_answered_entries_for_its_own_event() {
    let list = AttendanceList::new(EVENT);
    let other_kiosk = Author::Kiosk {
        event_id: Uuid::from_u128(2),
    };
    assert_eq!(
        apply(&list, &other_kiosk, signed(10, None, "Anna")),
        Err(ListRefusal::NotPermitted)
    );
    assert_eq!(
        apply(&list, &kiosk(), on_paper(10, "Anna", None)),
        Err(ListRefusal::NotPermitted)
    );
    assert_eq!(
        apply(&list, &kiosk(), ListChange::Approve),
        Err(ListRefusal::NotPermitted)
    );
    let ListChange::Record(mut unanswered) = signed(10, None, "Anna") else {
        unreachable!()
    };
    unanswered.image_consent = None;
    assert_eq!(
        apply(&list, &kiosk(), ListChange::Record(unanswered)),
        Err(ListRefusal::ConsentMissing)
    );
    let ListChange::Record(mut dot) = signed(10, None, "Anna") else {
        unreachable!()
    };
    dot.proof = Proof::Signature {
        signature: scribble(&[(5.0, 5.0)]),
    };
    assert_eq!(
        apply(&list, &kiosk(), ListChange::Record(dot)),
        Err(ListRefusal::Signature {
            problem: SignatureProblem::TooShort
        })
    );
}

#[test]
fn nobody_is_on_the_list_twice() {
    let list = apply(
        &AttendanceList::new(EVENT),
        &kiosk(),
        signed(10, Some(100), "Anna Nowak"),
    )
    .unwrap();
    assert_eq!(
        apply(&list, &kiosk(), signed(12, Some(100), "Anna Nowak")),
        Err(ListRefusal::AlreadyPresent {
            name: "Anna Nowak".into()
        })
    );
}

#[test]
fn approval_locks_the_list_so_changes_need_a_reason_and_show_in_history() {
    assert_eq!(
        apply(
            &AttendanceList::new(EVENT),
            &staff(Role::Organiser),
            ListChange::Approve
        ),
        Err(ListRefusal::NothingToApprove)
    );
    let list = approved_list();
    assert!(list.is_locked());
    assert!(!list.awaits_approval());
    assert_eq!(
        apply(&list, &staff(Role::Organiser), ListChange::Approve),
        Err(ListRefusal::AlreadyApproved)
    );
    // Without a reason, nothing changes.
    assert_eq!(
        apply(
            &list,
            &staff(Role::Volunteer),
            on_paper(12, "Ewa Papier", Some("  "))
        ),
        Err(ListRefusal::ReasonRequired)
    );
    let remove_without_reason = ListChange::Remove {
        attendance_id: Uuid::from_u128(11),
        reason: String::new(),
    };
    assert_eq!(
        apply(&list, &staff(Role::Organiser), remove_without_reason),
        Err(ListRefusal::ReasonRequired)
    );
    // With one, the change is made, the list stays approved, and the history says who, what and why.
    let added = apply(
        &list,
        &staff(Role::Volunteer),
        on_paper(12, "Ewa Papier", Some("Podpisała listę papierową")),
    )
    .unwrap();
    assert!(added.is_locked());
    assert_eq!(added.present().count(), 3);
    assert_eq!(
        added.history.last().unwrap().event,
        ListEvent::Added {
            name: "Ewa Papier".into(),
            reason: "Podpisała listę papierową".into()
        }
    );
    let removed = apply(
        &added,
        &staff(Role::Organiser),
        ListChange::Remove {
            attendance_id: Uuid::from_u128(11),
            reason: "Wpisany dwa razy".into(),
        },
    )
    .unwrap();
    assert_eq!(removed.present().count(), 2);
    assert_eq!(
        removed.entries.len(),
        3,
        "a removed entry stays, struck off"
    );
    assert!(matches!(
        removed.history.last().unwrap().event,
        ListEvent::Removed { .. }
    ));
}

#[test]
fn volunteers_mark_presence_but_do_not_approve_or_remove() {
    let list = apply(
        &AttendanceList::new(EVENT),
        &staff(Role::Volunteer),
        on_paper(10, "Ewa Papier", None),
    )
    .unwrap();
    assert_eq!(list.entries[0].proof, Proof::Paper);
    assert_eq!(
        apply(&list, &staff(Role::Volunteer), ListChange::Approve),
        Err(ListRefusal::NotPermitted)
    );
    assert_eq!(
        apply(
            &list,
            &staff(Role::Volunteer),
            ListChange::Remove {
                attendance_id: Uuid::from_u128(10),
                reason: "pomyłka".into()
            }
        ),
        Err(ListRefusal::NotPermitted)
    );
}

#[test]
fn a_kiosk_signature_arriving_after_approval_reopens_the_list() {
    let list = approved_list();
    let late = apply(&list, &kiosk(), signed(13, Some(103), "Zofia Późna")).unwrap();
    assert!(!late.is_locked());
    assert!(late.awaits_approval());
    assert_eq!(
        late.history.last().unwrap().event,
        ListEvent::LateSignature {
            name: "Zofia Późna".into()
        }
    );
}

#[test]
fn a_withdrawn_image_consent_flags_the_events_photos_until_checked() {
    let list = approved_list();
    let organiser = person(900, "Olga Organizator");
    let flagged = list
        .flag_consent_withdrawal(Uuid::from_u128(100), &organiser, at(50))
        .unwrap();
    assert_eq!(flagged.consent_withdrawals.len(), 1);
    assert_eq!(flagged.consent_withdrawals[0].name, "Anna Nowak");
    // Flagged once, and not for people who were not there.
    assert_eq!(
        flagged.flag_consent_withdrawal(Uuid::from_u128(100), &organiser, at(51)),
        None
    );
    assert_eq!(
        list.flag_consent_withdrawal(Uuid::from_u128(555), &organiser, at(51)),
        None
    );
    let checked = apply(&flagged, &staff(Role::Organiser), ListChange::PhotosChecked).unwrap();
    assert!(checked.consent_withdrawals.is_empty());
    assert_eq!(
        apply(&checked, &staff(Role::Organiser), ListChange::PhotosChecked),
        Err(ListRefusal::NothingToCheck)
    );
}

#[test]
fn a_walk_in_with_a_bad_phone_or_no_name_is_refused() {
    let change = ListChange::Record(NewAttendance {
        attendance_id: Uuid::from_u128(10),
        attendee: Attendee {
            resident_id: None,
            name: " ".into(),
            phone: "abc".into(),
            district: "atlantyda".into(),
        },
        proof: Proof::Signature {
            signature: a_signature(),
        },
        image_consent: Some(ConsentAnswer {
            given: false,
            text_version: 1,
        }),
        walk_in: true,
        registration: None,
        reason: None,
    });
    let Err(ListRefusal::Attendee { errors }) =
        apply(&AttendanceList::new(EVENT), &kiosk(), change)
    else {
        panic!("refused for the attendee's details");
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            ResidentField::Name,
            ResidentField::Phone,
            ResidentField::District
        ]
    );
}

#[test]
fn a_list_shows_the_registrys_district_and_falls_back_to_the_sign_in() {
    let entry = |district: &str| Attendance {
        id: Uuid::from_u128(7),
        attendee: Attendee {
            resident_id: Some(Uuid::from_u128(8)),
            name: "Anna Nowak".into(),
            district: district.into(),
            ..Default::default()
        },
        proof: Proof::Paper,
        image_consent: None,
        walk_in: false,
        registration: None,
        recorded_at: at(0),
        recorded_by: RecordedBy::Kiosk,
        removed: None,
    };
    assert_eq!(entry("").district(Some("jedwabnik")), "jedwabnik");
    assert_eq!(entry("okolna").district(Some("jedwabnik")), "jedwabnik");
    assert_eq!(entry("okolna").district(Some("")), "okolna");
    assert_eq!(entry("okolna").district(None), "okolna");
    assert_eq!(entry("").district(None), "");
}

#[test]
fn a_newcomer_at_the_kiosk_is_kept_only_with_consent_to_the_processing_of_their_data() {
    let list = AttendanceList::new(EVENT);
    let newcomer = |data_processing: Option<bool>| {
        let ListChange::Record(mut new) = signed(10, None, "Genowefa Nowicka") else {
            unreachable!()
        };
        new.registration = data_processing.map(|given| Registration {
            data_processing: ConsentAnswer {
                given,
                text_version: 2,
            },
            kiosk_listing: ConsentAnswer {
                given: true,
                text_version: 1,
            },
        });
        ListChange::Record(new)
    };
    for refused in [None, Some(false)] {
        assert_eq!(
            apply(&list, &kiosk(), newcomer(refused)),
            Err(ListRefusal::DataConsentMissing)
        );
    }
    let kept = apply(&list, &kiosk(), newcomer(Some(true))).unwrap();
    let registration = kept.entries[0].registration.unwrap();
    assert_eq!(registration.data_processing.text_version, 2);
    assert!(registration.kiosk_listing.given);
    // Someone from the registry agreed when they were registered; staff copy paper lists, whose form
    // carries the consent clause.
    assert!(apply(&list, &kiosk(), signed(11, Some(100), "Anna Nowak")).is_ok());
    assert!(apply(
        &list,
        &staff(Role::Organiser),
        on_paper(12, "Stefan Papierowy", None)
    )
    .is_ok());
}

#[test]
fn a_newcomers_registration_names_the_versions_of_the_texts_in_force() {
    use crate::consent::{ConsentKind, ConsentTexts, PublishedConsentText};
    let text = |kind, version| PublishedConsentText {
        kind,
        text: ConsentText {
            version,
            text_pl: "Zgadzam się.".into(),
            text_en: "I agree.".into(),
            since: at(0),
        },
    };
    let texts: ConsentTexts = [
        text(ConsentKind::DataProcessing, 3),
        text(ConsentKind::KioskListing, 2),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        Registration::agreed(&texts, false),
        Some(Registration {
            data_processing: ConsentAnswer {
                given: true,
                text_version: 3
            },
            kiosk_listing: ConsentAnswer {
                given: false,
                text_version: 2
            },
        })
    );
    // An old kiosk package without the listing text cannot register anyone.
    let old: ConsentTexts = [text(ConsentKind::DataProcessing, 1)].into_iter().collect();
    assert_eq!(Registration::agreed(&old, true), None);
}

#[test]
fn only_a_list_with_a_signature_on_it_is_an_opening_of_signatures() {
    let paper = apply(
        &AttendanceList::new(EVENT),
        &staff(Role::Organiser),
        on_paper(20, "Ewa Papier", None),
    )
    .unwrap();
    assert!(!paper.holds_signatures());
    assert!(approved_list().holds_signatures());
}
