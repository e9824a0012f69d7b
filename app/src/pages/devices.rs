//! Organisers enrol a tablet as the attendance kiosk of one event: a short code and a QR code on their
//! screen, valid for minutes; current kiosks can be revoked. Events are created here in their simplest
//! form until the events issue brings the full form.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use domain::event::{EventProblem, NewEvent};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use super::forms::{failure_text, TextField};
use crate::client;
use crate::i18n::*;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Event {
    id: Uuid,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Enrolment {
    id: Uuid,
    event_title: String,
    code_expires_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    claimed: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct EnrolmentCode {
    code: String,
    url: String,
    qr_svg: String,
    enrolment: Enrolment,
}

fn local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let events = RwSignal::new(Vec::<Event>::new());
    let enrolments = RwSignal::new(Vec::<Enrolment>::new());
    let shown_code = RwSignal::new(None::<EnrolmentCode>);
    let failure = RwSignal::new(None::<String>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match client::api::<Vec<Event>>("GET", "/api/v1/events", None).await {
                Ok(list) => events.set(list),
                Err(e) => failure.set(Some(failure_text(i18n, &e))),
            }
            if let Ok(list) = client::api::<Vec<Enrolment>>("GET", "/api/v1/enrolments", None).await
            {
                enrolments.set(list);
            }
        });
    };
    Effect::new(reload);
    let enrol = move |event: Uuid| {
        leptos::task::spawn_local(async move {
            let body = serde_json::json!({"event_id": event});
            match client::api::<EnrolmentCode>("POST", "/api/v1/enrolments", Some(body)).await {
                Ok(code) => {
                    shown_code.set(Some(code));
                    reload();
                }
                Err(e) => failure.set(Some(failure_text(i18n, &e))),
            }
        });
    };
    let revoke = move |id: Uuid| {
        leptos::task::spawn_local(async move {
            match client::api::<()>("DELETE", &format!("/api/v1/enrolments/{id}"), None).await {
                Ok(()) => {
                    if shown_code
                        .with_untracked(|c| c.as_ref().is_some_and(|c| c.enrolment.id == id))
                    {
                        shown_code.set(None);
                    }
                    reload();
                }
                Err(e) => failure.set(Some(failure_text(i18n, &e))),
            }
        });
    };

    view! {
        <h1>{t!(i18n, devices_title)}</h1>
        <p class="muted">{t!(i18n, devices_intro)}</p>
        <Show when=move || failure.get().is_some()>
            <p class="notice notice--error" role="alert">{move || failure.get()}</p>
        </Show>
        {move || shown_code.get().map(|code| view! {
            <section class="panel enrolment-code" aria-labelledby="code-heading" data-testid="enrolment-code">
                <h2 id="code-heading">{t_string!(i18n, devices_code_for, event = code.enrolment.event_title.clone()).to_string()}</h2>
                <p class="enrolment-code__code" data-code=code.code.clone()>
                    {format!("{}-{}", &code.code[..4], &code.code[4..])}
                </p>
                <p>{t_string!(i18n, devices_code_steps, until = local(code.enrolment.code_expires_at)).to_string()}</p>
                <div class="enrolment-code__qr" role="img" aria-label=t_string!(i18n, devices_qr_label).to_string() inner_html=code.qr_svg.clone()></div>
                <p class="muted">{code.url.clone()}</p>
            </section>
        })}
        <NewEventForm on_created=reload />
        <section class="panel" aria-labelledby="events-heading">
            <h2 id="events-heading">{t!(i18n, devices_events)}</h2>
            {move || if events.with(Vec::is_empty) {
                view! { <p class="muted">{t!(i18n, devices_no_events)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards">
                        {events.get().into_iter().map(|event| view! {
                            <li class="card" data-testid="event-card">
                                <h3 class="card__title">{event.title.clone()}</h3>
                                <p class="card__meta">{local(event.starts_at)} " – " {local(event.ends_at)}</p>
                                <button type="button" class="button button--primary" on:click=move |_| enrol(event.id)>
                                    {t!(i18n, devices_enrol)}
                                </button>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="kiosks-heading">
            <h2 id="kiosks-heading">{t!(i18n, devices_current)}</h2>
            {move || if enrolments.with(Vec::is_empty) {
                view! { <p class="muted">{t!(i18n, devices_none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards">
                        {enrolments.get().into_iter().map(|e| view! {
                            <li class="card" data-testid="enrolment-card">
                                <h3 class="card__title">{e.event_title.clone()}</h3>
                                <p class="card__meta">
                                    {if e.claimed { t_string!(i18n, devices_claimed).to_string() } else { t_string!(i18n, devices_waiting).to_string() }}
                                    " · " {t_string!(i18n, devices_expires, until = local(e.expires_at)).to_string()}
                                </p>
                                <button type="button" class="button button--danger" on:click=move |_| revoke(e.id)>
                                    {t!(i18n, devices_revoke)}
                                </button>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn NewEventForm(on_created: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let title = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<EventProblem>::new());
    let times_missing = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let parse = |text: String| {
        NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|t| Local.from_local_datetime(&t).single())
            .map(|t| t.with_timezone(&Utc))
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(starts_at), Some(ends_at)) =
            (parse(starts.get_untracked()), parse(ends.get_untracked()))
        else {
            times_missing.set(true);
            return;
        };
        times_missing.set(false);
        let event = NewEvent {
            title: title.get_untracked(),
            starts_at,
            ends_at,
        }
        .normalized();
        if let Err(found) = event.validate() {
            problems.set(found);
            return;
        }
        problems.set(Vec::new());
        let body = serde_json::to_value(&event).unwrap_or_default();
        leptos::task::spawn_local(async move {
            match client::api::<serde_json::Value>("POST", "/api/v1/events", Some(body)).await {
                Ok(_) => {
                    title.set(String::new());
                    failure.set(None);
                    on_created();
                }
                Err(e) => failure.set(Some(failure_text(i18n, &e))),
            }
        });
    };
    let title_problem = Signal::derive(move || {
        problems.with(|p| {
            p.iter().find_map(|p| match p {
                EventProblem::TitleRequired => Some(t_string!(i18n, problem_required).to_string()),
                EventProblem::TitleTooLong { max } => {
                    Some(t_string!(i18n, problem_too_long, max = *max).to_string())
                }
                EventProblem::EndsBeforeStart => None,
            })
        })
    });
    let time_problem = Signal::derive(move || {
        if times_missing.get() {
            Some(t_string!(i18n, problem_required).to_string())
        } else {
            problems
                .with(|p| p.contains(&EventProblem::EndsBeforeStart))
                .then(|| t_string!(i18n, problem_ends_before_start).to_string())
        }
    });
    view! {
        <details class="panel">
            <summary class="button button--quiet">{t!(i18n, event_new)}</summary>
            <Show when=move || failure.get().is_some()>
                <p class="notice notice--error" role="alert">{move || failure.get()}</p>
            </Show>
            <form class="form" novalidate on:submit=on_submit>
                <TextField id="event_title" label=Signal::derive(move || t_string!(i18n, field_event_title).to_string())
                    value=title problem=title_problem />
                <TextField id="event_starts" kind="datetime-local" label=Signal::derive(move || t_string!(i18n, field_event_starts).to_string())
                    value=starts />
                <TextField id="event_ends" kind="datetime-local" label=Signal::derive(move || t_string!(i18n, field_event_ends).to_string())
                    value=ends problem=time_problem />
                <div class="form__actions">
                    <button type="submit" class="button button--primary">{t!(i18n, event_create)}</button>
                </div>
            </form>
        </details>
    }
}
