//! Who is calling: session cookies, CSRF tokens, password hashing and sign-in throttling.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::OnceLock;
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use domain::account::{
    Account, Permission, Principal, ENROLMENT_CODE_ALPHABET, ENROLMENT_CODE_LEN,
};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

use crate::api::{error, storage_failure, ApiState, Rejection};
use crate::storage::accounts::{SessionInfo, SESSION_IDLE_DAYS};

pub const SESSION_COOKIE: &str = "sasiedzi_session";
/// Readable by the page's script, which echoes it in [`CSRF_HEADER`]; a cross-site page can do neither.
pub const CSRF_COOKIE: &str = "sasiedzi_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How much of a User-Agent is kept to name a device.
const DEVICE_NAME_CHARS: usize = 300;

/// How the server learns about its own deployment.
#[derive(Debug, Clone, Default)]
pub struct SecurityConfig {
    /// Behind a reverse proxy that terminates TLS: trust its `X-Forwarded-For` / `X-Forwarded-Proto`.
    pub trust_proxy: bool,
}

/// 32 random bytes, hex: session tokens, CSRF tokens.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    hex::encode(bytes)
}

/// What the database keeps instead of a token or code.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A short code to type on a tablet, from an alphabet without look-alike characters.
pub fn new_enrolment_code() -> String {
    let mut bytes = [0u8; ENROLMENT_CODE_LEN];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    // 256 is not a multiple of the alphabet's size; the bias this leaves is far below guessing odds
    // that throttling already bounds.
    bytes
        .iter()
        .map(|b| ENROLMENT_CODE_ALPHABET[usize::from(*b) % ENROLMENT_CODE_ALPHABET.len()] as char)
        .collect()
}

/// The PIN staff type to leave a kiosk's flow: six digits, easy to read out and type on a tablet.
pub fn new_exit_pin() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    format!("{:06}", u64::from_le_bytes(bytes) % 1_000_000)
}

/// argon2id with the crate's defaults (19 MiB, 2 passes), off the async threads.
pub async fn hash_password(password: String) -> String {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .expect("argon2 with default parameters")
            .to_string()
    })
    .await
    .expect("password hashing task")
}

/// Checks a password; with no account, still spends the same time so timing does not tell which
/// usernames exist.
pub async fn verify_password(password: String, stored_hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let found = stored_hash.is_some();
        let stored = stored_hash.unwrap_or_else(|| decoy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && found
    })
    .await
    .unwrap_or(false)
}

fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"no such account")
            .expect("argon2 with default parameters")
            .to_string()
    })
}

/// The caller of an API request, resolved from the session cookie by [`authenticate`].
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// A live session: the caller acts as its principal.
    pub session: Option<SessionInfo>,
    /// The session of a deactivated account, now an order to wipe the device: it grants nothing but
    /// what [`Caller::sender`] and the wipe's confirmation allow.
    pub wipe_order: Option<SessionInfo>,
    /// The browser's name for itself (User-Agent), kept with a new session.
    pub device: String,
    pub ip: Option<IpAddr>,
    /// The request came over TLS (directly or via a trusted proxy): cookies get `Secure`.
    pub secure: bool,
}

impl Caller {
    pub fn principal(&self) -> Principal {
        self.session
            .as_ref()
            .map_or(Principal::Anonymous, |s| s.principal)
    }

    /// 401 without a session, 403 with one that lacks the permission.
    pub fn require(&self, permission: Permission) -> Result<(), Rejection> {
        match self.principal() {
            Principal::Anonymous => Err(not_signed_in()),
            principal if principal.may(permission) => Ok(()),
            _ => Err(Rejection::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your role does not allow this.",
            )),
        }
    }

    /// The signed-in person, if their role grants `permission`.
    pub fn person_with(&self, permission: Permission) -> Result<&Account, Rejection> {
        self.require(permission)?;
        self.account()
    }

    /// The signed-in person, or 401 (kiosks and anonymous callers have no account).
    pub fn account(&self) -> Result<&Account, Rejection> {
        match self.session.as_ref().and_then(|s| s.account.as_ref()) {
            Some(account) => Ok(account),
            None if self.session.is_some() => Err(Rejection::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Only a signed-in person can do this.",
            )),
            None => Err(not_signed_in()),
        }
    }

    /// Whose entries this device sends: the signed-in person, if their role records entries, or the
    /// account of a device ordered to wipe, which sends what it still has first.
    pub fn sender(&self) -> Result<&Account, Rejection> {
        match self.wipe_order.as_ref().and_then(|s| s.account.as_ref()) {
            Some(account) => Ok(account),
            None => self.person_with(Permission::RecordEntries),
        }
    }

    /// How the audit log names the caller.
    pub fn actor_label(&self) -> String {
        match self.principal() {
            Principal::Anonymous => "anonymous".into(),
            Principal::Kiosk { .. } => "kiosk".into(),
            Principal::User { .. } => self
                .session
                .as_ref()
                .and_then(|s| s.account.as_ref())
                .map_or_else(String::new, |a| a.username.clone()),
        }
    }
}

pub fn not_signed_in() -> Rejection {
    Rejection::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Sign in to continue.",
    )
}

