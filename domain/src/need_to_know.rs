//! Which records, and which of their fields, reach each reader's device (GDPR/RODO: minimal data, only to
//! those whose work needs it). One table, `need`: the server's pull follows it, the server removes from a
//! device what it no longer grants (the pull's `readable` keys), and `docs/security.md` carries it as
//! `table()` writes it (a test compares them). What the table does not grant, nobody gets.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::account::{Principal, Role};
use crate::attendance::{AttendanceList, Proof, RecordedBy};
use crate::sync::protocol::RecordKind;

/// How long a help request stays on the devices of the volunteers it reaches after it was closed (done,
/// cancelled or rejected): time to log late hours and look back, then it leaves. The coordinator sets
/// it; 0 takes a closed request off at the next sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedRequestDays {
    pub days: u32,
}

impl ClosedRequestDays {
    pub const DEFAULT: u32 = 30;
    /// A year: a closed request's volunteer has no need of it longer.
    pub const MAX: u32 = 365;

    /// `None` beyond [`Self::MAX`].
    pub fn new(days: u32) -> Option<Self> {
        (days <= Self::MAX).then_some(Self { days })
    }

    /// Requests closed before this moment no longer reach volunteers' devices at `now`.
    pub fn leave_before(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.days))
    }
}

impl Default for ClosedRequestDays {
    fn default() -> Self {
        Self {
            days: Self::DEFAULT,
        }
    }
}

/// Who pulls: a person by role, or a kiosk tablet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reader {
    Volunteer,
    Organiser,
    Coordinator,
    /// Works from its event's package (`kiosk::KioskPackage`) and never pulls.
    Kiosk,
}

impl Reader {
    pub const ALL: [Reader; 4] = [
        Reader::Volunteer,
        Reader::Organiser,
        Reader::Coordinator,
        Reader::Kiosk,
    ];

    pub fn of(principal: Principal) -> Option<Reader> {
        match principal {
            Principal::Anonymous => None,
            Principal::Kiosk { .. } => Some(Reader::Kiosk),
            Principal::User { role, .. } => Some(match role {
                Role::Volunteer => Reader::Volunteer,
                Role::Organiser => Reader::Organiser,
                Role::Coordinator => Reader::Coordinator,
            }),
        }
    }

    fn title(self) -> &'static str {
        match self {
            Reader::Volunteer => "volunteer",
            Reader::Organiser => "organiser",
            Reader::Coordinator => "coordinator",
            Reader::Kiosk => "kiosk",
        }
    }
}

/// How many records of a kind reach a reader's device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Nothing,
    /// Only the records of the reader's own work; the server turns each scope into a query.
    Within(Scope),
    Everything,
}

/// The records of one kind a person's own work touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The help requests they recorded or are assigned to, until `ClosedRequestDays` after they were
    /// closed, or anonymised.
    TheirRequests,
    /// The residents those requests name, and the entries they added to the registry themselves that no
    /// request names, until merged into another entry or anonymised.
    ResidentsOfTheirRequests,
    /// Photos they took, photos of those requests, and photos of events.
    PhotosOfTheirWork,
    /// Notes they wrote, and notes an organiser approved.
    OwnOrApprovedNotes,
    /// Lists of events not yet approved: the lists still being taken.
    OpenLists,
}

/// Which fields of a record that reaches the device it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fields {
    Whole,
    /// An attendance list with the lines the reader put on it whole, and of everyone else's lines only the
    /// name, district, image-consent answer and presence: no phone, signature, registration answers or
    /// reason for striking off, and no history or withdrawals (which name people and are the organisers' review).
    OthersLinesWithoutContactsOrSignatures,
}

/// One cell of the table: what reaches the device, and why the job needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub reach: Reach,
    pub fields: Fields,
}

const NOTHING: Need = Need {
    reach: Reach::Nothing,
    fields: Fields::Whole,
};
const EVERYTHING: Need = Need {
    reach: Reach::Everything,
    fields: Fields::Whole,
};

