//! One help request: its details, the steps the signed-in person can take, and its full history.

use chrono::{Local, NaiveDate};
use domain::api;
use domain::dictionary::DictionaryKind;
use domain::help_request::{Field, HelpRequest, HelpRequestStatus, Person};
use domain::photo::PhotoSubject;
use domain::sync::merge::SyncState;
use domain::workflow::{
    available_actions, hours_text, may_edit, parse_hours, Action, ActionKind, Actor, ChangedValue,
    HistoryEntry, HistoryEvent,
};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::components::cards::SyncBadge;
use crate::components::forms::focus_first;
use crate::components::photos::PhotoSection;
use crate::components::words::{
    action_text, history_action_text, label, save_failure_text, status_text, urgency_text,
};
use crate::device::{self, SaveFailure};
use crate::i18n::*;
use crate::state::{use_app_state, Notice};

type I18n = leptos_i18n::I18nContext<Locale>;

fn today() -> NaiveDate {
    Local::now().date_naive()
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let query = use_query_map();
    let id =
        Memo::new(move |_| query.with(|q| q.get("id").and_then(|id| Uuid::parse_str(&id).ok())));
    let row = Memo::new(move |_| {
        let id = id.get()?;
        state
            .requests
            .with(|rows| rows.as_ref()?.iter().find(|r| r.request.id == id).cloned())
    });
    let notice = state.notice;
    on_cleanup(move || notice.set(None));
    let draft = ActionDraft::new();
    // The same page shows another request when only the query changes.
    Effect::new(move |shown: Option<Option<Uuid>>| {
        let current = id.get();
        if shown.is_some_and(|shown| shown != current) {
            draft.clear();
        }
        current
    });
    view! {
        <p><A href="/">{t!(i18n, back_to_list)}</A></p>
        {move || match (state.requests.with(Option::is_some), row.get()) {
            (false, _) => view! { <p class="muted">{t!(i18n, requests_loading)}</p> }.into_any(),
            (true, None) => view! {
                <h1>{t!(i18n, request_title)}</h1>
                <p class="notice notice--warn" role="status">{t!(i18n, record_not_on_device)}</p>
            }.into_any(),
            (true, Some(row)) => {
                let request = row.request.clone();
                view! {
                    <RequestDetails request=request.clone() sync=row.sync.clone() />
                    {matches!(row.sync, SyncState::Rejected(_)).then(|| view! { <RefusedEntry id=request.id /> })}
                    <Show when=move || notice.get() == Some(Notice::ChangeSaved)>
                        <p class="notice notice--ok" role="status">{t!(i18n, change_saved)}</p>
                    </Show>
                    <RequestActions request=request.clone() draft />
                    <History request />
                }.into_any()
            }
        }}
        // Outside the block above, so a synced change to the request keeps photo drafts on screen as typed.
        {move || {
            let known = row.with(|r| r.as_ref().map(|r| r.request.id));
            known.map(|id| view! { <PhotoSection subject=PhotoSubject::HelpRequest(id) /> }.into_any())
        }}
    }
}

/// A change the server refused stays on the device until its person deals with it: corrected in the form
/// (a refused new request is then sent again), or let go knowingly.
#[component]
fn RefusedEntry(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<SaveFailure>);
    let discard = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = device::discard_refused_request(state, id).await {
                failure.set(Some(e));
            }
        });
    };
    view! {
        <div class="notice notice--warn" data-testid="refused-entry">
            <p>{t!(i18n, refused_entry_explained)}</p>
            {move || failure.get().map(|f| view! { <p role="alert">{save_failure_text(i18n, &f)}</p> })}
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class="button" on:click=move |_| confirming.set(true)>
                        {t!(i18n, refused_entry_discard)}
                    </button>
                }
            >
                <p>{t!(i18n, refused_entry_discard_confirm)}</p>
                <button type="button" class="button button--danger" on:click=discard>
                    {t!(i18n, refused_entry_discard_yes)}
                </button>
                <button type="button" class="button button--quiet" on:click=move |_| confirming.set(false)>
                    {t!(i18n, cancel)}
                </button>
            </Show>
        </div>
    }
}

