//! The help-request form, for a new request and for corrections: works offline; a new request's typing
//! survives a reload until it is saved.

use chrono::NaiveDate;
use domain::dictionary::DictionaryKind;
use domain::help_request::{
    Field, FieldError, HelpRequest, HelpRequestFields, HelpRequestStatus, Urgency,
    MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_PLACE_CHARS,
};
use domain::resident::search;
use domain::sync::protocol::RecordKind;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use crate::components::forms::focus_first;
use crate::components::forms::{ChoiceField, FieldProblem};
use crate::components::words::{save_failure_text, urgency_text};
use crate::device::{self, SaveFailure};
use crate::i18n::*;
use crate::state::{use_app_state, Lock, Notice};

/// How many registry matches the name field suggests.
const SUGGESTIONS: usize = 5;

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let fields = RwSignal::new(HelpRequestFields::default());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let draft_restored = RwSignal::new(false);
    let failure = RwSignal::new(None::<SaveFailure>);
    let saving = RwSignal::new(false);
    let navigate = use_navigate();

    // After hydration only: the draft lives on the device, and the server render must match the first one.
    // Tracks the account: the draft belongs to whoever is signed in, known just after start. And the
    // lock: the draft is sealed, so it opens with the app.
    Effect::new(move || {
        state.account.track();
        if state.lock.get() != Lock::Open {
            return;
        }
        if let Some(draft) = device::load_draft(state) {
            if draft != HelpRequestFields::default() {
                fields.set(draft);
                draft_restored.set(true);
            }
        }
    });
    let on_edit = Callback::new(move |()| fields.with_untracked(|f| device::save_draft(state, f)));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(normalized) = checked(fields, errors, saving) else {
            return;
        };
        saving.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match device::record_help_request(state, normalized).await {
                Ok(()) => {
                    device::clear_draft(state);
                    state.notice.set(Some(Notice::RequestSaved));
                    navigate("/", Default::default());
                }
                Err(e) => {
                    leptos::logging::error!("saving a help request failed: {e:?}");
                    failure.set(Some(e));
                    saving.set(false);
                }
            }
        });
    };

    view! {
        <h1>{t!(i18n, new_request_title)}</h1>
        <p class="muted">{t!(i18n, new_request_intro)}</p>
        <Show when=move || draft_restored.get()>
            <p class="notice" role="status">{t!(i18n, draft_restored)}</p>
        </Show>
        <FormNotices errors failure />
        <form class="form" novalidate on:submit=on_submit>
            <RequestFields fields errors on_edit />
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || saving.get()>
                    {t!(i18n, save_request)}
                </button>
                <A href="/" attr:class="button button--quiet">{t!(i18n, cancel)}</A>
            </div>
        </form>
    }
}

/// Corrections to a request on this device; for a returned request, also sends it back for approval.
#[component]
pub fn EditRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let query = use_query_map();
    let id = move || query.with(|q| q.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let fields = RwSignal::new(HelpRequestFields::default());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<SaveFailure>);
    let saving = RwSignal::new(false);
    // The copy the form was filled from: saving sends only what the person changed in it.
    let seen = RwSignal::new(None::<HelpRequest>);
    let navigate = use_navigate();
    let request = Memo::new(move |_| {
        let id = id()?;
        state.requests.with(|rows| {
            rows.as_ref()?
                .iter()
                .find(|r| r.request.id == id)
                .map(|r| r.request.clone())
        })
    });
    // Fills the form once from the device's copy; later syncs do not overwrite what is being typed.
    Effect::new(move || {
        if let Some(request) = request.get() {
            if seen.with_untracked(Option::is_none) {
                fields.set(request.fields.clone());
                seen.set(Some(request));
            }
        }
    });
    let returned = move || {
        request.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.status == HelpRequestStatus::Returned)
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(shown), Some(normalized)) =
            (seen.get_untracked(), checked(fields, errors, saving))
        else {
            return;
        };
        let id = shown.id;
        saving.set(true);
        let resubmit = returned();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match device::edit_help_request(state, shown, normalized, resubmit).await {
                Ok(()) => {
                    state.notice.set(Some(Notice::ChangeSaved));
                    navigate(&format!("/request?id={id}"), Default::default());
                }
                Err(e) => {
                    failure.set(Some(e));
                    saving.set(false);
                    focus_first("[role=alert]");
                }
            }
        });
    };
    let comment = move || request.with(|r| r.as_ref().and_then(|r| r.review_comment.clone()));
    view! {
        <h1>{t!(i18n, edit_request_title)}</h1>
        <Show when=move || returned() && comment().is_some()>
            <div class="notice notice--warn" data-testid="review-comment">
                <p><strong>{t!(i18n, returned_comment_label)}</strong></p>
                <p>{comment}</p>
            </div>
        </Show>
        <FormNotices errors failure />
        <Show
            when=move || seen.with(Option::is_some)
            fallback=move || view! { <p class="muted">{t!(i18n, requests_loading)}</p> }
        >
            <form class="form" novalidate on:submit=on_submit.clone()>
                <RequestFields fields errors on_edit=Callback::new(|()| {}) />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || saving.get()>
                        {move || if returned() {
                            t_string!(i18n, save_and_resubmit).to_string()
                        } else {
                            t_string!(i18n, save_request).to_string()
                        }}
                    </button>
                    <A
                        href=move || format!("/request?id={}", id().unwrap_or_default())
                        attr:class="button button--quiet"
                    >
                        {t!(i18n, cancel)}
                    </A>
                </div>
            </form>
        </Show>
    }
}

