//! The list of help requests on this device, with filters, search and sort over the local copy.

use std::collections::HashMap;

use domain::dictionary::DictionaryKind;
use domain::help_request::HelpRequestStatus;
use domain::request_list::{filter_requests, RequestFilter, SortOrder};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::cards::RequestCard;
use crate::components::forms::ChoiceField;
use crate::components::words::status_text;
use crate::i18n::*;
use crate::state::{use_app_state, Notice, SyncPhase};

/// Cards rendered at first; more on request, so a device with thousands stays quick.
const PAGE: usize = 100;

#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let notice = state.notice;
    // Shown once: leaving the page clears it.
    on_cleanup(move || notice.set(None));
    let filter = RwSignal::new(RequestFilter::default());
    let mine = RwSignal::new(false);
    let shown = RwSignal::new(PAGE);
    let target_groups = Memo::new(move |_| {
        state.residents.with(|residents| {
            residents
                .iter()
                .map(|r| (r.id, r.fields.target_groups.clone()))
                .collect::<HashMap<_, _>>()
        })
    });
    let found = Memo::new(move |_| {
        let mut filter = filter.get();
        filter.assigned_to = mine
            .get()
            .then(|| state.account.with(|a| a.as_ref().map(|a| a.id)))
            .flatten();
        state.requests.with(|rows| {
            rows.as_ref().map(|rows| {
                let groups = target_groups.read();
                let found = filter_requests(rows, &filter, &groups);
                (
                    found.len(),
                    rows.len(),
                    found
                        .into_iter()
                        .take(shown.get())
                        .cloned()
                        .collect::<Vec<_>>(),
                )
            })
        })
    });
    let set = move |change: &dyn Fn(&mut RequestFilter)| {
        filter.update(|f| change(f));
        shown.set(PAGE);
    };

    view! {
        <div class="page-title">
            <h1>{t!(i18n, requests_title)}</h1>
            <A href="/requests/new" attr:class="button button--primary">{t!(i18n, requests_add)}</A>
        </div>
        <Show when=move || notice.get() == Some(Notice::RequestSaved)>
            <p class="notice notice--ok" role="status">{t!(i18n, request_saved)}</p>
        </Show>
        <Show when=move || state.storage_unavailable.get()>
            <p class="notice notice--error" role="alert">{t!(i18n, storage_unavailable)}</p>
        </Show>
        // Folded, so the first requests are on screen; the summary says how many conditions apply.
        <details class="filters">
            <summary data-testid="filters-summary">
                {t!(i18n, filters_title)}
                {move || {
                    let active = filter.with(RequestFilter::active_count) + usize::from(mine.get());
                    (active > 0).then(|| view! {
                        " " <span class="count">{t_string!(i18n, filters_active, count = active).to_string()}</span>
                    })
                }}
            </summary>
            <div class="filters__grid">
                <div class="field">
                    <label for="search">{t!(i18n, filter_search)}</label>
                    <input
                        id="search"
                        type="search"
                        autocomplete="off"
                        prop:value=move || filter.with(|f| f.search.clone())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            set(&|f| f.search = value.clone())
                        }
                    />
                </div>
                <div class="field">
                    <label for="status">{t!(i18n, filter_status)}</label>
                    <select
                        id="status"
                        on:change=move |ev| {
                            let status = HelpRequestStatus::parse(&event_target_value(&ev));
                            set(&|f| f.status = status)
                        }
                    >
                        <option value="">{t!(i18n, filter_any)}</option>
                        {HelpRequestStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str()>{move || status_text(i18n, s)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <ChoiceField
                    id="filter_category"
                    kind=DictionaryKind::HelpCategory
                    value=Signal::derive(move || filter.with(|f| f.category.clone()))
                    on_change=move |v| set(&|f| f.category = v.clone())
                    problem=Signal::stored(None)
                    any_label=true
                >
                    {t!(i18n, field_category)}
                </ChoiceField>
                <ChoiceField
                    id="filter_district"
                    kind=DictionaryKind::District
                    value=Signal::derive(move || filter.with(|f| f.district.clone()))
                    on_change=move |v| set(&|f| f.district = v.clone())
                    problem=Signal::stored(None)
                    any_label=true
                >
                    {t!(i18n, field_district)}
                </ChoiceField>
                <ChoiceField
                    id="filter_target_group"
                    kind=DictionaryKind::TargetGroup
                    value=Signal::derive(move || filter.with(|f| f.target_group.clone()))
                    on_change=move |v| set(&|f| f.target_group = v.clone())
                    problem=Signal::stored(None)
                    any_label=true
                >
                    {t!(i18n, field_target_group)}
                </ChoiceField>
                <div class="field">
                    <label for="sort">{t!(i18n, filter_sort)}</label>
                    <select
                        id="sort"
                        on:change=move |ev| {
                            let sort = SortOrder::parse(&event_target_value(&ev)).unwrap_or_default();
                            set(&|f| f.sort = sort)
                        }
                    >
                        <option value="newest">{t!(i18n, sort_newest)}</option>
                        <option value="oldest">{t!(i18n, sort_oldest)}</option>
                        <option value="needed_by">{t!(i18n, sort_needed_by)}</option>
                        <option value="urgency">{t!(i18n, sort_urgency)}</option>
                    </select>
                </div>
                <label class="checkbox">
                    <input
                        type="checkbox"
                        prop:checked=move || mine.get()
                        on:change=move |ev| {
                            mine.set(event_target_checked(&ev));
                            shown.set(PAGE);
                        }
                    />
                    {t!(i18n, filter_assigned_to_me)}
                </label>
            </div>
        </details>
        {move || match found.get() {
            None => view! { <p class="muted">{t!(i18n, requests_loading)}</p> }.into_any(),
            // Nothing on the device is "no requests" only once the device has synced.
            Some((_, 0, _)) => match state.sync.with(|s| (s.last_success.is_some(), s.phase.clone(), s.received)) {
                (true, _, _) => view! { <p class="muted">{t!(i18n, requests_empty)}</p> }.into_any(),
                (false, SyncPhase::Syncing, received) => view! {
                    <p class="notice" role="status" data-testid="first-sync">
                        {t!(i18n, requests_first_sync, count = received)}
                    </p>
                }.into_any(),
                (false, _, _) => view! {
                    <p class="notice notice--warn" role="status" data-testid="not-synced">
                        {t!(i18n, requests_not_synced)}
                    </p>
                }.into_any(),
            },
            Some((count, total, rows)) => view! {
                <p class="muted" role="status" data-testid="request-count">
                    {t!(i18n, requests_count, count = count, total = total)}
                </p>
                <ul class="cards" data-testid="request-list">
                    {rows.into_iter().map(|row| view! { <RequestCard row /> }).collect_view()}
                </ul>
                <Show when=move || { count > shown.get() }>
                    <button type="button" class="button" on:click=move |_| shown.update(|s| *s += PAGE)>
                        {t!(i18n, show_more)}
                    </button>
                </Show>
            }
            .into_any(),
        }}
    }
}
