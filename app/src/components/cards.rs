//! Cards of records in lists, and the badge that says whether the server has a record.

use chrono::Local;
use domain::dictionary::DictionaryKind;
use domain::help_request::Urgency;
use domain::sync::merge::SyncState;
use leptos::prelude::*;
use leptos_router::components::A;

use super::words::{label, reject_reason_text, status_text, urgency_text};
use crate::i18n::*;
use crate::state::RequestRow;

#[component]
pub fn RequestCard(row: RequestRow) -> impl IntoView {
    let i18n = use_i18n();
    let RequestRow { request, sync } = row;
    let district = request.fields.district.clone();
    let category = request.fields.category.clone();
    let recorded = request
        .recorded_at
        .with_timezone(&Local)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let status = request.status;
    let urgent = request.fields.urgency == Urgency::Urgent;
    let href = format!("/request?id={}", request.id);
    let sync_attr = match &sync {
        SyncState::Synced => "synced",
        SyncState::Pending => "pending",
        SyncState::Rejected(_) => "rejected",
    };
    view! {
        <li class="card" data-testid="request-card" data-status=status.as_str() data-sync=sync_attr>
            <h2 class="card__title"><A href=href>{request.fields.resident_name.clone()}</A></h2>
            <p class="card__meta">
                {move || label(i18n, DictionaryKind::HelpCategory, &category)} " · "
                {move || label(i18n, DictionaryKind::District, &district)}
                {urgent.then(|| view! { " · " <strong>{move || urgency_text(i18n, Urgency::Urgent)}</strong> })}
            </p>
            <p class="card__body">{request.fields.description.clone()}</p>
            <p class="card__footer">
                <span class="badge badge--status">{move || status_text(i18n, status)}</span>
                <SyncBadge sync />
                <span class="muted">{t!(i18n, recorded_at)} " " {recorded}</span>
            </p>
        </li>
    }
}

/// Whether the server has the record, or why it refused a change to it.
#[component]
pub fn SyncBadge(sync: SyncState) -> impl IntoView {
    let i18n = use_i18n();
    let class = match &sync {
        SyncState::Synced => "badge badge--ok",
        SyncState::Pending => "badge badge--pending",
        SyncState::Rejected(_) => "badge badge--error",
    };
    let text = move || match &sync {
        SyncState::Synced => t_string!(i18n, item_synced).to_string(),
        SyncState::Pending => t_string!(i18n, item_pending).to_string(),
        SyncState::Rejected(reason) => format!(
            "{}: {}",
            t_string!(i18n, item_rejected),
            reject_reason_text(i18n, reason)
        ),
    };
    view! { <span class=class>{text}</span> }
}
