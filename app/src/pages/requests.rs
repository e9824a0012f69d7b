//! The list of help requests on this device, newest first, each with whether the server has it.

use chrono::Local;
use domain::dictionary::{DictionaryKind, Language};
use domain::help_request::HelpRequestStatus;
use domain::sync::merge::SyncState;
use domain::sync::protocol::RejectReason;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::*;
use crate::state::{use_app_state, Notice, RequestRow};

pub fn language(locale: Locale) -> Language {
    match locale {
        Locale::pl => Language::Pl,
        Locale::en => Language::En,
    }
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let notice = state.notice;
    // Shown once: leaving the page clears it.
    on_cleanup(move || notice.set(None));

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
        {move || match state.requests.get() {
            None => view! { <p class="muted">{t!(i18n, requests_loading)}</p> }.into_any(),
            Some(rows) if rows.is_empty() => view! { <p class="muted">{t!(i18n, requests_empty)}</p> }.into_any(),
            Some(rows) => view! {
                <ul class="cards" data-testid="request-list">
                    {rows.into_iter().map(|row| view! { <RequestCard row /> }).collect_view()}
                </ul>
            }
            .into_any(),
        }}
    }
}

#[component]
fn RequestCard(row: RequestRow) -> impl IntoView {
    let i18n = use_i18n();
    let dictionary = use_app_state().dictionary;
    let RequestRow { request, sync } = row;
    let district = request.fields.district.clone();
    let category = request.fields.category.clone();
    let label = move |kind, code: &str| {
        dictionary.with(|d| d.label(kind, code, language(i18n.get_locale())).to_owned())
    };
    let recorded = request
        .recorded_at
        .with_timezone(&Local)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let badge_class = match &sync {
        SyncState::Synced => "badge badge--ok",
        SyncState::Pending => "badge badge--pending",
        SyncState::Rejected(_) => "badge badge--error",
    };
    let sync_state = sync.clone();
    let badge = move || match &sync_state {
        SyncState::Synced => t_string!(i18n, item_synced).to_string(),
        SyncState::Pending => t_string!(i18n, item_pending).to_string(),
        SyncState::Rejected(reason) => {
            let why = match reason {
                RejectReason::Invalid { .. } | RejectReason::InvalidPayload { .. } => {
                    t_string!(i18n, reject_invalid).to_string()
                }
                RejectReason::Conflict => t_string!(i18n, reject_conflict).to_string(),
                RejectReason::UnknownKind { .. } => t_string!(i18n, reject_unknown).to_string(),
            };
            format!("{}: {why}", t_string!(i18n, item_rejected))
        }
    };
    let status = request.status;
    let status = move || match status {
        HelpRequestStatus::AwaitingApproval => {
            t_string!(i18n, status_awaiting_approval).to_string()
        }
    };
    view! {
        <li class="card" data-testid="request-card" data-sync=match sync {
            SyncState::Synced => "synced",
            SyncState::Pending => "pending",
            SyncState::Rejected(_) => "rejected",
        }>
            <h2 class="card__title">{request.fields.resident_name.clone()}</h2>
            <p class="card__meta">
                {move || label(DictionaryKind::HelpCategory, &category)} " · "
                {move || label(DictionaryKind::District, &district)}
            </p>
            <p class="card__body">{request.fields.description.clone()}</p>
            <p class="card__footer">
                <span class="badge">{status}</span>
                <span class=badge_class>{badge}</span>
                <span class="muted">{t!(i18n, recorded_at)} " " {recorded}</span>
            </p>
        </li>
    }
}
