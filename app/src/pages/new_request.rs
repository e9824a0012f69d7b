//! Recording a help request: works offline; what is typed survives a reload until it is saved.

use domain::dictionary::DictionaryKind;
use domain::help_request::{
    Field, FieldError, HelpRequestFields, Problem, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::requests::language;
use crate::client;
use crate::i18n::*;
use crate::state::{use_app_state, Notice};

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let fields = RwSignal::new(HelpRequestFields::default());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let draft_restored = RwSignal::new(false);
    let save_failed = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let navigate = use_navigate();

    // After hydration only: the draft lives on the device, and the server render must match the first one.
    // Tracks the account: the draft belongs to whoever is signed in, known just after start.
    Effect::new(move || {
        state.account.track();
        if let Some(draft) = client::load_draft(state) {
            if draft != HelpRequestFields::default() {
                fields.set(draft);
                draft_restored.set(true);
            }
        }
    });
    let edit = move |change: fn(&mut HelpRequestFields, String), value: String| {
        fields.update(|f| change(f, value));
        fields.with_untracked(|f| client::save_draft(state, f));
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let normalized = fields.get_untracked().normalized();
        if let Err(found) = state.dictionary.with_untracked(|d| normalized.validate(d)) {
            errors.set(found);
            focus_first_error();
            return;
        }
        errors.set(Vec::new());
        saving.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match client::record_help_request(state, normalized).await {
                Ok(()) => {
                    client::clear_draft(state);
                    state.notice.set(Some(Notice::RequestSaved));
                    navigate("/", Default::default());
                }
                Err(e) => {
                    leptos::logging::error!("saving a help request failed: {e}");
                    save_failed.set(true);
                    saving.set(false);
                }
            }
        });
    };

    let error_for =
        move |field: Field| errors.with(|e| e.iter().find(|e| e.field == field).map(|e| e.problem));
    let dictionary_missing = move || state.dictionary.with(|d| d.is_empty());
    view! {
        <h1>{t!(i18n, new_request_title)}</h1>
        <p class="muted">{t!(i18n, new_request_intro)}</p>
        <Show when=move || draft_restored.get()>
            <p class="notice" role="status">{t!(i18n, draft_restored)}</p>
        </Show>
        <Show when=dictionary_missing>
            <p class="notice notice--warn" role="status">{t!(i18n, dictionary_missing)}</p>
        </Show>
        <Show when=move || !errors.with(Vec::is_empty)>
            <p class="notice notice--error" role="alert">{t!(i18n, form_has_errors)}</p>
        </Show>
        <Show when=move || save_failed.get()>
            <p class="notice notice--error" role="alert">{t!(i18n, storage_unavailable)}</p>
        </Show>
        <form class="form" novalidate on:submit=on_submit>
            <div class="field">
                <label for="resident_name">{t!(i18n, field_resident_name)}</label>
                <input
                    id="resident_name"
                    name="resident_name"
                    autocomplete="off"
                    maxlength=MAX_NAME_CHARS
                    aria-invalid=move || error_for(Field::ResidentName).is_some().to_string()
                    aria-describedby="resident_name-error"
                    prop:value=move || fields.with(|f| f.resident_name.clone())
                    on:input=move |ev| edit(|f, v| f.resident_name = v, event_target_value(&ev))
                />
                <FieldProblem id="resident_name-error" problem=Signal::derive(move || error_for(Field::ResidentName)) />
            </div>
            <ChoiceField
                id="district"
                kind=DictionaryKind::District
                value=Signal::derive(move || fields.with(|f| f.district.clone()))
                on_change=move |v| edit(|f, v| f.district = v, v)
                problem=Signal::derive(move || error_for(Field::District))
            >
                {t!(i18n, field_district)}
            </ChoiceField>
            <ChoiceField
                id="category"
                kind=DictionaryKind::HelpCategory
                value=Signal::derive(move || fields.with(|f| f.category.clone()))
                on_change=move |v| edit(|f, v| f.category = v, v)
                problem=Signal::derive(move || error_for(Field::Category))
            >
                {t!(i18n, field_category)}
            </ChoiceField>
            <div class="field">
                <label for="description">{t!(i18n, field_description)}</label>
                <p class="field__hint" id="description-hint">{t!(i18n, field_description_hint)}</p>
                <textarea
                    id="description"
                    name="description"
                    rows="5"
                    maxlength=MAX_DESCRIPTION_CHARS
                    aria-invalid=move || error_for(Field::Description).is_some().to_string()
                    aria-describedby="description-hint description-error"
                    prop:value=move || fields.with(|f| f.description.clone())
                    on:input=move |ev| edit(|f, v| f.description = v, event_target_value(&ev))
                ></textarea>
                <FieldProblem id="description-error" problem=Signal::derive(move || error_for(Field::Description)) />
            </div>
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || saving.get()>
                    {t!(i18n, save)}
                </button>
                <A href="/" attr:class="button button--quiet">{t!(i18n, cancel)}</A>
            </div>
        </form>
    }
}

/// A dropdown of one dictionary's active entries, labelled in the current language.
#[component]
fn ChoiceField(
    id: &'static str,
    kind: DictionaryKind,
    value: Signal<String>,
    on_change: impl Fn(String) + 'static,
    problem: Signal<Option<Problem>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let dictionary = use_app_state().dictionary;
    let error_id = format!("{id}-error");
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
                aria-describedby=error_id.clone()
                prop:value=value
                on:change=move |ev| on_change(event_target_value(&ev))
            >
                <option value="">{t!(i18n, choose)}</option>
                {options}
            </select>
            <FieldProblem id=error_id problem />
        </div>
    }
}

#[component]
fn FieldProblem(#[prop(into)] id: String, problem: Signal<Option<Problem>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="field__error" id=id>
            {move || problem.get().map(|problem| match problem {
                Problem::Required => t_string!(i18n, problem_required).to_string(),
                Problem::TooLong { max } => t_string!(i18n, problem_too_long, max = max).to_string(),
                Problem::UnknownChoice => t_string!(i18n, problem_unknown_choice).to_string(),
            })}
        </p>
    }
}

/// Moves keyboard and screen-reader focus to the first field to correct.
fn focus_first_error() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        // Runs after the signals re-render the `aria-invalid` attributes.
        leptos::task::spawn_local(async {
            let element = document()
                .query_selector("[aria-invalid=\"true\"]")
                .ok()
                .flatten();
            if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = element.focus();
            }
        });
    }
}
