//! The residents registry on this device: find a person by name (diacritics ignored), open their full
//! entry (an opening the audit log records), add or correct one, and (organisers) merge duplicates.

use chrono::Local;
use domain::account::Permission;
use domain::attendance::ImageConsent;
use domain::audit::PersonalRead;
use domain::consent::ConsentKind;
use domain::dictionary::DictionaryKind;
use domain::resident::{
    search, DataConsent, Resident, ResidentError, ResidentField, ResidentFields, MAX_ADDRESS_CHARS,
    MAX_NAME_CHARS, MAX_NOTES_CHARS, MAX_PHONE_CHARS,
};
use domain::sync::protocol::RecordKind;
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::data_rights::DataRights;
use crate::components::forms::focus_first;
use crate::components::forms::{problem_text, ChoiceField};
use crate::components::opening::toggle_noted;
use crate::components::words::{label, language, save_failure_text};
use crate::device::{self, SaveFailure};
use crate::i18n::*;
use crate::state::use_app_state;

const SHOWN: usize = 50;

#[component]
pub fn ResidentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let query = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Option<Uuid>>);
    let merging = RwSignal::new(Vec::<Uuid>::new());
    let failure = RwSignal::new(None::<SaveFailure>);
    let saved = RwSignal::new(false);
    let erased = RwSignal::new(None::<String>);
    let reviewer = move || state.may(Permission::ReviewEntries);
    let found = Memo::new(move |_| {
        let q = query.get();
        state.residents.with(|rs| {
            let all = search(rs, &q);
            (
                all.len(),
                all.into_iter().take(SHOWN).cloned().collect::<Vec<_>>(),
            )
        })
    });
    let merge = move |keep: Uuid, duplicate: Uuid| {
        failure.set(None);
        leptos::task::spawn_local(async move {
            match device::merge_residents(state, keep, duplicate).await {
                Ok(()) => {
                    merging.set(Vec::new());
                    saved.set(true);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let name_of = move |id: Uuid| {
        state.residents.with(|rs| {
            rs.iter()
                .find(|r| r.id == id)
                .map(|r| r.fields.name.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <div class="page-title">
            <h1>{t!(i18n, residents_title)}</h1>
            <button type="button" class="button button--primary" on:click=move |_| { saved.set(false); editing.set(Some(None)) }>
                {t!(i18n, resident_add)}
            </button>
        </div>
        <Show when=move || !state.holds_all(RecordKind::Resident)>
            <p class="notice" data-testid="residents-own-only">{t!(i18n, residents_own_only)}</p>
        </Show>
        <Show when=move || saved.get()>
            <p class="notice notice--ok" role="status">{t!(i18n, change_saved)}</p>
        </Show>
        {move || failure.get().map(|f| view! { <p class="notice notice--error" role="alert">{save_failure_text(i18n, &f)}</p> })}
        <div role="status" data-testid="erasure-done">
            {move || erased.get().map(|text| view! { <p class="notice notice--ok">{text}</p> })}
        </div>
        {move || editing.get().map(|id| view! { <ResidentForm id editing saved /> })}
        <div class="field">
            <label for="resident_search">{t!(i18n, resident_search)}</label>
            <input id="resident_search" type="search" autocomplete="off"
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
        </div>
        <Show when=move || reviewer() && merging.with(|m| m.len() == 2)>
            {move || {
                let pair = merging.get();
                let (a, b) = (pair[0], pair[1]);
                view! {
                    <div class="notice notice--warn merge-bar" role="group" aria-label=move || t_string!(i18n, merge_title).to_string()>
                        <p><strong>{t!(i18n, merge_title)}</strong> " " {t!(i18n, merge_explain)}</p>
                        <button type="button" class="button button--primary" on:click=move |_| merge(a, b)>
                            {move || t_string!(i18n, merge_keep, name = name_of(a)).to_string()}
                        </button>
                        <button type="button" class="button button--primary" on:click=move |_| merge(b, a)>
                            {move || t_string!(i18n, merge_keep, name = name_of(b)).to_string()}
                        </button>
                    </div>
                }
            }}
        </Show>
        <p class="muted" role="status">{move || t_string!(i18n, residents_count, count = found.with(|f| f.0)).to_string()}</p>
        <p class="muted">{t!(i18n, residents_reads_logged)}</p>
        <ul class="cards" data-testid="resident-list">
            {move || found.get().1.into_iter().map(|resident| view! {
                <ResidentCard resident editing merging erased reviewer=Signal::derive(reviewer) />
            }).collect_view()}
        </ul>
    }
}

#[component]
fn ResidentCard(
    resident: Resident,
    editing: RwSignal<Option<Option<Uuid>>>,
    merging: RwSignal<Vec<Uuid>>,
    erased: RwSignal<Option<String>>,
    reviewer: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = resident.id;
    let f = resident.fields.clone();
    let district = f.district.clone();
    let groups = f.target_groups.clone();
    let select_id = format!("merge-{id}");
    let state = use_app_state();
    let failure = RwSignal::new(None::<SaveFailure>);
    let handles_data_requests = move || state.may(Permission::HandleDataRequests);
    let image_consent = resident.image_consent.clone();
    let permits_photos = image_consent
        .as_ref()
        .is_some_and(ImageConsent::permits_photos);
    let withdraw = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = device::withdraw_image_consent(state, id).await {
                failure.set(Some(e));
            }
        });
    };
    let open = RwSignal::new(false);
    let name = f.name.clone();
    let title = name.clone();
    let details_id = format!("resident-details-{id}");
    let show = move |_| toggle_noted(PersonalRead::Resident { resident_id: id }, open, failure);
    let toggle_text = move || {
        if open.get() {
            t_string!(i18n, resident_hide).to_string()
        } else {
            t_string!(i18n, resident_show).to_string()
        }
    };
    let details = move || {
        let f = f.clone();
        let image_consent = image_consent.clone();
        view! {
            <p class="card__meta">
                {(!f.phone.is_empty()).then(|| format!("tel. {}", f.phone))}
                {(!f.phone.is_empty() && !f.address.is_empty()).then_some(" · ")}
                {(!f.address.is_empty()).then(|| f.address.clone())}
            </p>
            <p class="muted">
                {match f.consent.clone() {
                    Some(c) => t_string!(i18n, consent_given, version = c.text_version, date = c.given_on.format("%d.%m.%Y").to_string()).to_string(),
                    None => t_string!(i18n, consent_missing).to_string(),
                }}
            </p>
            <p class="muted" data-testid="image-consent">{image_consent_text(i18n, image_consent.as_ref())}</p>
            <div class="card__footer">
                <button type="button" class="button" on:click=move |_| editing.set(Some(Some(id)))>{t!(i18n, resident_edit)}</button>
                {permits_photos.then(|| view! {
                    <button type="button" class="button" on:click=withdraw>{t!(i18n, consent_withdraw)}</button>
                })}
            </div>
            <Show when=handles_data_requests>
                <DataRights resident=id erased />
            </Show>
        }
    };
    view! {
        <li class="card" data-testid="resident-card">
            <h2 class="card__title">{title}</h2>
            <p class="card__meta">
                {(!district.is_empty()).then(|| view! { {move || label(i18n, DictionaryKind::District, &district)} })}
            </p>
            {(!groups.is_empty()).then(|| view! {
                <p class="card__meta">{move || groups.iter().map(|g| label(i18n, DictionaryKind::TargetGroup, g)).collect::<Vec<_>>().join(", ")}</p>
            })}
            <Show when=move || failure.get().is_some()>
                <p class="notice notice--error" role="alert">{move || failure.get().map(|f| save_failure_text(i18n, &f))}</p>
            </Show>
            <div class="card__footer">
                <button type="button" class="button" aria-expanded=move || open.get().to_string()
                    aria-controls=details_id.clone() aria-label=move || format!("{}: {name}", toggle_text())
                    on:click=show>
                    {toggle_text}
                </button>
                <Show when=move || reviewer.get()>
                    <label class="checkbox" for=select_id.clone()>
                        <input type="checkbox" id=select_id.clone()
                            prop:checked=move || merging.with(|m| m.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                merging.update(|m| {
                                    m.retain(|x| *x != id);
                                    if on {
                                        if m.len() == 2 { m.remove(0); }
                                        m.push(id);
                                    }
                                });
                            } />
                        {t!(i18n, merge_select)}
                    </label>
                </Show>
            </div>
            <div id=details_id data-testid="resident-details">
                <Show when=move || open.get()>{details.clone()}</Show>
            </div>
        </li>
    }
}

fn image_consent_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    consent: Option<&ImageConsent>,
) -> String {
    let date =
        |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&Local).format("%d.%m.%Y").to_string();
    match consent {
        None => t_string!(i18n, image_consent_unknown).to_string(),
        Some(c) => match c.withdrawn_at {
            Some(at) => t_string!(i18n, image_consent_withdrawn, date = date(at)).to_string(),
            None if c.given => t_string!(
                i18n,
                image_consent_given,
                version = c.text_version,
                date = date(c.answered_at)
            )
            .to_string(),
            None => t_string!(i18n, image_consent_refused, date = date(c.answered_at)).to_string(),
        },
    }
}

#[component]
fn ResidentForm(
    id: Option<Uuid>,
    editing: RwSignal<Option<Option<Uuid>>>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let existing = id.and_then(|id| {
        state
            .residents
            .with_untracked(|rs| rs.iter().find(|r| r.id == id).cloned())
    });
    // On an entry already in the registry, only reviewers change what the resident decided.
    let decides = existing.is_none() || state.may(Permission::ReviewEntries);
    let fields = RwSignal::new(
        existing
            .as_ref()
            .map(|r| r.fields.clone())
            .unwrap_or_default(),
    );
    let consent = RwSignal::new(fields.with_untracked(|f| f.consent.is_some()));
    // The version a newly ticked consent agrees to: the data-processing text now in force.
    let data_text_version = move || {
        state.consent_texts.with(|t| {
            t.current(ConsentKind::DataProcessing)
                .map_or(1, |text| text.version)
        })
    };
    let errors = RwSignal::new(Vec::<ResidentError>::new());
    let failure = RwSignal::new(None::<SaveFailure>);
    let problem = move |field: ResidentField| {
        errors.with(|e| {
            e.iter()
                .find(|e| e.field == field)
                .map(|e| problem_text(i18n, e.problem))
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut f = fields.get_untracked();
        f.consent = match (consent.get_untracked(), f.consent.take()) {
            (false, _) => None,
            (true, Some(kept)) => Some(kept),
            (true, None) => Some(DataConsent {
                text_version: data_text_version(),
                given_on: Local::now().date_naive(),
            }),
        };
        let f = f.normalized();
        if let Err(found) = state.dictionary.with_untracked(|d| f.validate(d)) {
            errors.set(found);
            focus_first("#resident-form [aria-invalid=\"true\"]");
            return;
        }
        errors.set(Vec::new());
        let seen = existing.clone();
        leptos::task::spawn_local(async move {
            match device::save_resident(state, seen, f).await {
                Ok(()) => {
                    saved.set(true);
                    editing.set(None);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let text = move |field_id: &'static str,
                     field: ResidentField,
                     max: usize,
                     get: fn(&ResidentFields) -> String,
                     put: fn(&mut ResidentFields, String)| {
        let error_id = format!("{field_id}-error");
        view! {
            <input id=field_id name=field_id autocomplete="off" maxlength=max
                aria-invalid=move || problem(field).is_some().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || fields.with(get)
                on:input=move |ev| { let v = event_target_value(&ev); fields.update(|f| put(f, v)) } />
            <p class="field__error" id=error_id>{move || problem(field)}</p>
        }
    };
    view! {
        <form id="resident-form" class="form card" novalidate on:submit=on_submit>
            <h2>{if id.is_some() { t!(i18n, resident_edit).into_any() } else { t!(i18n, resident_add).into_any() }}</h2>
            {move || failure.get().map(|f| view! { <p class="notice notice--error" role="alert">{save_failure_text(i18n, &f)}</p> })}
            <div class="field">
                <label for="r_name">{t!(i18n, field_resident_name)}</label>
                {text("r_name", ResidentField::Name, MAX_NAME_CHARS, |f| f.name.clone(), |f, v| f.name = v)}
            </div>
            <div class="field">
                <label for="r_phone">{t!(i18n, field_phone)}</label>
                {text("r_phone", ResidentField::Phone, MAX_PHONE_CHARS, |f| f.phone.clone(), |f, v| f.phone = v)}
            </div>
            <div class="field">
                <label for="r_address">{t!(i18n, field_address)}</label>
                {text("r_address", ResidentField::Address, MAX_ADDRESS_CHARS, |f| f.address.clone(), |f, v| f.address = v)}
            </div>
            <ChoiceField
                id="r_district"
                kind=DictionaryKind::District
                value=Signal::derive(move || fields.with(|f| f.district.clone()))
                on_change=move |v| fields.update(|f| f.district = v)
                problem=Signal::stored(None)
            >
                {t!(i18n, field_district)}
            </ChoiceField>
            <fieldset class="field">
                <legend>{t!(i18n, field_target_groups)}</legend>
                {move || state.dictionary.with(|d| d.active(DictionaryKind::TargetGroup).map(|e| {
                    let code = e.code.clone();
                    let checked_code = code.clone();
                    let text = e.label(language(i18n.get_locale())).to_owned();
                    view! {
                        <label class="checkbox">
                            <input type="checkbox"
                                prop:checked=move || fields.with(|f| f.target_groups.contains(&checked_code))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let code = code.clone();
                                    fields.update(|f| { f.target_groups.retain(|g| *g != code); if on { f.target_groups.push(code); } });
                                } />
                            {text}
                        </label>
                    }
                }).collect_view())}
                <p class="field__error">{move || problem(ResidentField::TargetGroups)}</p>
            </fieldset>
            <div class="field">
                <label for="r_notes">{t!(i18n, field_notes)}</label>
                <textarea id="r_notes" rows="3" maxlength=MAX_NOTES_CHARS
                    prop:value=move || fields.with(|f| f.notes.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); fields.update(|f| f.notes = v) }></textarea>
                <p class="field__error">{move || problem(ResidentField::Notes)}</p>
            </div>
            <label class="checkbox">
                <input type="checkbox" disabled=!decides prop:checked=move || consent.get() on:change=move |ev| consent.set(event_target_checked(&ev)) />
                {move || {
                    let version = fields
                        .with(|f| f.consent.as_ref().map(|c| c.text_version))
                        .unwrap_or_else(data_text_version);
                    t_string!(i18n, consent_checkbox, version = version).to_string()
                }}
            </label>
            <label class="checkbox">
                <input type="checkbox" disabled=!decides prop:checked=move || fields.with(|f| f.listed_at_kiosk)
                    on:change=move |ev| { let on = event_target_checked(&ev); fields.update(|f| f.listed_at_kiosk = on) } />
                {t!(i18n, listed_at_kiosk_checkbox)}
            </label>
            <div class="form__actions">
                <button type="submit" class="button button--primary">{t!(i18n, save_resident)}</button>
                <button type="button" class="button button--quiet" on:click=move |_| editing.set(None)>{t!(i18n, cancel)}</button>
            </div>
        </form>
    }
}
