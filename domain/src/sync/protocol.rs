//! Types of the `/api/v1/sync` endpoints, shared by client and server.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attendance::{AttendanceList, ListChange, ListRefusal};
use crate::consent::PublishedConsentText;
use crate::dictionary::DictionaryEntry;
use crate::event::Event;
use crate::help_request::{FieldError, HelpRequest, HelpRequestFields};
use crate::meeting_note::{MeetingNote, NoteDecision, NoteRefusal};
use crate::photo::{
    PeopleVisible, Photo, PhotoDecision, PhotoDetailsError, PhotoFile, PhotoRefusal, PhotoSubject,
};
use crate::resident::{MergeRefusal, Resident, ResidentError, ResidentFields};
use crate::workflow::{Action, FieldChange, Refusal};

/// Most mutations one push may carry; the client sends larger outboxes in several batches.
pub const MAX_PUSH_BATCH: usize = 200;
pub const DEFAULT_PULL_LIMIT: u32 = 200;
pub const MAX_PULL_LIMIT: u32 = 1000;

/// What a pull asks for: the changes after the cursor `since` (0 for everything), at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    pub since: i64,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device_id: Uuid,
    pub mutations: Vec<MutationEnvelope>,
}

/// A mutation as it travels: `kind` and `payload` are checked one by one on the server, so one unknown or
/// malformed mutation is rejected alone instead of failing the whole batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationEnvelope {
    /// UUIDv7 made on the device: the idempotency key, and (being time-ordered) the order of the outbox.
    pub id: Uuid,
    pub kind: String,
    pub recorded_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// The mutations this version of the protocol knows, each with its wire name (the envelope's `kind`),
/// written once here: the envelope is this enum's serde form, split into `kind` and `payload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum Mutation {
    #[serde(rename = "help_request.create")]
    CreateHelpRequest(CreateHelpRequest),
    #[serde(rename = "help_request.edit")]
    EditHelpRequest(EditHelpRequest),
    #[serde(rename = "help_request.act")]
    ActOnHelpRequest(ActOnHelpRequest),
    #[serde(rename = "resident.create")]
    CreateResident(CreateResident),
    #[serde(rename = "resident.edit")]
    EditResident(EditResident),
    #[serde(rename = "resident.merge")]
    MergeResidents(MergeResidents),
    #[serde(rename = "attendance.change")]
    ChangeAttendance(ChangeAttendance),
    #[serde(rename = "resident.withdraw_image_consent")]
    WithdrawImageConsent(WithdrawImageConsent),
    #[serde(rename = "photo.attach")]
    AttachPhoto(AttachPhoto),
    #[serde(rename = "photo.review")]
    ReviewPhoto(ReviewPhoto),
    #[serde(rename = "meeting_note.write")]
    WriteMeetingNote(WriteMeetingNote),
    #[serde(rename = "meeting_note.review")]
    ReviewMeetingNote(ReviewMeetingNote),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateHelpRequest {
    pub help_request_id: Uuid,
    #[serde(flatten)]
    pub fields: HelpRequestFields,
}

/// Changes some fields of a request; `seen_revision` is the server revision the device had, so the
/// server can tell a stale edit (workflow::apply_edit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditHelpRequest {
    pub help_request_id: Uuid,
    pub seen_revision: u32,
    pub changes: Vec<FieldChange>,
}

/// A step of the workflow: approve, return, assign, complete…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActOnHelpRequest {
    pub help_request_id: Uuid,
    pub seen_revision: u32,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateResident {
    pub resident_id: Uuid,
    #[serde(flatten)]
    pub fields: ResidentFields,
}

/// Corrects a resident's details: `fields` as the person left them, `seen` as the device showed them
/// (`resident::corrected` writes only what differs). Devices from before `seen` existed send none: their
/// edit is taken as seen on the server's current entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditResident {
    pub resident_id: Uuid,
    #[serde(flatten)]
    pub fields: ResidentFields,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<ResidentFields>,
}

/// An organiser's decision that `duplicate` is the same person as `keep`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeResidents {
    pub keep: Uuid,
    pub duplicate: Uuid,
}

/// A change to an event's attendance list: a signature from the kiosk, an entry by staff, a removal, an
/// approval (domain::attendance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeAttendance {
    pub event_id: Uuid,
    pub change: ListChange,
}

