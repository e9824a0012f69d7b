//! The coordinator's settings: the dictionaries every form offers, the consent texts the kiosk asks,
//! how long closed requests stay on volunteers' phones, when the app locks on phones, and the retention
//! period. Online only; the server checks the same rules (`EntryLabels::validate`) and devices learn the
//! changes through the pull.

use domain::api::{self, Endpoint};
use domain::app_lock::LockAfter;
use domain::consent::{ConsentKind, ConsentTextRequest, PublishedConsentText};
use domain::dictionary::{DictionaryEntry, DictionaryKind, EntryLabels, LabelError, LabelField};
use domain::need_to_know::ClosedRequestDays;
use domain::settings::NumberSetting;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::forms::problem_text;
use crate::components::forms::{failure_text, focus_first, LoadFailure, TextField};
use crate::components::retention::RetentionSettings;
use crate::device::{self, ApiFailure};
use crate::i18n::*;
use crate::state::use_app_state;

type I18n = leptos_i18n::I18nContext<Locale>;

fn kind_text(i18n: I18n, kind: DictionaryKind) -> String {
    match kind {
        DictionaryKind::District => t_string!(i18n, settings_districts),
        DictionaryKind::Location => t_string!(i18n, settings_locations),
        DictionaryKind::HelpCategory => t_string!(i18n, settings_categories),
        DictionaryKind::TargetGroup => t_string!(i18n, settings_target_groups),
        DictionaryKind::PlanGoal => t_string!(i18n, settings_plan_goals),
    }
    .to_string()
}

fn label_problem(i18n: I18n, errors: &[LabelError], field: LabelField) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| {
        if e.problem == domain::help_request::Problem::Malformed {
            t_string!(i18n, settings_label_taken).to_string()
        } else {
            problem_text(i18n, e.problem)
        }
    })
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new(DictionaryKind::District);
    view! {
        <h1>{t!(i18n, settings_title)}</h1>
        <section class="report-section" aria-labelledby="dictionaries-title">
            <h2 id="dictionaries-title">{t!(i18n, settings_dictionaries)}</h2>
            <p class="field__hint">{t!(i18n, settings_dictionaries_hint)}</p>
            <div class="field">
                <label for="settings-kind">{t!(i18n, settings_list)}</label>
                <select id="settings-kind" on:change=move |ev| {
                    if let Some(k) = DictionaryKind::parse(&event_target_value(&ev)) {
                        kind.set(k);
                    }
                }>
                    {DictionaryKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=move || kind.get() == k>{move || kind_text(i18n, k)}</option>
                    }).collect_view()}
                </select>
            </div>
            {move || view! { <DictionaryEditor kind=kind.get() /> }.into_any()}
        </section>
        {ConsentKind::ALL.map(|kind| view! { <ConsentTextEditor kind /> })}
        {number_setting::<ClosedRequestDays>()}
        {number_setting::<LockAfter>()}
        <RetentionSettings />
    }
}

/// The form of a number the coordinator sets (`domain::settings`): its two endpoints and its words.
trait SettingForm: NumberSetting {
    type Show: Endpoint<Body = (), Answer = Self>;
    type Change: Endpoint<Body = Self, Answer = Self>;
    /// The prefix of the form's element ids and test ids.
    const ID: &'static str;
    fn title(i18n: I18n) -> String;
    fn hint(i18n: I18n) -> String;
    fn field(i18n: I18n) -> String;
    fn save(i18n: I18n) -> String;
    fn saved(i18n: I18n, number: u32) -> String;
    fn out_of_range(i18n: I18n) -> String;
}

/// How many days a closed request stays on the phones of its volunteers (`need_to_know`).
impl SettingForm for ClosedRequestDays {
    type Show = api::ShowClosedRequestDays;
    type Change = api::ChangeClosedRequestDays;
    const ID: &'static str = "closed-days";
    fn title(i18n: I18n) -> String {
        t_string!(i18n, closed_days_title).to_string()
    }
    fn hint(i18n: I18n) -> String {
        t_string!(i18n, closed_days_hint).to_string()
    }
    fn field(i18n: I18n) -> String {
        t_string!(i18n, closed_days_field).to_string()
    }
    fn save(i18n: I18n) -> String {
        t_string!(i18n, closed_days_save).to_string()
    }
    fn saved(i18n: I18n, days: u32) -> String {
        t_string!(i18n, closed_days_saved, days = days).to_string()
    }
    fn out_of_range(i18n: I18n) -> String {
        t_string!(i18n, closed_days_out_of_range, max = ClosedRequestDays::MAX).to_string()
    }
}

