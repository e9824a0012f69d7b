//! Meeting notes on an event's page: write one (offline too), correct a returned one, and for
//! organisers approve or return with a comment.

use chrono::Local;
use domain::account::Permission;
use domain::meeting_note::{MeetingNote, NoteDecision, NoteRefusal, NoteReview};
use domain::sync::merge::SyncState;
use leptos::prelude::*;
use uuid::Uuid;

use super::words::save_failure_text;
use crate::device::{self, SaveFailure};
use crate::i18n::*;
use crate::state::use_app_state;

#[component]
pub fn NotesSection(event_id: Uuid) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let notes = Memo::new(move |_| {
        state.notes.with(|notes| {
            notes
                .iter()
                .filter(|(n, _)| n.event_id == event_id)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="actions" aria-labelledby="notes-title">
            <h2 id="notes-title">{t!(i18n, notes_title)}</h2>
            <Show when=move || notes.with(Vec::is_empty)>
                <p class="muted">{t!(i18n, notes_none)}</p>
            </Show>
            <ul class="note-list">
                <For
                    each=move || notes.get()
                    key=|(n, sync)| (n.id, n.written_at, n.text.clone(), n.is_approved(), n.review == NoteReview::Pending, *sync == SyncState::Pending)
                    let:row
                >
                    <NoteCard note=row.0 sync=row.1 />
                </For>
            </ul>
            <NoteForm event_id note=None on_done=|| () />
        </section>
    }
    .into_any()
}

#[component]
fn NoteCard(note: MeetingNote, sync: SyncState) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let editing = RwSignal::new(false);
    let me = state.account.with_untracked(|a| a.as_ref().map(|a| a.id));
    let mine = me == Some(note.author.id);
    let when = note
        .written_at
        .with_timezone(&Local)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let (badge, class) = match &note.review {
        NoteReview::Pending => (
            t_string!(i18n, notes_pending).to_string(),
            "badge badge--warn",
        ),
        NoteReview::Approved { .. } => (t_string!(i18n, notes_approved).to_string(), "badge"),
        NoteReview::Returned { .. } => (
            t_string!(i18n, notes_returned).to_string(),
            "badge badge--warn",
        ),
    };
    let comment = match &note.review {
        NoteReview::Returned { comment, by, .. } => Some(view! {
            <p class="notice notice--warn" data-testid="note-comment">
                {t!(i18n, notes_comment, name = by.name.clone(), comment = comment.clone())}
            </p>
        }),
        _ => None,
    };
    let correctable = mine && !note.is_approved();
    let reviewable = note.review == NoteReview::Pending && state.may(Permission::ReviewEntries);
    let id = note.id;
    let event_id = note.event_id;
    let shown = note.clone();
    view! {
        <li class="card note-card" id=format!("note-{id}") data-testid="meeting-note">
            <p><span class=class data-testid="note-state">{badge}</span>
                {(sync == SyncState::Pending).then(|| view! { " " <span class="badge badge--warn">{t!(i18n, notes_unsent)}</span> })}
            </p>
            {comment}
            <Show when=move || !editing.get() fallback=move || view! {
                <NoteForm event_id note=Some(shown.clone()) on_done=move || editing.set(false) />
            }>
                <p class="note-card__text">{note.text.clone()}</p>
            </Show>
            <p class="muted">{note.author.name.clone()} ", " {when.clone()}</p>
            <Show when=move || correctable && !editing.get()>
                <button type="button" class="button button--quiet" on:click=move |_| editing.set(true)>
                    {t!(i18n, notes_correct)}
                </button>
            </Show>
            {reviewable.then(|| view! { <NoteReviewActions id /> })}
        </li>
    }
    .into_any()
}

#[component]
fn NoteReviewActions(id: Uuid) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let returning = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<SaveFailure>);
    let decide = move |decision: NoteDecision| {
        failure.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = device::review_note(state, id, decision).await {
                failure.set(Some(e));
            }
        });
    };
    let comment_id = format!("note-comment-{id}");
    view! {
        <div class="actions__buttons">
            <button type="button" class="button button--primary" on:click=move |_| decide(NoteDecision::Approve)>
                {t!(i18n, notes_approve)}
            </button>
            <button type="button" class="button button--quiet" on:click=move |_| returning.update(|r| *r = !*r)>
                {t!(i18n, notes_return)}
            </button>
        </div>
        <Show when=move || returning.get()>
            <div class="field">
                <label for=comment_id.clone()>{t!(i18n, notes_return_comment)}</label>
                <input id=comment_id.clone() type="text" prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev)) />
            </div>
            <button type="button" class="button button--quiet"
                on:click=move |_| decide(NoteDecision::Return { comment: comment.get_untracked() })>
                {t!(i18n, notes_return_confirm)}
            </button>
        </Show>
        {move || failure.get().map(|f| view! {
            <p class="notice notice--error" role="alert">{save_failure_text(i18n, &f)}</p>
        })}
    }
    .into_any()
}

/// A new note (`note` = `None`) or the author's correction of one. What is typed stays until it is saved.
#[component]
fn NoteForm(
    event_id: Uuid,
    note: Option<MeetingNote>,
    on_done: impl Fn() + Clone + Send + Sync + 'static,
) -> AnyView {
    let i18n = use_i18n();
    let state = use_app_state();
    let id = note.as_ref().map(|n| n.id);
    let text = RwSignal::new(note.map(|n| n.text).unwrap_or_default());
    let failure = RwSignal::new(None::<SaveFailure>);
    let field_id = match id {
        Some(id) => format!("note-text-{id}"),
        None => format!("note-new-{event_id}"),
    };
    let error_id = format!("{field_id}-error");
    let save = move |_| {
        let on_done = on_done.clone();
        leptos::task::spawn_local(async move {
            match device::write_note(state, id, event_id, text.get_untracked()).await {
                Ok(_) => {
                    failure.set(None);
                    if id.is_none() {
                        text.set(String::new());
                    }
                    on_done();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let invalid = move || {
        failure.with(|f| {
            matches!(
                f,
                Some(SaveFailure::Note(
                    NoteRefusal::TextRequired | NoteRefusal::TextTooLong { .. }
                ))
            )
        })
    };
    view! {
        <div class="field">
            <label for=field_id.clone()>
                {move || if id.is_some() { t_string!(i18n, notes_edit_label) } else { t_string!(i18n, notes_new_label) }}
            </label>
            <textarea id=field_id rows="5" aria-describedby=error_id.clone()
                aria-invalid=move || invalid().to_string()
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <p class="field__error" id=error_id role="alert">{move || failure.get().map(|f| save_failure_text(i18n, &f))}</p>
        </div>
        <div class="actions__buttons">
            <button type="button" class="button button--primary" on:click=save>{t!(i18n, notes_save)}</button>
        </div>
    }
    .into_any()
}
