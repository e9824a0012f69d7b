//! The tablet at the door. Enrolled with the organiser's code (typed, or opened from the QR code), it
//! becomes the attendance kiosk of one event: find your name or register as new (a newcomer first agrees
//! to their details being recorded, and says whether the kiosk may suggest their name next time), sign
//! with a finger, answer the image-consent question, confirm, and the screen is clean for the next
//! person. One thing per screen, in big type; staff leave the flow only with the organiser's PIN. Works
//! offline all day. What it keeps is sealed (issue 20): after a reload, or when staff lock it, the exit
//! PIN opens it again.

use domain::account::SessionView;
use domain::api;
use domain::attendance::{Attendee, AttendeeError, NewAttendance, Proof, Registration, Signature};
use domain::consent::ConsentKind;
use domain::dictionary::Dictionary;
use domain::kiosk::{find_on_roster, ClaimRequest, KioskPackage, RosterEntry};
use domain::resident::ResidentField;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::components::app_lock::PinEntry;
use crate::components::forms::problem_text;
use crate::components::forms::{failure_text, focus_first, TextField};
use crate::components::signature_pad::{SignatureImage, SignaturePad};
use crate::components::words::{language, save_failure_text, signature_problem_text};
use crate::device::{self, ApiFailure, KioskUnsent};
use crate::i18n::*;
use crate::state::{use_app_state, Lock, SessionCheck};

/// How many names the type-ahead shows at once: big buttons, no scrolling.
const SHOWN_NAMES: usize = 6;

