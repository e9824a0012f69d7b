//! Sąsiedzi's user interface. Pages render on the server (an empty frame: the data lives on the device)
//! and hydrate in the browser, where they read and write the device's store and sync it.

// Release builds keep the views' full static types (debug builds erase them); the request page's nest deeper
// than the default limit allows.
#![recursion_limit = "256"]

mod components;
pub mod device;
mod pages;
pub mod state;
mod sync_status;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use domain::account::Permission;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{path, StaticSegment};

use crate::components::app_lock::LockScreen;
use crate::i18n::*;
use crate::state::{use_app_state, AppState, SessionCheck};

/// The HTML document around the app. `stylesheet` is the build's hashed CSS path.
pub fn shell(options: LeptosOptions, stylesheet: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <link rel="stylesheet" href=stylesheet />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Only this response's own inline script (the hydration bootstrap, tagged with the nonce) and the site's
/// own files may run; the page may not be framed.
#[cfg(feature = "ssr")]
fn send_content_security_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let state = AppState::new();
    provide_context(state);
    // Effects run only in the browser, after hydration: the device's data never reaches the server render.
    Effect::new(move || device::start(state));

    view! {
        <I18nContextProvider ssr_lang_header_getter=polish_unless_chosen()>
            <Head />
            <Router>
                <SignInGate />
                <UnderLock>
                <Header />
                <main id="content" tabindex="-1">
                    <SessionExpiredBanner />
                    <Routes fallback=NotFound>
                        <Route path=StaticSegment("") view=pages::requests::RequestsPage />
                        <Route path=path!("/requests/new") view=pages::request_form::NewRequestPage />
                        <Route path=path!("/request") view=pages::request_detail::RequestPage />
                        <Route path=path!("/request/edit") view=pages::request_form::EditRequestPage />
                        <Route path=path!("/review") view=pages::review::ReviewPage />
                        <Route path=path!("/my") view=pages::my_work::MyWorkPage />
                        <Route path=path!("/residents") view=pages::residents::ResidentsPage />
                        <Route path=path!("/reports") view=pages::reports::ReportsPage />
                        <Route path=path!("/events") view=pages::events::EventsPage />
                        <Route path=path!("/events/new") view=pages::events::NewEventPage />
                        <Route path=path!("/event") view=pages::event_detail::EventPage />
                        <Route path=path!("/event/edit") view=pages::events::EditEventPage />
                        <Route path=path!("/event/attendance") view=pages::attendance_sheet::AttendanceSheetPage />
                        <Route path=path!("/login") view=pages::sign_in::SignInPage />
                        <Route path=path!("/setup") view=pages::sign_in::SetupPage />
                        <Route path=path!("/account") view=pages::account::AccountPage />
                        <Route path=path!("/admin/users") view=pages::admin::UsersPage />
                        <Route path=path!("/admin/audit") view=pages::admin::AuditPage />
                        <Route path=path!("/admin/settings") view=pages::settings::SettingsPage />
                        <Route path=path!("/devices") view=pages::devices::DevicesPage />
                        <Route path=path!("/kiosk") view=pages::kiosk::KioskPage />
                    </Routes>
                </main>
                </UnderLock>
                <LockScreen />
            </Router>
        </I18nContextProvider>
    }
}

/// Polish is the default whatever the browser's language; English only once chosen (kept in a cookie).
/// The provider sets `<html lang>`, which is also how hydration learns the language the server used.
fn polish_unless_chosen() -> leptos_i18n::context::UseLocalesOptions {
    leptos_i18n::context::UseLocalesOptions::default().ssr_lang_header_getter(|| None)
}

#[component]
fn Head() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, app_name).to_string() />
        <Meta name="description" content=move || t_string!(i18n, app_tagline).to_string() />
        <Meta name="theme-color" content="#0b5d3b" />
        <Link rel="manifest" href="/manifest.webmanifest" />
        <Link rel="icon" href="/favicon.ico" />
        <Link rel="apple-touch-icon" href="/icons/icon-192.png" />
    }
}

/// Pages that work without a person signed in on this device.
const OPEN_PAGES: [&str; 3] = ["/login", "/setup", "/kiosk"];

/// Sends a device nobody is signed in on to the sign-in page, and a kiosk to its only page. The server
/// enforces access on its own; this only spares people a page that cannot work for them.
#[component]
fn SignInGate() -> impl IntoView {
    let state = use_app_state();
    let location = use_location();
    let navigate = use_navigate();
    // Effects run after hydration, once the device's account has been read.
    Effect::new(move || {
        if !state.device_ready.get() {
            return;
        }
        let path = location.pathname.get();
        let kiosk = state.kiosk.get().is_some();
        if kiosk && path != "/kiosk" {
            navigate("/kiosk", Default::default());
        } else if !kiosk && state.account.get().is_none() && !OPEN_PAGES.contains(&path.as_str()) {
            navigate("/login", Default::default());
        }
    });
}

