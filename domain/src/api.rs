//! API v1, declared once for both sides: every endpoint is a type that names its method and route and, for
//! the JSON ones, what is sent and what comes back. The server registers its routes from these
//! declarations and the pages call through them, so a path, a body or an answer cannot differ between
//! the two. The wire shapes are the types' serde forms (docs/sync-protocol.md).

use std::fmt::Display;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::sync::protocol;
use crate::{
    account, app_lock, audit, consent, data_rights, dictionary, event, help_request, kiosk,
    need_to_know, report, retention,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// Where an endpoint is.
pub trait Route {
    const METHOD: Method;
    /// The route template as the server's router takes it: `{…}` stands for one path segment.
    const ROUTE: &'static str;
}

/// An endpoint that takes and answers JSON.
pub trait Endpoint: Route {
    /// The JSON body of a write, the query string of a `GET`; `()` when there is none.
    type Body: Serialize + DeserializeOwned;
    /// The JSON answer; `()` for an empty `204 No Content`.
    type Answer: Serialize + DeserializeOwned;
}

/// `Name: Method "route"` declares where an endpoint is; `, Body => Answer` makes it a JSON [`Endpoint`].
macro_rules! endpoints {
    ($(
        $(#[$doc:meta])*
        $name:ident: $method:ident $route:literal $(, $body:ty => $answer:ty)?;
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy)]
            pub struct $name;

            impl Route for $name {
                const METHOD: Method = Method::$method;
                const ROUTE: &'static str = $route;
            }

            $(impl Endpoint for $name {
                type Body = $body;
                type Answer = $answer;
            })?
        )*

        /// Every endpoint as (method, route): the server's tests require it to serve each one.
        pub const ROUTES: &[(Method, &str)] = &[$((Method::$method, $route)),*];
    };
}

endpoints! {
    /// Whether the first coordinator is still to be created.
    CheckSetup: Get "/api/v1/setup", () => account::SetupStatus;
    /// Creates the first coordinator and signs them in.
    SetUp: Post "/api/v1/setup", account::NewAccount => account::SessionView;
    /// Who this device is signed in as (`401` when nobody).
    CheckSession: Get "/api/v1/session", () => account::SessionView;
    SignIn: Post "/api/v1/session", account::SignIn => account::SessionView;
    SignOut: Delete "/api/v1/session", () => ();
    SignOutEverywhere: Post "/api/v1/session/sign-out-everywhere", () => ();
    /// One's own password.
    ChangePassword: Post "/api/v1/account/password", account::PasswordChange => ();
    Push: Post "/api/v1/sync/push", protocol::PushRequest => protocol::PushResponse;
    Pull: Get "/api/v1/sync/pull", protocol::PullQuery => protocol::PullResponse;
    /// A device ordered to wipe (its account was deactivated) says it erased the account's data.
    ConfirmWipe: Post "/api/v1/sync/wiped", () => ();
    /// Whom an organiser can assign to a request.
    ListVolunteers: Get "/api/v1/volunteers", () => Vec<help_request::Person>;
    ListUsers: Get "/api/v1/users", () => Vec<account::AccountRecord>;
    CreateUser: Post "/api/v1/users", account::NewAccount => account::Account;
    UpdateUser: Patch "/api/v1/users/{id}", account::AccountChanges => account::AccountRecord;
    /// A temporary password set by a coordinator.
    ResetPassword: Post "/api/v1/users/{id}/password", account::PasswordReset => ();
    ListEvents: Get "/api/v1/events", () => Vec<event::Event>;
    CreateEvent: Post "/api/v1/events", event::EventFields => event::Event;
    UpdateEvent: Put "/api/v1/events/{id}", event::EventFields => event::Event;
    /// The event's attendance list as a CSV file.
    AttendanceCsv: Get "/api/v1/events/{id}/attendance.csv";
    /// `{kind}` is a `ConsentKind`'s code.
    ReviseConsentText: Put "/api/v1/consent-texts/{kind}",
        consent::ConsentTextRequest => consent::ConsentText;
    /// The JPEG of a photo whose record has synced, as the body; answered with the photo's record.
    UploadPhoto: Put "/api/v1/photos/{id}/original";
    /// The stored original, as a download.
    DownloadPhoto: Get "/api/v1/photos/{id}/original";
    PhotoThumbnail: Get "/api/v1/photos/{id}/thumbnail";
    ListEnrolments: Get "/api/v1/enrolments", () => Vec<kiosk::Enrolment>;
    /// A code (and QR code) that makes a tablet the kiosk of an event.
    Enrol: Post "/api/v1/enrolments", kiosk::EnrolRequest => kiosk::EnrolmentCode;
    RevokeEnrolment: Delete "/api/v1/enrolments/{id}", () => ();
    /// The tablet redeems its code and becomes the kiosk.
    ClaimKiosk: Post "/api/v1/kiosk/claim", kiosk::ClaimRequest => account::SessionView;
    /// What the kiosk works from offline.
    FetchKioskPackage: Get "/api/v1/kiosk/event", () => kiosk::KioskPackage;
    BrowseAudit: Get "/api/v1/audit", audit::AuditFilter => audit::AuditPage;
    /// A device reports the openings of personal data it noted (`audit::PersonalRead`).
    RecordReads: Post "/api/v1/audit/reads", audit::ReadReceipts => ();
    ShowDashboard: Get "/api/v1/reports/dashboard", report::ScopeQuery => report::Dashboard;
    /// `{file}` is `<kind>.<csv|xlsx>` or `evidence_pack.zip`; the query is a `ScopeQuery`.
    DownloadExport: Get "/api/v1/exports/{file}";
    /// `{kind}` is a `DictionaryKind`'s code.
    AddDictionaryEntry: Post "/api/v1/dictionary/{kind}",
        dictionary::EntryLabels => dictionary::DictionaryEntry;
    UpdateDictionaryEntry: Put "/api/v1/dictionary/{kind}/{code}",
        dictionary::EntryLabels => dictionary::DictionaryEntry;
    /// How long closed requests stay on volunteers' phones.
    ShowClosedRequestDays: Get "/api/v1/settings/closed-request-days",
        () => need_to_know::ClosedRequestDays;
    ChangeClosedRequestDays: Put "/api/v1/settings/closed-request-days",
        need_to_know::ClosedRequestDays => need_to_know::ClosedRequestDays;
    ShowLockAfter: Get "/api/v1/settings/lock-after", () => app_lock::LockAfter;
    ChangeLockAfter: Put "/api/v1/settings/lock-after", app_lock::LockAfter => app_lock::LockAfter;
    ShowRetention: Get "/api/v1/retention", () => retention::RetentionOverview;
    /// A new period; nothing is anonymised until confirmed.
    ChangeRetention: Put "/api/v1/retention",
        retention::ApplyRetention => retention::RetentionOverview;
    /// The coordinator confirms the anonymisation under the period they saw.
    ApplyRetention: Post "/api/v1/retention/apply",
        retention::ApplyRetention => retention::RetentionApplied;
    /// Everything the centre holds about one resident (GDPR art. 15), as a ZIP download.
    DownloadSubjectAccess: Get "/api/v1/residents/{id}/subject-access.zip";
    /// Erases one resident on their request (GDPR art. 17), with the reason.
    EraseResident: Post "/api/v1/residents/{id}/erasure",
        data_rights::EraseSubject => data_rights::ErasureCounts;
}

