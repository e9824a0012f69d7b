//! A resident's requests under the GDPR, on their registry card (coordinators only): everything held
//! about them as one download (art. 15), and erasure on their request with the reason (art. 17). Online
//! only: the server holds everything, the device only part of it.

use domain::api;
use domain::data_rights::{EraseSubject, ErasureCounts, MAX_REASON_CHARS};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use uuid::Uuid;

use super::forms::{failure_text, focus_first, problem_text};
use crate::device;
use crate::i18n::*;

type I18n = leptos_i18n::I18nContext<Locale>;

fn erased_text(i18n: I18n, counts: ErasureCounts) -> String {
    format!(
        "{} {}",
        t_string!(i18n, erasure_done),
        [
            t_string!(i18n, retention_residents, count = counts.residents).to_string(),
            t_string!(i18n, retention_requests, count = counts.help_requests).to_string(),
            t_string!(i18n, retention_lists, count = counts.attendance_lists).to_string(),
            t_string!(i18n, erasure_events, count = counts.events).to_string(),
            t_string!(i18n, retention_photos, count = counts.photos).to_string(),
        ]
        .join(", ")
    )
}

#[component]
pub fn DataRights(
    resident: Uuid,
    /// Where the page says what an erasure did: the card goes from the registry with it.
    erased: RwSignal<Option<String>>,
) -> AnyView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let reason_id = format!("erasure-reason-{resident}");
    let reason_selector = format!("#{reason_id}");
    let error_id = format!("{reason_id}-error");

    let on_erase = move |ev: SubmitEvent| {
        ev.prevent_default();
        let request = EraseSubject {
            reason: reason.get_untracked(),
        };
        if let Err(e) = request.reason() {
            problem.set(Some(problem_text(i18n, e.problem)));
            focus_first(reason_selector.clone());
            return;
        }
        problem.set(None);
        leptos::task::spawn_local(async move {
            match device::call::<api::EraseResident>(&[&resident], &request).await {
                Ok(counts) => {
                    failure.set(None);
                    open.set(false);
                    erased.set(Some(erased_text(i18n, counts)));
                    device::sync_now();
                }
                Err(e) => failure.set(Some(failure_text(i18n, &e))),
            }
        });
    };

    view! {
        <div class="data-rights" role="group" aria-label=move || t_string!(i18n, data_rights_title).to_string()>
            <a class="button" download=""
                href={api::path::<api::DownloadSubjectAccess>(&[&resident])}>
                {t!(i18n, subject_access_download)}
            </a>
            <button type="button" class="button button--danger"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| { erased.set(None); open.update(|o| *o = !*o) }>
                {t!(i18n, erasure_start)}
            </button>
            <Show when=move || open.get()>
                <form class="form" on:submit=on_erase.clone() novalidate>
                    <p class="field__hint">{t!(i18n, erasure_explain)}</p>
                    <div class="field">
                        <label for=reason_id.clone()>{t!(i18n, erasure_reason)}</label>
                        <textarea id=reason_id.clone() rows="2" maxlength=MAX_REASON_CHARS.to_string()
                            prop:value=move || reason.get()
                            aria-invalid=move || problem.get().is_some().to_string()
                            aria-describedby=error_id.clone()
                            on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                        <p class="field__error" id=error_id.clone()>{move || problem.get()}</p>
                    </div>
                    <div class="form__actions">
                        <button type="submit" class="button button--danger">{t!(i18n, erasure_confirm)}</button>
                    </div>
                </form>
            </Show>
            <p class="notice notice--error" role="alert" hidden=move || failure.get().is_none()>{move || failure.get()}</p>
        </div>
    }
    .into_any()
}
