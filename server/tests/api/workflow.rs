//! The help-request workflow and the residents registry through the sync API, against real SQLite:
//! what each person's device pushes and what it pulls back.

use crate::support::{request_for, Browser, TestApp};
use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::account::Role;
use domain::help_request::{HelpRequest, HelpRequestStatus, Person};
use domain::resident::{Resident, ResidentFields};
use domain::sync::protocol::{
    ActOnHelpRequest, CreateResident, EditHelpRequest, MergeResidents, Mutation, Outcome,
    PullResponse, PushRequest, PushResponse, Record, RejectReason,
};
use domain::workflow::{Action, ActionKind, FieldChange, HistoryEvent, Refusal};
use uuid::Uuid;

struct People {
    app: TestApp,
    volunteer: Browser,
    other_volunteer: Browser,
    organiser: Browser,
    volunteer_person: Person,
}

async fn people() -> People {
    let app = TestApp::new().await;
    let volunteer = app.add_account("wolontariusz", Role::Volunteer).await;
    app.add_account("sasiadka", Role::Volunteer).await;
    app.add_account("organizator", Role::Organiser).await;
    People {
        volunteer: app.signed_in("wolontariusz").await,
        other_volunteer: app.signed_in("sasiadka").await,
        organiser: app.signed_in("organizator").await,
        volunteer_person: Person {
            id: volunteer.id,
            name: volunteer.display_name,
        },
        app,
    }
}

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + Duration::days(20_400) + Duration::minutes(minutes)
}