#[component]
fn RequestDetails(request: HelpRequest, sync: SyncState) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let status = request.status;
    let f = request.fields.clone();
    let (district, category, urgency) = (f.district.clone(), f.category.clone(), f.urgency);
    let recorded = request
        .recorded_at
        .with_timezone(&Local)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let recorder = request
        .recorded_by
        .clone()
        .map(|p| p.name)
        .unwrap_or_default();
    let phone = f
        .resident_id
        .and_then(|id| {
            state.residents.with_untracked(|rs| {
                rs.iter()
                    .find(|r| r.id == id)
                    .map(|r| r.fields.phone.clone())
            })
        })
        .filter(|p| !p.is_empty());
    let actor = state.account.get_untracked().map(|a| Actor::from(&a));
    let editable = actor.is_some_and(|actor| may_edit(&request, &actor));
    let comment = request.review_comment.clone();
    let comment_shown = comment.is_some()
        && matches!(
            status,
            HelpRequestStatus::Returned
                | HelpRequestStatus::Rejected
                | HelpRequestStatus::Cancelled
        );
    let assignees = request.assignees.clone();
    let hours: u32 = request.hours.iter().map(|h| h.minutes).sum();
    let id = request.id;
    let anonymised = request.anonymised_at.map(|at| {
        let date = at
            .with_timezone(&chrono::Local)
            .format("%d.%m.%Y")
            .to_string();
        view! { <p class="notice" data-testid="anonymised">{t!(i18n, record_anonymised, date)}</p> }
    });
    view! {
        <h1>{f.resident_name.clone()}</h1>
        <p class="card__footer">
            <span class="badge badge--status" data-testid="request-status">{move || status_text(i18n, status)}</span>
            <SyncBadge sync />
        </p>
        {anonymised}
        {comment_shown.then(|| view! {
            <div class="notice notice--warn" data-testid="review-comment">
                <p><strong>{t!(i18n, review_comment_label)}</strong></p>
                <p>{comment.clone()}</p>
            </div>
        })}
        <dl class="details">
            <dt>{t!(i18n, field_category)}</dt><dd>{move || label(i18n, DictionaryKind::HelpCategory, &category)}</dd>
            <dt>{t!(i18n, field_district)}</dt><dd>{move || label(i18n, DictionaryKind::District, &district)}</dd>
            <dt>{t!(i18n, field_urgency)}</dt><dd>{move || urgency_text(i18n, urgency)}</dd>
            {f.needed_by.map(|d| view! { <dt>{t!(i18n, field_needed_by)}</dt><dd>{d.format("%d.%m.%Y").to_string()}</dd> })}
            {(!f.place.is_empty()).then(|| view! { <dt>{t!(i18n, field_place)}</dt><dd>{f.place.clone()}</dd> })}
            {phone.map(|p| view! { <dt>{t!(i18n, field_phone)}</dt><dd><a href=format!("tel:{p}")>{p.clone()}</a></dd> })}
            <dt>{t!(i18n, field_description)}</dt><dd class="pre">{f.description.clone()}</dd>
            <dt>{t!(i18n, recorded_by)}</dt><dd>{recorder} ", " {recorded}</dd>
            {(!assignees.is_empty()).then(|| view! {
                <dt>{t!(i18n, assigned_volunteers)}</dt>
                <dd data-testid="assignees">
                    {assignees.iter().map(|a| {
                        let accepted = a.accepted;
                        view! {
                            <span class="assignee">
                                {a.volunteer.name.clone()}
                                {move || if accepted { format!(" ({})", t_string!(i18n, assignee_accepted)) } else { String::new() }}
                            </span>
                        }
                    }).collect_view()}
                </dd>
            })}
            {request.outcome.clone().map(|o| view! { <dt>{t!(i18n, field_outcome)}</dt><dd>{o}</dd> })}
            {(hours > 0).then(|| view! { <dt>{t!(i18n, logged_hours)}</dt><dd data-testid="logged-hours">{hours_text(hours)} " h"</dd> })}
        </dl>
        {editable.then(|| view! {
            <p><A href=format!("/request/edit?id={id}") attr:class="button">{t!(i18n, edit_request)}</A></p>
        })}
    }
}

