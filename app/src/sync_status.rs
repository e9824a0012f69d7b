//! The header's sync line: what waits to be sent, when the last sync was, and what is wrong if anything.

use chrono::Local;
use leptos::prelude::*;

use crate::device;
use crate::i18n::*;
use crate::state::{use_app_state, SyncPhase, SyncProblem};

#[component]
pub fn SyncStatusBar() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_app_state().sync;
    let pending = move || sync.with(|s| s.pending);
    let phase = move || sync.with(|s| s.phase.clone());
    // Today's time alone keeps the line short on a phone; another day needs its date.
    let last = move || {
        sync.with(|s| {
            s.last_success.map(|t| {
                let local = t.with_timezone(&Local);
                let format = if local.date_naive() == Local::now().date_naive() {
                    "%H:%M"
                } else {
                    "%d.%m.%Y %H:%M"
                };
                local.format(format).to_string()
            })
        })
    };
    let problem_text = move |problem: SyncProblem| match problem {
        SyncProblem::Server(status) => t_string!(i18n, problem_server, status = status).to_string(),
        SyncProblem::UnsupportedVersion => t_string!(i18n, problem_unsupported).to_string(),
        SyncProblem::Storage => t_string!(i18n, problem_storage).to_string(),
        SyncProblem::Unexpected => t_string!(i18n, problem_unexpected).to_string(),
        SyncProblem::SignInRequired => t_string!(i18n, problem_sign_in).to_string(),
    };
    view! {
        <section
            class="sync-status"
            class:sync-status--warn=move || matches!(phase(), SyncPhase::Offline | SyncPhase::Failed(_))
            aria-label=move || t_string!(i18n, sync_label).to_string()
        >
            <div class="sync-status__text">
            <p role="status" aria-live="polite" data-testid="sync-summary">
                // "All sent" before the first sync would contradict "not synced yet" beside it.
                <span data-testid="pending-count" data-pending=pending>
                    {move || match (pending(), last().is_some()) {
                        (0, true) => format!("{} · ", t_string!(i18n, sync_all_sent)),
                        (0, false) => String::new(),
                        (count, _) => format!("{} · ", t_string!(i18n, sync_pending, count = count)),
                    }}
                </span>
                <span data-testid="last-sync" data-synced=move || last().is_some().to_string()>
                    {move || match last() {
                        Some(time) => t_string!(i18n, sync_last, time = time).to_string(),
                        None => t_string!(i18n, sync_never).to_string(),
                    }}
                </span>
            </p>
            <p class="sync-status__phase" data-testid="sync-phase" data-phase=move || match phase() {
                SyncPhase::Idle => "idle",
                SyncPhase::Syncing => "syncing",
                SyncPhase::Offline => "offline",
                SyncPhase::Failed(_) => "error",
            }>
                {move || match phase() {
                    SyncPhase::Idle => String::new(),
                    SyncPhase::Syncing => t_string!(i18n, sync_syncing).to_string(),
                    SyncPhase::Offline => t_string!(i18n, sync_offline).to_string(),
                    SyncPhase::Failed(problem) => {
                        t_string!(i18n, sync_error, reason = problem_text(problem)).to_string()
                    }
                }}
            </p>
            </div>
            // A phone shows the arrow alone (style/main.css); the words stay the button's name.
            <button type="button" class="button button--quiet" on:click=move |_| device::sync_now()>
                <span class="sync-status__icon" aria-hidden="true">"↻"</span>
                <span class="sync-status__now">{t!(i18n, sync_now)}</span>
            </button>
        </section>
    }
}