/// What a device ordered to wipe hears where a session would be needed: it has sent what it had, and
/// now erases the account's data and confirms.
pub fn wipe_ordered() -> Rejection {
    Rejection::new(
        StatusCode::GONE,
        domain::sync::protocol::WIPE_ORDERED,
        "This account has been deactivated: erase its data on this device.",
    )
}

pub fn unauthenticated() -> Response {
    not_signed_in().into_response()
}

/// Resolves the session and checks the CSRF token of every state-changing request, for the whole API.
pub async fn authenticate(
    State(state): State<ApiState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let session = match jar.get(SESSION_COOKIE) {
        Some(cookie) => match state.store.session(&token_hash(cookie.value())).await {
            Ok(session) => session,
            Err(e) => return storage_failure(e),
        },
        None => None,
    };
    let (session, wipe_order) = match session {
        Some(session) if session.wipe_ordered => (None, Some(session)),
        session => (session, None),
    };
    if !is_safe(request.method()) {
        // With a session, its own token; before signing in, the double-submitted cookie.
        let expected = match session.as_ref().or(wipe_order.as_ref()) {
            Some(session) => Some(session.csrf_token.as_str()),
            None => jar.get(CSRF_COOKIE).map(Cookie::value),
        };
        let sent = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok());
        let matches = matches!((expected, sent), (Some(e), Some(s)) if !e.is_empty() && constant_time_eq(e, s));
        if !matches {
            return error(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "The request lacks this page's security token; reload the page and try again.",
            );
        }
    }
    let device = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|agent| agent.chars().take(DEVICE_NAME_CHARS).collect())
        .unwrap_or_default();
    let caller = Caller {
        session,
        wipe_order,
        device,
        ip: client_ip(&request, &state.config),
        secure: is_secure(request.headers(), &state.config),
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn client_ip(request: &Request, config: &SecurityConfig) -> Option<IpAddr> {
    if config.trust_proxy {
        // The proxy appends the address it saw; earlier entries are whatever the client claimed.
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

fn is_secure(headers: &HeaderMap, config: &SecurityConfig) -> bool {
    config.trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// The session cookie (HttpOnly) and its CSRF companion (readable by the page), both `SameSite=Strict`.
pub fn session_cookies(jar: CookieJar, token: &str, csrf: &str, secure: bool) -> CookieJar {
    let age = time_days(SESSION_IDLE_DAYS);
    jar.add(
        Cookie::build((SESSION_COOKIE, token.to_owned()))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure)
            .path("/")
            .max_age(age),
    )
    .add(csrf_cookie(csrf, secure))
}

pub fn csrf_cookie(csrf: &str, secure: bool) -> Cookie<'static> {
    Cookie::build((CSRF_COOKIE, csrf.to_owned()))
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .max_age(time_days(SESSION_IDLE_DAYS))
        .build()
}

pub fn without_session(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"))
}

fn time_days(days: i64) -> cookie::time::Duration {
    cookie::time::Duration::days(days)
}

/// Limits sign-in (and enrolment-code) attempts per account and per address, so guessing is slow.
pub struct LoginThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
}

/// Ten quick tries per account (signing in on a few devices, a mistyped password change), then one
/// every 30 s: about 2,900 guesses a day, hopeless against a 10-character passphrase.
pub const ACCOUNT_BURST: u32 = 10;
const ACCOUNT_REFILL: Duration = Duration::from_secs(30);
/// An office behind one address signs many people in; guessing from one address still crawls.
pub const IP_BURST: u32 = 20;
const IP_REFILL: Duration = Duration::from_secs(10);

impl Default for LoginThrottle {
    fn default() -> Self {
        let quota = |burst: u32, refill| {
            Quota::with_period(refill)
                .expect("a non-zero period")
                .allow_burst(NonZeroU32::new(burst).expect("a non-zero burst"))
        };
        Self {
            per_account: RateLimiter::keyed(quota(ACCOUNT_BURST, ACCOUNT_REFILL)),
            per_ip: RateLimiter::keyed(quota(IP_BURST, IP_REFILL)),
        }
    }
}

impl LoginThrottle {
    /// Counts one attempt; `Err(wait)` when the account or the address must wait.
    pub fn attempt(&self, ip: Option<IpAddr>, account: Option<&str>) -> Result<(), Duration> {
        let clock = DefaultClock::default();
        if let Some(ip) = ip {
            self.per_ip
                .check_key(&ip)
                .map_err(|not_until| not_until.wait_time_from(clock.now()))?;
        }
        if let Some(account) = account {
            self.per_account
                .check_key(&account.to_owned())
                .map_err(|not_until| not_until.wait_time_from(clock.now()))?;
        }
        // Forget keys that have fully refilled, so memory stays bounded under a spray of usernames.
        if self.per_account.len() > 10_000 {
            self.per_account.retain_recent();
            self.per_ip.retain_recent();
        }
        Ok(())
    }
}

/// 429 with `Retry-After` in whole seconds (never 0, so a client that honours it does wait).
pub fn throttled(wait: Duration) -> Rejection {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Rejection {
        retry_after: Some(seconds.max(1)),
        ..Rejection::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!("Too many attempts; try again in {seconds} s."),
        )
    }
}