/// The buttons for what this person may do now, with the small forms some steps need.
/// What the person is doing in the "what next" panel: which action is open and what is typed or picked in
/// it. The page keeps it, so a sync that re-renders the request (its status or sync state changing) keeps
/// the form open with its contents.
#[derive(Clone, Copy)]
struct ActionDraft {
    open: RwSignal<Option<ActionKind>>,
    failure: RwSignal<Option<SaveFailure>>,
    busy: RwSignal<bool>,
    comment: RwSignal<String>,
    outcome: RwSignal<String>,
    hours: RwSignal<String>,
    day: RwSignal<String>,
    volunteers: RwSignal<Option<Result<Vec<Person>, ()>>>,
    chosen: RwSignal<Vec<Person>>,
    hours_problem: RwSignal<bool>,
}

impl ActionDraft {
    fn new() -> Self {
        Self {
            open: RwSignal::new(None),
            failure: RwSignal::new(None),
            busy: RwSignal::new(false),
            comment: RwSignal::new(String::new()),
            outcome: RwSignal::new(String::new()),
            hours: RwSignal::new(String::new()),
            day: RwSignal::new(today().to_string()),
            volunteers: RwSignal::new(None),
            chosen: RwSignal::new(Vec::new()),
            hours_problem: RwSignal::new(false),
        }
    }

    /// After an action is saved, or on another request: nothing open, nothing typed. The volunteer list
    /// stays, it is the same for every request.
    fn clear(self) {
        self.open.set(None);
        self.failure.set(None);
        self.comment.set(String::new());
        self.outcome.set(String::new());
        self.hours.set(String::new());
        self.day.set(today().to_string());
        self.chosen.set(Vec::new());
        self.hours_problem.set(false);
    }
}

