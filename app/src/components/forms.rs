//! Pieces forms share: a labelled text field, a dictionary dropdown, a field's problem, and the messages
//! for the server's answers.

use domain::account::{AccountError, AccountField, AccountProblem};
use domain::dictionary::DictionaryKind;
use domain::help_request::Problem;
use domain::report::REPORT_YEARS;
use leptos::prelude::*;

use super::words::language;
use crate::device::ApiFailure;
use crate::i18n::*;
use crate::state::use_app_state;

/// A labelled input; `problem` is the message under it (and marks it invalid for screen readers).
#[component]
pub fn TextField(
    id: &'static str,
    label: Signal<String>,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<Signal<String>>,
    #[prop(into, default = Signal::stored(None))] problem: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <p class="field__error" id=error_id>{move || problem.get()}</p>
        </div>
    }
}

/// The message for one account-field problem, in the UI language.
pub fn account_problem_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    problem: AccountProblem,
) -> String {
    match problem {
        AccountProblem::Required => t_string!(i18n, problem_required).to_string(),
        AccountProblem::TooShort { min } => {
            t_string!(i18n, problem_too_short, min = min).to_string()
        }
        AccountProblem::TooLong { max } => t_string!(i18n, problem_too_long, max = max).to_string(),
        AccountProblem::BadCharacters => t_string!(i18n, problem_username_chars).to_string(),
        AccountProblem::SameAsUsername => t_string!(i18n, problem_same_as_username).to_string(),
        AccountProblem::Taken => t_string!(i18n, problem_username_taken).to_string(),
    }
}

/// The field problems of a 422 answer (or of the same checks run before sending).
pub fn account_errors(failure: &ApiFailure) -> Vec<AccountError> {
    match failure {
        ApiFailure::Status { body, .. } => {
            serde_json::from_value(body["errors"].clone()).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

pub fn problem_for(errors: &[AccountError], field: AccountField) -> Option<AccountProblem> {
    errors.iter().find(|e| e.field == field).map(|e| e.problem)
}

/// A sentence for a failed call that is not about one field.
pub fn failure_text(i18n: leptos_i18n::I18nContext<Locale>, failure: &ApiFailure) -> String {
    match failure {
        ApiFailure::Network => t_string!(i18n, failure_network).to_string(),
        ApiFailure::Status {
            retry_after: Some(seconds),
            status: 429,
            ..
        } => t_string!(i18n, failure_throttled, seconds = *seconds).to_string(),
        ApiFailure::Status { status: 401, .. } => t_string!(i18n, failure_signed_out).to_string(),
        ApiFailure::Status { status: 403, .. } => t_string!(i18n, failure_forbidden).to_string(),
        ApiFailure::Status { status: 422, .. } => t_string!(i18n, form_has_errors).to_string(),
        ApiFailure::Status { status, .. } => {
            t_string!(i18n, problem_server, status = *status).to_string()
        }
        ApiFailure::Unexpected => t_string!(i18n, problem_unexpected).to_string(),
    }
}

/// What a page showing what only the server has says when loading it failed: offline, that the page needs
/// the network, with a way to try again (never "nothing here"); otherwise the failure itself.
#[component]
pub fn LoadFailure(
    failure: RwSignal<Option<ApiFailure>>,
    retry: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        failure.get().map(|failure| match failure {
            ApiFailure::Network => view! {
                <p class="notice notice--warn" role="status" data-testid="needs-network">
                    {t!(i18n, page_needs_network)} " "
                    <button type="button" class="button" on:click=move |_| retry()>{t!(i18n, try_again)}</button>
                </p>
            }
            .into_any(),
            other => view! {
                <p class="notice notice--error" role="alert">{failure_text(i18n, &other)}</p>
            }
            .into_any(),
        })
    }
}

/// Moves keyboard and screen-reader focus to the first field to correct (or to an alert).
pub fn focus_first(selector: impl Into<String>) {
    let selector = selector.into();
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        // Runs after the signals have re-rendered the attributes the selector looks for.
        leptos::task::spawn_local(async move {
            let element = document().query_selector(&selector).ok().flatten();
            if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = element.focus();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = selector;
}

/// A dropdown of one dictionary's active entries, labelled in the current language.
#[component]
pub fn ChoiceField(
    id: &'static str,
    kind: DictionaryKind,
    value: Signal<String>,
    on_change: impl Fn(String) + 'static,
    problem: Signal<Option<Problem>>,
    #[prop(optional)] any_label: bool,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let dictionary = state.dictionary;
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    // Before the device's first sync its lists are empty: say so, rather than only "required".
    let not_here_yet =
        move || state.store_read() && dictionary.with(|d| d.active(kind).next().is_none());
    let options = move || {
        let (selected, lang) = (value.get(), language(i18n.get_locale()));
        dictionary.with(|d| {
            d.active(kind)
                .map(|e| {
                    let is_selected = e.code == selected;
                    view! { <option value=e.code.clone() selected=is_selected>{e.label(lang).to_owned()}</option> }
                })
                .collect_view()
        })
    };
    view! {
        <div class="field">
            <label for=id>{children()}</label>
            <select
                id=id
                name=id
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=format!("{error_id} {hint_id}")
                prop:value=value
                on:change=move |ev| on_change(event_target_value(&ev))
            >
                <option value="">
                    {move || if any_label {
                        t_string!(i18n, filter_any).to_string()
                    } else {
                        t_string!(i18n, choose).to_string()
                    }}
                </option>
                {options}
            </select>
            <p class="field__hint" id=hint_id data-testid="choices-not-here-yet" hidden=move || !not_here_yet()>
                {t!(i18n, choices_not_here_yet)}
            </p>
            <FieldProblem id=error_id problem />
        </div>
    }
}

#[component]
pub fn FieldProblem(#[prop(into)] id: String, problem: Signal<Option<Problem>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="field__error" id=id>
            {move || problem.get().map(|problem| problem_text(i18n, problem))}
        </p>
    }
}

pub fn problem_text(i18n: leptos_i18n::I18nContext<Locale>, problem: Problem) -> String {
    match problem {
        Problem::Required => t_string!(i18n, problem_required).to_string(),
        Problem::TooLong { max } => t_string!(i18n, problem_too_long, max = max).to_string(),
        Problem::UnknownChoice => t_string!(i18n, problem_unknown_choice).to_string(),
        Problem::Malformed => t_string!(i18n, problem_malformed).to_string(),
        Problem::OutsideYears => t_string!(
            i18n,
            problem_outside_years,
            first = *REPORT_YEARS.start(),
            last = *REPORT_YEARS.end()
        )
        .to_string(),
    }
}
