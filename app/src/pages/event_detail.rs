//! One event: its details, its attendance list (signatures, consents, who entered whom), marking people
//! present by hand, and for organisers approving the list, striking entries off with a reason, and the
//! list's history. Everything but editing the event works offline.

use chrono::Local;
use domain::account::Permission;
use domain::api;
use domain::attendance::{
    Attendance, AttendanceList, Attendee, ListChange, ListEvent, ListHistoryEntry, NewAttendance,
    Proof,
};
use domain::audit::PersonalRead;
use domain::consent::ConsentKind;
use domain::dictionary::DictionaryKind;
use domain::event::Event;
use domain::help_request::Person;
use domain::photo::PhotoSubject;
use domain::resident::search;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::components::cards::SyncBadge;
use crate::components::event::{event_in_address, list_of};
use crate::components::notes::NotesSection;
use crate::components::opening::toggle_noted;
use crate::components::photos::PhotoSection;
use crate::components::signature_pad::SignatureImage;
use crate::components::words::{consent_text, list_status_text, recorded_by_text};
use crate::components::words::{event_when, label, save_failure_text};
use crate::device::{self, SaveFailure};
use crate::i18n::*;
use crate::state::{use_app_state, Notice};

type I18n = leptos_i18n::I18nContext<Locale>;

#[component]
pub fn EventPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let event = event_in_address();
    let event_id = Memo::new(move |_| event.with(|e| e.as_ref().map(|e| e.id)));
    let notice = state.notice;
    on_cleanup(move || notice.set(None));
    view! {
        <p><A href="/events">{t!(i18n, back_to_events)}</A></p>
        {move || match event.get() {
            None if !state.store_read() => view! {
                <h1>{t!(i18n, events_title)}</h1>
                <p class="muted" role="status">{t!(i18n, loading)}</p>
            }.into_any(),
            None => view! {
                <h1>{t!(i18n, events_title)}</h1>
                <p class="notice notice--warn" role="status">{t!(i18n, record_not_on_device)}</p>
            }.into_any(),
            Some(event) => view! {
                <Show when=move || notice.get() == Some(Notice::EventSaved)>
                    <p class="notice notice--ok" role="status">{t!(i18n, event_saved)}</p>
                </Show>
                {view! { <EventDetails event=event.clone() /> }.into_any()}
                {view! { <AttendanceSection event /> }.into_any()}
            }.into_any(),
        }}
        // Outside the block above, so a synced change to the event keeps photo drafts on screen as typed.
        {move || event_id.get().map(|id| view! { <PhotoSection subject=PhotoSubject::Event(id) /> }.into_any())}
        {move || event_id.get().map(|id| view! { <NotesSection event_id=id /> }.into_any())}
    }
}

#[component]
fn EventDetails(event: Event) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let f = event.fields.clone();
    let id = event.id;
    let location = f.location.clone();
    let goals = f.plan_goals.clone();
    let groups = f.target_groups.clone();
    view! {
        <div class="page-title">
            <h1>{f.title.clone()}</h1>
            <Show when=move || state.may( Permission::ManageEvents)>
                <A href=format!("/event/edit?id={id}") attr:class="button">{t!(i18n, event_edit)}</A>
            </Show>
        </div>
        <dl class="details">
            <dt>{t!(i18n, field_event_when)}</dt>
            <dd>{event_when(&event)}</dd>
            <dt>{t!(i18n, field_event_location)}</dt>
            <dd>{move || label(i18n, DictionaryKind::Location, &location)}</dd>
            <dt>{t!(i18n, field_event_organiser)}</dt>
            <dd>{f.organiser.clone()}</dd>
            <dt>{t!(i18n, plan_goals_label)}</dt>
            <dd>
                <ul class="plain">
                    {goals.into_iter().map(|g| view! { <li>{move || label(i18n, DictionaryKind::PlanGoal, &g)}</li> }).collect_view()}
                </ul>
            </dd>
            <Show when={let empty = groups.is_empty(); move || !empty}>
                <dt>{t!(i18n, field_target_groups)}</dt>
                <dd>{
                    let groups = groups.clone();
                    move || groups.iter().map(|g| label(i18n, DictionaryKind::TargetGroup, g)).collect::<Vec<_>>().join(", ")
                }</dd>
            </Show>
            <Show when={let empty = f.description.is_empty(); move || !empty}>
                <dt>{t!(i18n, field_event_description)}</dt>
                <dd class="prewrap">{f.description.clone()}</dd>
            </Show>
        </dl>
    }
}

