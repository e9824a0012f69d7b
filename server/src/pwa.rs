//! What makes the app installable and usable offline: the build's asset names and the service worker,
//! generated from the build so its precache list can never drift from what the pages load.

use std::path::Path;

use axum::http::header;
use axum::response::IntoResponse;

/// The hashed names of this build's JS, WASM and CSS under `/pkg`, and an id for the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildAssets {
    pub build_id: String,
    pub js: String,
    pub wasm: String,
    pub css: String,
}

/// Pages the service worker stores on install, so each opens offline with its own server-rendered shell.
/// `/login` and `/setup` are left out: each redirects to the other depending on the server, and a
/// redirected response cannot be replayed from the cache; signing in needs the network anyway.
pub const OFFLINE_ROUTES: &[&str] = &[
    "/",
    "/requests/new",
    "/request",
    "/request/edit",
    "/review",
    "/my",
    "/residents",
    "/events",
    "/event",
    "/event/attendance",
    "/account",
    "/kiosk",
];

/// Static files every page needs, beside the build's own /pkg files.
const STATIC_ASSETS: &[&str] = &[
    "/manifest.webmanifest",
    "/favicon.ico",
    "/icons/icon-192.png",
    "/icons/icon-512.png",
    "/icons/maskable-512.png",
];

impl BuildAssets {
    /// Reads `hash.txt`, which cargo-leptos writes beside the server binary when `hash-files` is on (the
    /// same file Leptos' hydration scripts read). Without it, names are unhashed and the build id changes
    /// with every server start, so a development service worker never outlives its server.
    pub fn load(output_name: &str, hash_file: Option<&Path>) -> Self {
        let mut hashes = std::collections::HashMap::new();
        if let Some(text) = hash_file.and_then(|path| std::fs::read_to_string(path).ok()) {
            for line in text.lines() {
                if let Some((kind, hash)) = line.split_once(':') {
                    hashes.insert(kind.trim().to_owned(), hash.trim().to_owned());
                }
            }
        }
        let name = |kind: &str, extension: &str| match hashes.get(kind) {
            Some(hash) => format!("/pkg/{output_name}.{hash}.{extension}"),
            None => format!("/pkg/{output_name}.{extension}"),
        };
        let build_id = match (hashes.get("js"), hashes.get("wasm"), hashes.get("css")) {
            (Some(js), Some(wasm), Some(css)) => format!("{js}-{wasm}-{css}"),
            _ => format!("dev-{}", chrono::Utc::now().timestamp_millis()),
        };
        let wasm = match hashes.get("wasm") {
            Some(_) => name("wasm", "wasm"),
            None => format!("/pkg/{output_name}_bg.wasm"),
        };
        Self {
            build_id,
            js: name("js", "js"),
            wasm,
            css: name("css", "css"),
        }
    }

    pub fn service_worker(&self) -> String {
        let quoted = |items: &mut dyn Iterator<Item = &str>| {
            items
                .map(|i| format!("{i:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let routes = quoted(&mut OFFLINE_ROUTES.iter().copied());
        let assets = quoted(
            &mut [self.js.as_str(), self.wasm.as_str(), self.css.as_str()]
                .into_iter()
                .chain(STATIC_ASSETS.iter().copied()),
        );
        format!(
            "const BUILD = {build:?};\nconst ROUTES = [{routes}];\nconst ASSETS = [{assets}];\n{body}",
            build = self.build_id,
            body = include_str!("service_worker.js"),
        )
    }
}

pub async fn service_worker(
    axum::extract::State(assets): axum::extract::State<std::sync::Arc<BuildAssets>>,
) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // The browser must see a new deploy's worker at once; it compares the bytes.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        assets.service_worker(),
    )
}
