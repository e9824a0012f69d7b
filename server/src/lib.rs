//! Sąsiedzi's server as a library, so integration tests drive the same routers the binary serves.

pub mod api;
pub mod auth;
pub mod evidence_pack;
pub mod photo_image;
pub mod pwa;
pub mod spreadsheet;
pub mod storage;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::storage::Store;

/// `/healthz` and `/sw.js`: what monitoring and the PWA need besides pages and the API.
pub fn platform_router(assets: Arc<pwa::BuildAssets>) -> Router {
    api::answer_panics(
        Router::new()
            .route("/healthz", get(healthz))
            .route("/sw.js", get(pwa::service_worker))
            .with_state(assets),
    )
}

async fn healthz(
    axum::extract::State(assets): axum::extract::State<Arc<pwa::BuildAssets>>,
) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "build": assets.build_id,
    }))
}

/// The setup page exists only while there is no account; the sign-in page only once there is one. On an
/// empty install every page a browser opens leads to setup, since nothing else can work yet; requests for
/// files (the service worker's precache among them) do not ask for HTML and pass.
pub async fn setup_gate(State(store): State<Store>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let opens_a_page = request
        .headers()
        .get(axum::http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if path == "/setup" || path == "/login" || opens_a_page {
        match store.is_set_up().await {
            Ok(false) if path != "/setup" => return Redirect::to("/setup").into_response(),
            Ok(true) if path == "/setup" => return Redirect::to("/login").into_response(),
            _ => {}
        }
    }
    next.run(request).await
}

/// Headers every answer carries. Pages send their own Content-Security-Policy (with the hydration
/// script's nonce); everything else (the service worker above all) may use the site's own origin and nothing else.
pub fn with_security_headers(router: Router) -> Router {
    let header = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            header::HeaderName::from_static("permissions-policy"),
            "camera=(self), geolocation=(), microphone=()",
        ))
}
