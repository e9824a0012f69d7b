//! The audit log as coordinators browse it: who did what, when, newest first, a page at a time; and the
//! openings of personal data that devices report to it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// The log's actions for openings (`PersonalRead::action`).
pub const RESIDENT_RECORD_OPENED: &str = "resident_record_opened";
pub const SIGNATURES_OPENED: &str = "signatures_opened";

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
    pub fn action(self) -> &'static str {
        match self {
            PersonalRead::Resident { .. } => RESIDENT_RECORD_OPENED,
            PersonalRead::SignedAttendance { .. } => SIGNATURES_OPENED,
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
        assert_eq!(receipt.read.action(), "resident_record_opened");
        assert_eq!(receipt.read.target(), resident_id);
        let list = PersonalRead::SignedAttendance { event_id: id };
        assert_eq!((list.action(), list.target()), ("signatures_opened", id));
    }
}
