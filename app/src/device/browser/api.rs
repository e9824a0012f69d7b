//! JSON calls to the server's API with the session's CSRF token, for the pages that talk to the server
//! directly (signing in, administration). Field entries go through the outbox instead.

use std::fmt::Display;

use domain::api::{self, Endpoint, Method};
use gloo_net::http::{Request, RequestBuilder};
use serde::Serialize;
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

/// Calls the endpoint `E` at its route with `segments` filled in: a read sends `body` as the query string,
/// a write as JSON (none for `()`) with the CSRF header.
pub async fn call<E: Endpoint>(
    segments: &[&dyn Display],
    body: &E::Body,
) -> Result<E::Answer, ApiFailure> {
    let path = || api::path::<E>(segments);
    let request = match E::METHOD {
        Method::Get => api::url::<E>(segments, body)
            .map_err(|_| ApiFailure::Unexpected)
            .and_then(|url| {
                Request::get(&url)
                    .build()
                    .map_err(|_| ApiFailure::Unexpected)
            }),
        Method::Post => write(Request::post(&path()), body),
        Method::Put => write(Request::put(&path()), body),
        Method::Patch => write(Request::patch(&path()), body),
        Method::Delete => write(Request::delete(&path()), body),
    }?;
    let response = request.send().await.map_err(|_| ApiFailure::Network)?;
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

/// A state-changing request: the CSRF header, and the body as JSON unless there is none (`()`).
fn write(builder: RequestBuilder, body: &impl Serialize) -> Result<Request, ApiFailure> {
    let builder = with_csrf(builder);
    let built = match serde_json::to_value(body).map_err(|_| ApiFailure::Unexpected)? {
        serde_json::Value::Null => builder.build(),
        json => builder.json(&json),
    };
    built.map_err(|_| ApiFailure::Unexpected)
}
