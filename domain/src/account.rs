//! Who may do what: roles, the principals a request can come from, and the rules for account fields.
//! The server enforces these on every route; the client uses the same rules to show only what works.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MIN_USERNAME_CHARS: usize = 3;
pub const MAX_USERNAME_CHARS: usize = 32;
/// Long passphrases are easier for seniors than short complex passwords; length is what counts.
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;
pub const MAX_DISPLAY_NAME_CHARS: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Volunteer,
    Organiser,
    /// The administrator: users, devices, configuration, the audit log.
    Coordinator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Volunteer, Role::Organiser, Role::Coordinator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Organiser => "organiser",
            Role::Coordinator => "coordinator",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What a request is allowed to touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Help requests and other field entries, recorded under one's own name.
    RecordEntries,
    /// Every help request, not only one's own.
    ReadAllRequests,
    /// Approve, return or reject entries, assign volunteers, merge residents.
    ReviewEntries,
    ReadEvents,
    ManageEvents,
    EnrolDevices,
    ManageUsers,
    ReadAuditLog,
    /// Consent texts and other settings of the centre.
    Configure,
    /// Exports of the residents registry: names, phones and addresses in one file.
    ExportResidents,
    /// A resident's requests under the GDPR: everything held about them in one file (art. 15), and
    /// their erasure (art. 17).
    HandleDataRequests,
    /// Attendance and the public name of one event: all a kiosk tablet may do.
    KioskOf(Uuid),
}

/// Who a request comes from, as established by its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    User { id: Uuid, role: Role },
    Kiosk { enrolment_id: Uuid, event_id: Uuid },
}