/// The device works on while the session is gone; this says what to do so the entries get sent.
#[component]
fn SessionExpiredBanner() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let location = use_location();
    let shown =
        move || state.session.get() == SessionCheck::Expired && location.pathname.get() != "/login";
    view! {
        <Show when=shown>
            <p class="notice notice--warn" role="status" data-testid="session-expired">
                {t!(i18n, session_expired)} " "
                <A href="/login">{t!(i18n, sign_in_again)}</A>
            </p>
        </Show>
    }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let kiosk = move || state.kiosk.get().is_some();
    let signed_in = move || state.account.get().is_some() && !kiosk();
    let review_count = Memo::new(move |_| pages::review::review_queue(state).len());
    let review_waiting = move || state.may(Permission::ReviewEntries) && review_count.get() != 0;
    let switch_language = move |_| {
        let next = match i18n.get_locale() {
            Locale::pl => Locale::en,
            Locale::en => Locale::pl,
        };
        i18n.set_locale(next);
    };
    // On a phone the navigation folds behind one button, and folds again once a destination is chosen.
    let menu_open = RwSignal::new(false);
    let location = use_location();
    Effect::new(move || {
        location.pathname.track();
        menu_open.set(false);
    });
    view! {
        // The kiosk's screen belongs to the person signing: no header, no way elsewhere.
        <Show when=move || !kiosk()>
        <a class="skip-link" href="#content">{t!(i18n, skip_to_content)}</a>
        <header class="app-header">
            <div class="app-header__row">
                <A href="/" attr:class="app-header__brand">
                    <img src="/icons/icon-192.png" alt="" width="40" height="40" />
                    <span>{t!(i18n, app_name)}</span>
                </A>
                <button
                    type="button"
                    class="button button--quiet"
                    lang=move || if i18n.get_locale() == Locale::pl { "en" } else { "pl" }
                    aria-label=move || t_string!(i18n, switch_language_label).to_string()
                    on:click=switch_language
                >
                    {t!(i18n, switch_language)}
                </button>
                <Show when=signed_in>
                    <button
                        type="button"
                        class="button button--quiet app-header__menu"
                        aria-controls="app-nav"
                        aria-expanded=move || menu_open.get().to_string()
                        on:click=move |_| menu_open.update(|open| *open = !*open)
                    >
                        {t!(i18n, nav_menu)}
                        // Folded away on a phone, the review queue still says it is waiting.
                        <Show when=review_waiting>
                            " "
                            <span class="count" aria-hidden="true" data-testid="menu-review-count">{move || review_count.get()}</span>
                            <span class="visually-hidden">
                                {move || t_string!(i18n, nav_menu_waiting, count = review_count.get()).to_string()}
                            </span>
                        </Show>
                    </button>
                </Show>
            </div>
            <Show when=signed_in>
                <nav
                    id="app-nav"
                    class="app-nav"
                    class:app-nav--open=move || menu_open.get()
                    aria-label=move || t_string!(i18n, nav_label).to_string()
                >
                    <A href="/" exact=true>{t!(i18n, nav_requests)}</A>
                    <A href="/requests/new">{t!(i18n, nav_new_request)}</A>
                    <A href="/my">{t!(i18n, nav_my_work)}</A>
                    <Show when=move || state.may(Permission::ReviewEntries)>
                        <A href="/review">
                            {t!(i18n, nav_review)} " "
                            <span class="count" data-testid="review-count">{move || review_count.get()}</span>
                        </A>
                    </Show>
                    <A href="/events">{t!(i18n, nav_events)}</A>
                    <A href="/residents">{t!(i18n, nav_residents)}</A>
                    <Show when=move || state.may(Permission::ReviewEntries)>
                        <A href="/reports">{t!(i18n, nav_reports)}</A>
                    </Show>
                    <Show when=move || state.may(Permission::EnrolDevices)>
                        <A href="/devices">{t!(i18n, nav_devices)}</A>
                    </Show>
                    <Show when=move || state.may(Permission::ManageUsers)>
                        <A href="/admin/users">{t!(i18n, nav_users)}</A>
                        <A href="/admin/audit">{t!(i18n, nav_audit)}</A>
                        <A href="/admin/settings">{t!(i18n, nav_settings)}</A>
                    </Show>
                    <A href="/account">
                        {move || state.account.get().map(|a| a.display_name).unwrap_or_default()}
                    </A>
                    <button type="button" class="button button--quiet" on:click=move |_| device::lock_now(state)>
                        {t!(i18n, nav_lock)}
                    </button>
                </nav>
                <sync_status::SyncStatusBar />
            </Show>
        </header>
        </Show>
    }
}

/// Under the lock screen the app is inert: no focus, no clicks, hidden from screen readers.
#[component]
fn UnderLock(children: Children) -> impl IntoView {
    let covering = components::app_lock::covering();
    view! { <div class="app-frame" inert=move || covering.get()>{children()}</div> }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! { <h1>{t!(i18n, not_found)}</h1> }
}