#[component]
fn AttendanceSection(event: Event) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let event_id = event.id;
    let list = Memo::new(move |_| list_of(state, event_id));
    let reviewer = move || state.may(Permission::ReviewEntries);
    let failure = RwSignal::new(None::<SaveFailure>);
    let saved = RwSignal::new(false);
    let signatures_shown = RwSignal::new(false);
    let change = move |change: ListChange| {
        failure.set(None);
        saved.set(false);
        leptos::task::spawn_local(async move {
            match device::change_attendance(state, event_id, change).await {
                Ok(()) => saved.set(true),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let expected = event.fields.expected.clone();
    view! {
        <section aria-labelledby="attendance-heading" class="attendance">
            <div class="page-title">
                <h2 id="attendance-heading">{t!(i18n, attendance_title)}</h2>
                <div class="button-row">
                    <A href=format!("/event/attendance?id={event_id}") attr:class="button">{t!(i18n, attendance_print)}</A>
                    <Show when=reviewer>
                        <a class="button" href={api::path::<api::AttendanceCsv>(&[&event_id])} download="">{t!(i18n, attendance_csv)}</a>
                    </Show>
                </div>
            </div>
            <p class="card__meta" data-testid="list-status">
                {move || list.with(|(l, _)| list_status_text(i18n, l))}
                " " {move || view! { <SyncBadge sync=list.get().1 /> }}
            </p>
            <Show when=move || failure.get().is_some()>
                <p class="notice notice--error" role="alert">{move || failure.get().map(|f| save_failure_text(i18n, &f))}</p>
            </Show>
            <Show when=move || saved.get()>
                <p class="notice notice--ok" role="status">{t!(i18n, change_saved)}</p>
            </Show>
            {move || list.with(|(l, _)| l.anonymised_at).map(|at| {
                let date = at.with_timezone(&chrono::Local).format("%d.%m.%Y").to_string();
                view! { <p class="notice" data-testid="anonymised">{t!(i18n, record_anonymised, date)}</p> }
            })}
            <Show when=move || list.with(|(l, _)| !l.consent_withdrawals.is_empty())>
                <div class="notice notice--warn" role="status" data-testid="consent-flag">
                    <p>{move || t_string!(i18n, photos_flagged, names = list.with(|(l, _)| l.consent_withdrawals.iter().map(|w| w.name.clone()).collect::<Vec<_>>().join(", "))).to_string()}</p>
                    <Show when=reviewer>
                        <button type="button" class="button" on:click=move |_| change(ListChange::PhotosChecked)>{t!(i18n, photos_checked)}</button>
                    </Show>
                </div>
            </Show>
            <Show when=move || reviewer() && list.with(|(l, _)| l.awaits_approval())>
                <button type="button" class="button button--primary" on:click=move |_| change(ListChange::Approve)>
                    {t!(i18n, attendance_approve)}
                </button>
            </Show>
            <Show when=move || list.with(|(l, _)| l.holds_signatures())>
                <p class="button-row">
                    <button type="button" class="button" aria-controls="attendance-table"
                        aria-expanded=move || signatures_shown.get().to_string()
                        on:click=move |_| toggle_noted(PersonalRead::SignedAttendance { event_id }, signatures_shown, failure)>
                        {move || if signatures_shown.get() { t_string!(i18n, signatures_hide) } else { t_string!(i18n, signatures_show) }}
                    </button>
                    <span class="muted">{t!(i18n, signatures_reads_logged)}</span>
                </p>
            </Show>
            {view! { <AttendanceTable list=Signal::derive(move || list.get().0) reviewer=Signal::derive(reviewer) signatures_shown=signatures_shown.into() on_change=change /> }.into_any()}
            {view! { <MarkPresent list=Signal::derive(move || list.get().0) expected saved on_change=change /> }.into_any()}
            {view! { <ListHistory list=Signal::derive(move || list.get().0) /> }.into_any()}
        </section>
    }
}

#[component]
fn AttendanceTable(
    list: Signal<AttendanceList>,
    reviewer: Signal<bool>,
    /// Signatures show only once their opening is noted for the audit log.
    signatures_shown: Signal<bool>,
    on_change: impl Fn(ListChange) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let removing = RwSignal::new(None::<Uuid>);
    let reason = RwSignal::new(String::new());
    let rows = move || {
        let mut number = 0;
        list.get()
            .entries
            .into_iter()
            .map(|entry| {
                let position = entry.is_present().then(|| {
                    number += 1;
                    number
                });
                (position, entry)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <Show when=move || !list.with(|l| l.entries.is_empty())>
            <div class="table-wrap">
            <table class="attendance-table" id="attendance-table" data-testid="attendance-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, attendance_no)}</th>
                        <th scope="col">{t!(i18n, attendance_name)}</th>
                        <th scope="col">{t!(i18n, attendance_signature)}</th>
                        <th scope="col">{t!(i18n, attendance_consent)}</th>
                        <th scope="col">{t!(i18n, attendance_recorded)}</th>
                        <Show when=move || reviewer.get()><th scope="col"><span class="visually-hidden">{t!(i18n, attendance_actions)}</span></th></Show>
                    </tr>
                </thead>
                <tbody>
                    {move || rows().into_iter().map(|(position, entry)| view! {
                        <AttendanceRow position entry reviewer signatures_shown removing reason on_change />
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </Show>
    }
}

#[component]
fn AttendanceRow(
    position: Option<usize>,
    entry: Attendance,
    reviewer: Signal<bool>,
    signatures_shown: Signal<bool>,
    removing: RwSignal<Option<Uuid>>,
    reason: RwSignal<String>,
    on_change: impl Fn(ListChange) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = entry.id;
    let name = entry.attendee.name.clone();
    let removed = entry.removed.clone();
    let signature = match &entry.proof {
        Proof::Signature { signature } => {
            let label = t_string!(i18n, signature_of, name = name.clone()).to_string();
            let signature = signature.clone();
            view! {
                <Show when=move || signatures_shown.get() fallback=move || view! { <span>{t!(i18n, signature_hidden)}</span> }>
                    <SignatureImage signature=signature.clone() label=label.clone() />
                </Show>
            }
            .into_any()
        }
        Proof::Paper => view! { <span>{t!(i18n, signed_on_paper)}</span> }.into_any(),
        Proof::Erased => view! { <span>{t!(i18n, signature_erased)}</span> }.into_any(),
        Proof::Withheld => view! { <span>{t!(i18n, signature_withheld)}</span> }.into_any(),
    };
    let when = entry
        .recorded_at
        .with_timezone(&Local)
        .format("%H:%M")
        .to_string();
    let by = recorded_by_text(i18n, &entry.recorded_by);
    let walk_in = entry.walk_in;
    let present = removed.is_none();
    let remove = move |ev: SubmitEvent| {
        ev.prevent_default();
        on_change(ListChange::Remove {
            attendance_id: id,
            reason: reason.get_untracked(),
        });
        removing.set(None);
        reason.set(String::new());
    };
    view! {
        <tr class:removed=!present data-testid="attendance-row">
            // `data-label` heads each cell where a phone shows the rows as cards (style/main.css).
            <td data-label=t_string!(i18n, attendance_no).to_string()>{position.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
            <td data-label=t_string!(i18n, attendance_name).to_string()>
                {name.clone()}
                {walk_in.then(|| view! { " " <span class="badge">{t!(i18n, walk_in)}</span> })}
                {removed.map(|r| view! { <p class="muted">{t!(i18n, struck_off, reason = r.reason, name = r.by.name)}</p> })}
            </td>
            <td data-label=t_string!(i18n, attendance_signature).to_string()>{signature}</td>
            <td data-label=t_string!(i18n, attendance_consent).to_string()>{consent_text(i18n, entry.image_consent)}</td>
            <td data-label=t_string!(i18n, attendance_recorded).to_string()>{when} " · " {by}</td>
            <Show when=move || reviewer.get()>
                <td>
                    <Show when=move || present && removing.get() != Some(id)>
                        <button type="button" class="button button--quiet" on:click=move |_| removing.set(Some(id))>
                            {t!(i18n, attendance_remove)}
                        </button>
                    </Show>
                    <Show when=move || removing.get() == Some(id)>
                        <form class="inline-form" novalidate on:submit=remove>
                            <label for=format!("remove-{id}")>{t!(i18n, attendance_remove_reason)}</label>
                            <input id=format!("remove-{id}") type="text" prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev)) />
                            <button type="submit" class="button button--danger">{t!(i18n, attendance_remove)}</button>
                        </form>
                    </Show>
                </td>
            </Show>
        </tr>
    }
}

/// Staff mark someone present by hand: picked from the expected list (one tap each) or found in the
/// registry, or typed in. They signed the paper list; the consent answer is what they said on paper.
#[component]
fn MarkPresent(
    list: Signal<AttendanceList>,
    expected: Vec<Person>,
    /// Set when the last change was saved: the form empties then (and keeps what was typed otherwise).
    saved: RwSignal<bool>,
    on_change: impl Fn(ListChange) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let name = RwSignal::new(String::new());
    let picked = RwSignal::new(None::<Uuid>);
    let consent = RwSignal::new(String::from("not_asked"));
    let reason = RwSignal::new(String::new());
    Effect::new(move || {
        if saved.get() {
            name.set(String::new());
            picked.set(None);
            reason.set(String::new());
        }
    });
    let locked = move || list.with(AttendanceList::is_locked);
    let answer = move || {
        let given = match consent.get_untracked().as_str() {
            "yes" => true,
            "no" => false,
            _ => return None,
        };
        state
            .consent_texts
            .with_untracked(|t| t.answer(ConsentKind::Image, given))
    };
    let record = move |resident_id: Option<Uuid>, person: String| {
        on_change(ListChange::Record(NewAttendance {
            attendance_id: Uuid::now_v7(),
            attendee: Attendee {
                resident_id,
                name: person,
                ..Default::default()
            },
            proof: Proof::Paper,
            image_consent: answer(),
            walk_in: false,
            registration: None,
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        }));
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        record(picked.get_untracked(), name.get_untracked());
    };
    let suggestions = Memo::new(move |_| {
        let q = name.get();
        if picked.get().is_some() || q.trim().chars().count() < 2 {
            return Vec::new();
        }
        state.residents.with(|rs| {
            search(rs, &q)
                .into_iter()
                .take(6)
                .map(|r| (r.id, r.fields.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let missing_expected = move || {
        list.with(|l| {
            expected
                .iter()
                .filter(|p| !l.present().any(|a| a.attendee.resident_id == Some(p.id)))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <details class="panel" data-testid="mark-present">
            <summary class="button">{t!(i18n, mark_present_title)}</summary>
            <p class="muted">{t!(i18n, mark_present_intro)}</p>
            <div class="field">
                <label for="present_consent">{t!(i18n, attendance_consent)}</label>
                <select id="present_consent" prop:value=move || consent.get() on:change=move |ev| consent.set(event_target_value(&ev))>
                    <option value="not_asked">{t!(i18n, consent_not_asked)}</option>
                    <option value="yes">{t!(i18n, consent_answer_yes)}</option>
                    <option value="no">{t!(i18n, consent_answer_no)}</option>
                </select>
            </div>
            <Show when=locked>
                <div class="field">
                    <label for="present_reason">{t!(i18n, list_change_reason)}</label>
                    <input id="present_reason" type="text" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev)) />
                    <p class="field__hint">{t!(i18n, list_change_reason_hint)}</p>
                </div>
            </Show>
            {move || {
                let missing = missing_expected();
                (!missing.is_empty()).then(|| view! {
                    <h3>{t!(i18n, expected_not_yet)}</h3>
                    <ul class="plain">
                        {missing.into_iter().map(|p| {
                            let text = t_string!(i18n, mark_present_named, name = p.name.clone()).to_string();
                            view! {
                                <li><button type="button" class="button" on:click=move |_| record(Some(p.id), p.name.clone())>{text}</button></li>
                            }
                        }).collect_view()}
                    </ul>
                })
            }}
            <form class="form" novalidate on:submit=on_submit>
                <div class="field">
                    <label for="present_name">{t!(i18n, mark_present_name)}</label>
                    <input id="present_name" type="text" autocomplete="off" prop:value=move || name.get()
                        on:input=move |ev| { name.set(event_target_value(&ev)); picked.set(None); } />
                </div>
                <ul class="suggestions">
                    <For each=move || suggestions.get() key=|(id, _)| *id let:found>
                        {
                            let (id, found_name) = found;
                            let shown = found_name.clone();
                            view! {
                                <li><button type="button" class="button" on:click=move |_| { name.set(found_name.clone()); picked.set(Some(id)); }>{shown}</button></li>
                            }
                        }
                    </For>
                </ul>
                <div class="form__actions">
                    <button type="submit" class="button button--primary">{t!(i18n, mark_present)}</button>
                </div>
            </form>
        </details>
    }
}

#[component]
fn ListHistory(list: Signal<AttendanceList>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || !list.with(|l| l.history.is_empty())>
            <h3>{t!(i18n, history_title)}</h3>
            <ol class="history" data-testid="list-history">
                {move || list.get().history.into_iter().map(|entry| view! { <li>{history_text(i18n, &entry)}</li> }).collect_view()}
            </ol>
        </Show>
    }
}

fn history_text(i18n: I18n, entry: &ListHistoryEntry) -> String {
    let at = entry
        .at
        .with_timezone(&Local)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let by = recorded_by_text(i18n, &entry.by);
    let what = match &entry.event {
        ListEvent::Approved => t_string!(i18n, list_history_approved).to_string(),
        ListEvent::Added { name, reason } => t_string!(
            i18n,
            list_history_added,
            name = name.clone(),
            reason = reason.clone()
        )
        .to_string(),
        ListEvent::Removed { name, reason } => t_string!(
            i18n,
            list_history_removed,
            name = name.clone(),
            reason = reason.clone()
        )
        .to_string(),
        ListEvent::LateSignature { name } => {
            t_string!(i18n, list_history_late, name = name.clone()).to_string()
        }
        ListEvent::ConsentWithdrawn { name } => {
            t_string!(i18n, list_history_withdrawn, name = name.clone()).to_string()
        }
        ListEvent::PhotosChecked => t_string!(i18n, list_history_photos_checked).to_string(),
    };
    format!("{at} · {by}: {what}")
}