#[component]
fn RequestActions(request: HelpRequest, draft: ActionDraft) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let Some(actor) = state.account.get_untracked().map(|a| Actor::from(&a)) else {
        return ().into_any();
    };
    let kinds = available_actions(&request, &actor);
    if kinds.is_empty() {
        return ().into_any();
    }
    let id = request.id;
    let ActionDraft {
        open,
        failure,
        busy,
        comment,
        outcome,
        hours,
        day,
        volunteers,
        chosen,
        hours_problem,
    } = draft;

    let run = move |action: Action| {
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            match device::act_on_help_requests(state, vec![id], action).await {
                Ok(()) => {
                    state.notice.set(Some(Notice::ChangeSaved));
                    draft.clear();
                }
                Err(e) => {
                    failure.set(Some(e));
                    focus_first("#action-failure");
                }
            }
            busy.set(false);
        });
    };
    let minutes = move || {
        let minutes = parse_hours(&hours.get_untracked());
        hours_problem.set(minutes.is_none());
        if minutes.is_none() {
            focus_first("#hours");
        }
        minutes
    };
    let on_day = move || {
        NaiveDate::parse_from_str(&day.get_untracked(), "%Y-%m-%d").unwrap_or_else(|_| today())
    };
    let submit = move |kind: ActionKind| {
        let action = match kind {
            ActionKind::Return => Action::Return {
                comment: comment.get_untracked(),
            },
            ActionKind::Reject => Action::Reject {
                comment: comment.get_untracked(),
            },
            ActionKind::Cancel => Action::Cancel {
                comment: comment.get_untracked(),
            },
            ActionKind::Assign => Action::Assign {
                volunteers: chosen.get_untracked(),
            },
            ActionKind::LogHours => match minutes() {
                Some(minutes) => Action::LogHours {
                    minutes,
                    on: on_day(),
                },
                None => return,
            },
            ActionKind::Complete => match minutes() {
                Some(minutes) => Action::Complete {
                    outcome: outcome.get_untracked(),
                    minutes,
                    on: on_day(),
                },
                None => return,
            },
            ActionKind::Approve => Action::Approve,
            ActionKind::Resubmit => Action::Resubmit,
            ActionKind::Accept => Action::Accept,
            ActionKind::Decline => Action::Decline,
            ActionKind::Start => Action::Start,
        };
        run(action);
    };
    let needs_form = |kind: ActionKind| {
        matches!(
            kind,
            ActionKind::Return
                | ActionKind::Reject
                | ActionKind::Cancel
                | ActionKind::Assign
                | ActionKind::LogHours
                | ActionKind::Complete
        )
    };
    let press = move |kind: ActionKind| {
        if !needs_form(kind) {
            submit(kind);
            return;
        }
        failure.set(None);
        open.set(Some(kind));
        if kind == ActionKind::Assign && volunteers.get_untracked().is_none() {
            leptos::task::spawn_local(async move {
                let list = device::call::<api::ListVolunteers>(&[], &()).await;
                volunteers.set(Some(list.map_err(|_| ())));
            });
        }
        focus_first("#action-form textarea, #action-form input");
    };

    view! {
        <section class="actions" aria-labelledby="actions-title">
            <h2 id="actions-title">{t!(i18n, actions_title)}</h2>
            <div class="actions__buttons">
                {kinds.into_iter().map(|kind| view! {
                    <button
                        type="button"
                        class=if matches!(kind, ActionKind::Reject | ActionKind::Cancel | ActionKind::Decline) { "button" } else { "button button--primary" }
                        disabled=move || busy.get()
                        aria-expanded=move || needs_form(kind).then(|| (open.get() == Some(kind)).to_string())
                        on:click=move |_| press(kind)
                    >
                        {move || action_text(i18n, kind)}
                    </button>
                }).collect_view()}
            </div>
            {move || failure.get().map(|f| view! {
                <p id="action-failure" class="notice notice--error" role="alert" tabindex="-1">{save_failure_text(i18n, &f)}</p>
            })}
            {move || open.get().map(|kind| view! {
                <form
                    id="action-form"
                    class="form action-form"
                    novalidate
                    on:submit=move |ev| {
                        ev.prevent_default();
                        submit(kind);
                    }
                >
                    <h3>{move || action_text(i18n, kind)}</h3>
                    {matches!(kind, ActionKind::Return | ActionKind::Reject | ActionKind::Cancel).then(|| view! {
                        <div class="field">
                            <label for="comment">{t!(i18n, field_comment)}</label>
                            <textarea id="comment" rows="3" prop:value=move || comment.get()
                                on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        </div>
                    })}
                    {(kind == ActionKind::Assign).then(|| view! {
                        <fieldset class="field">
                            <legend>{t!(i18n, choose_volunteers)}</legend>
                            {move || match volunteers.get() {
                                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                                Some(Err(())) => view! { <p class="notice notice--warn" role="alert">{t!(i18n, volunteers_need_network)}</p> }.into_any(),
                                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{t!(i18n, no_volunteers)}</p> }.into_any(),
                                Some(Ok(list)) => list.into_iter().map(|person| {
                                    let p = person.clone();
                                    let person_id = person.id;
                                    view! {
                                        <label class="checkbox">
                                            <input type="checkbox"
                                                prop:checked=move || chosen.with(|c| c.iter().any(|x| x.id == person_id))
                                                on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let p = p.clone();
                                                chosen.update(|c| { c.retain(|x| x.id != p.id); if on { c.push(p); } });
                                            } />
                                            {person.name.clone()}
                                        </label>
                                    }
                                }).collect_view().into_any(),
                            }}
                        </fieldset>
                    })}
                    {(kind == ActionKind::Complete).then(|| view! {
                        <div class="field">
                            <label for="outcome">{t!(i18n, field_outcome)}</label>
                            <textarea id="outcome" rows="3" prop:value=move || outcome.get()
                                on:input=move |ev| outcome.set(event_target_value(&ev))></textarea>
                        </div>
                    })}
                    {matches!(kind, ActionKind::Complete | ActionKind::LogHours).then(|| view! {
                        <div class="field">
                            <label for="hours">{t!(i18n, field_hours)}</label>
                            <p class="field__hint" id="hours-hint">{t!(i18n, field_hours_hint)}</p>
                            <input id="hours" inputmode="decimal" autocomplete="off"
                                aria-describedby="hours-hint hours-error"
                                aria-invalid=move || hours_problem.get().to_string()
                                prop:value=move || hours.get()
                                on:input=move |ev| hours.set(event_target_value(&ev)) />
                            <p class="field__error" id="hours-error">
                                {move || hours_problem.get().then(|| t_string!(i18n, hours_unreadable).to_string())}
                            </p>
                        </div>
                        <div class="field">
                            <label for="hours_day">{t!(i18n, field_hours_day)}</label>
                            <input id="hours_day" type="date" prop:value=move || day.get()
                                on:change=move |ev| day.set(event_target_value(&ev)) />
                        </div>
                    })}
                    <div class="form__actions">
                        <button type="submit" class="button button--primary" disabled=move || busy.get()>
                            {t!(i18n, confirm)}
                        </button>
                        <button type="button" class="button button--quiet" on:click=move |_| open.set(None)>
                            {t!(i18n, cancel)}
                        </button>
                    </div>
                </form>
            }.into_any())}
        </section>
    }
    .into_any()
}

