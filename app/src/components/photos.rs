//! Photos of an entry: taking or picking them, the caption and people answer each needs, where each one
//! stands on its way to the server, and the gallery with the organisers' decisions.

use chrono::{DateTime, Local, Utc};
use domain::account::Permission;
use domain::api;
use domain::photo::{
    subject_withdrawals, LocalPhoto, PeopleVisible, Photo, PhotoDecision, PhotoDetails,
    PhotoReview, PhotoSubject, UploadState,
};
use domain::sync::merge::SyncState;
use domain::workflow::Actor;
use leptos::prelude::*;
use uuid::Uuid;

use super::words::{people_text, reject_reason_text, save_failure_text, upload_refusal_text};
use crate::device::{self, SaveFailure};
use crate::i18n::*;
use crate::state::{use_app_state, AppState};

/// When people connected with `subject` withdrew image consent, from the device's copy (reactive).
pub fn withdrawals_of(state: AppState, subject: PhotoSubject) -> Vec<DateTime<Utc>> {
    match subject {
        PhotoSubject::Event(id) => state.attendance.with(|lists| {
            subject_withdrawals(
                lists.iter().map(|(l, _)| l).find(|l| l.event_id == id),
                None,
            )
        }),
        PhotoSubject::HelpRequest(id) => {
            let resident_id = state.requests.with(|rows| {
                rows.iter()
                    .flatten()
                    .find(|r| r.request.id == id)
                    .and_then(|r| r.request.fields.resident_id)
            });
            state.residents.with(|residents| {
                subject_withdrawals(None, residents.iter().find(|r| Some(r.id) == resident_id))
            })
        }
    }
}

pub fn thumbnail_src(id: Uuid) -> String {
    api::path::<api::PhotoThumbnail>(&[&id])
}

fn megabytes(bytes: f64) -> String {
    format!("{:.0} MB", bytes / (1024.0 * 1024.0))
}

