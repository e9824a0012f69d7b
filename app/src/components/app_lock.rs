//! The lock screen over the app (issue 20): the PIN that opens a person's sealed data offline, the
//! password when the PIN no longer can, and choosing a PIN on a new device. While it shows, the app
//! under it is inert.

use domain::account::SessionView;
use domain::app_lock::{AfterWrongPin, Pin, PinProblem};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use super::forms::{failure_text, focus_first};
use crate::device::{self, ApiFailure, PinRefused};
use crate::i18n::*;
use crate::state::{use_app_state, Lock};

/// Pages where the lock does not cover the app: signing in as someone else, the first setup.
const UNCOVERED: [&str; 2] = ["/login", "/setup"];

/// Whether the lock screen covers the app now.
pub fn covering() -> Signal<bool> {
    let state = use_app_state();
    let location = use_location();
    Signal::derive(move || {
        state.lock.get() != Lock::Open
            && state.account.get().is_some()
            && state.kiosk.get().is_none()
            && !UNCOVERED.contains(&location.pathname.get().as_str())
    })
}

#[component]
pub fn LockScreen() -> impl IntoView {
    let state = use_app_state();
    let shown = covering();
    // The dialog takes the focus when it appears, so a screen reader starts in it.
    Effect::new(move || {
        if shown.get() {
            focus_first(".lock-screen input");
        }
    });
    view! {
        <Show when=move || shown.get()>
            <div class="lock-screen">
                <div class="lock-screen__panel" role="dialog" aria-modal="true" aria-labelledby="lock-title">
                    {move || match state.lock.get() {
                        Lock::Pin => view! { <PinUnlock /> }.into_any(),
                        Lock::Password { pin_blocked } => view! { <PasswordUnlock pin_blocked /> }.into_any(),
                        Lock::ChoosePin | Lock::Open => view! { <ChoosePin /> }.into_any(),
                    }}
                </div>
            </div>
        </Show>
    }
}

/// A PIN form that opens the app (a person's, or a kiosk's with the exit PIN): what was typed, whether
/// the unlock runs, and why the last PIN was refused.
#[derive(Clone, Copy, Default)]
pub struct PinEntry {
    pub pin: RwSignal<String>,
    pub busy: RwSignal<bool>,
    pub problem: RwSignal<Option<String>>,
}

impl PinEntry {
    /// The form's submit: tries the PIN; a refusal is said in `problem` and the focus goes back to
    /// `field`.
    pub fn on_submit(self, field: &'static str) -> impl Fn(SubmitEvent) + Copy + 'static {
        let i18n = use_i18n();
        let state = use_app_state();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if self.busy.get_untracked() {
                return;
            }
            self.busy.set(true);
            leptos::task::spawn_local(async move {
                let opened = device::unlock(state, self.pin.get_untracked()).await;
                self.busy.set(false);
                self.pin.set(String::new());
                // `None`: the password form (a kiosk's code form) takes over and says why.
                if let Some(message) = opened.err().and_then(|r| pin_refused_text(i18n, r)) {
                    self.problem.set(Some(message));
                    focus_first(field);
                }
            });
        }
    }
}

#[component]
fn PinUnlock() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let entry = PinEntry::default();
    let PinEntry { pin, busy, problem } = entry;
    let on_submit = entry.on_submit("#unlock-pin");
    view! {
        <h1 id="lock-title">{t!(i18n, lock_title)}</h1>
        <p>{t!(i18n, lock_hint)}</p>
        <form class="form" novalidate on:submit=on_submit>
            <div class="field">
                <label for="unlock-pin">{t!(i18n, lock_pin)}</label>
                <input id="unlock-pin" type="password" inputmode="numeric" autocomplete="off"
                    class="input--short"
                    aria-invalid=move || problem.get().is_some().to_string()
                    aria-describedby="unlock-pin-error"
                    prop:value=move || pin.get()
                    on:input=move |ev| pin.set(event_target_value(&ev)) />
                <p class="field__error" id="unlock-pin-error" role="alert">{move || problem.get()}</p>
            </div>
            <div class="form__actions">
                <button type="submit" class="button button--primary" aria-disabled=move || busy.get().to_string()>
                    {move || if busy.get() { t_string!(i18n, lock_unlocking) } else { t_string!(i18n, lock_unlock) }}
                </button>
                <button type="button" class="button button--quiet" on:click=move |_| state.lock.set(Lock::Password { pin_blocked: false })>
                    {t!(i18n, lock_forgot_pin)}
                </button>
            </div>
        </form>
        <OtherPerson />
    }
}

/// What a refused PIN means for the person at the screen; `None` when another screen takes over (only the
/// password, or a new code, opens the data now).
fn pin_refused_text(i18n: leptos_i18n::I18nContext<Locale>, refused: PinRefused) -> Option<String> {
    Some(match refused {
        PinRefused::Wrong(AfterWrongPin::TryAgain { left }) => {
            t_string!(i18n, lock_wrong_pin, left = left).to_string()
        }
        PinRefused::Wrong(AfterWrongPin::Wait { until, left }) => {
            let time = until
                .with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string();
            t_string!(i18n, lock_wait, time = time, left = left).to_string()
        }
        PinRefused::Wrong(AfterWrongPin::PasswordNeeded) => return None,
        PinRefused::Device(detail) => {
            leptos::logging::error!("unlock failed: {detail}");
            t_string!(i18n, lock_device_error).to_string()
        }
    })
}