/// Validates the form on the device; marks and focuses the fields to correct.
fn checked(
    fields: RwSignal<HelpRequestFields>,
    errors: RwSignal<Vec<FieldError>>,
    saving: RwSignal<bool>,
) -> Option<HelpRequestFields> {
    if saving.get_untracked() {
        return None;
    }
    let normalized = fields.get_untracked().normalized();
    let state = use_app_state();
    if let Err(found) = state.dictionary.with_untracked(|d| normalized.validate(d)) {
        errors.set(found);
        focus_first("[aria-invalid=\"true\"]");
        return None;
    }
    errors.set(Vec::new());
    Some(normalized)
}

#[component]
fn FormNotices(
    errors: RwSignal<Vec<FieldError>>,
    failure: RwSignal<Option<SaveFailure>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    view! {
        <Show when=move || state.dictionary.with(|d| d.is_empty())>
            <p class="notice notice--warn" role="status">{t!(i18n, dictionary_missing)}</p>
        </Show>
        <Show when=move || !errors.with(Vec::is_empty)>
            <p class="notice notice--error" role="alert">{t!(i18n, form_has_errors)}</p>
        </Show>
        {move || failure.get().map(|f| view! {
            <p class="notice notice--error" role="alert" tabindex="-1">{save_failure_text(i18n, &f)}</p>
        })}
    }
}