#[component]
pub fn KioskPage() -> impl IntoView {
    let state = use_app_state();
    // Only a change of screen redraws it: the claim and the unlock set the same values again, which
    // must not send a person mid-signature back to the start.
    let screen = Memo::new(
        move |_| match (state.kiosk.with(Option::is_some), state.lock.get()) {
            (true, Lock::Open) => KioskScreen::Flow,
            (true, Lock::Password { .. }) => KioskScreen::Locked { by_code: true },
            (true, _) => KioskScreen::Locked { by_code: false },
            (false, _) => KioskScreen::Enrolment,
        },
    );
    view! {
        {move || match screen.get() {
            KioskScreen::Flow => view! { <KioskFlow /> }.into_any(),
            KioskScreen::Locked { by_code } => view! { <KioskLocked by_code /> }.into_any(),
            KioskScreen::Enrolment => view! { <Enrolment /> }.into_any(),
        }}
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KioskScreen {
    Flow,
    Locked { by_code: bool },
    Enrolment,
}

/// The tablet after a reload, or locked by staff: its data opens with the organiser's exit PIN, offline;
/// after too many wrong PINs (`by_code`), only with a new code for its event, online.
#[component]
fn KioskLocked(by_code: bool) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let entry = PinEntry::default();
    let PinEntry { pin, busy, problem } = entry;
    let on_submit = entry.on_submit("#kiosk_unlock_pin");
    Effect::new(move || focus_first(".kiosk h1"));
    let title = move || state.kiosk.get().map(|k| k.event_title).unwrap_or_default();
    view! {
        <section class="kiosk" data-testid="kiosk-locked">
            <div class="kiosk__bar">
                <p class="kiosk__event">{title}</p>
            </div>
            <h1 tabindex="-1">{t!(i18n, kiosk_locked_title)}</h1>
            {if by_code {
                view! {
                    <p class="notice notice--warn">{t!(i18n, kiosk_locked_code)}</p>
                    <Enrolment />
                }.into_any()
            } else {
                view! {
                    <p class="kiosk__hint">{t!(i18n, kiosk_locked_hint)}</p>
                    <form class="form kiosk__form" novalidate on:submit=on_submit>
                        <div class="field">
                            <label for="kiosk_unlock_pin">{t!(i18n, kiosk_pin)}</label>
                            <input id="kiosk_unlock_pin" type="password" inputmode="numeric" autocomplete="off"
                                aria-invalid=move || problem.get().is_some().to_string()
                                aria-describedby="kiosk_unlock_pin_error"
                                prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev)) />
                            <p class="field__error" id="kiosk_unlock_pin_error" role="alert">{move || problem.get()}</p>
                        </div>
                        <div class="kiosk__actions">
                            <button type="submit" class="button button--primary kiosk__big" aria-disabled=move || busy.get().to_string()>
                                {move || if busy.get() { t_string!(i18n, lock_unlocking) } else { t_string!(i18n, lock_unlock) }}
                            </button>
                        </div>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

/// The code form. `on_connected` runs once the tablet is this event's kiosk again (from the staff screen:
/// back to signing).
#[component]
fn Enrolment(#[prop(optional)] on_connected: Option<Callback<()>>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let query = use_query_map();
    let code = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The QR code opens this page with the code in the address: fill it in after hydration.
    Effect::new(move || {
        if let Some(from_link) = query.with(|q| q.get("code")) {
            code.set(from_link);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failure.set(None);
        let code = code.get_untracked();
        leptos::task::spawn_local(async move {
            // Signatures of the event this tablet served, not sent yet: the server refuses another
            // event's code (leaving it unused) rather than replace the session that can send them.
            let unsent = device::kiosk_unsent().await;
            let body = ClaimRequest {
                code,
                unsent_event: unsent.as_ref().map(|u| u.event_id),
                device_id: device::device_id(),
            };
            let answer = device::call::<api::ClaimKiosk>(&[], &body).await;
            let problem = match answer {
                Ok(SessionView::Kiosk {
                    event_id,
                    event_title,
                    unlock,
                }) => device::kiosk_claimed(state, event_id, event_title, unlock)
                    .await
                    .err()
                    .map(|unsent| unsent_text(i18n, &unsent)),
                Ok(SessionView::Person { .. }) => None,
                Err(ApiFailure::Status { status: 422, .. }) => {
                    Some(t_string!(i18n, kiosk_bad_code).to_string())
                }
                Err(e) => Some(match (e.code(), &unsent) {
                    ("kiosk_unsent", Some(unsent)) => unsent_text(i18n, unsent),
                    _ => failure_text(i18n, &e),
                }),
            };
            match problem {
                Some(problem) => {
                    failure.set(Some(problem));
                    focus_first("#kiosk_code");
                }
                None => {
                    if let Some(connected) = on_connected {
                        connected.run(());
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <h1>{t!(i18n, kiosk_enrol_title)}</h1>
        <p class="muted">{t!(i18n, kiosk_enrol_intro)}</p>
        <Show when=move || failure.get().is_some()>
            <p class="notice notice--error" role="alert">{move || failure.get()}</p>
        </Show>
        <form class="form" novalidate on:submit=on_submit>
            // Typing before the page is interactive would be wiped by hydration; wait for it.
            <fieldset class="form__fields" disabled=move || !state.device_ready.get()>
                <TextField id="kiosk_code" label=Signal::derive(move || t_string!(i18n, field_kiosk_code).to_string())
                    value=code />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>{t!(i18n, kiosk_enrol)}</button>
                </div>
            </fieldset>
        </form>
    }
}

/// Why the tablet will not serve another event yet, and what staff do about it.
fn unsent_text(i18n: leptos_i18n::I18nContext<Locale>, unsent: &KioskUnsent) -> String {
    let title = unsent.event_title.clone();
    match unsent.count {
        Some(count) => {
            t_string!(i18n, kiosk_unsent_other_event, title = title, count = count).to_string()
        }
        None => t_string!(i18n, kiosk_unsent_other_event_unknown, title = title).to_string(),
    }
}

/// How long the last screen of a turn stays before the kiosk returns to its start by itself.
const THANKS_SHOWN_FOR: std::time::Duration = std::time::Duration::from_secs(6);

/// One screen of the flow at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    FindName,
    /// A newcomer is asked first whether their details may be recorded at all.
    DataConsent,
    /// They said no: nothing is recorded, and staff take them on paper.
    Declined,
    NewPerson,
    Listing,
    Sign,
    Consent,
    Confirm,
    Thanks,
    StaffPin,
    Staff,
}

#[component]
fn KioskFlow() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let step = RwSignal::new(Step::FindName);
    let attendee = RwSignal::new(None::<Attendee>);
    let walk_in = RwSignal::new(false);
    let signature = RwSignal::new(Signature::default());
    let consent = RwSignal::new(None::<bool>);
    let listing = RwSignal::new(None::<bool>);
    // Everything about the person who just signed goes, so the next one sees nothing of them.
    let reset = move || {
        attendee.set(None);
        walk_in.set(false);
        signature.set(Signature::default());
        consent.set(None);
        listing.set(None);
        step.set(Step::FindName);
    };
    let flow = Flow {
        step,
        attendee,
        walk_in,
        signature,
        consent,
        listing,
    };
    // Each screen starts with its heading in focus, so a screen reader announces where the person is.
    Effect::new(move || {
        step.track();
        focus_first(".kiosk h1");
    });
    let title = move || state.kiosk.get().map(|k| k.event_title).unwrap_or_default();
    // A newer package (names added since) must not redraw the screen someone is using.
    let has_package = Memo::new(move |_| state.kiosk_package.with(Option::is_some));
    let switch_language = move |_| {
        i18n.set_locale(match i18n.get_locale() {
            Locale::pl => Locale::en,
            Locale::en => Locale::pl,
        })
    };
    view! {
        <section class="kiosk" data-testid="kiosk-ready">
            <div class="kiosk__bar">
                <p class="kiosk__event">{title}</p>
                <button type="button" class="button button--quiet" on:click=switch_language
                    lang=move || if i18n.get_locale() == Locale::pl { "en" } else { "pl" }>
                    {t!(i18n, switch_language)}
                </button>
            </div>
            {move || match (has_package.get(), step.get()) {
                (false, Step::StaffPin | Step::Staff) | (true, _) => match step.get() {
                    Step::FindName => view! { <FindName flow /> }.into_any(),
                    Step::DataConsent => view! {
                        <ConsentQuestion kind=ConsentKind::DataProcessing
                            on_back=move || step.set(Step::FindName)
                            on_answer=move |given| step.set(if given { Step::NewPerson } else { Step::Declined }) />
                    }.into_any(),
                    Step::Declined => view! { <TurnOver end=TurnEnd::NothingRecorded on_next=reset /> }.into_any(),
                    Step::NewPerson => view! { <NewPerson flow /> }.into_any(),
                    Step::Listing => view! {
                        <ConsentQuestion kind=ConsentKind::KioskListing
                            on_back=move || step.set(Step::NewPerson)
                            on_answer=move |given| { listing.set(Some(given)); step.set(Step::Sign) } />
                    }.into_any(),
                    Step::Sign => view! { <Sign flow /> }.into_any(),
                    Step::Consent => view! {
                        <ConsentQuestion kind=ConsentKind::Image
                            on_back=move || step.set(Step::Sign)
                            on_answer=move |given| { consent.set(Some(given)); step.set(Step::Confirm) } />
                    }.into_any(),
                    Step::Confirm => view! { <Confirm flow on_done=reset /> }.into_any(),
                    Step::Thanks => view! { <TurnOver end=TurnEnd::Signed on_next=reset /> }.into_any(),
                    Step::StaffPin => view! { <StaffPin flow on_back=reset /> }.into_any(),
                    Step::Staff => view! { <StaffPanel on_back=reset /> }.into_any(),
                },
                (false, _) => view! {
                    <h1 tabindex="-1">{t!(i18n, kiosk_loading)}</h1>
                    <p class="kiosk__hint">{t!(i18n, kiosk_loading_hint)}</p>
                }.into_any(),
            }}
            <Show when=move || !matches!(step.get(), Step::StaffPin | Step::Staff)>
                <button type="button" class="kiosk__staff" on:click=move |_| step.set(Step::StaffPin)>
                    {t!(i18n, kiosk_staff)}
                </button>
            </Show>
        </section>
    }
}

/// The flow's state, shared by its screens.
#[derive(Clone, Copy)]
struct Flow {
    step: RwSignal<Step>,
    attendee: RwSignal<Option<Attendee>>,
    walk_in: RwSignal<bool>,
    signature: RwSignal<Signature>,
    /// The answer to the image-consent question.
    consent: RwSignal<Option<bool>>,
    /// A newcomer's answer to whether the kiosk may suggest their name next time.
    listing: RwSignal<Option<bool>>,
}

fn package(state: crate::state::AppState) -> Option<KioskPackage> {
    state.kiosk_package.get_untracked()
}

#[component]
fn FindName(flow: Flow) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let typed = RwSignal::new(String::new());
    let signed_here = device::kiosk_signed_here();
    let found = Memo::new(move |_| {
        let typed = typed.get();
        state.kiosk_package.with(|p| {
            p.as_ref()
                .map(|p| {
                    find_on_roster(&p.roster, &typed, SHOWN_NAMES)
                        .into_iter()
                        .cloned()
                        .collect::<Vec<RosterEntry>>()
                })
                .unwrap_or_default()
        })
    });
    let pick = move |entry: RosterEntry| {
        flow.attendee.set(Some(Attendee {
            resident_id: Some(entry.resident_id),
            name: entry.name,
            ..Default::default()
        }));
        flow.walk_in.set(false);
        flow.step.set(Step::Sign);
    };
    view! {
        <h1 tabindex="-1">{t!(i18n, kiosk_welcome)}</h1>
        <div class="field kiosk__field">
            <label for="kiosk_name">{t!(i18n, kiosk_type_name)}</label>
            <input id="kiosk_name" type="text" autocomplete="off" autocapitalize="words"
                aria-describedby="kiosk_name_hint"
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev)) />
            <p class="field__hint" id="kiosk_name_hint">{t!(i18n, kiosk_type_name_hint)}</p>
        </div>
        <ul class="kiosk__names" aria-live="polite">
            <For each=move || found.get() key=|e| e.resident_id let:entry>
                {
                    let done = signed_here.contains(&entry.resident_id);
                    let name = entry.name.clone();
                    view! {
                        <li>
                            <button type="button" class="kiosk__name" disabled=done
                                on:click=move |_| pick(entry.clone())>
                                {name}
                                <Show when=move || done>
                                    <span class="kiosk__done">{t!(i18n, kiosk_already_signed)}</span>
                                </Show>
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
        <Show when=move || typed.with(|t| t.trim().chars().count() >= 2) && found.with(Vec::is_empty)>
            <p class="kiosk__hint" role="status">{t!(i18n, kiosk_no_match)}</p>
        </Show>
        <button type="button" class="button kiosk__big" on:click=move |_| flow.step.set(Step::DataConsent)>
            {t!(i18n, kiosk_new_person)}
        </button>
    }
}

#[component]
fn NewPerson(flow: Flow) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let earlier = flow
        .attendee
        .get_untracked()
        .filter(|_| flow.walk_in.get_untracked());
    let name = RwSignal::new(earlier.as_ref().map(|a| a.name.clone()).unwrap_or_default());
    let phone = RwSignal::new(
        earlier
            .as_ref()
            .map(|a| a.phone.clone())
            .unwrap_or_default(),
    );
    let district = RwSignal::new(earlier.map(|a| a.district).unwrap_or_default());
    let errors = RwSignal::new(Vec::<AttendeeError>::new());
    let problem = move |field: ResidentField| {
        Signal::derive(move || {
            errors.with(|e| {
                e.iter()
                    .find(|e| e.field == field)
                    .map(|e| problem_text(i18n, e.problem))
            })
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let candidate = Attendee {
            resident_id: None,
            name: name.get_untracked(),
            phone: phone.get_untracked(),
            district: district.get_untracked(),
        }
        .normalized();
        let dictionary = Dictionary::new(package(state).map(|p| p.districts).unwrap_or_default());
        match candidate.validate(&dictionary) {
            Ok(()) => {
                errors.set(Vec::new());
                flow.attendee.set(Some(candidate));
                flow.walk_in.set(true);
                flow.step.set(Step::Listing);
            }
            Err(found) => {
                errors.set(found);
                focus_first(".kiosk [aria-invalid=true]");
            }
        }
    };
    let districts = move || {
        let lang = language(i18n.get_locale());
        state.kiosk_package.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.districts
                        .iter()
                        .map(|d| view! { <option value=d.code.clone()>{d.label(lang).to_owned()}</option> })
                        .collect_view()
                })
        })
    };
    view! {
        <h1 tabindex="-1">{t!(i18n, kiosk_new_title)}</h1>
        <form class="form kiosk__form" novalidate on:submit=on_submit>
            <TextField id="walk_in_name" label=Signal::derive(move || t_string!(i18n, kiosk_field_name).to_string())
                value=name autocomplete="name" problem=problem(ResidentField::Name) />
            <TextField id="walk_in_phone" kind="tel" label=Signal::derive(move || t_string!(i18n, kiosk_field_phone).to_string())
                value=phone autocomplete="tel" problem=problem(ResidentField::Phone) />
            <div class="field">
                <label for="walk_in_district">{t!(i18n, kiosk_field_district)}</label>
                <select id="walk_in_district" on:change=move |ev| district.set(event_target_value(&ev))
                    prop:value=move || district.get()>
                    <option value="">{t!(i18n, kiosk_district_none)}</option>
                    {districts}
                </select>
                <p class="field__error">{problem(ResidentField::District)}</p>
            </div>
            <div class="kiosk__actions">
                <button type="button" class="button kiosk__big" on:click=move |_| flow.step.set(Step::DataConsent)>
                    {t!(i18n, kiosk_back)}
                </button>
                <button type="submit" class="button button--primary kiosk__big">{t!(i18n, kiosk_next)}</button>
            </div>
        </form>
    }
}

#[component]
fn Sign(flow: Flow) -> impl IntoView {
    let i18n = use_i18n();
    let problem = RwSignal::new(None::<String>);
    let name = flow
        .attendee
        .get_untracked()
        .map(|a| a.name)
        .unwrap_or_default();
    // A problem shown for an empty pad goes as soon as the person draws (or clears) again.
    Effect::new(move || {
        flow.signature.track();
        problem.set(None);
    });
    let next = move |_| match flow.signature.with_untracked(Signature::validate) {
        Ok(()) => {
            problem.set(None);
            flow.step.set(Step::Consent);
        }
        Err(p) => problem.set(Some(signature_problem_text(i18n, p))),
    };
    let clear = move |_| {
        flow.signature.set(Signature::default());
        problem.set(None);
    };
    let back = move |_| {
        flow.signature.set(Signature::default());
        flow.step.set(if flow.walk_in.get_untracked() {
            Step::Listing
        } else {
            Step::FindName
        });
    };
    view! {
        <h1 tabindex="-1">{t!(i18n, kiosk_sign_title, name = name)}</h1>
        <p class="kiosk__hint" id="signature_hint">{t!(i18n, kiosk_sign_hint)}</p>
        <SignaturePad signature=flow.signature
            label=Signal::derive(move || t_string!(i18n, kiosk_sign_pad).to_string())
            described_by="signature_hint signature_problem" />
        <p class="field__error kiosk__problem" id="signature_problem" role="alert">{move || problem.get()}</p>
        <div class="kiosk__actions">
            <button type="button" class="button kiosk__big" on:click=back>{t!(i18n, kiosk_back)}</button>
            <button type="button" class="button kiosk__big" on:click=clear>{t!(i18n, kiosk_clear)}</button>
            <button type="button" class="button button--primary kiosk__big" on:click=next>{t!(i18n, kiosk_next)}</button>
        </div>
    }
}

/// The question of one consent: its current text (as the coordinator wrote it, in the screen's language)
/// and two big answers.
#[component]
fn ConsentQuestion(
    kind: ConsentKind,
    on_back: impl Fn() + Copy + Send + Sync + 'static,
    on_answer: impl Fn(bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let title = move || match kind {
        ConsentKind::Image => t_string!(i18n, kiosk_consent_title),
        ConsentKind::DataProcessing => t_string!(i18n, kiosk_data_consent_title),
        ConsentKind::KioskListing => t_string!(i18n, kiosk_listing_title),
    };
    let text = move || {
        state.kiosk_package.with(|p| {
            p.as_ref()
                .and_then(|p| p.consent_texts.current(kind))
                .map(|text| match i18n.get_locale() {
                    Locale::pl => text.text_pl.clone(),
                    Locale::en => text.text_en.clone(),
                })
                .unwrap_or_default()
        })
    };
    view! {
        <h1 tabindex="-1">{title}</h1>
        <p class="kiosk__consent" data-testid="consent-text">{text}</p>
        <div class="kiosk__actions">
            <button type="button" class="button kiosk__big" on:click=move |_| on_back()>
                {t!(i18n, kiosk_back)}
            </button>
            <button type="button" class="button kiosk__big" on:click=move |_| on_answer(false)>
                {t!(i18n, kiosk_consent_no)}
            </button>
            <button type="button" class="button button--primary kiosk__big" on:click=move |_| on_answer(true)>
                {t!(i18n, kiosk_consent_yes)}
            </button>
        </div>
    }
}

/// How one person's turn at the kiosk ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TurnEnd {
    Signed,
    /// A newcomer did not agree to their details being recorded: nothing was, and they hear what to do.
    NothingRecorded,
}

/// The last screen of a turn. It returns to the start by itself: the next person in the queue should not
/// have to find the button, nor see who came before them.
#[component]
fn TurnOver(end: TurnEnd, on_next: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    if let Ok(timer) = set_timeout_with_handle(on_next, THANKS_SHOWN_FOR) {
        on_cleanup(move || timer.clear());
    }
    let words = move || {
        match end {
            TurnEnd::Signed => [
                t_string!(i18n, kiosk_thanks),
                t_string!(i18n, kiosk_thanks_hint),
                t_string!(i18n, kiosk_next_person),
            ],
            TurnEnd::NothingRecorded => [
                t_string!(i18n, kiosk_data_consent_declined),
                t_string!(i18n, kiosk_data_consent_declined_hint),
                t_string!(i18n, kiosk_start_over),
            ],
        }
        .map(|text| text.to_string())
    };
    let testid = match end {
        TurnEnd::Signed => "kiosk-thanks",
        TurnEnd::NothingRecorded => "kiosk-declined",
    };
    view! {
        <h1 tabindex="-1" data-testid=testid>{move || words()[0].clone()}</h1>
        <p class="kiosk__hint">{move || words()[1].clone()}</p>
        <button type="button" class="button button--primary kiosk__big" on:click=move |_| on_next()>
            {move || words()[2].clone()}
        </button>
    }
}

#[component]
fn Confirm(flow: Flow, on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name = flow
        .attendee
        .get_untracked()
        .map(|a| a.name)
        .unwrap_or_default();
    let given = flow.consent.get_untracked().unwrap_or(false);
    let walk_in = flow.walk_in.get_untracked();
    let listed = flow.listing.get_untracked().unwrap_or(false);
    let yes_no = move |answer: bool| {
        if answer {
            t_string!(i18n, kiosk_consent_yes)
        } else {
            t_string!(i18n, kiosk_consent_no)
        }
    };
    let confirm = move |_| {
        let (Some(attendee), Some(given), Some(package)) = (
            flow.attendee.get_untracked(),
            flow.consent.get_untracked(),
            package(state),
        ) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        // Each answer names the text version it answered.
        let texts = &package.consent_texts;
        let registration = match walk_in {
            true => Registration::agreed(texts, listed).map(Some),
            false => Some(None),
        };
        let Some((image_consent, registration)) =
            texts.answer(ConsentKind::Image, given).zip(registration)
        else {
            // A package from before a kind of consent existed: the tablet downloads it again when it
            // next starts online.
            failure.set(Some(t_string!(i18n, kiosk_loading_hint).to_string()));
            return;
        };
        busy.set(true);
        let attendance = NewAttendance {
            attendance_id: Uuid::now_v7(),
            attendee,
            proof: Proof::Signature {
                signature: flow.signature.get_untracked(),
            },
            image_consent: Some(image_consent),
            walk_in,
            registration,
            reason: None,
        };
        leptos::task::spawn_local(async move {
            match device::kiosk_sign(state, attendance).await {
                Ok(()) => {
                    on_done();
                    flow.step.set(Step::Thanks);
                }
                Err(e) => failure.set(Some(save_failure_text(i18n, &e))),
            }
            busy.set(false);
        });
    };
    view! {
        <h1 tabindex="-1">{t!(i18n, kiosk_confirm_title)}</h1>
        <dl class="kiosk__summary">
            <dt>{t!(i18n, kiosk_field_name)}</dt>
            <dd data-testid="confirm-name">{name}</dd>
            <dt>{t!(i18n, kiosk_signature)}</dt>
            <dd><SignatureImage signature=flow.signature.get_untracked()
                label=t_string!(i18n, kiosk_signature).to_string() /></dd>
            <Show when=move || walk_in>
                <dt>{t!(i18n, kiosk_data_consent_short)}</dt>
                <dd>{t!(i18n, kiosk_consent_yes)}</dd>
                <dt>{t!(i18n, kiosk_listing_short)}</dt>
                <dd data-testid="confirm-listing">{move || yes_no(listed)}</dd>
            </Show>
            <dt>{t!(i18n, kiosk_consent_title)}</dt>
            <dd>{move || yes_no(given)}</dd>
        </dl>
        <Show when=move || failure.get().is_some()>
            <p class="notice notice--error" role="alert">{move || failure.get()}</p>
        </Show>
        <div class="kiosk__actions">
            <button type="button" class="button kiosk__big" on:click=move |_| flow.step.set(Step::Sign)>
                {t!(i18n, kiosk_fix)}
            </button>
            <button type="button" class="button button--primary kiosk__big" disabled=move || busy.get() on:click=confirm>
                {t!(i18n, kiosk_confirm)}
            </button>
        </div>
    }
}

#[component]
fn StaffPin(flow: Flow, on_back: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let pin = RwSignal::new(String::new());
    let wrong = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let matches = package(state).is_some_and(|p| p.exit_pin.matches(&pin.get_untracked()));
        pin.set(String::new());
        if matches {
            wrong.set(false);
            flow.step.set(Step::Staff);
        } else {
            wrong.set(true);
            focus_first("#kiosk_pin");
        }
    };
    view! {
        <h1 tabindex="-1">{t!(i18n, kiosk_pin_title)}</h1>
        <form class="form kiosk__form" novalidate on:submit=on_submit>
            <div class="field">
                <label for="kiosk_pin">{t!(i18n, kiosk_pin)}</label>
                <input id="kiosk_pin" type="password" inputmode="numeric" autocomplete="off"
                    aria-invalid=move || wrong.get().to_string() aria-describedby="kiosk_pin_error"
                    prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev)) />
                <p class="field__error" id="kiosk_pin_error">
                    {move || wrong.get().then(|| t_string!(i18n, kiosk_pin_wrong).to_string())}
                </p>
            </div>
            <div class="kiosk__actions">
                <button type="button" class="button kiosk__big" on:click=move |_| on_back()>{t!(i18n, kiosk_back)}</button>
                <button type="submit" class="button button--primary kiosk__big">{t!(i18n, kiosk_pin_open)}</button>
            </div>
        </form>
    }
}

#[component]
fn StaffPanel(on_back: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let failure = RwSignal::new(None::<String>);
    let pending = move || state.sync.with(|s| s.pending);
    let disconnected = move || state.session.get() == SessionCheck::Expired;
    // Made here, not in the code form: connected, the form is gone before it calls this.
    let back_to_signing = Callback::new(move |()| on_back());
    let leave = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = device::kiosk_leave(state).await {
                failure.set(Some(match e {
                    ApiFailure::Unexpected => t_string!(i18n, kiosk_unsent_block).to_string(),
                    other => failure_text(i18n, &other),
                }));
            }
        });
    };
    view! {
        <h1 tabindex="-1">{t!(i18n, kiosk_staff_title)}</h1>
        <p class="kiosk__hint" data-testid="kiosk-pending">
            {move || t_string!(i18n, kiosk_pending, count = pending()).to_string()}
        </p>
        <Show when=disconnected>
            <p class="notice notice--warn" role="status">{t!(i18n, kiosk_disconnected)}</p>
            <Enrolment on_connected=back_to_signing />
        </Show>
        <Show when=move || failure.get().is_some()>
            <p class="notice notice--error" role="alert">{move || failure.get()}</p>
        </Show>
        <div class="kiosk__actions">
            <button type="button" class="button kiosk__big" on:click=move |_| device::sync_now()>{t!(i18n, sync_now)}</button>
            <button type="button" class="button kiosk__big" on:click=move |_| on_back()>{t!(i18n, kiosk_back_to_list)}</button>
            <button type="button" class="button kiosk__big" on:click=move |_| device::lock_now(state)>{t!(i18n, kiosk_lock)}</button>
            <button type="button" class="button button--danger kiosk__big" on:click=leave>{t!(i18n, kiosk_leave)}</button>
        </div>
    }
}