/// A resident withdraws their image consent; the events they attended get their photos flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawImageConsent {
    pub resident_id: Uuid,
}

/// The record of a photo; its bytes follow by `PUT /api/v1/photos/{id}/original` once this is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachPhoto {
    pub photo_id: Uuid,
    pub subject: PhotoSubject,
    pub caption: String,
    pub people: PeopleVisible,
    pub file: PhotoFile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPhoto {
    pub photo_id: Uuid,
    #[serde(flatten)]
    pub decision: PhotoDecision,
}

/// A new meeting note, or its author's corrected text (`meeting_note::MeetingNote::write`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteMeetingNote {
    pub note_id: Uuid,
    pub event_id: Uuid,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewMeetingNote {
    pub note_id: Uuid,
    #[serde(flatten)]
    pub decision: NoteDecision,
}

impl Mutation {
    pub fn into_envelope(self, id: Uuid, recorded_at: DateTime<Utc>) -> MutationEnvelope {
        let tagged = serde_json::to_value(self).expect("mutation payloads are plain data");
        let serde_json::Value::Object(mut tagged) = tagged else {
            unreachable!("an adjacently tagged enum serialises to an object")
        };
        let kind = match tagged.remove("kind") {
            Some(serde_json::Value::String(kind)) => kind,
            _ => unreachable!("every mutation has a wire name"),
        };
        MutationEnvelope {
            id,
            kind,
            recorded_at,
            payload: tagged.remove("payload").unwrap_or_default(),
        }
    }

    /// The mutation an envelope carries; an unknown `kind` and a payload that does not fit it are
    /// refused with different reasons, so a newer client learns which.
    pub fn from_envelope(envelope: &MutationEnvelope) -> Result<Self, RejectReason> {
        let tagged = serde_json::json!({"kind": envelope.kind, "payload": envelope.payload});
        serde_json::from_value(tagged).map_err(|e| {
            let detail = e.to_string();
            if detail.starts_with(&format!("unknown variant `{}`", envelope.kind)) {
                RejectReason::UnknownKind {
                    kind: envelope.kind.clone(),
                }
            } else {
                RejectReason::InvalidPayload { detail }
            }
        })
    }

    /// Whether this mutation brings its record into being on the server (before it, the server has no
    /// such record: a refused one leaves the record on its device alone).
    pub fn creates(&self) -> bool {
        match self {
            Mutation::CreateHelpRequest(_)
            | Mutation::CreateResident(_)
            | Mutation::AttachPhoto(_) => true,
            Mutation::EditHelpRequest(_)
            | Mutation::ActOnHelpRequest(_)
            | Mutation::EditResident(_)
            | Mutation::MergeResidents(_)
            | Mutation::ChangeAttendance(_)
            | Mutation::WithdrawImageConsent(_)
            | Mutation::ReviewPhoto(_)
            | Mutation::WriteMeetingNote(_)
            | Mutation::ReviewMeetingNote(_) => false,
        }
    }

