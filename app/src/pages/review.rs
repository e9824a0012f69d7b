//! The organisers' review queue: everything awaiting a decision, oldest first, with bulk approval.

use chrono::Local;
use domain::help_request::HelpRequest;
use domain::review::{queue, ReviewItem, ReviewKind, Reviewable};
use domain::workflow::Action;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::words::save_failure_text;
use crate::client::{self, SaveFailure};
use crate::i18n::*;
use crate::state::{use_app_state, AppState};

/// The queue from the device's copy of every reviewable entry.
pub fn review_queue(state: AppState) -> Vec<ReviewItem> {
    state.requests.with(|rows| {
        let requests: Vec<&HelpRequest> = rows.iter().flatten().map(|r| &r.request).collect();
        queue(requests.into_iter().map(|r| r as &dyn Reviewable))
    })
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let items = Memo::new(move |_| review_queue(state));
    let selected = RwSignal::new(Vec::<Uuid>::new());
    let failure = RwSignal::new(None::<SaveFailure>);
    let done = RwSignal::new(None::<usize>);
    let busy = RwSignal::new(false);
    // Selections of entries that left the queue (decided elsewhere) are dropped.
    Effect::new(move || {
        let ids: Vec<Uuid> = items.with(|items| items.iter().map(|i| i.id).collect());
        selected.update(|s| s.retain(|id| ids.contains(id)));
    });
    let approve = move |_| {
        let ids = selected.get_untracked();
        if ids.is_empty() {
            return;
        }
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let count = ids.len();
            match client::act_on_help_requests(state, ids, Action::Approve).await {
                Ok(()) => {
                    done.set(Some(count));
                    selected.set(Vec::new());
                }
                Err(e) => failure.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let all_selected = move || {
        let count = items.with(Vec::len);
        count > 0 && selected.with(Vec::len) == count
    };
    view! {
        <h1>{t!(i18n, review_title)}</h1>
        <p class="muted">{t!(i18n, review_intro)}</p>
        {move || done.get().map(|count| view! {
            <p class="notice notice--ok" role="status">{t!(i18n, review_approved_count, count = count)}</p>
        })}
        {move || failure.get().map(|f| view! {
            <p class="notice notice--error" role="alert">{save_failure_text(i18n, &f)}</p>
        })}
        <Show
            when=move || !items.with(Vec::is_empty)
            fallback=move || view! { <p class="muted" data-testid="review-empty">{t!(i18n, review_empty)}</p> }
        >
            <div class="review__bar">
                <label class="checkbox">
                    <input
                        type="checkbox"
                        prop:checked=all_selected
                        on:change=move |ev| {
                            let ids = if event_target_checked(&ev) {
                                items.with(|items| items.iter().map(|i| i.id).collect())
                            } else {
                                Vec::new()
                            };
                            selected.set(ids);
                        }
                    />
                    {t!(i18n, review_select_all)}
                </label>
                <button
                    type="button"
                    class="button button--primary"
                    disabled=move || busy.get() || selected.with(Vec::is_empty)
                    on:click=approve
                >
                    {move || t_string!(i18n, review_approve_selected, count = selected.with(Vec::len)).to_string()}
                </button>
            </div>
            <ul class="cards" data-testid="review-list">
                <For each=move || items.get() key=|item| item.id let:item>
                    <ReviewCard item selected />
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn ReviewCard(item: ReviewItem, selected: RwSignal<Vec<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.id;
    let href = match item.kind {
        ReviewKind::HelpRequest => format!("/request?id={id}"),
    };
    let when = item
        .submitted_at
        .with_timezone(&Local)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let checkbox_id = format!("select-{id}");
    view! {
        <li class="card review-card" data-testid="review-item">
            <div class="review-card__select">
                <input
                    type="checkbox"
                    id=checkbox_id.clone()
                    prop:checked=move || selected.with(|s| s.contains(&id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected.update(|s| {
                            s.retain(|x| *x != id);
                            if on {
                                s.push(id);
                            }
                        });
                    }
                />
                <label for=checkbox_id class="visually-hidden">{t!(i18n, review_select_one)} " " {item.title.clone()}</label>
            </div>
            <div>
                <h2 class="card__title"><A href=href>{item.title.clone()}</A></h2>
                <p class="card__body">{item.summary.clone()}</p>
                <p class="muted">
                    {item.submitted_by.map(|p| p.name).unwrap_or_default()} ", " {when}
                </p>
            </div>
        </li>
    }
}