#[component]
fn PasswordUnlock(pin_blocked: bool) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || password.get_untracked().is_empty() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer =
                device::sign_in(state, username_untracked(state), password.get_untracked()).await;
            busy.set(false);
            let message = match answer {
                Ok(SessionView::Person { .. }) => {
                    password.set(String::new());
                    return;
                }
                Ok(SessionView::Kiosk { .. }) => return,
                Err(ApiFailure::Status { status: 401, .. }) => {
                    t_string!(i18n, sign_in_wrong).to_string()
                }
                Err(other) => failure_text(i18n, &other),
            };
            failure.set(Some(message));
            focus_first("#unlock-password");
        });
    };
    view! {
        <h1 id="lock-title">{t!(i18n, lock_password_title)}</h1>
        {pin_blocked.then(|| view! { <p class="notice notice--warn">{t!(i18n, lock_password_needed)}</p> })}
        <p>{t!(i18n, lock_password_hint)}</p>
        <form class="form" novalidate on:submit=on_submit>
            <p><strong>{t!(i18n, field_username)} ": "</strong> {username_untracked(state)}</p>
            <div class="field">
                <label for="unlock-password">{t!(i18n, field_password)}</label>
                <input id="unlock-password" type="password" autocomplete="current-password"
                    aria-invalid=move || failure.get().is_some().to_string()
                    aria-describedby="unlock-password-error"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev)) />
                <p class="field__error" id="unlock-password-error" role="alert">{move || failure.get()}</p>
            </div>
            <div class="form__actions">
                <button type="submit" class="button button--primary" aria-disabled=move || busy.get().to_string()>
                    {t!(i18n, lock_password_submit)}
                </button>
            </div>
        </form>
        <OtherPerson />
    }
}

fn username_untracked(state: crate::state::AppState) -> String {
    state
        .account
        .get_untracked()
        .map(|a| a.username)
        .unwrap_or_default()
}

/// Someone else picks up the device: their own sign-in; this person's data stays sealed.
#[component]
fn OtherPerson() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    view! {
        <p>
            <button type="button" class="button button--quiet" on:click=move |_| navigate("/login", Default::default())>
                {t!(i18n, lock_other_person)}
            </button>
        </p>
    }
}

#[component]
fn ChoosePin() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let pin = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<PinProblem>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let minutes = device::lock_after().minutes;
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let chosen = match Pin::choose(&pin.get_untracked(), &repeated.get_untracked()) {
            Ok(chosen) => chosen,
            Err(found) => {
                problem.set(Some(found));
                let field = if found == PinProblem::Mismatch {
                    "#pin-repeat"
                } else {
                    "#pin-new"
                };
                focus_first(field);
                return;
            }
        };
        problem.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let saved = device::choose_pin(state, chosen).await;
            busy.set(false);
            if let Err(e) = saved {
                leptos::logging::error!("PIN not kept: {e:?}");
                failure.set(Some(t_string!(i18n, lock_device_error).to_string()));
            }
        });
    };
    let problem_text = move |on_repeat: bool| {
        problem.get().and_then(|p| {
            ((p == PinProblem::Mismatch) == on_repeat).then(|| match p {
                PinProblem::Length => t_string!(i18n, pin_problem_length).to_string(),
                PinProblem::NotDigits => t_string!(i18n, pin_problem_not_digits).to_string(),
                PinProblem::Guessable => t_string!(i18n, pin_problem_guessable).to_string(),
                PinProblem::Mismatch => t_string!(i18n, pin_problem_mismatch).to_string(),
            })
        })
    };
    view! {
        <h1 id="lock-title">{t!(i18n, choose_pin_title)}</h1>
        <p>{t!(i18n, choose_pin_hint, minutes = minutes)}</p>
        <form class="form" novalidate on:submit=on_submit>
            <div class="field">
                <label for="pin-new">{t!(i18n, choose_pin_new)}</label>
                <input id="pin-new" type="password" inputmode="numeric" autocomplete="new-password"
                    class="input--short"
                    aria-invalid=move || problem_text(false).is_some().to_string()
                    aria-describedby="pin-new-error"
                    prop:value=move || pin.get()
                    on:input=move |ev| pin.set(event_target_value(&ev)) />
                <p class="field__error" id="pin-new-error">{move || problem_text(false)}</p>
            </div>
            <div class="field">
                <label for="pin-repeat">{t!(i18n, choose_pin_repeat)}</label>
                <input id="pin-repeat" type="password" inputmode="numeric" autocomplete="new-password"
                    class="input--short"
                    aria-invalid=move || problem_text(true).is_some().to_string()
                    aria-describedby="pin-repeat-error"
                    prop:value=move || repeated.get()
                    on:input=move |ev| repeated.set(event_target_value(&ev)) />
                <p class="field__error" id="pin-repeat-error">{move || problem_text(true)}</p>
            </div>
            <p class="notice notice--error" role="alert" hidden=move || failure.get().is_none()>{move || failure.get()}</p>
            <div class="form__actions">
                <button type="submit" class="button button--primary" aria-disabled=move || busy.get().to_string()>
                    {t!(i18n, choose_pin_save)}
                </button>
            </div>
        </form>
    }
}