    /// The record this mutation changes, so the client can show it as "waiting to sync".
    pub fn entity_id(&self) -> Uuid {
        match self {
            Mutation::CreateHelpRequest(m) => m.help_request_id,
            Mutation::EditHelpRequest(m) => m.help_request_id,
            Mutation::ActOnHelpRequest(m) => m.help_request_id,
            Mutation::CreateResident(m) => m.resident_id,
            Mutation::EditResident(m) => m.resident_id,
            Mutation::MergeResidents(m) => m.keep,
            Mutation::ChangeAttendance(m) => m.event_id,
            Mutation::WithdrawImageConsent(m) => m.resident_id,
            Mutation::AttachPhoto(m) => m.photo_id,
            Mutation::ReviewPhoto(m) => m.photo_id,
            Mutation::WriteMeetingNote(m) => m.note_id,
            Mutation::ReviewMeetingNote(m) => m.note_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per mutation, in the order they were sent.
    pub results: Vec<MutationResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutationResult {
    pub mutation_id: Uuid,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    /// Its effect is already on the server (the same id twice in one batch, an identical record that
    /// another mutation created, or an edit or step someone else already made). Safe to drop from the
    /// outbox.
    Duplicate,
    /// Final: sending it again gives the same answer. The client keeps it for the person to see.
    Rejected {
        reason: RejectReason,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RejectReason {
    UnknownKind {
        kind: String,
    },
    InvalidPayload {
        detail: String,
    },
    Invalid {
        errors: Vec<FieldError>,
    },
    /// The record id is taken by a different record.
    Conflict,
    /// The workflow refused the action or edit (wrong status, not permitted…).
    Refused {
        refusal: Refusal,
    },
    InvalidResident {
        errors: Vec<ResidentError>,
    },
    MergeRefused {
        refusal: MergeRefusal,
    },
    /// This person's role may not make this change (e.g. a volunteer merging residents).
    Forbidden,
    /// The record the mutation changes is not on the server.
    UnknownRecord,
    /// The attendance rules refused the change (locked list without a reason, a dot for a signature…).
    ListRefused {
        refusal: ListRefusal,
    },
    /// The resident had not given image consent, so there is nothing to withdraw.
    NoImageConsent,
    /// The photo's caption or people answer is missing or too long.
    InvalidPhoto {
        errors: Vec<PhotoDetailsError>,
    },
    /// The declared file is not what a device makes (size, dimensions, hash format).
    ImplausiblePhotoFile,
    PhotoRefused {
        refusal: PhotoRefusal,
    },
    NoteRefused {
        refusal: NoteRefusal,
    },
    /// The retention period ended and the record was anonymised: it no longer changes.
    Anonymised,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass as `since` next time; equal to the request's `since` when nothing changed.
    pub next_cursor: i64,
    /// More changes wait after `next_cursor`: pull again at once.
    pub has_more: bool,
    /// On the last page only: for each kind the reader receives only part of (`need_to_know`), the keys
    /// of every record of it they may hold now. The device removes the others it holds (access ended),
    /// except those its outbox still has to send.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readable: Vec<ReadableKeys>,
}

/// The records of one kind a reader may hold now, by key (`Record::key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadableKeys {
    pub entity: String,
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Server-assigned, strictly increasing in the order changes were committed.
    pub cursor: i64,
    #[serde(flatten)]
    pub record: Record,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entity", content = "data", rename_all = "snake_case")]
pub enum Record {
    HelpRequest(HelpRequest),
    DictionaryEntry(DictionaryEntry),
    Resident(Resident),
    Event(Event),
    AttendanceList(AttendanceList),
    /// A consent text now asked (older versions stay in the server's history).
    ConsentText(PublishedConsentText),
    Photo(Photo),
    MeetingNote(MeetingNote),
}

/// The kinds of record the pull carries. Who receives each is `need_to_know::need`; a kind added to
/// `Record` without a row there does not compile, and a change the server logged under a name no kind has
/// is sent to nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    HelpRequest,
    DictionaryEntry,
    Resident,
    Event,
    AttendanceList,
    ConsentText,
    Photo,
    MeetingNote,
}

impl RecordKind {
    pub const ALL: [RecordKind; 8] = [
        RecordKind::HelpRequest,
        RecordKind::DictionaryEntry,
        RecordKind::Resident,
        RecordKind::Event,
        RecordKind::AttendanceList,
        RecordKind::ConsentText,
        RecordKind::Photo,
        RecordKind::MeetingNote,
    ];

    /// The `entity` name on the wire and in the server's change log.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::HelpRequest => "help_request",
            RecordKind::DictionaryEntry => "dictionary_entry",
            RecordKind::Resident => "resident",
            RecordKind::Event => "event",
            RecordKind::AttendanceList => "attendance_list",
            RecordKind::ConsentText => "consent_text",
            RecordKind::Photo => "photo",
            RecordKind::MeetingNote => "meeting_note",
        }
    }
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::HelpRequest(_) => RecordKind::HelpRequest,
            Record::DictionaryEntry(_) => RecordKind::DictionaryEntry,
            Record::Resident(_) => RecordKind::Resident,
            Record::Event(_) => RecordKind::Event,
            Record::AttendanceList(_) => RecordKind::AttendanceList,
            Record::ConsentText(_) => RecordKind::ConsentText,
            Record::Photo(_) => RecordKind::Photo,
            Record::MeetingNote(_) => RecordKind::MeetingNote,
        }
    }

    /// The key the record is logged, pulled and kept under.
    pub fn key(&self) -> String {
        match self {
            Record::HelpRequest(request) => request.id.to_string(),
            Record::DictionaryEntry(entry) => entry.key(),
            Record::Resident(resident) => resident.id.to_string(),
            Record::Event(event) => event.id.to_string(),
            Record::AttendanceList(list) => list.event_id.to_string(),
            Record::ConsentText(text) => text.kind.as_str().to_owned(),
            Record::Photo(photo) => photo.id.to_string(),
            Record::MeetingNote(note) => note.id.to_string(),
        }
    }