/// The table: what of `kind` reaches `reader`'s device.
pub fn need(kind: RecordKind, reader: Reader) -> Need {
    use RecordKind::*;
    match (reader, kind) {
        // A tablet at the door holds its event's roster (names only) and what it recorded, from its package.
        (Reader::Kiosk, _) => NOTHING,
        (Reader::Organiser | Reader::Coordinator, _) => EVERYTHING,
        (Reader::Volunteer, DictionaryEntry | ConsentText | Event) => EVERYTHING,
        (Reader::Volunteer, HelpRequest) => within(Scope::TheirRequests),
        (Reader::Volunteer, Resident) => within(Scope::ResidentsOfTheirRequests),
        (Reader::Volunteer, Photo) => within(Scope::PhotosOfTheirWork),
        (Reader::Volunteer, MeetingNote) => within(Scope::OwnOrApprovedNotes),
        (Reader::Volunteer, AttendanceList) => Need {
            reach: Reach::Within(Scope::OpenLists),
            fields: Fields::OthersLinesWithoutContactsOrSignatures,
        },
    }
}

const fn within(scope: Scope) -> Need {
    Need {
        reach: Reach::Within(scope),
        fields: Fields::Whole,
    }
}

/// Why the job needs a kind where it goes.
fn why(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::HelpRequest => {
            "a volunteer works on their own requests; organisers review and assign all of them"
        }
        RecordKind::DictionaryEntry => "the choice lists every form offers; no personal data",
        RecordKind::Resident => {
            "a volunteer calls and visits the people of their requests (others are linked in review); \
             organisers keep the registry"
        }
        RecordKind::Event => "everyone plans their week and takes attendance from the expected names",
        RecordKind::AttendanceList => {
            "a volunteer taking a list sees who is on it and who refused photos; signatures and phones \
             stay with the organisers, who approve lists"
        }
        RecordKind::ConsentText => "read out before anyone signs; no personal data",
        RecordKind::Photo => "a volunteer documents their requests and events; organisers review photos",
        RecordKind::MeetingNote => "notes are shared once approved; organisers review them",
    }
}

impl Need {
    fn describe(self) -> String {
        let reach = match self.reach {
            Reach::Nothing => "—".to_owned(),
            Reach::Everything => "all".to_owned(),
            Reach::Within(Scope::TheirRequests) => format!(
                "those they recorded or are assigned to, until the days the coordinator sets (default \
                 {}) after closing, or anonymised",
                ClosedRequestDays::DEFAULT
            ),
            Reach::Within(Scope::ResidentsOfTheirRequests) => {
                "those their requests name, and those they entered that no request names, until merged \
                 or anonymised"
                    .to_owned()
            }
            Reach::Within(Scope::PhotosOfTheirWork) => {
                "those they took, of their requests, of events".to_owned()
            }
            Reach::Within(Scope::OwnOrApprovedNotes) => "their own, and approved ones".to_owned(),
            Reach::Within(Scope::OpenLists) => "lists not yet approved".to_owned(),
        };
        match self.fields {
            Fields::Whole => reach,
            Fields::OthersLinesWithoutContactsOrSignatures => format!(
                "{reach}; their own lines whole, of others only name, district, image consent \
                 (no phone, signature, registration, reasons, history)"
            ),
        }
    }
}

/// The table as `docs/security.md` shows it: a row per kind, a column per reader, and why.
pub fn table() -> String {
    let mut lines = vec![
        format!(
            "| record | {} | why |",
            Reader::ALL.map(Reader::title).join(" | ")
        ),
        format!("|---|{}---|", "---|".repeat(Reader::ALL.len())),
    ];
    for kind in RecordKind::ALL {
        let cells = Reader::ALL.map(|reader| need(kind, reader).describe());
        lines.push(format!(
            "| {} | {} | {} |",
            kind.as_str(),
            cells.join(" | "),
            why(kind)
        ));
    }
    lines.join("\n") + "\n"
}

impl AttendanceList {
    /// The list as it reaches `reader`'s device, who is account `account`.
    pub fn as_needed(mut self, fields: Fields, account: Uuid) -> AttendanceList {
        match fields {
            Fields::Whole => self,
            Fields::OthersLinesWithoutContactsOrSignatures => {
                for entry in &mut self.entries {
                    let theirs =
                        matches!(&entry.recorded_by, RecordedBy::Person(p) if p.id == account);
                    if theirs {
                        continue;
                    }
                    entry.attendee.phone.clear();
                    entry.registration = None;
                    if matches!(entry.proof, Proof::Signature { .. }) {
                        entry.proof = Proof::Withheld;
                    }
                    if let Some(removal) = &mut entry.removed {
                        removal.reason.clear();
                    }
                }
                self.history.clear();
                self.consent_withdrawals.clear();
                self
            }
        }
    }
}

#[cfg(test)]
mod tests;