/// `R::ROUTE` with its `{…}` segments filled from `segments`, in order.
///
/// # Panics
/// When `segments` are not as many as the route's `{…}`: such an address could never reach the endpoint.
pub fn path<R: Route>(segments: &[&dyn Display]) -> String {
    let mut given = segments.iter();
    let filled: Vec<String> = R::ROUTE
        .split('/')
        .map(|part| {
            if part.starts_with('{') {
                given
                    .next()
                    .unwrap_or_else(|| panic!("{} needs more segments", R::ROUTE))
                    .to_string()
            } else {
                part.to_owned()
            }
        })
        .collect();
    assert!(given.next().is_none(), "{} has fewer segments", R::ROUTE);
    filled.join("/")
}

/// The [`path`] with `query` as its query string (left out when `query` has nothing to say).
pub fn url<R: Route>(
    segments: &[&dyn Display],
    query: &impl Serialize,
) -> Result<String, serde_urlencoded::ser::Error> {
    let path = path::<R>(segments);
    let query = serde_urlencoded::to_string(query)?;
    Ok(if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::NaiveDate;
    use uuid::Uuid;

    use super::*;
    use crate::audit::AuditFilter;
    use crate::report::ScopeQuery;

    #[test]
    fn segments_fill_the_route_in_order() {
        let id = Uuid::nil();
        assert_eq!(
            path::<UpdateUser>(&[&id]),
            "/api/v1/users/00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(
            path::<UpdateDictionaryEntry>(&[&"district", &"jedwabnik"]),
            "/api/v1/dictionary/district/jedwabnik"
        );
        assert_eq!(path::<ListUsers>(&[]), "/api/v1/users");
    }

    #[test]
    #[should_panic(expected = "needs more segments")]
    fn a_missing_segment_is_a_mistake() {
        path::<UpdateUser>(&[]);
    }

    #[test]
    #[should_panic(expected = "has fewer segments")]
    fn an_extra_segment_is_a_mistake() {
        path::<ListUsers>(&[&"x"]);
    }

    #[test]
    fn the_query_is_encoded_and_unset_parts_left_out() {
        assert_eq!(url::<ListUsers>(&[], &()).unwrap(), "/api/v1/users");
        let filter = AuditFilter {
            actor: Some("ania & co".into()),
            from: NaiveDate::from_ymd_opt(2026, 3, 1),
            before: Some(120),
            ..AuditFilter::default()
        };
        assert_eq!(
            url::<BrowseAudit>(&[], &filter).unwrap(),
            "/api/v1/audit?actor=ania+%26+co&from=2026-03-01&before=120"
        );
        assert_eq!(
            url::<BrowseAudit>(&[], &AuditFilter::default()).unwrap(),
            "/api/v1/audit"
        );
        let scope = ScopeQuery {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            include_unapproved: true,
        };
        assert_eq!(
            url::<DownloadExport>(&[&"requests.xlsx"], &scope).unwrap(),
            "/api/v1/exports/requests.xlsx?from=2026-01-01&to=2026-12-31&include_unapproved=true"
        );
    }

    #[test]
    fn every_route_is_under_v1_and_declared_once() {
        let mut seen = BTreeSet::new();
        for (method, route) in ROUTES {
            assert!(route.starts_with("/api/v1/"), "{route}");
            assert!(
                seen.insert((format!("{method:?}"), route)),
                "{method:?} {route} twice"
            );
        }
    }
}
