use super::*;
use crate::dictionary::tests::sample;
use chrono::Duration;
use proptest::prelude::*;
use HelpRequestStatus as S;

mod convergence;

fn person(n: u128, name: &str) -> Person {
    Person {
        id: Uuid::from_u128(n),
        name: name.into(),
    }
}

fn volunteer() -> Actor {
    Actor {
        person: person(1, "Wiola Wolontariuszka"),
        role: Role::Volunteer,
    }
}

fn other_volunteer() -> Actor {
    Actor {
        person: person(2, "Witek"),
        role: Role::Volunteer,
    }
}

fn organiser() -> Actor {
    Actor {
        person: person(3, "Ola Organizatorka"),
        role: Role::Organiser,
    }
}

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::minutes(minutes)
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

fn fields() -> HelpRequestFields {
    HelpRequestFields {
        resident_name: "Łukasz Nowak".into(),
        district: "okolna".into(),
        category: "shopping".into(),
        description: "Zakupy w piątek".into(),
        ..Default::default()
    }
}

fn recorded() -> HelpRequest {
    HelpRequest::recorded(Uuid::from_u128(100), fields(), volunteer().person, at(0))
}

/// A request in `status`, recorded by the volunteer who is also its assignee, so that for the
/// volunteer's actions only the status decides.
fn in_status(status: HelpRequestStatus) -> HelpRequest {
    let mut request = recorded();
    request.status = status;
    request.assignees.push(Assignee {
        volunteer: volunteer().person,
        accepted: false,
    });
    request
}

/// Every action with a valid payload.
fn action_of(kind: ActionKind) -> Action {
    match kind {
        ActionKind::Approve => Action::Approve,
        ActionKind::Return => Action::Return {
            comment: "Brak adresu".into(),
        },
        ActionKind::Reject => Action::Reject {
            comment: "Poza gminą".into(),
        },
        ActionKind::Resubmit => Action::Resubmit,
        ActionKind::Assign => Action::Assign {
            volunteers: vec![other_volunteer().person],
        },
        ActionKind::Accept => Action::Accept,
        ActionKind::Decline => Action::Decline,
        ActionKind::Start => Action::Start,
        ActionKind::LogHours => Action::LogHours {
            minutes: 60,
            on: day(),
        },
        ActionKind::Complete => Action::Complete {
            outcome: "Zrobione".into(),
            minutes: 150,
            on: day(),
        },
        ActionKind::Cancel => Action::Cancel {
            comment: "Rodzina pomogła".into(),
        },
    }
}

/// The actor who is permitted the action, so that only the status decides.
fn actor_for(kind: ActionKind) -> Actor {
    match kind {
        ActionKind::Accept
        | ActionKind::Decline
        | ActionKind::Start
        | ActionKind::LogHours
        | ActionKind::Resubmit => volunteer(),
        _ => organiser(),
    }
}