/// After how many idle minutes the app locks itself on phones (`app_lock`).
impl SettingForm for LockAfter {
    type Show = api::ShowLockAfter;
    type Change = api::ChangeLockAfter;
    const ID: &'static str = "lock-after";
    fn title(i18n: I18n) -> String {
        t_string!(i18n, lock_after_title).to_string()
    }
    fn hint(i18n: I18n) -> String {
        t_string!(i18n, lock_after_hint).to_string()
    }
    fn field(i18n: I18n) -> String {
        t_string!(i18n, lock_after_field).to_string()
    }
    fn save(i18n: I18n) -> String {
        t_string!(i18n, lock_after_save).to_string()
    }
    fn saved(i18n: I18n, minutes: u32) -> String {
        t_string!(i18n, lock_after_saved, minutes = minutes).to_string()
    }
    fn out_of_range(i18n: I18n) -> String {
        t_string!(i18n, lock_after_out_of_range, max = LockAfter::MAX).to_string()
    }
}

fn number_setting<S: SettingForm>() -> impl IntoView {
    let i18n = use_i18n();
    let number = RwSignal::new(String::new());
    let invalid = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let load_failed = RwSignal::new(None::<ApiFailure>);
    let load = move || {
        leptos::task::spawn_local(async move {
            match device::call::<S::Show>(&[], &()).await {
                Ok(current) => {
                    load_failed.set(None);
                    number.set(current.number().to_string());
                }
                Err(e) => load_failed.set(Some(e)),
            }
        });
    };
    Effect::new(load);
    let field_id = format!("{}-field", S::ID);
    let error_id = format!("{}-error", S::ID);
    let title_id = format!("{}-title", S::ID);
    let labelled_by = title_id.clone();
    let described_by = error_id.clone();
    let label_for = field_id.clone();
    let focus_target = format!("#{field_id}");
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let Some(wanted) = number
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .and_then(S::new)
        else {
            invalid.set(true);
            focus_first(focus_target.clone());
            return;
        };
        invalid.set(false);
        leptos::task::spawn_local(async move {
            match device::call::<S::Change>(&[], &wanted).await {
                Ok(now) => {
                    failure.set(None);
                    number.set(now.number().to_string());
                    saved.set(Some(S::saved(i18n, now.number())));
                }
                Err(e) => failure.set(Some(failure_text(i18n, &e))),
            }
        });
    };
    view! {
        <section class="report-section" aria-labelledby=labelled_by>
            <h2 id=title_id>{move || S::title(i18n)}</h2>
            <p class="field__hint">{move || S::hint(i18n)}</p>
            <LoadFailure failure=load_failed retry=load />
            <form class="form" on:submit=on_save novalidate>
                <div class="field">
                    <label for=label_for>{move || S::field(i18n)}</label>
                    <input id=field_id type="number" inputmode="numeric" min=S::MIN
                        max=S::MAX class="input--short"
                        prop:value=move || number.get()
                        aria-invalid=move || invalid.get().to_string()
                        aria-describedby=described_by
                        on:input=move |ev| number.set(event_target_value(&ev)) />
                    <p class="field__error" id=error_id>{move || invalid.get().then(|| S::out_of_range(i18n))}</p>
                </div>
                <div class="form__actions">
                    <button type="submit" class="button button--primary">{move || S::save(i18n)}</button>
                </div>
            </form>
            <p role="status" data-testid=format!("{}-saved", S::ID)>{move || saved.get()}</p>
            <p class="notice notice--error" role="alert" hidden=move || failure.get().is_none()>{move || failure.get()}</p>
        </section>
    }
}

#[component]
fn DictionaryEditor(kind: DictionaryKind) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let editing = RwSignal::new(None::<String>);
    let rows = move || {
        state
            .dictionary
            .with(|d| d.all(kind).cloned().collect::<Vec<_>>())
    };
    view! {
        <ul class="export-list" data-testid="dictionary-entries">
            <For each=rows key=|e| (e.code.clone(), e.label_pl.clone(), e.label_en.clone(), e.active) let:entry>
                {
                    let code = entry.code.clone();
                    let is_editing = move || editing.get().as_deref() == Some(code.as_str());
                    let edit_code = entry.code.clone();
                    let shown = entry.clone();
                    let data_code = entry.code.clone();
                    view! {
                        <li class="export-list__item" data-code=data_code>
                            <Show when=is_editing fallback=move || {
                                let edit_code = edit_code.clone();
                                let shown = shown.clone();
                                view! {
                                    <span>
                                        {shown.label_pl.clone()}
                                        <span class="muted" lang="en">" · " {shown.label_en.clone()}</span>
                                        {(!shown.active).then(|| view! { " " <span class="badge badge--warn">{t!(i18n, settings_retired)}</span> })}
                                    </span>
                                    <button type="button" class="button button--quiet"
                                        aria-label=format!("{} {}", t_string!(i18n, settings_edit), shown.label_pl)
                                        on:click=move |_| editing.set(Some(edit_code.clone()))>
                                        {t!(i18n, settings_edit)}
                                    </button>
                                }
                            }>
                                <EntryForm kind existing=Some(entry.clone()) on_done=move || editing.set(None) />
                            </Show>
                        </li>
                    }
                }
            </For>
        </ul>
        <h3>{t!(i18n, settings_add)}</h3>
        <EntryForm kind existing=None on_done=|| () />
    }
    .into_any()
}

