//! Signing in, and the one-time setup that creates the first coordinator.

use domain::account::{AccountError, AccountField, NewAccount, Role, SessionView};
use domain::api;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::forms::{
    account_errors, account_problem_text, failure_text, focus_first, problem_for, TextField,
};
use crate::device::{self, ApiFailure};
use crate::i18n::*;
use crate::state::{use_app_state, SessionCheck};

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // An empty install has nobody to sign in: say so and point to setup (the server sends pages there, but a
    // device can arrive here by itself, from a link or an old tab).
    let setup_required = RwSignal::new(false);
    Effect::new(move || {
        leptos::task::spawn_local(async move {
            if let Ok(status) = device::call::<api::CheckSetup>(&[], &()).await {
                setup_required.set(status.required);
            }
        });
    });
    // After an expired session, the same person signs in again; their name is already known here.
    Effect::new(move || {
        if let Some(account) = state.account.get() {
            if username.get_untracked().is_empty() {
                username.set(account.username);
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if username.get_untracked().trim().is_empty() || password.get_untracked().is_empty() {
            failure.set(Some(t_string!(i18n, sign_in_missing).to_string()));
            focus_first("[role=alert]");
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let answer =
                device::sign_in(state, username.get_untracked(), password.get_untracked()).await;
            busy.set(false);
            match answer {
                Ok(SessionView::Person { .. }) => {
                    password.set(String::new());
                    navigate("/", Default::default());
                }
                Ok(SessionView::Kiosk { .. }) => navigate("/kiosk", Default::default()),
                Err(ApiFailure::Status { status: 401, .. }) => {
                    failure.set(Some(t_string!(i18n, sign_in_wrong).to_string()));
                    focus_first("#password");
                }
                Err(other) => {
                    failure.set(Some(failure_text(i18n, &other)));
                    focus_first("[role=alert]");
                }
            }
        });
    };

    view! {
        <h1>{t!(i18n, sign_in_title)}</h1>
        <Show when=move || setup_required.get()>
            <p class="notice notice--warn" role="status" data-testid="setup-required">
                {t!(i18n, sign_in_setup_required)} " "
                <A href="/setup">{t!(i18n, setup_title)}</A>
            </p>
        </Show>
        <Show when=move || state.session.get() == SessionCheck::Expired>
            <p class="notice notice--warn" role="status">{t!(i18n, session_expired_sign_in)}</p>
        </Show>
        <Show when=move || state.session.get() == SessionCheck::Wiped>
            <p class="notice notice--warn" role="status" data-testid="account-wiped">
                {t!(i18n, account_wiped)}
            </p>
        </Show>
        <Show when=move || failure.get().is_some()>
            <p class="notice notice--error" role="alert" tabindex="-1" data-testid="sign-in-failure">
                {move || failure.get()}
            </p>
        </Show>
        <form class="form" novalidate on:submit=on_submit>
            // Typing before the page is interactive would be wiped by hydration; wait for it.
            <fieldset class="form__fields" disabled=move || !state.device_ready.get()>
            <TextField
                id="username"
                label=Signal::derive(move || t_string!(i18n, field_username).to_string())
                value=username
                autocomplete="username"

            />
            <TextField
                id="password"
                label=Signal::derive(move || t_string!(i18n, field_password).to_string())
                value=password
                kind="password"
                autocomplete="current-password"

            />
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {t!(i18n, sign_in)}
                </button>
            </div>
        </fieldset>
        </form>
        <p class="muted">{t!(i18n, sign_in_help)}</p>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<AccountError>::new());
    let mismatch = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let account = NewAccount {
            username: username.get_untracked(),
            display_name: display_name.get_untracked(),
            role: Role::Coordinator,
            password: password.get_untracked(),
        }
        .normalized();
        let found = account.validate().err().unwrap_or_default();
        mismatch.set(password.get_untracked() != repeat.get_untracked());
        errors.set(found);
        if !errors.with_untracked(Vec::is_empty) || mismatch.get_untracked() {
            focus_first("[aria-invalid=\"true\"]");
            return;
        }
        busy.set(true);
        failure.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let answer = device::call::<api::SetUp>(&[], &account).await;
            busy.set(false);
            match answer {
                Ok(SessionView::Person { .. }) => {
                    // Signing in from this device also gives it the key its data is sealed under.
                    let signed_in =
                        device::sign_in(state, account.username, account.password).await;
                    let next = if signed_in.is_ok() {
                        "/admin/users"
                    } else {
                        "/login"
                    };
                    navigate(next, Default::default());
                }
                Ok(SessionView::Kiosk { .. }) => {}
                Err(ApiFailure::Status { status: 409, .. }) => {
                    navigate("/login", Default::default())
                }
                Err(other) => {
                    errors.set(account_errors(&other));
                    failure.set(Some(failure_text(i18n, &other)));
                    focus_first("[role=alert]");
                }
            }
        });
    };
    let problem = move |field| {
        Signal::derive(move || {
            errors.with(|e| problem_for(e, field).map(|p| account_problem_text(i18n, p)))
        })
    };

    view! {
        <h1>{t!(i18n, setup_title)}</h1>
        <p class="muted">{t!(i18n, setup_intro)}</p>
        <Show when=move || failure.get().is_some()>
            <p class="notice notice--error" role="alert" tabindex="-1">{move || failure.get()}</p>
        </Show>
        <form class="form" novalidate on:submit=on_submit>
            // Typing before the page is interactive would be wiped by hydration; wait for it.
            <fieldset class="form__fields" disabled=move || !state.device_ready.get()>
            <TextField
                id="display_name"
                label=Signal::derive(move || t_string!(i18n, field_display_name).to_string())
                value=display_name
                autocomplete="name"
                problem=problem(AccountField::DisplayName)
            />
            <TextField
                id="username"
                label=Signal::derive(move || t_string!(i18n, field_username).to_string())
                hint=Signal::derive(move || t_string!(i18n, field_username_hint).to_string())
                value=username
                autocomplete="username"
                problem=problem(AccountField::Username)
            />
            <TextField
                id="password"
                label=Signal::derive(move || t_string!(i18n, field_new_password).to_string())
                hint=Signal::derive(move || t_string!(i18n, field_password_hint).to_string())
                value=password
                kind="password"
                autocomplete="new-password"
                problem=problem(AccountField::Password)
            />
            <TextField
                id="repeat"
                label=Signal::derive(move || t_string!(i18n, field_repeat_password).to_string())
                value=repeat
                kind="password"
                autocomplete="new-password"
                problem=Signal::derive(move || mismatch.get().then(|| t_string!(i18n, problem_passwords_differ).to_string()))
            />
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {t!(i18n, setup_submit)}
                </button>
            </div>
        </fieldset>
        </form>
    }
}