#[component]
pub fn PhotoSection(subject: PhotoSubject) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let busy = RwSignal::new(0_usize);
    let failure = RwSignal::new(None::<SaveFailure>);
    let add = move |ev: leptos::ev::Event| {
        busy.update(|b| *b += 1);
        failure.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = device::add_photos(state, subject, ev).await {
                failure.set(Some(e));
            }
            busy.update(|b| *b -= 1);
        });
    };
    let local = Memo::new(move |_| {
        state.local_photos.with(|photos| {
            photos
                .iter()
                .filter(|(p, _)| p.subject == subject)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let shown = Memo::new(move |_| {
        let Some(actor) = state.account.with(|a| a.as_ref().map(Actor::from)) else {
            return Vec::new();
        };
        let withdrawals = withdrawals_of(state, subject);
        // A photo still on this device shows once, as the local copy, until the server has its bytes.
        let on_device: Vec<Uuid> = local.with(|l| l.iter().map(|(p, _)| p.id).collect());
        state.photos.with(|photos| {
            let mut shown: Vec<(Photo, bool)> = photos
                .iter()
                .filter(|p| p.subject == subject && !on_device.contains(&p.id))
                .filter(|p| p.visible_to(&actor, &withdrawals))
                .map(|p| (p.clone(), p.consent_withdrawn(&withdrawals)))
                .collect();
            shown.sort_by_key(|(p, _)| p.taken_at);
            shown
        })
    });
    let storage_line = move || {
        state.storage_use.get().map(|usage| {
            let low = usage.is_low();
            let text = t_string!(
                i18n,
                photo_storage_use,
                used = megabytes(usage.usage),
                quota = megabytes(usage.quota)
            )
            .to_string();
            view! {
                <p class="muted" data-testid="storage-use">{text}</p>
                {low.then(|| view! {
                    <p class="notice notice--warn" role="alert" data-testid="storage-low">{t!(i18n, photo_storage_low)}</p>
                })}
            }
        })
    };
    view! {
        <section class="photos" id="photos" aria-labelledby="photos-heading" data-testid="photos">
            <h2 id="photos-heading">{t!(i18n, photos_title)}</h2>
            <p class="muted">{t!(i18n, photos_intro)}</p>
            <div class="photo-pick">
                <label class="button button--primary">
                    <input
                        type="file"
                        accept="image/*"
                        capture="environment"
                        class="visually-hidden"
                        data-testid="photo-camera"
                        on:change=add
                    />
                    {t!(i18n, photo_take)}
                </label>
                <label class="button button--quiet">
                    <input
                        type="file"
                        accept="image/*"
                        multiple
                        class="visually-hidden"
                        data-testid="photo-gallery"
                        on:change=add
                    />
                    {t!(i18n, photo_pick)}
                </label>
            </div>
            <Show when=move || busy.get() != 0>
                <p class="notice" role="status" data-testid="photo-processing">{t!(i18n, photo_processing)}</p>
            </Show>
            {move || failure.get().map(|f| view! {
                <p class="notice notice--error" role="alert">{save_failure_text(i18n, &f)}</p>
            })}
            {storage_line}
            <ul class="photo-grid" data-testid="local-photos">
                <For
                    each=move || local.get()
                    key=|(photo, sync)| format!("{}:{:?}:{:?}", photo.id, photo.upload, sync)
                    let:entry
                >
                    <LocalPhotoCard photo=entry.0 sync=entry.1 />
                </For>
            </ul>
            <Show
                when=move || !shown.with(Vec::is_empty) || !local.with(Vec::is_empty)
                fallback=move || view! { <p class="muted" data-testid="no-photos">{t!(i18n, photos_none)}</p> }
            >
                <ul class="photo-grid" data-testid="gallery">
                    <For
                        each=move || shown.get()
                        key=|(photo, flagged)| format!("{}:{:?}:{}:{flagged}", photo.id, photo.review, photo.uploaded)
                        let:entry
                    >
                        <PhotoCard photo=entry.0 flagged=entry.1 />
                    </For>
                </ul>
            </Show>
        </section>
    }
    .into_any()
}

/// The thumbnail of a photo still on this device, from its blob in IndexedDB.
#[component]
fn LocalThumbnail(id: Uuid, alt: String) -> AnyView {
    let url = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        url.set(device::local_thumbnail_url(id).await);
    });
    on_cleanup(move || {
        if let Some(url) = url.get_untracked() {
            device::revoke_url(&url);
        }
    });
    view! {
        <div class="photo-card__image">
            {move || url.get().map(|src| view! { <img src=src alt=alt.clone() /> })}
        </div>
    }
    .into_any()
}

#[component]
fn LocalPhotoCard(photo: LocalPhoto, sync: SyncState) -> AnyView {
    let i18n = use_i18n();
    let id = photo.id;
    let state_name = match (&photo.upload, &sync) {
        (_, SyncState::Rejected(_)) => "rejected",
        (UploadState::Draft, _) => "draft",
        (UploadState::Waiting { .. }, _) => "waiting",
        (UploadState::Refused { .. }, _) => "refused",
    };
    let alt = if photo.details.caption.is_empty() {
        t_string!(i18n, photo_preview).to_string()
    } else {
        photo.details.caption.clone()
    };
    let body = match (photo.upload.clone(), sync) {
        (_, SyncState::Rejected(reason)) => view! {
            <p class="notice notice--error" role="alert">{t!(i18n, photo_rejected_by_server)} " " {reject_reason_text(i18n, &reason)}</p>
            <DiscardButton id />
        }
        .into_any(),
        (UploadState::Draft, _) => view! { <PhotoDetailsForm photo /> }.into_any(),
        (UploadState::Waiting { attempts, next_attempt_at, .. }, _) => {
            let retry = (attempts > 0).then(|| {
                next_attempt_at
                    .with_timezone(&Local)
                    .format("%H:%M:%S")
                    .to_string()
            });
            view! {
                <p class="photo-card__caption">{photo.details.caption.clone()}</p>
                <p class="badge badge--pending" data-testid="photo-upload-state">{t!(i18n, photo_waiting)}</p>
                {retry.map(|at| view! { <p class="muted">{t!(i18n, photo_retry_at, at = at)}</p> })}
            }
            .into_any()
        }
        (UploadState::Refused { message }, _) => view! {
            <p class="notice notice--error" role="alert">{upload_refusal_text(i18n, &message)}</p>
            <DiscardButton id />
        }
        .into_any(),
    };
    view! {
        <li class="photo-card" data-testid="local-photo" data-state=state_name>
            <LocalThumbnail id alt />
            <div class="photo-card__body">{body}</div>
        </li>
    }
    .into_any()
}

#[component]
fn DiscardButton(id: Uuid) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let discard = move |_| {
        leptos::task::spawn_local(async move {
            let _ = device::discard_photo(state, id).await;
        });
    };
    view! {
        <button type="button" class="button button--quiet" on:click=discard>{t!(i18n, photo_discard)}</button>
    }
    .into_any()
}

/// The caption and the people answer, needed before the photo may leave the device.
#[component]
fn PhotoDetailsForm(photo: LocalPhoto) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let id = photo.id;
    let caption = RwSignal::new(photo.details.caption.clone());
    let people = RwSignal::new(photo.details.people);
    let failure = RwSignal::new(None::<SaveFailure>);
    let caption_id = format!("caption-{id}");
    let people_name = format!("people-{id}");
    let details = move || PhotoDetails {
        caption: caption.get_untracked(),
        people: people.get_untracked(),
    };
    let keep = move || {
        let details = details();
        leptos::task::spawn_local(async move {
            let _ = device::keep_photo_draft(id, details).await;
        });
    };
    let save = move |_| {
        let details = details();
        failure.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = device::save_photo(state, id, details).await {
                failure.set(Some(e));
            }
        });
    };
    let option = move |value: PeopleVisible, testid: &'static str| {
        let name = people_name.clone();
        view! {
            <label class="checkbox">
                <input
                    type="radio"
                    name=name
                    data-testid=testid
                    prop:checked=move || people.get() == Some(value)
                    on:change=move |_| {
                        people.set(Some(value));
                        keep();
                    }
                />
                {move || people_text(i18n, value)}
            </label>
        }
    };
    view! {
        <div class="field">
            <label for=caption_id.clone()>{t!(i18n, photo_caption)}</label>
            <textarea
                id=caption_id.clone()
                rows="2"
                prop:value=move || caption.get()
                on:input=move |ev| caption.set(event_target_value(&ev))
                on:change=move |_| keep()
            ></textarea>
        </div>
        <fieldset class="field">
            <legend>{t!(i18n, photo_people_question)}</legend>
            {option(PeopleVisible::WithConsent, "people-with-consent")}
            {option(PeopleVisible::NoIdentifiablePeople, "people-none")}
        </fieldset>
        {move || failure.get().map(|f| view! {
            <p class="notice notice--error" role="alert">{save_failure_text(i18n, &f)}</p>
        })}
        <div class="actions__buttons">
            <button type="button" class="button button--primary" on:click=save>{t!(i18n, photo_save)}</button>
            <DiscardButton id />
        </div>
    }
    .into_any()
}