/// The request's fields. The name suggests residents from the registry (found offline, diacritics
/// ignored); picking one links the request to them.
#[component]
fn RequestFields(
    fields: RwSignal<HelpRequestFields>,
    errors: RwSignal<Vec<FieldError>>,
    on_edit: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let edit = move |change: &dyn Fn(&mut HelpRequestFields)| {
        fields.update(|f| change(f));
        on_edit.run(());
    };
    let error_for =
        move |field: Field| errors.with(|e| e.iter().find(|e| e.field == field).map(|e| e.problem));
    let suggestions = Memo::new(move |_| {
        let (name, picked) = fields.with(|f| (f.resident_name.clone(), f.resident_id.is_some()));
        if picked || name.trim().chars().count() < 2 {
            return Vec::new();
        }
        state.residents.with(|residents| {
            search(residents, &name)
                .into_iter()
                .take(SUGGESTIONS)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let picked = move || {
        let id = fields.with(|f| f.resident_id)?;
        state
            .residents
            .with(|rs| rs.iter().find(|r| r.id == id).cloned())
    };
    view! {
        <div class="field">
            <label for="resident_name">{t!(i18n, field_resident_name)}</label>
            <p class="field__hint" id="resident_name-hint">
                {move || if state.holds_all(RecordKind::Resident) {
                    t_string!(i18n, field_resident_name_hint).to_string()
                } else {
                    t_string!(i18n, field_resident_name_hint_own).to_string()
                }}
            </p>
            <input
                id="resident_name"
                name="resident_name"
                autocomplete="off"
                maxlength=MAX_NAME_CHARS
                aria-invalid=move || error_for(Field::ResidentName).is_some().to_string()
                aria-describedby="resident_name-hint resident_name-error"
                prop:value=move || fields.with(|f| f.resident_name.clone())
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    // A different name is a different person: the link to the registry goes.
                    edit(&|f| {
                        f.resident_name = value.clone();
                        f.resident_id = None;
                    })
                }
            />
            <FieldProblem id="resident_name-error" problem=Signal::derive(move || error_for(Field::ResidentName)) />
            {move || picked().map(|resident| view! {
                <p class="notice notice--ok" data-testid="resident-picked">
                    {t!(i18n, resident_picked)} " " <strong>{resident.fields.name.clone()}</strong>
                    {(!resident.fields.phone.is_empty()).then(|| format!(", tel. {}", resident.fields.phone))}
                </p>
            })}
            <Show when=move || !suggestions.with(Vec::is_empty)>
                <div class="suggestions" role="group" aria-label=move || t_string!(i18n, resident_suggestions).to_string()>
                    <For
                        each=move || suggestions.get()
                        key=|r| r.id
                        children=move |resident| {
                            let chosen = resident.clone();
                            let detail = [resident.fields.phone.clone(), resident.fields.address.clone()]
                                .into_iter()
                                .filter(|s| !s.is_empty())
                                .collect::<Vec<_>>()
                                .join(", ");
                            view! {
                                <button
                                    type="button"
                                    class="button button--quiet suggestion"
                                    on:click=move |_| {
                                        let chosen = chosen.clone();
                                        edit(&|f| {
                                            f.resident_id = Some(chosen.id);
                                            f.resident_name = chosen.fields.name.clone();
                                            if !chosen.fields.district.is_empty() {
                                                f.district = chosen.fields.district.clone();
                                            }
                                        })
                                    }
                                >
                                    {t!(i18n, resident_pick)} " " {resident.fields.name.clone()}
                                    {(!detail.is_empty()).then(|| format!(" ({detail})"))}
                                </button>
                            }
                        }
                    />
                </div>
            </Show>
        </div>
        <ChoiceField
            id="district"
            kind=DictionaryKind::District
            value=Signal::derive(move || fields.with(|f| f.district.clone()))
            on_change=move |v| edit(&|f| f.district = v.clone())
            problem=Signal::derive(move || error_for(Field::District))
        >
            {t!(i18n, field_district)}
        </ChoiceField>
        <ChoiceField
            id="category"
            kind=DictionaryKind::HelpCategory
            value=Signal::derive(move || fields.with(|f| f.category.clone()))
            on_change=move |v| edit(&|f| f.category = v.clone())
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
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    edit(&|f| f.description = value.clone())
                }
            ></textarea>
            <FieldProblem id="description-error" problem=Signal::derive(move || error_for(Field::Description)) />
        </div>
        <div class="field">
            <label for="urgency">{t!(i18n, field_urgency)}</label>
            <select
                id="urgency"
                name="urgency"
                prop:value=move || fields.with(|f| f.urgency.as_str())
                on:change=move |ev| {
                    let urgency = Urgency::parse(&event_target_value(&ev)).unwrap_or_default();
                    edit(&|f| f.urgency = urgency)
                }
            >
                {Urgency::ALL.into_iter().map(|u| view! {
                    <option value=u.as_str() selected=move || fields.with(|f| f.urgency == u)>
                        {move || urgency_text(i18n, u)}
                    </option>
                }).collect_view()}
            </select>
        </div>
        <div class="field">
            <label for="needed_by">{t!(i18n, field_needed_by)}</label>
            <input
                id="needed_by"
                name="needed_by"
                type="date"
                prop:value=move || fields.with(|f| f.needed_by.map(|d| d.to_string()).unwrap_or_default())
                on:change=move |ev| {
                    let date = NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d").ok();
                    edit(&|f| f.needed_by = date)
                }
            />
        </div>
        <div class="field">
            <label for="place">{t!(i18n, field_place)}</label>
            <p class="field__hint" id="place-hint">{t!(i18n, field_place_hint)}</p>
            <input
                id="place"
                name="place"
                autocomplete="off"
                maxlength=MAX_PLACE_CHARS
                aria-invalid=move || error_for(Field::Place).is_some().to_string()
                aria-describedby="place-hint place-error"
                prop:value=move || fields.with(|f| f.place.clone())
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    edit(&|f| f.place = value.clone())
                }
            />
            <FieldProblem id="place-error" problem=Signal::derive(move || error_for(Field::Place)) />
        </div>
    }
}
