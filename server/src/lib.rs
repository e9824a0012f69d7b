//! Sąsiedzi's server as a library, so integration tests drive the same routers the binary serves.

pub mod api;
pub mod pwa;
pub mod storage;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};

/// `/healthz` and `/sw.js`: what monitoring and the PWA need besides pages and the API.
pub fn platform_router(assets: Arc<pwa::BuildAssets>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/sw.js", get(pwa::service_worker))
        .with_state(assets)
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