#[component]
fn PhotoCard(photo: Photo, flagged: bool) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let reviewer = move || state.may(Permission::ReviewEntries);
    let id = photo.id;
    let review_name = match &photo.review {
        PhotoReview::Pending => "pending",
        PhotoReview::Approved { .. } => "approved",
        PhotoReview::Rejected { .. } => "rejected",
    };
    let erased = photo.erased_at.is_some();
    let status = match (&photo.review, flagged, photo.uploaded) {
        _ if erased => view! { <p class="badge">{t!(i18n, photo_erased)}</p> }.into_any(),
        (_, _, false) => {
            view! { <p class="badge badge--pending">{t!(i18n, photo_bytes_missing)}</p> }.into_any()
        }
        (_, true, _) => {
            view! { <p class="badge badge--warn">{t!(i18n, photo_consent_withdrawn)}</p> }
                .into_any()
        }
        (PhotoReview::Pending, _, _) => {
            view! { <p class="badge badge--pending">{t!(i18n, photo_awaiting_review)}</p> }
                .into_any()
        }
        (PhotoReview::Approved { .. }, _, _) => {
            view! { <p class="badge badge--ok">{t!(i18n, photo_approved)}</p> }.into_any()
        }
        (PhotoReview::Rejected { reason, .. }, _, _) => {
            let reason = reason.clone();
            view! { <p class="badge badge--error">{t!(i18n, photo_rejected)} ": " {reason}</p> }
                .into_any()
        }
    };
    let alt = if photo.caption.is_empty() {
        t_string!(i18n, photo_alt).to_string()
    } else {
        photo.caption.clone()
    };
    let taken = format!(
        "{}, {}",
        photo.taken_by.name,
        photo
            .taken_at
            .with_timezone(&Local)
            .format("%d.%m.%Y %H:%M")
    );
    let people = photo.people;
    let uploaded = photo.uploaded && !erased;
    view! {
        <li class="photo-card" data-testid="photo" data-review=review_name data-flagged=flagged.to_string() id=format!("photo-{id}")>
            <div class="photo-card__image">
                {uploaded.then(|| view! { <img src=thumbnail_src(id) alt=alt loading="lazy" /> })}
            </div>
            <div class="photo-card__body">
                <p class="photo-card__caption">{photo.caption.clone()}</p>
                <p class="muted">{move || people_text(i18n, people)}</p>
                <p class="muted">{taken}</p>
                {status}
                <Show when=move || reviewer() && uploaded>
                    <PhotoReviewActions id />
                </Show>
            </div>
        </li>
    }
    .into_any()
}

/// Approve, reject with a reason, download the original: for organisers.
#[component]
pub fn PhotoReviewActions(id: Uuid) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let rejecting = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<SaveFailure>);
    let decide = move |decision: PhotoDecision| {
        failure.set(None);
        leptos::task::spawn_local(async move {
            match device::review_photo(state, id, decision).await {
                Ok(()) => rejecting.set(false),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let reason_id = format!("reject-reason-{id}");
    view! {
        <div class="actions__buttons">
            <button type="button" class="button button--primary" on:click=move |_| decide(PhotoDecision::Approve)>
                {t!(i18n, photo_approve)}
            </button>
            <button type="button" class="button button--quiet" on:click=move |_| rejecting.update(|r| *r = !*r)>
                {t!(i18n, photo_reject)}
            </button>
            <a class="button button--quiet" href={api::path::<api::DownloadPhoto>(&[&id])} download="" rel="external">
                {t!(i18n, photo_download)}
            </a>
        </div>
        <Show when=move || rejecting.get()>
            <div class="field">
                <label for=reason_id.clone()>{t!(i18n, photo_reject_reason)}</label>
                <input
                    id=reason_id.clone()
                    type="text"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                />
            </div>
            <button
                type="button"
                class="button button--quiet"
                on:click=move |_| decide(PhotoDecision::Reject { reason: reason.get_untracked() })
            >
                {t!(i18n, photo_reject_confirm)}
            </button>
        </Show>
        {move || failure.get().map(|f| view! {
            <p class="notice notice--error" role="alert">{save_failure_text(i18n, &f)}</p>
        })}
    }
    .into_any()
}