fn field_name(i18n: I18n, field: Field) -> String {
    match field {
        Field::ResidentName => t_string!(i18n, field_resident_name),
        Field::District => t_string!(i18n, field_district),
        Field::Category => t_string!(i18n, field_category),
        Field::Description => t_string!(i18n, field_description),
        Field::Urgency => t_string!(i18n, field_urgency),
        Field::NeededBy => t_string!(i18n, field_needed_by),
        Field::Place => t_string!(i18n, field_place),
    }
    .to_string()
}

fn value_text(i18n: I18n, field: Field, value: &str) -> String {
    match field {
        Field::District => label(i18n, DictionaryKind::District, value),
        Field::Category => label(i18n, DictionaryKind::HelpCategory, value),
        Field::Urgency => domain::help_request::Urgency::parse(value)
            .map(|u| urgency_text(i18n, u))
            .unwrap_or_else(|| value.to_owned()),
        _ if value.is_empty() => "—".to_owned(),
        _ => value.to_owned(),
    }
}

fn changes_text(i18n: I18n, changes: &[ChangedValue]) -> String {
    changes
        .iter()
        .map(|c| {
            format!(
                "{}: „{}” → „{}”",
                field_name(i18n, c.field),
                value_text(i18n, c.field, &c.from),
                value_text(i18n, c.field, &c.to)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn event_text(i18n: I18n, event: &HistoryEvent) -> String {
    match event {
        HistoryEvent::Recorded => t_string!(i18n, history_recorded).to_string(),
        HistoryEvent::Edited { changes } => {
            format!(
                "{} {}",
                t_string!(i18n, history_edited),
                changes_text(i18n, changes)
            )
        }
        HistoryEvent::EditSuperseded { changes } => {
            format!(
                "{} {}",
                t_string!(i18n, history_superseded),
                changes_text(i18n, changes)
            )
        }
        HistoryEvent::SentBackToReview => t_string!(i18n, history_back_to_review).to_string(),
        HistoryEvent::Acted { action, from, to } => {
            let detail = match action {
                Action::Return { comment }
                | Action::Reject { comment }
                | Action::Cancel { comment } => {
                    format!(": „{comment}”")
                }
                Action::Assign { volunteers } => format!(
                    ": {}",
                    volunteers
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Action::LogHours { minutes, on } => {
                    format!(": {} h ({})", hours_text(*minutes), on.format("%d.%m.%Y"))
                }
                Action::Complete {
                    outcome, minutes, ..
                } => format!(": „{outcome}”, {} h", hours_text(*minutes)),
                _ => String::new(),
            };
            let status = if from == to {
                String::new()
            } else {
                format!(
                    " ({} → {})",
                    status_text(i18n, *from),
                    status_text(i18n, *to)
                )
            };
            format!(
                "{}{detail}{status}",
                history_action_text(i18n, action.kind())
            )
        }
    }
}

#[component]
fn History(request: HelpRequest) -> impl IntoView {
    let i18n = use_i18n();
    let entries: Vec<HistoryEntry> = request.history.iter().rev().cloned().collect();
    view! {
        <section aria-labelledby="history-title">
            <h2 id="history-title">{t!(i18n, history_title)}</h2>
            <ol class="history" data-testid="history" reversed>
                {entries.into_iter().map(|entry| {
                    let when = entry.at.with_timezone(&Local).format("%d.%m.%Y %H:%M").to_string();
                    let event = entry.event.clone();
                    view! {
                        <li class="history__entry" data-event=match &entry.event {
                            HistoryEvent::Recorded => "recorded".to_owned(),
                            HistoryEvent::Edited { .. } => "edited".to_owned(),
                            HistoryEvent::EditSuperseded { .. } => "superseded".to_owned(),
                            HistoryEvent::SentBackToReview => "back_to_review".to_owned(),
                            HistoryEvent::Acted { action, .. } => serde_json::to_value(action.kind())
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default(),
                        }>
                            <span class="history__when">{when}</span> " · "
                            <span class="history__who">{entry.by.name.clone()}</span> " · "
                            <span>{move || event_text(i18n, &event)}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