#[test]
fn every_status_and_action_pair_is_allowed_or_refused_as_the_workflow_says() {
    use ActionKind as A;
    let allowed = [
        (S::AwaitingApproval, A::Approve, S::Approved),
        (S::AwaitingApproval, A::Return, S::Returned),
        (S::AwaitingApproval, A::Reject, S::Rejected),
        (S::AwaitingApproval, A::Cancel, S::Cancelled),
        (S::Returned, A::Resubmit, S::AwaitingApproval),
        (S::Returned, A::Reject, S::Rejected),
        (S::Returned, A::Cancel, S::Cancelled),
        (S::Approved, A::Assign, S::Assigned),
        (S::Approved, A::Cancel, S::Cancelled),
        (S::Assigned, A::Assign, S::Assigned),
        (S::Assigned, A::Accept, S::Assigned),
        // The only assignee declines: back to approved, to be assigned again.
        (S::Assigned, A::Decline, S::Approved),
        (S::Assigned, A::Start, S::InProgress),
        (S::Assigned, A::Complete, S::Done),
        (S::Assigned, A::Cancel, S::Cancelled),
        (S::InProgress, A::Assign, S::InProgress),
        (S::InProgress, A::Accept, S::InProgress),
        (S::InProgress, A::LogHours, S::InProgress),
        (S::InProgress, A::Complete, S::Done),
        (S::InProgress, A::Cancel, S::Cancelled),
        (S::Done, A::LogHours, S::Done),
    ];
    let mut checked = 0;
    for status in S::ALL {
        for kind in ActionKind::ALL {
            let expected = allowed
                .iter()
                .find(|(s, a, _)| *s == status && *a == kind)
                .map(|(_, _, to)| *to);
            let result = apply_action(
                &in_status(status),
                &actor_for(kind),
                &action_of(kind),
                at(5),
            );
            match expected {
                Some(to) => {
                    let next = result.unwrap_or_else(|r| panic!("{status:?} {kind:?}: {r:?}"));
                    assert_eq!(next.status, to, "{status:?} {kind:?}");
                    assert_eq!(next.revision, 2);
                    let last = next.history.last().unwrap();
                    assert_eq!(last.by, actor_for(kind).person);
                    assert!(matches!(
                        &last.event,
                        HistoryEvent::Acted { from, to: t, .. } if *from == status && *t == to
                    ));
                }
                None => assert_eq!(
                    result,
                    Err(Refusal::WrongStatus {
                        action: kind,
                        status
                    }),
                    "{status:?} {kind:?} must be refused"
                ),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 88);
}

#[test]
fn only_organisers_review_and_assign() {
    for kind in [
        ActionKind::Approve,
        ActionKind::Return,
        ActionKind::Reject,
        ActionKind::Assign,
    ] {
        let status = if kind == ActionKind::Assign {
            S::Approved
        } else {
            S::AwaitingApproval
        };
        assert_eq!(
            apply_action(&in_status(status), &volunteer(), &action_of(kind), at(1)),
            Err(Refusal::NotPermitted { action: kind })
        );
    }
}

#[test]
fn only_an_assigned_volunteer_accepts_starts_and_logs_hours() {
    for kind in [ActionKind::Accept, ActionKind::Start, ActionKind::Decline] {
        assert_eq!(
            apply_action(
                &in_status(S::Assigned),
                &other_volunteer(),
                &action_of(kind),
                at(1)
            ),
            Err(Refusal::NotPermitted { action: kind })
        );
    }
}

#[test]
fn who_recorded_a_request_may_withdraw_it_only_while_under_review() {
    let cancel = action_of(ActionKind::Cancel);
    assert!(apply_action(&in_status(S::Returned), &volunteer(), &cancel, at(1)).is_ok());
    assert_eq!(
        apply_action(&in_status(S::Approved), &volunteer(), &cancel, at(1)),
        Err(Refusal::NotPermitted {
            action: ActionKind::Cancel
        })
    );
    assert_eq!(
        apply_action(
            &in_status(S::Returned),
            &other_volunteer(),
            &action_of(ActionKind::Resubmit),
            at(1)
        ),
        Err(Refusal::NotPermitted {
            action: ActionKind::Resubmit
        })
    );
}

#[test]
fn returning_or_rejecting_needs_a_comment_which_the_request_then_shows() {
    let blank = Action::Return {
        comment: "  ".into(),
    };
    assert_eq!(
        apply_action(&recorded(), &organiser(), &blank, at(1)),
        Err(Refusal::CommentRequired)
    );
    let returned = apply_action(
        &recorded(),
        &organiser(),
        &Action::Return {
            comment: " Podaj numer mieszkania ".into(),
        },
        at(1),
    )
    .unwrap();
    assert_eq!(
        returned.review_comment.as_deref(),
        Some("Podaj numer mieszkania")
    );
    assert_eq!(returned.decided_at_revision, returned.revision);
    let resubmitted = apply_action(&returned, &volunteer(), &Action::Resubmit, at(2)).unwrap();
    assert_eq!(resubmitted.status, S::AwaitingApproval);
    assert_eq!(resubmitted.review_comment, None);
}

#[test]
fn completing_needs_an_outcome_and_sensible_hours() {
    let assigned = in_status(S::Assigned);
    let complete = |outcome: &str, minutes| Action::Complete {
        outcome: outcome.into(),
        minutes,
        on: day(),
    };
    assert_eq!(
        apply_action(&assigned, &volunteer(), &complete("", 60), at(1)),
        Err(Refusal::OutcomeRequired)
    );
    for minutes in [0, MAX_MINUTES + 1] {
        assert_eq!(
            apply_action(&assigned, &volunteer(), &complete("ok", minutes), at(1)),
            Err(Refusal::HoursOutOfRange {
                max_minutes: MAX_MINUTES
            })
        );
    }
    let done = apply_action(
        &assigned,
        &volunteer(),
        &complete("Zakupy dostarczone", 150),
        at(1),
    )
    .unwrap();
    assert_eq!(done.outcome.as_deref(), Some("Zakupy dostarczone"));
    assert_eq!(done.minutes_of(volunteer().person.id), 150);
}

#[test]
fn assigning_nobody_new_is_refused_and_several_volunteers_can_share_a_request() {
    let approved = in_status(S::Approved);
    assert_eq!(
        apply_action(
            &approved,
            &organiser(),
            &Action::Assign { volunteers: vec![] },
            at(1)
        ),
        Err(Refusal::NoVolunteers)
    );
    let both = Action::Assign {
        volunteers: vec![
            volunteer().person,
            other_volunteer().person,
            volunteer().person,
        ],
    };
    let assigned = apply_action(&approved, &organiser(), &both, at(1)).unwrap();
    assert_eq!(assigned.assignees.len(), 2);
    assert_eq!(
        apply_action(&assigned, &organiser(), &both, at(2)),
        Err(Refusal::NoVolunteers)
    );
    let declined = apply_action(&assigned, &volunteer(), &Action::Decline, at(3)).unwrap();
    assert_eq!(declined.status, S::Assigned);
    assert!(!declined.is_assigned_to(volunteer().person.id));
}

#[test]
fn the_buttons_offered_match_what_the_person_may_do() {
    let assigned = in_status(S::Assigned);
    assert_eq!(
        available_actions(&assigned, &volunteer()),
        [
            ActionKind::Accept,
            ActionKind::Decline,
            ActionKind::Start,
            ActionKind::Complete
        ]
    );
    assert_eq!(
        available_actions(&recorded(), &organiser()),
        [
            ActionKind::Approve,
            ActionKind::Return,
            ActionKind::Reject,
            ActionKind::Cancel
        ]
    );
    assert_eq!(
        available_actions(&recorded(), &volunteer()),
        [ActionKind::Cancel]
    );
}

fn description(text: &str) -> Vec<FieldChange> {
    vec![FieldChange::Description(text.into())]
}

#[test]
fn edits_of_different_fields_both_survive() {
    let base = recorded();
    let a = apply_edit(
        &base,
        &volunteer(),
        1,
        &description("Zakupy w sobotę"),
        &sample(),
        at(1),
    )
    .unwrap();
    let b = apply_edit(
        &a,
        &organiser(),
        1,
        &[FieldChange::District("jedwabnik".into())],
        &sample(),
        at(2),
    )
    .unwrap();
    assert_eq!(b.fields.description, "Zakupy w sobotę");
    assert_eq!(b.fields.district, "jedwabnik");
    assert_eq!(b.revision, 3);
}

#[test]
fn the_same_field_takes_the_last_edit_and_keeps_the_overwritten_value() {
    let base = recorded();
    let first = apply_edit(
        &base,
        &volunteer(),
        1,
        &description("wersja A"),
        &sample(),
        at(1),
    )
    .unwrap();
    let second = apply_edit(
        &first,
        &organiser(),
        1,
        &description("wersja B"),
        &sample(),
        at(2),
    )
    .unwrap();
    assert_eq!(second.fields.description, "wersja B");
    assert_eq!(
        second.history.last().unwrap().event,
        HistoryEvent::Edited {
            changes: vec![ChangedValue {
                field: Field::Description,
                from: "wersja A".into(),
                to: "wersja B".into()
            }]
        }
    );
}

#[test]
fn a_stale_volunteer_edit_never_undoes_a_review_decision() {
    for decision in [
        Action::Approve,
        Action::Reject {
            comment: "nie".into(),
        },
        Action::Cancel {
            comment: "nie".into(),
        },
    ] {
        let decided = apply_action(&recorded(), &organiser(), &decision, at(1)).unwrap();
        let edited = apply_edit(
            &decided,
            &volunteer(),
            1,
            &description("późna zmiana"),
            &sample(),
            at(2),
        )
        .unwrap();
        assert_eq!(edited.status, decided.status);
        assert_eq!(edited.fields, decided.fields);
        assert_eq!(
            edited.history.last().unwrap().event,
            HistoryEvent::EditSuperseded {
                changes: vec![ChangedValue {
                    field: Field::Description,
                    from: "Zakupy w piątek".into(),
                    to: "późna zmiana".into()
                }]
            }
        );
    }
}

#[test]
fn a_volunteer_editing_an_approved_request_sends_it_back_to_review() {
    let approved = apply_action(&recorded(), &organiser(), &Action::Approve, at(1)).unwrap();
    let edited = apply_edit(
        &approved,
        &volunteer(),
        approved.revision,
        &description("Zakupy i apteka"),
        &sample(),
        at(2),
    )
    .unwrap();
    assert_eq!(edited.status, S::AwaitingApproval);
    assert_eq!(edited.fields.description, "Zakupy i apteka");
    assert_eq!(
        edited.history.last().unwrap().event,
        HistoryEvent::SentBackToReview
    );
    let by_organiser = apply_edit(
        &approved,
        &organiser(),
        approved.revision,
        &description("x"),
        &sample(),
        at(2),
    )
    .unwrap();
    assert_eq!(by_organiser.status, S::Approved);
}

#[test]
fn edits_that_cannot_apply_are_refused_with_the_reason() {
    let done = in_status(S::Done);
    assert_eq!(
        apply_edit(&done, &organiser(), 1, &description("x"), &sample(), at(1)),
        Err(Refusal::EditNotAllowed { status: S::Done })
    );
    assert_eq!(
        apply_edit(
            &in_status(S::Assigned),
            &volunteer(),
            1,
            &description("x"),
            &sample(),
            at(1)
        ),
        Err(Refusal::EditNotAllowed {
            status: S::Assigned
        })
    );
    assert_eq!(
        apply_edit(
            &recorded(),
            &other_volunteer(),
            1,
            &description("x"),
            &sample(),
            at(1)
        ),
        Err(Refusal::EditNotAllowed {
            status: S::AwaitingApproval
        })
    );
    assert!(matches!(
        apply_edit(&recorded(), &volunteer(), 1, &description(" "), &sample(), at(1)),
        Err(Refusal::Invalid { errors }) if errors[0].field == Field::Description
    ));
    let unchanged = apply_edit(
        &recorded(),
        &volunteer(),
        1,
        &description("Zakupy w piątek "),
        &sample(),
        at(1),
    )
    .unwrap();
    assert_eq!(unchanged, recorded());
}

#[test]
fn hours_are_read_the_way_people_type_them() {
    assert_eq!(parse_hours("2,5"), Some(150));
    assert_eq!(parse_hours("2.5"), Some(150));
    assert_eq!(parse_hours(" 2:30 "), Some(150));
    assert_eq!(parse_hours("3"), Some(180));
    for bad in ["", "dwie", "-1", "1:75", "NaN"] {
        assert_eq!(parse_hours(bad), None, "{bad}");
    }
    assert_eq!(hours_text(150), "2.5");
    assert_eq!(hours_text(180), "3");
    assert_eq!(hours_text(20), "0.33");
}

#[test]
fn my_hours_add_up_per_month_newest_first() {
    let mut a = recorded();
    let log = |minutes, y, m, d| HoursEntry {
        volunteer: volunteer().person,
        minutes,
        on: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
    };
    a.hours = vec![log(90, 2026, 10, 3), log(60, 2026, 11, 2)];
    let mut b = recorded();
    b.hours = vec![
        log(30, 2026, 11, 20),
        HoursEntry {
            volunteer: other_volunteer().person,
            minutes: 600,
            on: day(),
        },
    ];
    let months = monthly_hours([&a, &b], volunteer().person.id);
    assert_eq!(
        months,
        [
            MonthHours {
                year: 2026,
                month: 11,
                minutes: 90
            },
            MonthHours {
                year: 2026,
                month: 10,
                minutes: 90
            }
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Edits of different fields commute: the order in which they reach the server does not matter.
    #[test]
    fn edits_of_different_fields_commute(
        text in "[a-z]{1,8}",
        place in "[a-z]{1,8}",
    ) {
        let base = recorded();
        let a = description(&text);
        let b = vec![FieldChange::Place(place)];
        let ab = apply_edit(&apply_edit(&base, &volunteer(), 1, &a, &sample(), at(1)).unwrap(), &organiser(), 1, &b, &sample(), at(2)).unwrap();
        let ba = apply_edit(&apply_edit(&base, &organiser(), 1, &b, &sample(), at(1)).unwrap(), &volunteer(), 1, &a, &sample(), at(2)).unwrap();
        prop_assert_eq!(ab.fields, ba.fields);
    }
}

#[test]
fn the_edit_button_is_offered_exactly_when_an_edit_would_be_applied() {
    for status in HelpRequestStatus::ALL {
        let request = in_status(status);
        for actor in [volunteer(), other_volunteer(), organiser()] {
            let edit = apply_edit(
                &request,
                &actor,
                request.revision,
                &description("Zakupy i apteka"),
                &sample(),
                at(90),
            );
            assert_eq!(
                may_edit(&request, &actor),
                edit.is_ok(),
                "{status:?} by {}",
                actor.person.name
            );
        }
    }
}
