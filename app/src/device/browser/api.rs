//! JSON calls to the server's API with the session's CSRF token, for the pages that talk to the server
//! directly (signing in, administration). Field entries go through the outbox instead.

use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;

use crate::device::failure::ApiFailure;

const CSRF_COOKIE: &str = "sasiedzi_csrf";
const CSRF_HEADER: &str = "X-CSRF-Token";

/// The token the server set in a cookie this page can read and a cross-site page cannot.
pub fn csrf_token() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let cookies = document
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?
        .cookie()
        .ok()?;
    cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == CSRF_COOKIE).then(|| value.to_owned())
    })
}

/// Adds the CSRF header to a state-changing request.
pub fn with_csrf(builder: RequestBuilder) -> RequestBuilder {
    match csrf_token() {
        Some(token) => builder.header(CSRF_HEADER, &token),
        None => builder,
    }
}

pub async fn call<T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<serde_json::Value>,
) -> Result<T, ApiFailure> {
    let builder = match method {
        "GET" => Request::get(url),
        "POST" => with_csrf(Request::post(url)),
        "PATCH" => with_csrf(Request::patch(url)),
        "PUT" => with_csrf(Request::put(url)),
        "DELETE" => with_csrf(Request::delete(url)),
        other => unreachable!("no {other} requests in this app"),
    };
    let sent = match body {
        Some(json) => {
            builder
                .json(&json)
                .map_err(|_| ApiFailure::Network)?
                .send()
                .await
        }
        None => builder.send().await,
    };
    let response = sent.map_err(|_| ApiFailure::Network)?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let json: serde_json::Value = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    };
    if !response.ok() {
        // A proxy's "bad gateway" while the server restarts is as good as offline.
        if matches!(status, 502..=504) {
            return Err(ApiFailure::Network);
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.parse().ok());
        return Err(ApiFailure::Status {
            status,
            error: json["error"].as_str().unwrap_or_default().to_owned(),
            retry_after,
            body: json,
        });
    }
    serde_json::from_value(json).map_err(|_| ApiFailure::Unexpected)
}
