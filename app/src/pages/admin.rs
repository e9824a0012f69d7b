//! Coordinators' pages: accounts (create, edit, deactivate, reset password) and the audit log.

use chrono::{DateTime, Local, NaiveDate, Utc};
use domain::account::{
    AccountChanges, AccountError, AccountField, AccountRecord, DeviceWipe, NewAccount,
    PasswordReset, Permission, Role, MIN_PASSWORD_CHARS,
};
use domain::api;
use domain::audit::{AuditAction, AuditEntry, AuditFilter};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::forms::{
    account_errors, account_problem_text, failure_text, focus_first, problem_for, LoadFailure,
    TextField,
};
use crate::components::words::role_text;
use crate::device::{self, ApiFailure};
use crate::i18n::*;
use crate::state::use_app_state;

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let accounts = RwSignal::new(None::<Vec<AccountRecord>>);
    let load_failed = RwSignal::new(None::<ApiFailure>);
    let notice = RwSignal::new(None::<String>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match device::call::<api::ListUsers>(&[], &()).await {
                Ok(list) => {
                    load_failed.set(None);
                    accounts.set(Some(list));
                }
                Err(e) => load_failed.set(Some(e)),
            }
        });
    };
    let state = use_app_state();
    // Until the device has read who is signed in, neither the page nor a refusal.
    let allowed = move || state.may(Permission::ManageUsers);
    let refused = move || state.device_ready.get() && !allowed();
    Effect::new(move || {
        if allowed() {
            reload();
        }
    });

    view! {
        <h1>{t!(i18n, users_title)}</h1>
        <Show when=refused>
            <p class="notice notice--warn" role="status" data-testid="page-not-allowed">
                {t!(i18n, page_for_coordinators)}
            </p>
        </Show>
        <Show when=allowed>
        <LoadFailure failure=load_failed retry=reload />
        <Show when=move || notice.get().is_some()>
            <p class="notice notice--ok" role="status">{move || notice.get()}</p>
        </Show>
        <NewAccountForm on_created=move |username: String| {
            notice.set(Some(t_string!(i18n, user_created, username = username).to_string()));
            reload();
        } />
        <section class="panel" aria-labelledby="users-heading">
            <h2 id="users-heading">{t!(i18n, users_list)}</h2>
            {move || match accounts.get() {
                None if load_failed.with(Option::is_some) => ().into_any(),
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(list) => view! {
                    <ul class="cards" data-testid="user-list">
                        {list.into_iter().map(|row| view! {
                            <AccountCard row on_changed=move |message: String| {
                                notice.set(Some(message));
                                reload();
                            } />
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        </Show>
    }
}

#[component]
fn NewAccountForm(on_created: impl Fn(String) + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Volunteer);
    let errors = RwSignal::new(Vec::<AccountError>::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let account = NewAccount {
            username: username.get_untracked(),
            display_name: display_name.get_untracked(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        }
        .normalized();
        errors.set(account.validate().err().unwrap_or_default());
        failure.set(None);
        if !errors.with_untracked(Vec::is_empty) {
            focus_first("#new-account [aria-invalid=\"true\"]");
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = device::call::<api::CreateUser>(&[], &account).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    for field in [username, display_name, password] {
                        field.set(String::new());
                    }
                    on_created(account.username);
                }
                Err(other) => {
                    errors.set(account_errors(&other));
                    failure.set(Some(failure_text(i18n, &other)));
                    focus_first("#new-account [aria-invalid=\"true\"]");
                }
            }
        });
    };
    let problem = move |field| {
        Signal::derive(move || {
            errors.with(|e| problem_for(e, field).map(|p| account_problem_text(i18n, p)))
        })
    };
    view! {
        <section class="panel" aria-labelledby="new-account-heading">
            <h2 id="new-account-heading">{t!(i18n, user_new)}</h2>
            <Show when=move || failure.get().is_some()>
                <p class="notice notice--error" role="alert">{move || failure.get()}</p>
            </Show>
            <form class="form" id="new-account" novalidate on:submit=on_submit>
                <TextField
                    id="new_display_name"
                    label=Signal::derive(move || t_string!(i18n, field_display_name).to_string())
                    value=display_name
                    problem=problem(AccountField::DisplayName)
                />
                <TextField
                    id="new_username"
                    label=Signal::derive(move || t_string!(i18n, field_username).to_string())
                    hint=Signal::derive(move || t_string!(i18n, field_username_hint).to_string())
                    value=username
                    problem=problem(AccountField::Username)
                />
                <RoleField id="new_role" role />
                <TextField
                    id="new_password"
                    label=Signal::derive(move || t_string!(i18n, field_temporary_password).to_string())
                    hint=Signal::derive(move || t_string!(i18n, field_password_hint).to_string())
                    value=password
                    problem=problem(AccountField::Password)
                />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>
                        {t!(i18n, user_create)}
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn RoleField(#[prop(into)] id: String, role: RwSignal<Role>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id.clone()>{t!(i18n, field_role)}</label>
            <select id=id.clone() name=id
                on:change=move |ev| {
                    if let Some(parsed) = Role::parse(&event_target_value(&ev)) {
                        role.set(parsed);
                    }
                }
            >
                {Role::ALL.into_iter().map(|r| view! {
                    <option value=r.as_str() selected=move || role.get() == r>{move || role_text(i18n, r)}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// A deactivated account's devices, and whether each has erased its data yet.
#[component]
fn DeviceWipes(wipes: Vec<DeviceWipe>) -> impl IntoView {
    let i18n = use_i18n();
    let local = |at: DateTime<Utc>| {
        at.with_timezone(&Local)
            .format("%d.%m.%Y %H:%M")
            .to_string()
    };
    (!wipes.is_empty()).then(|| {
        view! {
            <p class="card__meta">{t!(i18n, user_devices)}</p>
            <ul class="device-wipes" data-testid="device-wipes">
                {wipes.into_iter().map(|wipe| {
                    let signed_in = local(wipe.signed_in_at);
                    let state = match wipe.wiped_at {
                        Some(at) => t_string!(i18n, device_wiped, at = local(at)).to_string(),
                        None => t_string!(i18n, device_wipe_waiting).to_string(),
                    };
                    view! {
                        <li data-testid="device-wipe" data-wiped=wipe.wiped_at.is_some().to_string()>
                            <span class="device-wipes__device">{wipe.device}</span>
                            " · " {t!(i18n, device_signed_in, at = signed_in)} " · "
                            <strong>{state}</strong>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn AccountCard(row: AccountRecord, on_changed: impl Fn(String) + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let AccountRecord {
        account,
        active,
        device_wipes,
        ..
    } = row;
    let role = RwSignal::new(account.role);
    let display_name = RwSignal::new(account.display_name.clone());
    let temporary = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let id = account.id;
    let username = account.username.clone();
    // A change that worked reloads the list with `done` as the notice; one that did not says why here.
    let answered = move |answer: Result<(), ApiFailure>, done: String| match answer {
        Ok(()) => on_changed(done),
        Err(e) => {
            let problem = account_errors(&e)
                .first()
                .map(|p| account_problem_text(i18n, p.problem));
            let text = match (&e, problem) {
                (ApiFailure::Status { error, .. }, _) if error == "own_account" => {
                    t_string!(i18n, user_own_account).to_string()
                }
                (_, Some(problem)) => problem,
                (e, None) => failure_text(i18n, e),
            };
            failure.set(Some(text));
        }
    };
    let update = move |changes: AccountChanges, done: String| {
        leptos::task::spawn_local(async move {
            let answer = device::call::<api::UpdateUser>(&[&id], &changes).await;
            answered(answer.map(drop), done);
        });
    };
    let save = {
        let username = username.clone();
        move |_| {
            let changes = AccountChanges {
                display_name: Some(display_name.get_untracked()),
                role: Some(role.get_untracked()),
                active: None,
            };
            update(
                changes,
                t_string!(i18n, user_saved, username = username.clone()).to_string(),
            );
        }
    };
    let toggle_active = {
        let username = username.clone();
        move |_| {
            let done = if active {
                t_string!(i18n, user_deactivated, username = username.clone()).to_string()
            } else {
                t_string!(i18n, user_reactivated, username = username.clone()).to_string()
            };
            let changes = AccountChanges {
                active: Some(!active),
                ..AccountChanges::default()
            };
            update(changes, done);
        }
    };
    let reset = {
        let username = username.clone();
        move |_| {
            let password = temporary.get_untracked();
            if password.chars().count() < MIN_PASSWORD_CHARS {
                failure.set(Some(
                    t_string!(i18n, problem_too_short, min = MIN_PASSWORD_CHARS).to_string(),
                ));
                return;
            }
            temporary.set(String::new());
            let done =
                t_string!(i18n, user_password_reset, username = username.clone()).to_string();
            leptos::task::spawn_local(async move {
                let answer =
                    device::call::<api::ResetPassword>(&[&id], &PasswordReset { password }).await;
                answered(answer, done);
            });
        }
    };
    let prefix = format!("user-{}", account.username);
    view! {
        <li class="card" class:card--inactive=!active data-testid="user-card" data-username=account.username.clone()>
            <h3 class="card__title">{account.display_name.clone()} " (" {account.username.clone()} ")"</h3>
            <p class="card__meta">
                {move || role_text(i18n, account.role)} " · "
                {if active { t_string!(i18n, user_active).to_string() } else { t_string!(i18n, user_inactive).to_string() }}
            </p>
            <DeviceWipes wipes=device_wipes />
            <Show when=move || failure.get().is_some()>
                <p class="notice notice--error" role="alert">{move || failure.get()}</p>
            </Show>
            <details>
                <summary class="button button--quiet">{t!(i18n, user_edit)}</summary>
                <div class="form">
                    <div class="field">
                        <label for=format!("{prefix}-name")>{t!(i18n, field_display_name)}</label>
                        <input id=format!("{prefix}-name") prop:value=move || display_name.get()
                            on:input=move |ev| display_name.set(event_target_value(&ev)) />
                    </div>
                    <RoleField id=format!("{prefix}-role") role />
                    <div class="form__actions">
                        <button type="button" class="button button--primary" on:click=save>{t!(i18n, user_save)}</button>
                        <button type="button" class="button button--danger" on:click=toggle_active>
                            {if active { t_string!(i18n, user_deactivate).to_string() } else { t_string!(i18n, user_reactivate).to_string() }}
                        </button>
                    </div>
                    <div class="field">
                        <label for=format!("{prefix}-reset")>{t!(i18n, field_temporary_password)}</label>
                        <input id=format!("{prefix}-reset") autocomplete="off" prop:value=move || temporary.get()
                            on:input=move |ev| temporary.set(event_target_value(&ev)) />
                    </div>
                    <div class="form__actions">
                        <button type="button" class="button button--quiet" on:click=reset>{t!(i18n, user_reset_password)}</button>
                    </div>
                </div>
            </details>
        </li>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let entries = RwSignal::new(None::<Vec<AuditEntry>>);
    let older = RwSignal::new(None::<i64>);
    let load_failed = RwSignal::new(None::<ApiFailure>);
    let load = move |before: Option<i64>| {
        // An empty field does not narrow the log.
        let text = |field: RwSignal<String>| Some(field.get_untracked()).filter(|v| !v.is_empty());
        let date = |field: RwSignal<String>| field.get_untracked().parse::<NaiveDate>().ok();
        let filter = AuditFilter {
            action: text(action),
            actor: text(actor),
            from: date(from),
            to: date(to),
            before,
        };
        leptos::task::spawn_local(async move {
            match device::call::<api::BrowseAudit>(&[], &filter).await {
                Ok(page) => {
                    load_failed.set(None);
                    older.set(page.older);
                    if before.is_some() {
                        entries.update(|e| e.get_or_insert_with(Vec::new).extend(page.entries));
                    } else {
                        entries.set(Some(page.entries));
                    }
                }
                Err(e) => load_failed.set(Some(e)),
            }
        });
    };
    Effect::new(move || load(None));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        load(None);
    };
    view! {
        <h1>{t!(i18n, audit_title)}</h1>
        <form class="form form--filters" on:submit=on_submit>
            <div class="field">
                <label for="audit-action">{t!(i18n, audit_action)}</label>
                <select id="audit-action" on:change=move |ev| action.set(event_target_value(&ev))>
                    <option value="">{t!(i18n, audit_any)}</option>
                    {AuditAction::ALL.iter().map(|&a| view! { <option value=a.name()>{move || action_label(i18n, a)}</option> }).collect_view()}
                </select>
            </div>
            <TextField id="audit-actor" label=Signal::derive(move || t_string!(i18n, audit_actor).to_string())
                value=actor />
            <TextField id="audit-from" kind="date" label=Signal::derive(move || t_string!(i18n, audit_from).to_string())
                value=from />
            <TextField id="audit-to" kind="date" label=Signal::derive(move || t_string!(i18n, audit_to).to_string())
                value=to />
            <div class="form__actions">
                <button type="submit" class="button button--primary">{t!(i18n, audit_filter)}</button>
            </div>
        </form>
        <LoadFailure failure=load_failed retry=move || load(None) />
        {move || match entries.get() {
            None if load_failed.with(Option::is_some) => ().into_any(),
            None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
            Some(list) if list.is_empty() => view! { <p class="muted">{t!(i18n, audit_empty)}</p> }.into_any(),
            Some(list) => view! {
                <div class="table-wrap">
                    <table class="table" data-testid="audit-table">
                        <thead><tr>
                            <th scope="col">{t!(i18n, audit_when)}</th>
                            <th scope="col">{t!(i18n, audit_actor)}</th>
                            <th scope="col">{t!(i18n, audit_action)}</th>
                            <th scope="col">{t!(i18n, audit_target)}</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|e| view! {
                                <tr data-id=e.id>
                                    <td>{e.at.replace('T', " ").chars().take(19).collect::<String>()}</td>
                                    <td>{e.actor}</td>
                                    <td>{action_text(i18n, &e.action)}</td>
                                    <td>{e.target.unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any(),
        }}
        <Show when=move || older.get().is_some()>
            <button type="button" class="button button--quiet" on:click=move |_| load(older.get_untracked())>
                {t!(i18n, audit_older)}
            </button>
        </Show>
    }
}

/// The log's name for an action in the person's language; a name this build does not know, as it is.
fn action_text(i18n: leptos_i18n::I18nContext<Locale>, action: &str) -> String {
    AuditAction::from_name(action).map_or_else(|| action.to_owned(), |a| action_label(i18n, a))
}

fn action_label(i18n: leptos_i18n::I18nContext<Locale>, action: AuditAction) -> String {
    use AuditAction::*;
    match action {
        SignIn => t_string!(i18n, audit_sign_in).to_string(),
        SignInFailed => t_string!(i18n, audit_sign_in_failed).to_string(),
        SignInThrottled => t_string!(i18n, audit_sign_in_throttled).to_string(),
        SignOut => t_string!(i18n, audit_sign_out).to_string(),
        SignOutEverywhere => t_string!(i18n, audit_sign_out_everywhere).to_string(),
        PasswordChanged => t_string!(i18n, audit_password_changed).to_string(),
        Setup => t_string!(i18n, audit_setup).to_string(),
        UserCreated => t_string!(i18n, audit_user_created).to_string(),
        UserUpdated => t_string!(i18n, audit_user_updated).to_string(),
        UserDeactivated => t_string!(i18n, audit_user_deactivated).to_string(),
        UserReactivated => t_string!(i18n, audit_user_reactivated).to_string(),
        PasswordReset => t_string!(i18n, audit_password_reset).to_string(),
        DeviceWiped => t_string!(i18n, audit_device_wiped).to_string(),
        EventCreated => t_string!(i18n, audit_event_created).to_string(),
        EventUpdated => t_string!(i18n, audit_event_updated).to_string(),
        DeviceEnrolled => t_string!(i18n, audit_device_enrolled).to_string(),
        DeviceClaimed => t_string!(i18n, audit_device_claimed).to_string(),
        DeviceRevoked => t_string!(i18n, audit_device_revoked).to_string(),
        AttendanceExported => t_string!(i18n, audit_attendance_exported).to_string(),
        ExportDownloaded => t_string!(i18n, audit_export_downloaded).to_string(),
        DictionaryChanged => t_string!(i18n, audit_dictionary_changed).to_string(),
        ConsentTextRevised => t_string!(i18n, audit_consent_text_revised).to_string(),
        ClosedRequestDaysChanged => t_string!(i18n, audit_closed_request_days_changed).to_string(),
        LockAfterChanged => t_string!(i18n, audit_lock_after_changed).to_string(),
        RetentionChanged => t_string!(i18n, audit_retention_changed).to_string(),
        RetentionApplied => t_string!(i18n, audit_retention_applied).to_string(),
        SubjectAccessDownloaded => t_string!(i18n, audit_subject_access_downloaded).to_string(),
        ResidentErased => t_string!(i18n, audit_resident_erased).to_string(),
        ResidentRecordOpened => t_string!(i18n, audit_resident_record_opened).to_string(),
        SignaturesOpened => t_string!(i18n, audit_signatures_opened).to_string(),
        PhotoDownloaded => t_string!(i18n, audit_photo_downloaded).to_string(),
    }
}
