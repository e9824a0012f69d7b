//! The organisers' review queue: everything awaiting a decision, oldest first, with bulk approval.

use chrono::Local;
use domain::meeting_note::NoteForReview;
use domain::photo::PhotoSubject;
use domain::review::{queue, ListForReview, PhotoForReview, ReviewItem, ReviewKind, Reviewable};
use domain::workflow::Action;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::components::photos::{thumbnail_src, withdrawals_of, PhotoReviewActions};
use crate::components::words::save_failure_text;
use crate::device::{self, SaveFailure};
use crate::i18n::*;
use crate::state::{use_app_state, AppState};

/// The queue from the device's copy of every reviewable entry: help requests, attendance lists, events
/// whose photos need checking, and photos.
pub fn review_queue(state: AppState) -> Vec<ReviewItem> {
    let photos = state.photos.get();
    let photos: Vec<PhotoForReview> = photos
        .iter()
        .map(|photo| PhotoForReview {
            photo,
            withdrawals: withdrawals_of(state, photo.subject),
            subject_title: subject_title(state, photo.subject),
        })
        .collect();
    let notes = state.notes.get();
    let notes: Vec<NoteForReview> = notes
        .iter()
        .map(|(note, _)| NoteForReview {
            note,
            event_title: subject_title(state, PhotoSubject::Event(note.event_id)),
        })
        .collect();
    state.requests.with(|rows| {
        state.events.with(|events| {
            state.attendance.with(|lists| {
                let requests = rows.iter().flatten().map(|r| &r.request as &dyn Reviewable);
                let lists: Vec<ListForReview> = lists
                    .iter()
                    .filter_map(|(list, _)| {
                        let event = events.iter().find(|e| e.id == list.event_id)?;
                        Some(ListForReview { list, event })
                    })
                    .collect();
                queue(
                    requests
                        .chain(lists.iter().map(|l| l as &dyn Reviewable))
                        .chain(photos.iter().map(|p| p as &dyn Reviewable))
                        .chain(notes.iter().map(|n| n as &dyn Reviewable)),
                )
            })
        })
    })
}

/// The event's title or the resident's name a help request is for.
fn subject_title(state: AppState, subject: PhotoSubject) -> String {
    match subject {
        PhotoSubject::Event(id) => state.events.with(|events| {
            events
                .iter()
                .find(|e| e.id == id)
                .map(|e| e.fields.title.clone())
        }),
        PhotoSubject::HelpRequest(id) => state.requests.with(|rows| {
            rows.iter()
                .flatten()
                .find(|r| r.request.id == id)
                .map(|r| r.request.fields.resident_name.clone())
        }),
    }
    .unwrap_or_default()
}

/// Where an entry in the queue is looked at: its page, and for a photo the photo on its entry's page.
fn review_href(state: AppState, item: &ReviewItem) -> String {
    let id = item.id;
    match item.kind {
        ReviewKind::HelpRequest => format!("/request?id={id}"),
        ReviewKind::AttendanceList | ReviewKind::PhotoConsent => format!("/event?id={id}"),
        ReviewKind::MeetingNote => {
            let event = state.notes.with_untracked(|notes| {
                notes
                    .iter()
                    .find(|(n, _)| n.id == id)
                    .map(|(n, _)| n.event_id)
            });
            match event {
                Some(event) => format!("/event?id={event}#note-{id}"),
                None => "/review".to_owned(),
            }
        }
        ReviewKind::Photo => {
            let subject = state
                .photos
                .with_untracked(|photos| photos.iter().find(|p| p.id == id).map(|p| p.subject));
            match subject {
                Some(PhotoSubject::HelpRequest(request)) => {
                    format!("/request?id={request}#photo-{id}")
                }
                Some(PhotoSubject::Event(event)) => format!("/event?id={event}#photo-{id}"),
                None => "/review".to_owned(),
            }
        }
    }
}

/// Bulk approval is for help requests; a list is approved after looking at its signatures.
fn bulk_approvable(items: &[ReviewItem]) -> Vec<Uuid> {
    items
        .iter()
        .filter(|i| i.kind == ReviewKind::HelpRequest)
        .map(|i| i.id)
        .collect()
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
        let ids: Vec<Uuid> = items.with(|items| bulk_approvable(items));
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
            match device::act_on_help_requests(state, ids, Action::Approve).await {
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
        let count = items.with(|items| bulk_approvable(items).len());
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
                                items.with(|items| bulk_approvable(items))
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
                <For each=move || items.get() key=|item| (item.kind, item.id) let:item>
                    <ReviewCard item selected />
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn ReviewCard(item: ReviewItem, selected: RwSignal<Vec<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let id = item.id;
    let kind = item.kind;
    let href = review_href(state, &item);
    let summary = match kind {
        ReviewKind::HelpRequest | ReviewKind::Photo | ReviewKind::MeetingNote => {
            item.summary.clone()
        }
        ReviewKind::AttendanceList => t_string!(
            i18n,
            review_list_summary,
            count = item.summary.parse::<usize>().unwrap_or_default()
        )
        .to_string(),
        ReviewKind::PhotoConsent => {
            t_string!(i18n, photos_flagged, names = item.summary.clone()).to_string()
        }
    };
    let kind_label = match kind {
        ReviewKind::HelpRequest => None,
        ReviewKind::AttendanceList => Some(t_string!(i18n, review_kind_list).to_string()),
        ReviewKind::PhotoConsent => Some(t_string!(i18n, review_kind_photos).to_string()),
        ReviewKind::Photo => Some(t_string!(i18n, review_kind_photo).to_string()),
        ReviewKind::MeetingNote => Some(t_string!(i18n, review_kind_note).to_string()),
    };
    let photo = (kind == ReviewKind::Photo).then(|| {
        let alt = if item.summary.is_empty() {
            t_string!(i18n, photo_alt).to_string()
        } else {
            item.summary.clone()
        };
        view! {
            <img class="review-card__photo" src=thumbnail_src(id) alt=alt loading="lazy" />
            <PhotoReviewActions id />
        }
    });
    let when = item
        .submitted_at
        .with_timezone(&Local)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let checkbox_id = format!("select-{id}");
    let select_label = item.title.clone();
    view! {
        <li class="card review-card" data-testid="review-item">
            <div class="review-card__select">
                <Show when=move || kind == ReviewKind::HelpRequest>
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
                <label for=checkbox_id.clone() class="visually-hidden">{t!(i18n, review_select_one)} " " {select_label.clone()}</label>
                </Show>
            </div>
            <div>
                {kind_label.map(|k| view! { <p class="badge">{k}</p> })}
                <h2 class="card__title"><A href=href>{item.title.clone()}</A></h2>
                <p class="card__body">{summary}</p>
                <p class="muted">
                    {item.submitted_by.map(|p| format!("{}, ", p.name))} {when}
                </p>
                {photo}
            </div>
        </li>
    }
}