    /// The record a change-log entry holds: its `entity` name and its JSON, decoded by the same serde
    /// tags the wire uses.
    pub fn from_log(entity: &str, data: &str) -> Result<Record, serde_json::Error> {
        let tagged = format!(
            "{{\"entity\":{},\"data\":{data}}}",
            serde_json::to_string(entity)?
        );
        serde_json::from_str(&tagged)
    }
}

/// The `error` of the answer (`410 Gone`) a device gets from the pull once its account is deactivated:
/// it has sent what it could, and now erases the account's data and confirms (`api::ConfirmWipe`).
pub const WIPE_ORDERED: &str = "device_wipe_ordered";

/// The body of every error answer of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create() -> Mutation {
        Mutation::CreateHelpRequest(CreateHelpRequest {
            help_request_id: Uuid::from_u128(7),
            fields: HelpRequestFields {
                resident_name: "Jan".into(),
                district: "okolna".into(),
                category: "shopping".into(),
                description: "chleb".into(),
                ..Default::default()
            },
        })
    }

    #[test]
    fn a_mutation_survives_the_envelope_round_trip() {
        let envelope = create().into_envelope(Uuid::from_u128(1), DateTime::UNIX_EPOCH);
        assert_eq!(envelope.kind, "help_request.create");
        assert_eq!(Mutation::from_envelope(&envelope), Ok(create()));
        assert_eq!(create().entity_id(), Uuid::from_u128(7));
    }

    #[test]
    fn an_unknown_kind_is_rejected_by_name() {
        let mut envelope = create().into_envelope(Uuid::from_u128(1), DateTime::UNIX_EPOCH);
        envelope.kind = "event.delete".into();
        assert_eq!(
            Mutation::from_envelope(&envelope),
            Err(RejectReason::UnknownKind {
                kind: "event.delete".into()
            })
        );
    }

    #[test]
    fn a_payload_missing_a_field_is_rejected_as_invalid() {
        let mut envelope = create().into_envelope(Uuid::from_u128(1), DateTime::UNIX_EPOCH);
        envelope.payload.as_object_mut().unwrap().remove("district");
        assert!(matches!(
            Mutation::from_envelope(&envelope),
            Err(RejectReason::InvalidPayload { .. })
        ));
    }

    #[test]
    fn an_unknown_choice_inside_a_known_kind_is_an_invalid_payload_not_an_unknown_kind() {
        let envelope = MutationEnvelope {
            id: Uuid::from_u128(1),
            kind: "meeting_note.review".into(),
            recorded_at: DateTime::UNIX_EPOCH,
            payload: serde_json::json!({"note_id": Uuid::from_u128(2), "decision": "archive"}),
        };
        assert!(matches!(
            Mutation::from_envelope(&envelope),
            Err(RejectReason::InvalidPayload { .. })
        ));
    }

    #[test]
    fn outcomes_read_as_documented() {
        let result = MutationResult {
            mutation_id: Uuid::from_u128(1),
            outcome: Outcome::Rejected {
                reason: RejectReason::Conflict,
            },
        };
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "mutation_id": "00000000-0000-0000-0000-000000000001",
                "outcome": "rejected",
                "reason": {"code": "conflict"}
            })
        );
        assert_eq!(
            serde_json::from_value::<MutationResult>(json).unwrap(),
            result
        );
    }

    #[test]
    fn every_record_kind_is_named_as_the_wire_names_it() {
        let event = Record::from_log(
            RecordKind::DictionaryEntry.as_str(),
            r#"{"kind":"district","code":"okolna","label_pl":"Okólna","label_en":"Okólna","position":1,"active":true}"#,
        )
        .unwrap();
        assert_eq!(event.kind(), RecordKind::DictionaryEntry);
        for kind in RecordKind::ALL {
            // An empty object is the wrong shape for every kind, but the name must be known.
            let error = Record::from_log(kind.as_str(), "{}")
                .unwrap_err()
                .to_string();
            assert!(
                !error.contains("unknown variant"),
                "{}: {error}",
                kind.as_str()
            );
        }
        let unknown = Record::from_log("secret_record", "{}").unwrap_err();
        assert!(unknown.to_string().contains("unknown variant"));
    }
}
