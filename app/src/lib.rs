//! Sąsiedzi's user interface. Pages render on the server (an empty frame: the data lives on the device)
//! and hydrate in the browser, where they read and write the device's store and sync it.

pub mod client;
#[cfg(feature = "hydrate")]
mod local;
mod pages;
pub mod state;
mod sync_status;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{path, StaticSegment};

use crate::i18n::*;
use crate::state::AppState;

/// The HTML document around the app. `stylesheet` is the build's hashed CSS path.
pub fn shell(options: LeptosOptions, stylesheet: String) -> impl IntoView {
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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let state = AppState::new();
    provide_context(state);
    // Effects run only in the browser, after hydration: the device's data never reaches the server render.
    Effect::new(move || client::start(state));

    view! {
        <I18nContextProvider ssr_lang_header_getter=polish_unless_chosen()>
            <Head />
            <Router>
                <Header />
                <main id="content" tabindex="-1">
                    <Routes fallback=NotFound>
                        <Route path=StaticSegment("") view=pages::requests::RequestsPage />
                        <Route path=path!("/requests/new") view=pages::new_request::NewRequestPage />
                    </Routes>
                </main>
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

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let switch_language = move |_| {
        let next = match i18n.get_locale() {
            Locale::pl => Locale::en,
            Locale::en => Locale::pl,
        };
        i18n.set_locale(next);
    };
    view! {
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
            </div>
            <nav class="app-nav" aria-label=move || t_string!(i18n, nav_label).to_string()>
                <A href="/" exact=true>{t!(i18n, nav_requests)}</A>
                <A href="/requests/new">{t!(i18n, nav_new_request)}</A>
            </nav>
            <sync_status::SyncStatusBar />
        </header>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! { <h1>{t!(i18n, not_found)}</h1> }
}
