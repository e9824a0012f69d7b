//! One's own account: change the password, sign out here or on every device. Signing out with entries
//! not yet on the server warns first and offers to send them.

use domain::account::{validate_password, PasswordChange};
use domain::api;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::forms::{
    account_errors, account_problem_text, failure_text, focus_first, TextField,
};
use crate::components::words::role_text;
use crate::device::{self, ApiFailure};
use crate::i18n::*;
use crate::state::use_app_state;

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let navigate = use_navigate();
    // `Some(n)`: the person asked to sign out with n entries unsent, and must choose.
    let unsent_warning = RwSignal::new(None::<(Option<usize>, bool)>);
    let sign_out_failure = RwSignal::new(None::<String>);

    let finish_sign_out = {
        let navigate = navigate.clone();
        move |everywhere: bool| {
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match device::sign_out(state, everywhere).await {
                    Ok(()) => navigate("/login", Default::default()),
                    Err(failure) => {
                        sign_out_failure.set(Some(match failure {
                            ApiFailure::Network => t_string!(i18n, sign_out_offline).to_string(),
                            other => failure_text(i18n, &other),
                        }));
                        focus_first("[role=alert]");
                    }
                }
            });
        }
    };
    let ask_sign_out = {
        let finish_sign_out = finish_sign_out.clone();
        move |everywhere: bool| {
            let finish_sign_out = finish_sign_out.clone();
            sign_out_failure.set(None);
            leptos::task::spawn_local(async move {
                match device::unsent_count().await {
                    Some(0) => finish_sign_out(everywhere),
                    unsent => {
                        unsent_warning.set(Some((unsent, everywhere)));
                        focus_first("#unsent-warning");
                    }
                }
            });
        }
    };
    let ask_here = ask_sign_out.clone();
    let ask_everywhere = ask_sign_out;
    let confirm = finish_sign_out;

    view! {
        <h1>{t!(i18n, account_title)}</h1>
        {move || state.account.get().map(|account| view! {
            <p class="account-summary">
                <strong>{account.display_name.clone()}</strong>
                " (" {account.username.clone()} ") · " {role_text(i18n, account.role)}
            </p>
        })}
        <section class="panel" aria-labelledby="sign-out-heading">
            <h2 id="sign-out-heading">{t!(i18n, sign_out_heading)}</h2>
            <Show when=move || sign_out_failure.get().is_some()>
                <p class="notice notice--error" role="alert" tabindex="-1">{move || sign_out_failure.get()}</p>
            </Show>
            {move || unsent_warning.get().map(|(count, everywhere)| {
                let confirm = confirm.clone();
                view! {
                    <div class="notice notice--warn" role="alertdialog" id="unsent-warning" tabindex="-1"
                        aria-labelledby="unsent-warning-text" data-testid="unsent-warning">
                        <p id="unsent-warning-text">{match count {
                            Some(count) => t_string!(i18n, sign_out_unsent, count = count).to_string(),
                            None => t_string!(i18n, sign_out_unsent_unknown).to_string(),
                        }}</p>
                        <div class="form__actions">
                            <button type="button" class="button button--primary" on:click=move |_| {
                                unsent_warning.set(None);
                                device::sync_now();
                            }>{t!(i18n, sign_out_sync_first)}</button>
                            <button type="button" class="button button--danger" on:click=move |_| {
                                unsent_warning.set(None);
                                confirm(everywhere);
                            }>{t!(i18n, sign_out_anyway)}</button>
                        </div>
                    </div>
                }
            })}
            <div class="form__actions">
                <button type="button" class="button button--primary" on:click=move |_| ask_here(false)>
                    {t!(i18n, sign_out)}
                </button>
                <button type="button" class="button button--quiet" on:click=move |_| ask_everywhere(true)>
                    {t!(i18n, sign_out_everywhere)}
                </button>
            </div>
            <p class="muted">{t!(i18n, sign_out_everywhere_hint)}</p>
        </section>
        <PasswordChangeForm />
    }
}

#[component]
fn PasswordChangeForm() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let current_problem = RwSignal::new(None::<String>);
    let new_problem = RwSignal::new(None::<String>);
    let repeat_problem = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let changed = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        changed.set(false);
        failure.set(None);
        let username = state
            .account
            .with_untracked(|a| a.as_ref().map(|a| a.username.clone()))
            .unwrap_or_default();
        current_problem.set(
            current
                .get_untracked()
                .is_empty()
                .then(|| t_string!(i18n, problem_required).to_string()),
        );
        new_problem.set(
            validate_password(&new.get_untracked(), &username)
                .err()
                .map(|e| account_problem_text(i18n, e.problem)),
        );
        repeat_problem.set(
            (new.get_untracked() != repeat.get_untracked())
                .then(|| t_string!(i18n, problem_passwords_differ).to_string()),
        );
        if current_problem.get_untracked().is_some()
            || new_problem.get_untracked().is_some()
            || repeat_problem.get_untracked().is_some()
        {
            focus_first("[aria-invalid=\"true\"]");
            return;
        }
        busy.set(true);
        let body = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let answer = device::call::<api::ChangePassword>(&[], &body).await;
            busy.set(false);
            match answer {
                Ok(()) => {
                    for field in [current, new, repeat] {
                        field.set(String::new());
                    }
                    changed.set(true);
                }
                Err(failure_) if failure_.code() == "wrong_password" => {
                    current_problem.set(Some(t_string!(i18n, problem_wrong_password).to_string()));
                    focus_first("#current_password");
                }
                Err(other) => {
                    if let Some(e) = account_errors(&other).first() {
                        new_problem.set(Some(account_problem_text(i18n, e.problem)));
                    }
                    failure.set(Some(failure_text(i18n, &other)));
                    focus_first("[role=alert]");
                }
            }
        });
    };

    view! {
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">{t!(i18n, password_heading)}</h2>
            <Show when=move || changed.get()>
                <p class="notice notice--ok" role="status">{t!(i18n, password_changed)}</p>
            </Show>
            <Show when=move || failure.get().is_some()>
                <p class="notice notice--error" role="alert" tabindex="-1">{move || failure.get()}</p>
            </Show>
            <form class="form" novalidate on:submit=on_submit>
                <TextField
                    id="current_password"
                    label=Signal::derive(move || t_string!(i18n, field_current_password).to_string())
                    value=current
                    kind="password"
                    autocomplete="current-password"
                    problem=current_problem
                />
                <TextField
                    id="new_password"
                    label=Signal::derive(move || t_string!(i18n, field_new_password).to_string())
                    hint=Signal::derive(move || t_string!(i18n, field_password_hint).to_string())
                    value=new
                    kind="password"
                    autocomplete="new-password"
                    problem=new_problem
                />
                <TextField
                    id="repeat_password"
                    label=Signal::derive(move || t_string!(i18n, field_repeat_password).to_string())
                    value=repeat
                    kind="password"
                    autocomplete="new-password"
                    problem=repeat_problem
                />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>
                        {t!(i18n, password_submit)}
                    </button>
                </div>
            </form>
        </section>
    }
}
