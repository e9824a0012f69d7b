//! The retention period on the settings page: the coordinator sets it, sees what it makes due, and
//! confirms the anonymisation. Online only: the server counts over everything it stores.

use domain::api;
use domain::retention::{ApplyRetention, RetentionCounts, RetentionOverview, RetentionPeriod};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::forms::{failure_text, focus_first, LoadFailure};
use crate::device::{self, ApiFailure};
use crate::i18n::*;

type I18n = leptos_i18n::I18nContext<Locale>;

fn counts_text(i18n: I18n, counts: RetentionCounts) -> Vec<String> {
    vec![
        t_string!(i18n, retention_residents, count = counts.residents).to_string(),
        t_string!(i18n, retention_requests, count = counts.help_requests).to_string(),
        t_string!(i18n, retention_lists, count = counts.attendance_lists).to_string(),
        t_string!(i18n, retention_photos, count = counts.photos).to_string(),
    ]
}

fn retention_failure(i18n: I18n, failure: &ApiFailure) -> String {
    match failure {
        ApiFailure::Status { error, .. } if error == "retention_changed" => {
            t_string!(i18n, retention_changed_meanwhile).to_string()
        }
        ApiFailure::Status { error, .. } if error == "invalid_retention" => {
            t_string!(i18n, retention_out_of_range).to_string()
        }
        other => failure_text(i18n, other),
    }
}

#[component]
pub fn RetentionSettings() -> AnyView {
    let i18n = use_i18n();
    let overview = RwSignal::new(None::<RetentionOverview>);
    let years = RwSignal::new(String::new());
    let invalid = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let understood = RwSignal::new(false);
    let not_confirmed = RwSignal::new(false);
    let applied = RwSignal::new(None::<String>);

    let show = move |next: RetentionOverview| {
        years.set(next.years.to_string());
        overview.set(Some(next));
    };
    let load_failed = RwSignal::new(None::<ApiFailure>);
    let load = move || {
        leptos::task::spawn_local(async move {
            match device::call::<api::ShowRetention>(&[], &()).await {
                Ok(next) => {
                    load_failed.set(None);
                    show(next);
                }
                Err(e) => load_failed.set(Some(e)),
            }
        });
    };
    Effect::new(load);

    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let period = years
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .and_then(|y| RetentionPeriod::new(y).ok());
        let Some(period) = period else {
            invalid.set(true);
            focus_first("#retention-years");
            return;
        };
        invalid.set(false);
        leptos::task::spawn_local(async move {
            let body = ApplyRetention {
                years: period.years,
            };
            match device::call::<api::ChangeRetention>(&[], &body).await {
                Ok(next) => {
                    failure.set(None);
                    saved.set(Some(
                        t_string!(i18n, retention_saved, years = next.years).to_string(),
                    ));
                    understood.set(false);
                    show(next);
                }
                Err(e) => failure.set(Some(retention_failure(i18n, &e))),
            }
        });
    };

    let on_apply = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(current) = overview.get_untracked() else {
            return;
        };
        if !understood.get_untracked() {
            not_confirmed.set(true);
            focus_first("#retention-understood");
            return;
        }
        not_confirmed.set(false);
        leptos::task::spawn_local(async move {
            let body = ApplyRetention {
                years: current.years,
            };
            match device::call::<api::ApplyRetention>(&[], &body).await {
                Ok(done) => {
                    failure.set(None);
                    understood.set(false);
                    applied.set(Some(format!(
                        "{} {}",
                        t_string!(i18n, retention_applied),
                        counts_text(i18n, done.applied).join(", ")
                    )));
                    show(done.overview);
                    device::sync_now();
                }
                Err(e) => {
                    failure.set(Some(retention_failure(i18n, &e)));
                    if let Ok(next) = device::call::<api::ShowRetention>(&[], &()).await {
                        show(next);
                    }
                }
            }
        });
    };

    let years_error = move || {
        invalid
            .get()
            .then(|| t_string!(i18n, retention_out_of_range).to_string())
    };
    let due = move || {
        overview.get().map(|o| {
            if o.due.total() == 0 {
                view! {
                    <p data-testid="retention-due">
                        {t!(i18n, retention_nothing_due, year = o.last_expired_year)}
                    </p>
                }
                .into_any()
            } else {
                let rows = counts_text(i18n, o.due)
                    .into_iter()
                    .map(|line| view! { <li>{line}</li> })
                    .collect_view();
                view! {
                    <div data-testid="retention-due">
                        <p>{t!(i18n, retention_due_intro, year = o.last_expired_year)}</p>
                        <ul class="retention-due">{rows}</ul>
                    </div>
                    <form class="form" on:submit=on_apply novalidate>
                        <label class="checkbox">
                            <input type="checkbox" id="retention-understood"
                                prop:checked=move || understood.get()
                                aria-invalid=move || not_confirmed.get().to_string()
                                aria-describedby="retention-understood-error"
                                on:change=move |ev| understood.set(event_target_checked(&ev)) />
                            {t!(i18n, retention_understood)}
                        </label>
                        <p class="field__error" id="retention-understood-error">
                            {move || not_confirmed.get().then(|| t_string!(i18n, retention_confirm_first).to_string())}
                        </p>
                        <div class="form__actions">
                            <button type="submit" class="button button--danger">{t!(i18n, retention_apply)}</button>
                        </div>
                    </form>
                }
                .into_any()
            }
        })
    };

    view! {
        <section class="report-section" aria-labelledby="retention-title">
            <h2 id="retention-title">{t!(i18n, retention_title)}</h2>
            <p class="field__hint">{t!(i18n, retention_hint)}</p>
            <LoadFailure failure=load_failed retry=load />
            <form class="form" on:submit=on_save novalidate>
                <div class="field">
                    <label for="retention-years">{t!(i18n, retention_years)}</label>
                    <input id="retention-years" type="number" inputmode="numeric" min="1" max="50"
                        class="input--short"
                        prop:value=move || years.get()
                        aria-invalid=move || invalid.get().to_string()
                        aria-describedby="retention-years-error"
                        on:input=move |ev| years.set(event_target_value(&ev)) />
                    <p class="field__error" id="retention-years-error">{years_error}</p>
                </div>
                <div class="form__actions">
                    <button type="submit" class="button button--primary">{t!(i18n, retention_save)}</button>
                </div>
            </form>
            <p role="status" data-testid="retention-saved">{move || saved.get()}</p>
            <p class="notice notice--error" role="alert" hidden=move || failure.get().is_none()>{move || failure.get()}</p>
            {due}
            <p role="status" data-testid="retention-applied">{move || applied.get()}</p>
        </section>
    }
    .into_any()
}