impl Principal {
    pub fn may(&self, permission: Permission) -> bool {
        use Permission::*;
        match *self {
            Principal::Anonymous => false,
            Principal::Kiosk { event_id, .. } => permission == KioskOf(event_id),
            Principal::User { role, .. } => match permission {
                RecordEntries | ReadEvents => true,
                ReadAllRequests | ReviewEntries | ManageEvents | EnrolDevices => {
                    role != Role::Volunteer
                }
                ManageUsers | ReadAuditLog | Configure | ExportResidents | HandleDataRequests => {
                    role == Role::Coordinator
                }
                KioskOf(_) => false,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountField {
    Username,
    DisplayName,
    Password,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum AccountProblem {
    Required,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    /// Only lower-case letters, digits, dot, dash and underscore: easy to type on any phone keyboard.
    BadCharacters,
    /// The password may not be the username.
    SameAsUsername,
    Taken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountError {
    pub field: AccountField,
    #[serde(flatten)]
    pub problem: AccountProblem,
}

/// Usernames compare case-insensitively; stored as typed, lower-cased and trimmed.
pub fn normalize_username(username: &str) -> String {
    username.trim().to_lowercase()
}

pub fn validate_username(username: &str) -> Result<(), AccountError> {
    let problem = |problem| {
        Err(AccountError {
            field: AccountField::Username,
            problem,
        })
    };
    let chars = username.chars().count();
    if chars == 0 {
        return problem(AccountProblem::Required);
    }
    if chars < MIN_USERNAME_CHARS {
        return problem(AccountProblem::TooShort {
            min: MIN_USERNAME_CHARS,
        });
    }
    if chars > MAX_USERNAME_CHARS {
        return problem(AccountProblem::TooLong {
            max: MAX_USERNAME_CHARS,
        });
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
    if !username.chars().all(allowed) {
        return problem(AccountProblem::BadCharacters);
    }
    Ok(())
}

pub fn validate_display_name(display_name: &str) -> Result<(), AccountError> {
    let chars = display_name.trim().chars().count();
    let problem = if chars == 0 {
        AccountProblem::Required
    } else if chars > MAX_DISPLAY_NAME_CHARS {
        AccountProblem::TooLong {
            max: MAX_DISPLAY_NAME_CHARS,
        }
    } else {
        return Ok(());
    };
    Err(AccountError {
        field: AccountField::DisplayName,
        problem,
    })
}

pub fn validate_password(password: &str, username: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    let problem = if chars == 0 {
        AccountProblem::Required
    } else if chars < MIN_PASSWORD_CHARS {
        AccountProblem::TooShort {
            min: MIN_PASSWORD_CHARS,
        }
    } else if chars > MAX_PASSWORD_CHARS {
        AccountProblem::TooLong {
            max: MAX_PASSWORD_CHARS,
        }
    } else if normalize_username(password) == normalize_username(username) {
        AccountProblem::SameAsUsername
    } else {
        return Ok(());
    };
    Err(AccountError {
        field: AccountField::Password,
        problem,
    })
}

/// A new account as a coordinator (or the first-start setup) describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

impl NewAccount {
    pub fn normalized(&self) -> Self {
        Self {
            username: normalize_username(&self.username),
            display_name: self
                .display_name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            role: self.role,
            password: self.password.clone(),
        }
    }

    /// Every problem at once, so the form marks all offending fields.
    pub fn validate(&self) -> Result<(), Vec<AccountError>> {
        let errors: Vec<AccountError> = [
            validate_username(&self.username),
            validate_display_name(&self.display_name),
            validate_password(&self.password, &self.username),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The signed-in person as the client knows them; kept on the device so it works offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// An account as coordinators manage it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    #[serde(flatten)]
    pub account: Account,
    pub active: bool,
    pub created_at: String,
    /// The devices it was signed in on when it was deactivated: each erases its data at its next contact.
    #[serde(default)]
    pub device_wipes: Vec<DeviceWipe>,
}

/// A deactivated account's device, ordered to erase that account's data when it next reaches the server
/// (after sending what it still has).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceWipe {
    /// The browser, as it named itself when the person signed in (its User-Agent).
    pub device: String,
    pub signed_in_at: DateTime<Utc>,
    pub ordered_at: DateTime<Utc>,
    /// When the device confirmed the erasure; `None` while it has not been in touch since.
    pub wiped_at: Option<DateTime<Utc>>,
}

/// What a coordinator may change about an account; `None` leaves it as is (and is not sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub username: String,
    pub password: String,
    /// The browser signing in (`sync::protocol::PushRequest::device_id`'s id): the answer then carries
    /// the key that reopens this device's sealed data (`app_lock::UnlockKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// A coordinator sets a temporary password for someone who forgot theirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordReset {
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStatus {
    /// No account exists yet: the one-time setup page creates the first coordinator.
    pub required: bool,
}

/// What `GET /api/v1/session` tells a device about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SessionView {
    Person {
        account: Account,
        /// When the app locks itself on this person's devices.
        #[serde(default)]
        lock_after: crate::app_lock::LockAfter,
        /// Only in the answer to a sign-in with the password from a named device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unlock_key: Option<crate::app_lock::UnlockKey>,
    },
    Kiosk {
        event_id: Uuid,
        event_title: String,
        /// Only in the answer to an enrolment code from a named device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unlock: Option<crate::app_lock::KioskUnlock>,
    },
}

/// 422 answer to an account form: every field problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidAccount {
    pub error: String,
    pub message: String,
    pub errors: Vec<AccountError>,
}

/// Kiosk enrolment codes: no 0/O, 1/I/L, so they read back correctly from a screen across a room.
pub const ENROLMENT_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const ENROLMENT_CODE_LEN: usize = 8;

/// What a person typed as an enrolment code, in canonical form: spaces and dashes dropped, upper case.
pub fn normalize_enrolment_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: Uuid = Uuid::from_u128(7);

    fn user(role: Role) -> Principal {
        Principal::User {
            id: Uuid::from_u128(1),
            role,
        }
    }

    #[test]
    fn volunteers_record_but_do_not_manage() {
        let volunteer = user(Role::Volunteer);
        assert!(volunteer.may(Permission::RecordEntries));
        assert!(volunteer.may(Permission::ReadEvents));
        assert!(!volunteer.may(Permission::ReadAllRequests));
        assert!(!volunteer.may(Permission::EnrolDevices));
        assert!(!volunteer.may(Permission::ManageUsers));
    }

    #[test]
    fn organisers_review_and_enrol_but_only_coordinators_administer() {
        let organiser = user(Role::Organiser);
        assert!(organiser.may(Permission::ReadAllRequests));
        assert!(organiser.may(Permission::EnrolDevices));
        assert!(!organiser.may(Permission::ManageUsers));
        assert!(!organiser.may(Permission::ReadAuditLog));
        let coordinator = user(Role::Coordinator);
        assert!(coordinator.may(Permission::ManageUsers));
        assert!(coordinator.may(Permission::ReadAuditLog));
        assert!(!organiser.may(Permission::Configure));
        assert!(coordinator.may(Permission::Configure));
        assert!(!organiser.may(Permission::ExportResidents));
        assert!(coordinator.may(Permission::ExportResidents));
        assert!(!organiser.may(Permission::HandleDataRequests));
        assert!(coordinator.may(Permission::HandleDataRequests));
    }

    #[test]
    fn a_kiosk_may_only_serve_its_own_event() {
        let kiosk = Principal::Kiosk {
            enrolment_id: Uuid::from_u128(2),
            event_id: EVENT,
        };
        assert!(kiosk.may(Permission::KioskOf(EVENT)));
        assert!(!kiosk.may(Permission::KioskOf(Uuid::from_u128(8))));
        assert!(!kiosk.may(Permission::RecordEntries));
        assert!(!kiosk.may(Permission::ReadEvents));
        assert!(!user(Role::Coordinator).may(Permission::KioskOf(EVENT)));
    }

    #[test]
    fn anonymous_may_nothing() {
        for permission in [
            Permission::RecordEntries,
            Permission::ReadEvents,
            Permission::ManageUsers,
            Permission::KioskOf(EVENT),
        ] {
            assert!(!Principal::Anonymous.may(permission));
        }
    }

    #[test]
    fn usernames_are_simple_to_type() {
        assert!(validate_username("anna.nowak").is_ok());
        assert!(validate_username("ab").is_err());
        assert_eq!(
            validate_username("łucja").unwrap_err().problem,
            AccountProblem::BadCharacters
        );
        assert_eq!(normalize_username("  Anna.Nowak "), "anna.nowak");
    }

    #[test]
    fn passwords_need_length_and_differ_from_the_username() {
        assert_eq!(
            validate_password("krótkie", "anna").unwrap_err().problem,
            AccountProblem::TooShort { min: 10 }
        );
        assert_eq!(
            validate_password("Anna.Nowak", "anna.nowak")
                .unwrap_err()
                .problem,
            AccountProblem::SameAsUsername
        );
        assert!(validate_password("zielona łąka nad Wisłą", "anna").is_ok());
    }

    #[test]
    fn a_new_account_reports_every_problem() {
        let account = NewAccount {
            username: "A".into(),
            display_name: " ".into(),
            role: Role::Volunteer,
            password: "x".into(),
        }
        .normalized();
        let fields: Vec<_> = account
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                AccountField::Username,
                AccountField::DisplayName,
                AccountField::Password
            ]
        );
    }

    #[test]
    fn enrolment_codes_forgive_dashes_spaces_and_case() {
        assert_eq!(normalize_enrolment_code(" abcd-ef 23 "), "ABCDEF23");
    }
}