impl People {
    async fn push(&self, browser: &mut Browser, mutation: Mutation) -> Outcome {
        let body = PushRequest {
            device_id: Uuid::now_v7(),
            mutations: vec![mutation.into_envelope(Uuid::now_v7(), at(1))],
        };
        let answer = self
            .app
            .call(
                browser,
                Method::POST,
                "/api/v1/sync/push",
                Some(serde_json::to_value(body).unwrap()),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
        let mut response: PushResponse = serde_json::from_value(answer.json).unwrap();
        response.results.remove(0).outcome
    }

    async fn pull(&self, browser: &mut Browser) -> PullResponse {
        let answer = self
            .app
            .call(
                browser,
                Method::GET,
                "/api/v1/sync/pull?since=0&limit=1000",
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        serde_json::from_value(answer.json).unwrap()
    }

    async fn requests(&self, browser: &mut Browser) -> Vec<HelpRequest> {
        self.pull(browser)
            .await
            .changes
            .into_iter()
            .filter_map(|c| match c.record {
                Record::HelpRequest(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    async fn residents(&self, browser: &mut Browser) -> Vec<Resident> {
        self.pull(browser)
            .await
            .changes
            .into_iter()
            .filter_map(|c| match c.record {
                Record::Resident(r) => Some(r),
                _ => None,
            })
            .collect()
    }
}

fn create(id: Uuid) -> Mutation {
    request_for(id, "Łukasz Nowak", "Wizyta w przychodni")
}

fn act(id: Uuid, seen_revision: u32, action: Action) -> Mutation {
    Mutation::ActOnHelpRequest(ActOnHelpRequest {
        help_request_id: id,
        seen_revision,
        action,
    })
}

fn edit(id: Uuid, seen_revision: u32, description: &str) -> Mutation {
    Mutation::EditHelpRequest(EditHelpRequest {
        help_request_id: id,
        seen_revision,
        changes: vec![FieldChange::Description(description.into())],
    })
}

#[tokio::test]
async fn a_request_goes_from_recording_to_done_and_keeps_every_step() {
    let p = people().await;
    let id = Uuid::now_v7();
    let mut volunteer = p.volunteer.clone();
    let mut organiser = p.organiser.clone();
    assert_eq!(p.push(&mut volunteer, create(id)).await, Outcome::Applied);
    let returned = act(
        id,
        1,
        Action::Return {
            comment: "Podaj godzinę wizyty".into(),
        },
    );
    assert_eq!(p.push(&mut organiser, returned).await, Outcome::Applied);

    let seen = p.requests(&mut volunteer).await.remove(0);
    assert_eq!(seen.status, HelpRequestStatus::Returned);
    assert_eq!(seen.review_comment.as_deref(), Some("Podaj godzinę wizyty"));
    let fixed = edit(id, seen.revision, "Wizyta w przychodni we wtorek o 10:00");
    assert_eq!(p.push(&mut volunteer, fixed).await, Outcome::Applied);
    assert_eq!(
        p.push(&mut volunteer, act(id, seen.revision, Action::Resubmit))
            .await,
        Outcome::Applied
    );
    assert_eq!(
        p.push(&mut organiser, act(id, 4, Action::Approve)).await,
        Outcome::Applied
    );
    let assign = Action::Assign {
        volunteers: vec![Person {
            id: p.volunteer_person.id,
            name: "a name the device made up".into(),
        }],
    };
    assert_eq!(
        p.push(&mut organiser, act(id, 5, assign)).await,
        Outcome::Applied
    );
    let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    let complete = Action::Complete {
        outcome: "Zawieziony i przywieziony".into(),
        minutes: 150,
        on: day,
    };
    assert_eq!(
        p.push(&mut volunteer, act(id, 6, complete)).await,
        Outcome::Applied
    );

    let done = p.requests(&mut organiser).await.remove(0);
    assert_eq!(done.status, HelpRequestStatus::Done);
    assert_eq!(
        done.fields.description,
        "Wizyta w przychodni we wtorek o 10:00"
    );
    assert_eq!(
        done.assignees[0].volunteer, p.volunteer_person,
        "the server's name wins"
    );
    assert_eq!(done.minutes_of(p.volunteer_person.id), 150);
    let steps: Vec<String> = done
        .history
        .iter()
        .map(|h| match &h.event {
            HistoryEvent::Acted { action, .. } => format!("{:?}", action.kind()),
            other => format!("{other:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_owned(),
        })
        .collect();
    assert_eq!(
        steps,
        ["Recorded", "Return", "Edited", "Resubmit", "Approve", "Assign", "Complete"]
    );
}

#[tokio::test]
async fn an_invalid_step_is_refused_with_the_reason_and_changes_nothing() {
    let p = people().await;
    let id = Uuid::now_v7();
    let (mut volunteer, mut organiser) = (p.volunteer.clone(), p.organiser.clone());
    p.push(&mut volunteer, create(id)).await;
    assert_eq!(
        p.push(&mut volunteer, act(id, 1, Action::Approve)).await,
        Outcome::Rejected {
            reason: RejectReason::Refused {
                refusal: Refusal::NotPermitted {
                    action: ActionKind::Approve
                }
            }
        }
    );
    assert_eq!(
        p.push(&mut organiser, act(id, 1, Action::Start)).await,
        Outcome::Rejected {
            reason: RejectReason::Refused {
                refusal: Refusal::NotPermitted {
                    action: ActionKind::Start
                }
            }
        }
    );
    let complete = Action::Complete {
        outcome: "x".into(),
        minutes: 60,
        on: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
    };
    assert_eq!(
        p.push(&mut organiser, act(id, 1, complete)).await,
        Outcome::Rejected {
            reason: RejectReason::Refused {
                refusal: Refusal::WrongStatus {
                    action: ActionKind::Complete,
                    status: HelpRequestStatus::AwaitingApproval
                }
            }
        }
    );
    assert_eq!(
        p.push(&mut organiser, act(Uuid::now_v7(), 1, Action::Approve))
            .await,
        Outcome::Rejected {
            reason: RejectReason::UnknownRecord
        }
    );
    let unchanged = p.requests(&mut organiser).await.remove(0);
    assert_eq!(unchanged.status, HelpRequestStatus::AwaitingApproval);
    assert_eq!(unchanged.history.len(), 1);
}

#[tokio::test]
async fn a_stale_edit_after_approval_is_kept_in_history_but_not_applied() {
    let p = people().await;
    let id = Uuid::now_v7();
    let (mut volunteer, mut organiser) = (p.volunteer.clone(), p.organiser.clone());
    p.push(&mut volunteer, create(id)).await;
    p.push(&mut organiser, act(id, 1, Action::Approve)).await;
    assert_eq!(
        p.push(&mut volunteer, edit(id, 1, "zmiana sprzed decyzji"))
            .await,
        Outcome::Applied
    );
    let request = p.requests(&mut organiser).await.remove(0);
    assert_eq!(request.status, HelpRequestStatus::Approved);
    assert_eq!(request.fields.description, "Wizyta w przychodni");
    assert!(matches!(
        &request.history.last().unwrap().event,
        HistoryEvent::EditSuperseded { changes } if changes[0].to == "zmiana sprzed decyzji"
    ));
    // The same edit made after seeing the approval sends the request back to review.
    p.push(
        &mut volunteer,
        edit(id, request.revision, "zmiana po decyzji"),
    )
    .await;
    let request = p.requests(&mut organiser).await.remove(0);
    assert_eq!(request.status, HelpRequestStatus::AwaitingApproval);
    assert_eq!(request.fields.description, "zmiana po decyzji");
}

#[tokio::test]
async fn volunteers_pull_what_they_recorded_or_are_assigned_and_nothing_else() {
    let p = people().await;
    let id = Uuid::now_v7();
    let (mut volunteer, mut other, mut organiser) = (
        p.volunteer.clone(),
        p.other_volunteer.clone(),
        p.organiser.clone(),
    );
    p.push(&mut volunteer, create(id)).await;
    assert!(p.requests(&mut other).await.is_empty());
    p.push(&mut organiser, act(id, 1, Action::Approve)).await;
    let answer = p
        .app
        .call(&mut organiser, Method::GET, "/api/v1/volunteers", None)
        .await;
    let volunteers: Vec<Person> = serde_json::from_value(answer.json).unwrap();
    let names: Vec<&str> = volunteers.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let other_person = volunteers
        .iter()
        .find(|v| v.id != p.volunteer_person.id)
        .unwrap()
        .clone();
    let assign = Action::Assign {
        volunteers: vec![other_person],
    };
    p.push(&mut organiser, act(id, 2, assign)).await;
    let assigned = p.requests(&mut other).await;
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0].status, HelpRequestStatus::Assigned);
    let unknown = Action::Assign {
        volunteers: vec![Person {
            id: Uuid::now_v7(),
            name: "Nikt".into(),
        }],
    };
    assert_eq!(
        p.push(&mut organiser, act(id, 3, unknown)).await,
        Outcome::Rejected {
            reason: RejectReason::UnknownRecord
        }
    );
}

#[tokio::test]
async fn residents_are_shared_and_only_organisers_merge_duplicates() {
    let p = people().await;
    let (mut volunteer, mut organiser) = (p.volunteer.clone(), p.organiser.clone());
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    for (id, phone) in [(first, ""), (second, "600 100 200")] {
        let resident = Mutation::CreateResident(CreateResident {
            resident_id: id,
            fields: ResidentFields {
                name: "Anna  Kowalska".into(),
                phone: phone.into(),
                ..Default::default()
            },
        });
        assert_eq!(p.push(&mut volunteer, resident).await, Outcome::Applied);
    }
    let request = Uuid::now_v7();
    let mut create_request = create(request);
    if let Mutation::CreateHelpRequest(c) = &mut create_request {
        c.fields.resident_id = Some(second);
    }
    p.push(&mut volunteer, create_request).await;
    let bad = Mutation::CreateResident(CreateResident {
        resident_id: Uuid::now_v7(),
        fields: ResidentFields {
            name: "Jan".into(),
            phone: "zadzwoń".into(),
            ..Default::default()
        },
    });
    assert!(matches!(
        p.push(&mut volunteer, bad).await,
        Outcome::Rejected {
            reason: RejectReason::InvalidResident { .. }
        }
    ));
    let merge = MergeResidents {
        keep: first,
        duplicate: second,
    };
    assert_eq!(
        p.push(&mut volunteer, Mutation::MergeResidents(merge.clone()))
            .await,
        Outcome::Rejected {
            reason: RejectReason::Forbidden
        }
    );
    assert_eq!(
        p.push(&mut organiser, Mutation::MergeResidents(merge))
            .await,
        Outcome::Applied
    );
    let residents = p.residents(&mut organiser).await;
    let kept = residents.iter().find(|r| r.id == first).unwrap();
    assert_eq!(kept.fields.name, "Anna Kowalska");
    assert_eq!(kept.fields.phone, "600 100 200");
    let merged = residents.iter().find(|r| r.id == second).unwrap();
    assert_eq!(merged.merged_into, Some(first));
    // The volunteer's device holds the entry their request now names, and no longer the duplicate.
    let theirs: Vec<Uuid> = p
        .residents(&mut volunteer)
        .await
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(theirs, [first]);
    let moved = p.requests(&mut volunteer).await.remove(0);
    assert_eq!(moved.fields.resident_id, Some(first));
}

#[tokio::test]
async fn a_request_for_someone_new_adds_them_to_the_registry_once() {
    let p = people().await;
    let mut volunteer = p.volunteer.clone();
    let id = Uuid::now_v7();
    let device_id = Uuid::now_v7();
    let envelope = create(id).into_envelope(Uuid::now_v7(), at(1));
    for expected in [Outcome::Applied, Outcome::Duplicate] {
        // The same request again, as a new mutation (e.g. recorded twice by a confused device).
        let mut envelope = envelope.clone();
        envelope.id = Uuid::now_v7();
        let body = PushRequest {
            device_id,
            mutations: vec![envelope],
        };
        let answer = p
            .app
            .call(
                &mut volunteer,
                Method::POST,
                "/api/v1/sync/push",
                Some(serde_json::to_value(body).unwrap()),
            )
            .await;
        let response: PushResponse = serde_json::from_value(answer.json).unwrap();
        assert_eq!(response.results[0].outcome, expected);
    }
    let residents = p.residents(&mut volunteer).await;
    assert_eq!(residents.len(), 1);
    assert_eq!(residents[0].fields.name, "Łukasz Nowak");
    assert_eq!(residents[0].fields.district, "okolna");
    let request = p.requests(&mut volunteer).await.remove(0);
    assert_eq!(request.fields.resident_id, Some(residents[0].id));
}
