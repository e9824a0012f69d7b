//! Organisers enrol a tablet as the attendance kiosk of one event: a short code and a QR code on their
//! screen, valid for minutes, and the PIN that lets staff leave the kiosk flow; current kiosks can be
//! revoked. Events themselves are created under "Wydarzenia".

use chrono::{DateTime, Local, Utc};
use domain::api;
use domain::event::Event;
use domain::kiosk::{EnrolRequest, Enrolment, EnrolmentCode};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::components::forms::{failure_text, LoadFailure};
use crate::components::words::event_when;
use crate::device::{self, ApiFailure};
use crate::i18n::*;

fn local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    // `None` until the server has answered: offline, this page has nothing to show, not "no events".
    let events = RwSignal::new(None::<Vec<Event>>);
    let enrolments = RwSignal::new(None::<Vec<Enrolment>>);
    let load_failed = RwSignal::new(None::<ApiFailure>);
    let shown_code = RwSignal::new(None::<EnrolmentCode>);
    let failure = RwSignal::new(None::<String>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let answers = (
                device::call::<api::ListEvents>(&[], &()).await,
                device::call::<api::ListEnrolments>(&[], &()).await,
            );
            match answers {
                (Ok(list), Ok(current)) => {
                    events.set(Some(list));
                    enrolments.set(Some(current));
                    load_failed.set(None);
                }
                (Err(e), _) | (_, Err(e)) => load_failed.set(Some(e)),
            }
        });
    };
    Effect::new(reload);
    let enrol = move |event: Uuid| {
        leptos::task::spawn_local(async move {
            let body = EnrolRequest { event_id: event };
            match device::call::<api::Enrol>(&[], &body).await {
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
            match device::call::<api::RevokeEnrolment>(&[&id], &()).await {
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
                <p data-testid="exit-pin" data-pin=code.enrolment.exit_pin.clone()>
                    {t_string!(i18n, devices_exit_pin, pin = code.enrolment.exit_pin.clone()).to_string()}
                </p>
            </section>
        })}
        <LoadFailure failure=load_failed retry=reload />
        <p><A href="/events/new" attr:class="button">{t!(i18n, event_new)}</A></p>
        <Show when=move || events.with(Option::is_some)>
        <section class="panel" aria-labelledby="events-heading">
            <h2 id="events-heading">{t!(i18n, devices_events)}</h2>
            {move || if events.with(|e| e.as_ref().is_none_or(Vec::is_empty)) {
                view! { <p class="muted">{t!(i18n, devices_no_events)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards">
                        {events.get().unwrap_or_default().into_iter().map(|event| view! {
                            <li class="card" data-testid="event-card">
                                <h3 class="card__title">{event.fields.title.clone()}</h3>
                                <p class="card__meta">{event_when(&event)}</p>
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
            {move || if enrolments.with(|e| e.as_ref().is_none_or(Vec::is_empty)) {
                view! { <p class="muted">{t!(i18n, devices_none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards">
                        {enrolments.get().unwrap_or_default().into_iter().map(|e| view! {
                            <li class="card" data-testid="enrolment-card">
                                <h3 class="card__title">{e.event_title.clone()}</h3>
                                <p class="card__meta">
                                    {if e.claimed { t_string!(i18n, devices_claimed).to_string() } else { t_string!(i18n, devices_waiting).to_string() }}
                                    " · " {t_string!(i18n, devices_expires, until = local(e.expires_at)).to_string()}
                                </p>
                                <p class="card__meta">{t_string!(i18n, devices_exit_pin, pin = e.exit_pin.clone()).to_string()}</p>
                                <button type="button" class="button button--danger" on:click=move |_| revoke(e.id)>
                                    {t!(i18n, devices_revoke)}
                                </button>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        </Show>
    }
}
