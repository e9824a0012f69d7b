//! Meeting notes through the sync API against real SQLite: written by a volunteer, seen by others only
//! once approved, returned with a comment and corrected, final after approval, counted on the dashboard.

use crate::support::{Browser, TestApp};
use axum::http::{Method, StatusCode};
use chrono::Utc;
use domain::account::Role;
use domain::meeting_note::{MeetingNote, NoteDecision, NoteRefusal, NoteReview};
use domain::sync::protocol::{
    Mutation, Outcome, PullResponse, PushRequest, PushResponse, Record, RejectReason,
    ReviewMeetingNote, WriteMeetingNote,
};
use uuid::Uuid;

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

async fn notes_seen_by(app: &TestApp, browser: &mut Browser) -> Vec<MeetingNote> {
    let answer = app
        .call(
            browser,
            Method::GET,
            "/api/v1/sync/pull?since=0&limit=1000",
            None,
        )
        .await;
    let pull: PullResponse = serde_json::from_value(answer.json).unwrap();
    pull.changes
        .into_iter()
        .filter_map(|c| match c.record {
            Record::MeetingNote(note) => Some(note),
            _ => None,
        })
        .collect()
}

fn write(note: Uuid, event: Uuid, text: &str) -> Mutation {
    Mutation::WriteMeetingNote(WriteMeetingNote {
        note_id: note,
        event_id: event,
        text: text.into(),
    })
}

fn review(note: Uuid, decision: NoteDecision) -> Mutation {
    Mutation::ReviewMeetingNote(ReviewMeetingNote {
        note_id: note,
        decision,
    })
}

fn refused(refusal: NoteRefusal) -> Outcome {
    Outcome::Rejected {
        reason: RejectReason::NoteRefused { refusal },
    }
}

#[tokio::test]
async fn a_note_is_returned_corrected_approved_and_then_seen_by_everyone() {
    let app = TestApp::new().await;
    app.add_account("organizator", Role::Organiser).await;
    app.add_account("wolontariusz", Role::Volunteer).await;
    app.add_account("sasiadka", Role::Volunteer).await;
    let mut organiser = app.signed_in("organizator").await;
    let mut author = app.signed_in("wolontariusz").await;
    let mut other = app.signed_in("sasiadka").await;
    let event = app.create_event(&mut organiser, "Klub seniora").await;
    let note = Uuid::now_v7();

    assert_eq!(
        push(&app, &mut author, write(note, event, "   ")).await,
        refused(NoteRefusal::TextRequired)
    );
    assert_eq!(
        push(&app, &mut author, write(note, Uuid::now_v7(), "Gdzie?")).await,
        Outcome::Rejected {
            reason: RejectReason::UnknownRecord
        }
    );
    let text = "Było 12 osób. Ustaliliśmy wiosenne sprzątanie podwórka.";
    assert_eq!(
        push(&app, &mut author, write(note, event, text)).await,
        Outcome::Applied
    );
    assert_eq!(notes_seen_by(&app, &mut author).await.len(), 1);
    assert!(
        notes_seen_by(&app, &mut other).await.is_empty(),
        "not approved yet"
    );

    assert_eq!(
        push(&app, &mut author, review(note, NoteDecision::Approve)).await,
        refused(NoteRefusal::NotAllowed)
    );
    let back = NoteDecision::Return {
        comment: "Dopisz, kto prowadził.".into(),
    };
    assert_eq!(
        push(&app, &mut organiser, review(note, back)).await,
        Outcome::Applied
    );
    let seen = notes_seen_by(&app, &mut author).await;
    assert!(
        matches!(&seen[0].review, NoteReview::Returned { comment, .. } if comment == "Dopisz, kto prowadził.")
    );

    assert_eq!(
        push(&app, &mut other, write(note, event, "Moja wersja")).await,
        refused(NoteRefusal::NotAuthor)
    );
    let corrected = "Prowadziła Olga. Było 12 osób.";
    assert_eq!(
        push(&app, &mut author, write(note, event, corrected)).await,
        Outcome::Applied
    );
    assert_eq!(
        notes_seen_by(&app, &mut organiser).await[0].review,
        NoteReview::Pending
    );

    let dashboard = app
        .call(
            &mut organiser,
            Method::GET,
            "/api/v1/reports/dashboard?from=2026-01-01&to=2026-12-31",
            None,
        )
        .await;
    assert_eq!(dashboard.json["awaiting_review"]["meeting_notes"], 1);
    assert_eq!(dashboard.json["meeting_notes"], 0);

    assert_eq!(
        push(&app, &mut organiser, review(note, NoteDecision::Approve)).await,
        Outcome::Applied
    );
    let seen = notes_seen_by(&app, &mut other).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].text, corrected);
    assert_eq!(
        push(&app, &mut author, write(note, event, "Po zatwierdzeniu")).await,
        refused(NoteRefusal::Approved)
    );
    let dashboard = app
        .call(
            &mut organiser,
            Method::GET,
            "/api/v1/reports/dashboard?from=2026-01-01&to=2026-12-31",
            None,
        )
        .await;
    assert_eq!(dashboard.json["meeting_notes"], 1);
    assert_eq!(dashboard.json["awaiting_review"]["meeting_notes"], 0);
}
