//! The audit log as coordinators browse it: who did what, when, newest first, a page at a time; and the
//! openings of personal data that devices report to it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `Variant = "name",` declares an [`AuditAction`] and its name in the log.
macro_rules! audit_actions {
    ($($variant:ident = $name:literal,)*) => {
        /// What the log says happened, each with its name in the log, written once here: the server writes
        /// only these, and the coordinator's filter offers every one of them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant),*];

            pub fn name(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)*
                }
            }

            pub fn from_name(name: &str) -> Option<AuditAction> {
                match name {
                    $($name => Some(AuditAction::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_actions! {
    SignIn = "sign_in",
    SignInFailed = "sign_in_failed",
    SignInThrottled = "sign_in_throttled",
    SignOut = "sign_out",
    SignOutEverywhere = "sign_out_everywhere",
    PasswordChanged = "password_changed",
    Setup = "setup",
    UserCreated = "user_created",
    UserUpdated = "user_updated",
    UserDeactivated = "user_deactivated",
    UserReactivated = "user_reactivated",
    PasswordReset = "password_reset",
    DeviceWiped = "device_wiped",
    EventCreated = "event_created",
    EventUpdated = "event_updated",
    DeviceEnrolled = "device_enrolled",
    DeviceClaimed = "device_claimed",
    DeviceRevoked = "device_revoked",
    AttendanceExported = "attendance_exported",
    ExportDownloaded = "export_downloaded",
    DictionaryChanged = "dictionary_changed",
    ConsentTextRevised = "consent_text_revised",
    ClosedRequestDaysChanged = "closed_request_days_changed",
    LockAfterChanged = "lock_after_changed",
    RetentionChanged = "retention_changed",
    RetentionApplied = "retention_applied",
    SubjectAccessDownloaded = "subject_access_downloaded",
    ResidentErased = "resident_erased",
    ResidentRecordOpened = "resident_record_opened",
    SignaturesOpened = "signatures_opened",
    PhotoDownloaded = "photo_downloaded",
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub details: serde_json::Value,
}

/// Narrows the log; every part is optional. `before` pages backwards from an entry id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor: Option<String>,
    /// Inclusive dates, `YYYY-MM-DD`, in UTC.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; `None` at the start of the log.
    pub older: Option<i64>,
}

/// Most receipts one report may carry; a device with more sends them in several.
pub const MAX_READ_RECEIPTS: usize = 200;

/// An opening of personal data that the log must show (who, what, when). Staff read these records on
/// their own device, often offline, so the device notes each opening and reports it later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum PersonalRead {
    /// A resident's full registry entry: phone, address, consents.
    Resident { resident_id: Uuid },
    /// An event's attendance list with its signatures shown.
    SignedAttendance { event_id: Uuid },
}

impl PersonalRead {
    /// The action the log files the opening under.
    pub fn action(self) -> AuditAction {
        match self {
            PersonalRead::Resident { .. } => AuditAction::ResidentRecordOpened,
            PersonalRead::SignedAttendance { .. } => AuditAction::SignaturesOpened,
        }
    }

    /// What was opened, as the log's target.
    pub fn target(self) -> Uuid {
        match self {
            PersonalRead::Resident { resident_id } => resident_id,
            PersonalRead::SignedAttendance { event_id } => event_id,
        }
    }
}

/// One opening as the device noted it. `id` (made on the device) lets the server keep it once however
/// often the report is resent; `opened_at` is the device's clock, which the log shows beside its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadReceipt {
    pub id: Uuid,
    #[serde(flatten)]
    pub read: PersonalRead,
    pub opened_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadReceipts {
    pub receipts: Vec<ReadReceipt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_travels_as_flat_json_and_names_its_action_and_target() {
        let id = Uuid::from_u128(7);
        let resident_id = Uuid::from_u128(9);
        let receipt = ReadReceipt {
            id,
            read: PersonalRead::Resident { resident_id },
            opened_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        };
        let json = serde_json::to_value(receipt).unwrap();
        assert_eq!(json["record"], "resident");
        assert_eq!(json["resident_id"], resident_id.to_string());
        assert_eq!(
            serde_json::from_value::<ReadReceipt>(json).unwrap(),
            receipt
        );
        assert_eq!(receipt.read.action().name(), "resident_record_opened");
        assert_eq!(receipt.read.target(), resident_id);
        let list = PersonalRead::SignedAttendance { event_id: id };
        assert_eq!(
            (list.action().name(), list.target()),
            ("signatures_opened", id)
        );
    }

    #[test]
    fn every_action_has_its_own_name_and_is_found_by_it() {
        for &action in AuditAction::ALL {
            assert_eq!(AuditAction::from_name(action.name()), Some(action));
        }
        assert_eq!(AuditAction::from_name("no_such_action"), None);
    }
}
