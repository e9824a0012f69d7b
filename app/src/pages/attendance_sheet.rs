//! The attendance list as an A4 sheet (lista obecności) for the file and the yearly report: a header
//! with the event, date, place and plan goals, then numbered rows with signatures, which show once the
//! opening is noted for the audit log. The print stylesheet drops everything else from the page.

use domain::attendance::{AttendanceList, Proof};
use domain::audit::PersonalRead;
use domain::dictionary::DictionaryKind;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::event::{event_in_address, list_of};
use crate::components::opening::open_noted;
use crate::components::signature_pad::SignatureImage;
use crate::components::words::{consent_text, list_status_text, save_failure_text};
use crate::components::words::{event_when, label};
use crate::device::SaveFailure;
use crate::i18n::*;
use crate::state::use_app_state;

#[component]
pub fn AttendanceSheetPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let event = event_in_address();
    let list = Memo::new(move |_| event.with(|e| e.as_ref().map(|e| list_of(state, e.id).0)));
    // The sheet is opened to show the signatures: the audit log hears of it before they appear.
    let signatures_shown = RwSignal::new(false);
    let failure = RwSignal::new(None::<SaveFailure>);
    Effect::new(move |asked: Option<bool>| {
        if asked == Some(true) {
            return true;
        }
        let event_id = event.with(|e| e.as_ref().map(|e| e.id));
        let signed = list.with(|l| l.as_ref().is_some_and(AttendanceList::holds_signatures));
        match event_id {
            Some(event_id) if signed => {
                open_noted(
                    PersonalRead::SignedAttendance { event_id },
                    signatures_shown,
                    failure,
                );
                true
            }
            _ => false,
        }
    });
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        {move || match (event.get(), list.get()) {
            (Some(event), Some(list)) => {
                let shown = signatures_shown.get();
                let location = event.fields.location.clone();
                let goals = event.fields.plan_goals.clone();
                let mut number = 0;
                let rows = list.present().map(|entry| {
                    number += 1;
                    let name = entry.attendee.name.clone();
                    let signature = match &entry.proof {
                        Proof::Signature { signature } if shown => {
                            let label = t_string!(i18n, signature_of, name = name.clone()).to_string();
                            view! { <SignatureImage signature=signature.clone() label /> }.into_any()
                        }
                        Proof::Signature { .. } => view! { <span>{t!(i18n, signature_hidden)}</span> }.into_any(),
                        Proof::Paper => view! { <span>{t!(i18n, signed_on_paper)}</span> }.into_any(),
                        Proof::Erased => view! { <span>{t!(i18n, signature_erased)}</span> }.into_any(),
                        Proof::Withheld => view! { <span>{t!(i18n, signature_withheld)}</span> }.into_any(),
                    };
                    view! {
                        <tr data-testid="sheet-row">
                            <td class="sheet__no">{number}</td>
                            <td>{name}</td>
                            <td class="sheet__signature">{signature}</td>
                            <td>{consent_text(i18n, entry.image_consent)}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <Show when=move || failure.get().is_some()>
                        <p class="notice notice--error no-print" role="alert">{move || failure.get().map(|f| save_failure_text(i18n, &f))}</p>
                    </Show>
                    <div class="no-print button-row">
                        <A href=format!("/event?id={}", event.id) attr:class="button">{t!(i18n, back_to_event)}</A>
                        <button type="button" class="button button--primary" on:click=print>{t!(i18n, attendance_print_now)}</button>
                    </div>
                    <article class="sheet" data-testid="attendance-sheet">
                        <header class="sheet__header">
                            <p class="sheet__org">{t!(i18n, sheet_organisation)}</p>
                            <h1>{t!(i18n, sheet_title)}</h1>
                            <p class="sheet__event">{event.fields.title.clone()}</p>
                            <dl class="sheet__meta">
                                <dt>{t!(i18n, field_event_when)}</dt>
                                <dd>{event_when(&event)}</dd>
                                <dt>{t!(i18n, field_event_location)}</dt>
                                <dd>{move || label(i18n, DictionaryKind::Location, &location)}</dd>
                                <dt>{t!(i18n, field_event_organiser)}</dt>
                                <dd>{event.fields.organiser.clone()}</dd>
                                <dt>{t!(i18n, plan_goals_label)}</dt>
                                <dd>{move || goals.iter().map(|g| label(i18n, DictionaryKind::PlanGoal, g)).collect::<Vec<_>>().join("; ")}</dd>
                            </dl>
                        </header>
                        <table class="sheet__table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, attendance_no)}</th>
                                    <th scope="col">{t!(i18n, attendance_name)}</th>
                                    <th scope="col">{t!(i18n, attendance_signature)}</th>
                                    <th scope="col">{t!(i18n, attendance_consent)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                        <p class="sheet__footer">{list_status_text(i18n, &list)}</p>
                    </article>
                }.into_any()
            }
            // Before the device has read its store, "not on this device" would be a guess.
            _ if !state.store_read() => view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any(),
            _ => view! { <p class="notice notice--warn" role="status">{t!(i18n, record_not_on_device)}</p> }.into_any(),
        }}
    }
}
