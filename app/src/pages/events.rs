//! Events on this device, and the form organisers create and correct them with. The list works offline;
//! saving an event needs the server (it is where kiosks get it from).

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use domain::account::Permission;
use domain::api;
use domain::dictionary::DictionaryKind;
use domain::event::{Event, EventError, EventField, EventFields};
use domain::help_request::{Person, Problem};
use domain::resident::search;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::forms::{failure_text, focus_first, TextField};
use crate::components::forms::{problem_text, ChoiceField};
use crate::components::words::{event_when, label, language};
use crate::device::{self, ApiFailure};
use crate::i18n::*;
use crate::state::{use_app_state, Notice};

#[component]
pub fn EventsPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let manager = move || state.may(Permission::ManageEvents);
    view! {
        <div class="page-title">
            <h1>{t!(i18n, events_title)}</h1>
            <Show when=manager>
                <A href="/events/new" attr:class="button button--primary">{t!(i18n, event_new)}</A>
            </Show>
        </div>
        <Show when=move || state.events.with(Vec::is_empty)>
            <p class="muted">{t!(i18n, events_empty)}</p>
        </Show>
        <ul class="cards">
            <For each=move || state.events.get() key=|e| (e.id, e.fields.title.clone(), e.fields.starts_at, e.fields.location.clone()) let:event>
                <EventCard event />
            </For>
        </ul>
    }
}

#[component]
fn EventCard(event: Event) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let id = event.id;
    let present = move || {
        state.attendance.with(|lists| {
            lists
                .iter()
                .find(|(l, _)| l.event_id == id)
                .map(|(l, _)| (l.present().count(), l.is_locked()))
                .unwrap_or((0, false))
        })
    };
    let location = event.fields.location.clone();
    let when = event_when(&event);
    let title = event.fields.title;
    view! {
        <li class="card" data-testid="event-item">
            <h2 class="card__title"><A href=format!("/event?id={id}")>{title}</A></h2>
            <p class="card__meta">
                {when} " · " {move || label(i18n, DictionaryKind::Location, &location)}
            </p>
            <p class="card__meta">
                {move || t_string!(i18n, event_present_count, count = present().0).to_string()}
                <Show when=move || present().1>
                    " · " <span class="badge badge--ok">{t!(i18n, list_approved)}</span>
                </Show>
            </p>
        </li>
    }
}

#[component]
pub fn NewEventPage() -> impl IntoView {
    view! { <EventForm event=None /> }
}

#[component]
pub fn EditEventPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let event = crate::components::event::event_in_address();
    view! {
        {move || match event.get() {
            Some(event) => view! { <EventForm event=Some(event) /> }.into_any(),
            None if !state.store_read() => view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any(),
            None => view! { <p class="notice notice--warn" role="status">{t!(i18n, record_not_on_device)}</p> }.into_any(),
        }}
    }
}