/// Edits an entry's labels and whether it is in use, or adds a new entry when `existing` is `None`.
#[component]
fn EntryForm(
    kind: DictionaryKind,
    existing: Option<DictionaryEntry>,
    on_done: impl Fn() + Clone + Send + Sync + 'static,
) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let editing = existing.is_some();
    let label_pl = RwSignal::new(
        existing
            .as_ref()
            .map(|e| e.label_pl.clone())
            .unwrap_or_default(),
    );
    let label_en = RwSignal::new(
        existing
            .as_ref()
            .map(|e| e.label_en.clone())
            .unwrap_or_default(),
    );
    let active = RwSignal::new(existing.as_ref().is_none_or(|e| e.active));
    let errors = RwSignal::new(Vec::<LabelError>::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let code = existing.as_ref().map(|e| e.code.clone());
    let on_submit = {
        let on_done = on_done.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let labels = EntryLabels {
                label_pl: label_pl.get_untracked(),
                label_en: label_en.get_untracked(),
                active: active.get_untracked(),
            }
            .normalized();
            let checked = state
                .dictionary
                .with_untracked(|d| labels.validate(d, kind, code.as_deref()));
            if let Err(found) = checked {
                errors.set(found);
                focus_first(".dictionary-form [aria-invalid=true]");
                return;
            }
            errors.set(Vec::new());
            busy.set(true);
            let code = code.clone();
            let on_done = on_done.clone();
            leptos::task::spawn_local(async move {
                let saved = match &code {
                    Some(code) => {
                        device::call::<api::UpdateDictionaryEntry>(&[&kind.as_str(), code], &labels)
                            .await
                    }
                    None => {
                        device::call::<api::AddDictionaryEntry>(&[&kind.as_str()], &labels).await
                    }
                };
                busy.set(false);
                match saved {
                    Ok(entry) => {
                        failure.set(None);
                        state.dictionary.update(|d| d.upsert(entry));
                        device::sync_now();
                        if code.is_none() {
                            label_pl.set(String::new());
                            label_en.set(String::new());
                        }
                        on_done();
                    }
                    Err(ApiFailure::Status {
                        status: 422, body, ..
                    }) => {
                        errors.set(
                            serde_json::from_value(body["errors"].clone()).unwrap_or_default(),
                        );
                        focus_first(".dictionary-form [aria-invalid=true]");
                    }
                    Err(e) => failure.set(Some(failure_text(i18n, &e))),
                }
            });
        }
    };
    let problem =
        move |field| Signal::derive(move || errors.with(|e| label_problem(i18n, e, field)));
    // One entry is edited at a time, so the ids stay unique on the page.
    let (pl_id, en_id, active_id) = if editing {
        ("edit-label-pl", "edit-label-en", "edit-active")
    } else {
        ("new-label-pl", "new-label-en", "new-active")
    };
    view! {
        <form class="form dictionary-form" on:submit=on_submit novalidate>
            <TextField id=pl_id label=Signal::derive(move || t_string!(i18n, settings_label_pl).to_string())
                value=label_pl problem=problem(LabelField::LabelPl) />
            <TextField id=en_id label=Signal::derive(move || t_string!(i18n, settings_label_en).to_string())
                value=label_en problem=problem(LabelField::LabelEn) />
            <label class="checkbox">
                <input id=active_id type="checkbox" prop:checked=move || active.get()
                    on:change=move |ev| active.set(event_target_checked(&ev)) />
                {t!(i18n, settings_active)}
            </label>
            <p class="notice notice--error" role="alert" hidden=move || failure.get().is_none()>{move || failure.get()}</p>
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {move || if editing { t_string!(i18n, settings_save) } else { t_string!(i18n, settings_add_button) }}
                </button>
                {editing.then(|| view! {
                    <button type="button" class="button button--quiet" on:click=move |_| on_done()>{t!(i18n, settings_cancel)}</button>
                })}
            </div>
        </form>
    }
    .into_any()
}

