//! The tablet at the door: enrolled with the organiser's code (typed, or opened from the QR code), it
//! becomes the attendance kiosk of one event and shows nothing else.

use domain::account::SessionView;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::forms::{failure_text, focus_first, TextField};
use crate::client::{self, ApiFailure};
use crate::i18n::*;
use crate::state::{use_app_state, SessionCheck};

#[component]
pub fn KioskPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let query = use_query_map();
    let code = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The QR code opens this page with the code in the address: fill it in after hydration.
    Effect::new(move || {
        if let Some(from_link) = query.with(|q| q.get("code")) {
            code.set(from_link);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let body = serde_json::json!({"code": code.get_untracked()});
        leptos::task::spawn_local(async move {
            let answer =
                client::api::<SessionView>("POST", "/api/v1/kiosk/claim", Some(body)).await;
            busy.set(false);
            match answer {
                Ok(SessionView::Kiosk { event_title, .. }) => {
                    state.session.set(SessionCheck::Kiosk { event_title })
                }
                Ok(SessionView::Person { .. }) => {}
                Err(e) => {
                    failure.set(Some(match e {
                        ApiFailure::Status { status: 422, .. } => {
                            t_string!(i18n, kiosk_bad_code).to_string()
                        }
                        other => failure_text(i18n, &other),
                    }));
                    focus_first("#kiosk_code");
                }
            }
        });
    };
    view! {
        {move || match state.session.get() {
            SessionCheck::Kiosk { event_title } => view! {
                <section class="kiosk" data-testid="kiosk-ready">
                    <p class="kiosk__label">{t!(i18n, kiosk_event)}</p>
                    <h1 class="kiosk__title">{event_title}</h1>
                    <p class="kiosk__hint">{t!(i18n, kiosk_ready)}</p>
                </section>
            }.into_any(),
            _ => view! {
                <h1>{t!(i18n, kiosk_enrol_title)}</h1>
                <p class="muted">{t!(i18n, kiosk_enrol_intro)}</p>
                <Show when=move || failure.get().is_some()>
                    <p class="notice notice--error" role="alert">{move || failure.get()}</p>
                </Show>
                <form class="form" novalidate on:submit=on_submit>
            // Typing before the page is interactive would be wiped by hydration; wait for it.
            <fieldset class="form__fields" disabled=move || !state.device_ready.get()>
                    <TextField id="kiosk_code" label=Signal::derive(move || t_string!(i18n, field_kiosk_code).to_string())
                        value=code />
                    <div class="form__actions">
                        <button type="submit" class="button button--primary" disabled=move || busy.get()>{t!(i18n, kiosk_enrol)}</button>
                    </div>
                </fieldset>
        </form>
            }.into_any(),
        }}
    }
}