/// `datetime-local` speaks the device's local time without a zone.
fn local_input(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn from_local_input(text: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok()?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[component]
fn EventForm(event: Option<Event>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let navigate = use_navigate();
    let editing = event.as_ref().map(|e| e.id);
    let initial = event.map(|e| e.fields);
    let title = RwSignal::new(
        initial
            .as_ref()
            .map(|f| f.title.clone())
            .unwrap_or_default(),
    );
    let starts = RwSignal::new(
        initial
            .as_ref()
            .map(|f| local_input(f.starts_at))
            .unwrap_or_default(),
    );
    let ends = RwSignal::new(
        initial
            .as_ref()
            .map(|f| local_input(f.ends_at))
            .unwrap_or_default(),
    );
    let location = RwSignal::new(
        initial
            .as_ref()
            .map(|f| f.location.clone())
            .unwrap_or_default(),
    );
    let organiser = RwSignal::new(
        initial
            .as_ref()
            .map(|f| f.organiser.clone())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        initial
            .as_ref()
            .map(|f| f.description.clone())
            .unwrap_or_default(),
    );
    let target_groups = RwSignal::new(
        initial
            .as_ref()
            .map(|f| f.target_groups.clone())
            .unwrap_or_default(),
    );
    let plan_goals = RwSignal::new(
        initial
            .as_ref()
            .map(|f| f.plan_goals.clone())
            .unwrap_or_default(),
    );
    let expected = RwSignal::new(initial.map(|f| f.expected).unwrap_or_default());
    let errors = RwSignal::new(Vec::<EventError>::new());
    let times_missing = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let problem = move |field: EventField| {
        errors.with(|e| e.iter().find(|e| e.field == field).map(|e| e.problem))
    };
    let text_problem = move |field: EventField| {
        Signal::derive(move || problem(field).map(|p| problem_text(i18n, p)))
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let starts_at = from_local_input(&starts.get_untracked());
        let ends_at = from_local_input(&ends.get_untracked());
        times_missing.set(starts_at.is_none() || ends_at.is_none());
        // Missing times are reported beside the rest, so every problem shows at once.
        let placeholder = DateTime::UNIX_EPOCH;
        let fields = EventFields {
            title: title.get_untracked(),
            starts_at: starts_at.unwrap_or(placeholder),
            ends_at: ends_at.unwrap_or(placeholder + chrono::Duration::hours(1)),
            location: location.get_untracked(),
            organiser: organiser.get_untracked(),
            target_groups: target_groups.get_untracked(),
            plan_goals: plan_goals.get_untracked(),
            description: description.get_untracked(),
            expected: expected.get_untracked(),
        }
        .normalized();
        let found = state
            .dictionary
            .with_untracked(|d| fields.validate(d))
            .err()
            .unwrap_or_default();
        if !found.is_empty() || times_missing.get_untracked() {
            errors.set(found);
            focus_first(".form [aria-invalid=true]");
            return;
        }
        errors.set(Vec::new());
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let saved = match editing {
                Some(id) => device::call::<api::UpdateEvent>(&[&id], &fields).await,
                None => device::call::<api::CreateEvent>(&[], &fields).await,
            };
            busy.set(false);
            match saved {
                Ok(event) => {
                    device::sync_now();
                    state.events.update(|es| {
                        es.retain(|e| e.id != event.id);
                        es.push(event.clone());
                        es.sort_by_key(|e| std::cmp::Reverse(e.fields.starts_at));
                    });
                    state.notice.set(Some(Notice::EventSaved));
                    navigate(&format!("/event?id={}", event.id), Default::default());
                }
                Err(ApiFailure::Status {
                    status: 422, body, ..
                }) => {
                    errors.set(serde_json::from_value(body["errors"].clone()).unwrap_or_default());
                    focus_first(".form [aria-invalid=true]");
                }
                Err(e) => failure.set(Some(failure_text(i18n, &e))),
            }
        });
    };
    let starts_problem = Signal::derive(move || {
        if times_missing.get() && from_local_input(&starts.get()).is_none() {
            Some(t_string!(i18n, problem_required).to_string())
        } else {
            problem(EventField::StartsAt).map(|p| problem_text(i18n, p))
        }
    });
    let time_problem = Signal::derive(move || {
        if times_missing.get() && from_local_input(&ends.get()).is_none() {
            Some(t_string!(i18n, problem_required).to_string())
        } else {
            problem(EventField::EndsAt).map(|p| match p {
                Problem::Malformed => t_string!(i18n, problem_ends_before_start).to_string(),
                other => problem_text(i18n, other),
            })
        }
    });
    let heading = if editing.is_some() {
        t_string!(i18n, event_edit_title).to_string()
    } else {
        t_string!(i18n, event_new).to_string()
    };
    view! {
        <h1>{heading}</h1>
        <p class="muted">{t!(i18n, event_needs_network)}</p>
        <Show when=move || failure.get().is_some()>
            <p class="notice notice--error" role="alert">{move || failure.get()}</p>
        </Show>
        <form class="form" novalidate on:submit=on_submit>
            <TextField id="event_title" label=Signal::derive(move || t_string!(i18n, field_event_title).to_string())
                value=title problem=text_problem(EventField::Title) />
            <TextField id="event_starts" kind="datetime-local" label=Signal::derive(move || t_string!(i18n, field_event_starts).to_string())
                value=starts problem=starts_problem />
            <TextField id="event_ends" kind="datetime-local" label=Signal::derive(move || t_string!(i18n, field_event_ends).to_string())
                value=ends problem=time_problem />
            <ChoiceField id="event_location" kind=DictionaryKind::Location
                value=location.into() on_change=move |v| location.set(v)
                problem=Signal::derive(move || problem(EventField::Location))>
                {t!(i18n, field_event_location)}
            </ChoiceField>
            <TextField id="event_organiser" label=Signal::derive(move || t_string!(i18n, field_event_organiser).to_string())
                hint=Signal::derive(move || t_string!(i18n, field_event_organiser_hint).to_string())
                value=organiser problem=text_problem(EventField::Organiser) />
            <CodeChecklist legend=Signal::derive(move || t_string!(i18n, field_event_plan_goals).to_string())
                kind=DictionaryKind::PlanGoal selected=plan_goals
                problem=Signal::derive(move || problem(EventField::PlanGoals)) />
            <CodeChecklist legend=Signal::derive(move || t_string!(i18n, field_target_groups).to_string())
                kind=DictionaryKind::TargetGroup selected=target_groups
                problem=Signal::derive(move || problem(EventField::TargetGroups)) />
            <div class="field">
                <label for="event_description">{t!(i18n, field_event_description)}</label>
                <textarea id="event_description" rows="4" prop:value=move || description.get()
                    aria-invalid=move || problem(EventField::Description).is_some().to_string()
                    on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                <p class="field__error">{text_problem(EventField::Description)}</p>
            </div>
            <ExpectedResidents expected />
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>{t!(i18n, event_save)}</button>
            </div>
        </form>
    }
}