/// What a coordinator reads about one consent: its title, what a change of its text means, and the
/// answer to a saved change.
fn consent_words(i18n: I18n, kind: ConsentKind) -> (String, String) {
    let (title, hint) = match kind {
        ConsentKind::Image => (
            t_string!(i18n, settings_consent_image),
            t_string!(i18n, settings_consent_image_hint),
        ),
        ConsentKind::DataProcessing => (
            t_string!(i18n, settings_consent_data_processing),
            t_string!(i18n, settings_consent_data_processing_hint),
        ),
        ConsentKind::KioskListing => (
            t_string!(i18n, settings_consent_kiosk_listing),
            t_string!(i18n, settings_consent_kiosk_listing_hint),
        ),
    };
    (title.to_string(), hint.to_string())
}

/// A changed text becomes a new version; answers keep the version they answered.
#[component]
fn ConsentTextEditor(kind: ConsentKind) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let current = move || state.consent_texts.with(|t| t.current(kind).cloned());
    let text_pl = RwSignal::new(String::new());
    let text_en = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let missing = RwSignal::new(false);
    // Fills the fields once the current text is known (after the first pull).
    Effect::new(move || {
        if let Some(current) = current() {
            if text_pl.get_untracked().is_empty() && text_en.get_untracked().is_empty() {
                text_pl.set(current.text_pl);
                text_en.set(current.text_en);
            }
        }
    });
    let id = |part: &str| format!("consent-{}-{part}", kind.as_str());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (pl, en) = (text_pl.get_untracked(), text_en.get_untracked());
        if pl.trim().is_empty() || en.trim().is_empty() {
            missing.set(true);
            focus_first(format!("#consent-{}-pl", kind.as_str()));
            return;
        }
        missing.set(false);
        let before = state
            .consent_texts
            .with_untracked(|t| t.current(kind).map(|t| t.version));
        leptos::task::spawn_local(async move {
            let body = ConsentTextRequest {
                text_pl: pl,
                text_en: en,
            };
            match device::call::<api::ReviseConsentText>(&[&kind.as_str()], &body).await {
                Ok(text) => {
                    failure.set(None);
                    saved.set(Some(if Some(text.version) == before {
                        t_string!(i18n, settings_consent_unchanged).to_string()
                    } else {
                        t_string!(i18n, settings_consent_saved, version = text.version).to_string()
                    }));
                    state
                        .consent_texts
                        .update(|t| t.publish(PublishedConsentText { kind, text }));
                    device::sync_now();
                }
                Err(e) => failure.set(Some(failure_text(i18n, &e))),
            }
        });
    };
    let required = move || {
        missing
            .get()
            .then(|| t_string!(i18n, problem_required).to_string())
    };
    let (title_id, pl_id, en_id, error_id) = (id("title"), id("pl"), id("en"), id("error"));
    view! {
        <section class="report-section" aria-labelledby=title_id.clone()>
            <h2 id=title_id.clone()>{move || consent_words(i18n, kind).0}</h2>
            <p class="field__hint">
                {move || current().map(|t| t_string!(i18n, settings_consent_version, version = t.version, since = t.since.format("%d.%m.%Y").to_string()).to_string())}
                " " {move || consent_words(i18n, kind).1}
            </p>
            <form class="form" on:submit=on_submit novalidate>
                <div class="field">
                    <label for=pl_id.clone()>{t!(i18n, settings_consent_pl)}</label>
                    <textarea id=pl_id rows="6" prop:value=move || text_pl.get()
                        aria-invalid=move || required().is_some().to_string() aria-describedby=error_id.clone()
                        on:input=move |ev| text_pl.set(event_target_value(&ev))></textarea>
                </div>
                <div class="field">
                    <label for=en_id.clone()>{t!(i18n, settings_consent_en)}</label>
                    <textarea id=en_id rows="6" lang="en" prop:value=move || text_en.get()
                        aria-invalid=move || required().is_some().to_string() aria-describedby=error_id.clone()
                        on:input=move |ev| text_en.set(event_target_value(&ev))></textarea>
                </div>
                <p class="field__error" id=error_id.clone()>{required}</p>
                <p class="notice notice--error" role="alert" hidden=move || failure.get().is_none()>{move || failure.get()}</p>
                <p role="status" data-testid="consent-saved">{move || saved.get()}</p>
                <div class="form__actions">
                    <button type="submit" class="button button--primary">{t!(i18n, settings_consent_save)}</button>
                </div>
            </form>
        </section>
    }
    .into_any()
}