/// Checkboxes for the active entries of one dictionary.
#[component]
fn CodeChecklist(
    legend: Signal<String>,
    kind: DictionaryKind,
    selected: RwSignal<Vec<String>>,
    problem: Signal<Option<Problem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let entries = move || {
        let lang = language(i18n.get_locale());
        state.dictionary.with(|d| {
            d.active(kind)
                .map(|e| (e.code.clone(), e.label(lang).to_owned()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <fieldset class="field checklist" aria-invalid=move || problem.get().is_some().to_string()>
            <legend>{legend}</legend>
            {move || entries().into_iter().map(|(code, text)| {
                let checked_code = code.clone();
                view! {
                    <label class="checkbox">
                        <input type="checkbox"
                            prop:checked=move || selected.with(|s| s.contains(&checked_code))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let code = code.clone();
                                selected.update(|s| { s.retain(|c| *c != code); if on { s.push(code); } });
                            } />
                        {text}
                    </label>
                }
            }).collect_view()}
            <p class="field__error">{move || problem.get().map(|p| problem_text(i18n, p))}</p>
        </fieldset>
    }
}

/// The residents the organiser expects: found in the registry on this device and added one by one.
#[component]
fn ExpectedResidents(expected: RwSignal<Vec<Person>>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let query = RwSignal::new(String::new());
    let found = Memo::new(move |_| {
        let q = query.get();
        if q.trim().chars().count() < 2 {
            return Vec::new();
        }
        state.residents.with(|rs| {
            search(rs, &q)
                .into_iter()
                .filter(|r| expected.with(|e| !e.iter().any(|p| p.id == r.id)))
                .take(8)
                .map(|r| Person {
                    id: r.id,
                    name: r.fields.name.clone(),
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <fieldset class="field">
            <legend>{t!(i18n, field_event_expected)}</legend>
            <ul class="chips">
                <For each=move || expected.get() key=|p| p.id let:person>
                    {
                        let id = person.id;
                        let name = person.name.clone();
                        view! {
                            <li class="chip">
                                {person.name}
                                <button type="button" class="button button--quiet"
                                    aria-label=move || t_string!(i18n, remove_named, name = name.clone()).to_string()
                                    on:click=move |_| expected.update(|e| e.retain(|p| p.id != id))>"×"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <label for="expected_search">{t!(i18n, event_expected_search)}</label>
            <input id="expected_search" type="search" autocomplete="off"
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            <ul class="suggestions">
                <For each=move || found.get() key=|p| p.id let:person>
                    {
                        let name = person.name.clone();
                        view! {
                            <li>
                                <button type="button" class="button"
                                    on:click=move |_| { expected.update(|e| e.push(person.clone())); query.set(String::new()); }>
                                    {t!(i18n, event_expected_add)} " " {name}
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </fieldset>
    }
}
