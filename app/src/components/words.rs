//! The words for domain values (statuses, refusals, history events), in the UI language, in one place.

use chrono::Local;
use domain::account::Role;
use domain::attendance::{AttendanceList, ListRefusal, RecordedBy, SignatureProblem};
use domain::consent::ConsentAnswer;
use domain::dictionary::{DictionaryKind, Language};
use domain::help_request::{HelpRequestStatus, Urgency};
use domain::meeting_note::NoteRefusal;
use domain::photo::{PeopleVisible, PhotoDetailsError, PhotoRefusal, MAX_CAPTION_CHARS};
use domain::resident::{CorrectionRefusal, MergeRefusal};
use domain::sync::protocol::RejectReason;
use domain::workflow::{hours_text, ActionKind, Refusal};
use leptos::prelude::*;

use crate::device::{PhotoProblem, SaveFailure};
use crate::i18n::*;
use crate::state::use_app_state;

type I18n = leptos_i18n::I18nContext<Locale>;

pub fn language(locale: Locale) -> Language {
    match locale {
        Locale::pl => Language::Pl,
        Locale::en => Language::En,
    }
}

/// A dictionary code's label in the current language (reactive).
pub fn label(i18n: I18n, kind: DictionaryKind, code: &str) -> String {
    use_app_state()
        .dictionary
        .with(|d| d.label(kind, code, language(i18n.get_locale())).to_owned())
}

pub fn status_text(i18n: I18n, status: HelpRequestStatus) -> String {
    use HelpRequestStatus as S;
    match status {
        S::AwaitingApproval => t_string!(i18n, status_awaiting_approval),
        S::Returned => t_string!(i18n, status_returned),
        S::Rejected => t_string!(i18n, status_rejected),
        S::Approved => t_string!(i18n, status_approved),
        S::Assigned => t_string!(i18n, status_assigned),
        S::InProgress => t_string!(i18n, status_in_progress),
        S::Done => t_string!(i18n, status_done),
        S::Cancelled => t_string!(i18n, status_cancelled),
    }
    .to_string()
}

pub fn urgency_text(i18n: I18n, urgency: Urgency) -> String {
    match urgency {
        Urgency::Low => t_string!(i18n, urgency_low),
        Urgency::Normal => t_string!(i18n, urgency_normal),
        Urgency::Urgent => t_string!(i18n, urgency_urgent),
    }
    .to_string()
}

pub fn action_text(i18n: I18n, action: ActionKind) -> String {
    use ActionKind as A;
    match action {
        A::Approve => t_string!(i18n, action_approve),
        A::Return => t_string!(i18n, action_return),
        A::Reject => t_string!(i18n, action_reject),
        A::Resubmit => t_string!(i18n, action_resubmit),
        A::Assign => t_string!(i18n, action_assign),
        A::Accept => t_string!(i18n, action_accept),
        A::Decline => t_string!(i18n, action_decline),
        A::Start => t_string!(i18n, action_start),
        A::LogHours => t_string!(i18n, action_log_hours),
        A::Complete => t_string!(i18n, action_complete),
        A::Cancel => t_string!(i18n, action_cancel),
    }
    .to_string()
}

/// What a step did, for the history (past tense).
pub fn history_action_text(i18n: I18n, action: ActionKind) -> String {
    use ActionKind as A;
    match action {
        A::Approve => t_string!(i18n, did_approve),
        A::Return => t_string!(i18n, did_return),
        A::Reject => t_string!(i18n, did_reject),
        A::Resubmit => t_string!(i18n, did_resubmit),
        A::Assign => t_string!(i18n, did_assign),
        A::Accept => t_string!(i18n, did_accept),
        A::Decline => t_string!(i18n, did_decline),
        A::Start => t_string!(i18n, did_start),
        A::LogHours => t_string!(i18n, did_log_hours),
        A::Complete => t_string!(i18n, did_complete),
        A::Cancel => t_string!(i18n, did_cancel),
    }
    .to_string()
}

pub fn refusal_text(i18n: I18n, refusal: &Refusal) -> String {
    match refusal {
        Refusal::WrongStatus { action, status } => t_string!(
            i18n,
            refusal_wrong_status,
            action = action_text(i18n, *action),
            status = status_text(i18n, *status)
        )
        .to_string(),
        Refusal::NotPermitted { action } => t_string!(
            i18n,
            refusal_not_permitted,
            action = action_text(i18n, *action)
        )
        .to_string(),
        Refusal::CommentRequired => t_string!(i18n, refusal_comment_required).to_string(),
        Refusal::CommentTooLong { max } => {
            t_string!(i18n, problem_too_long, max = *max).to_string()
        }
        Refusal::OutcomeRequired => t_string!(i18n, refusal_outcome_required).to_string(),
        Refusal::NoVolunteers => t_string!(i18n, refusal_no_volunteers).to_string(),
        Refusal::HoursOutOfRange { max_minutes } => t_string!(
            i18n,
            refusal_hours_out_of_range,
            max = hours_text(*max_minutes)
        )
        .to_string(),
        Refusal::EditNotAllowed { status } => t_string!(
            i18n,
            refusal_edit_not_allowed,
            status = status_text(i18n, *status)
        )
        .to_string(),
        Refusal::Invalid { .. } => t_string!(i18n, form_has_errors).to_string(),
    }
}

pub fn merge_refusal_text(i18n: I18n, refusal: MergeRefusal) -> String {
    match refusal {
        MergeRefusal::SameResident => t_string!(i18n, merge_same_resident),
        MergeRefusal::AlreadyMerged => t_string!(i18n, merge_already_merged),
    }
    .to_string()
}

pub fn save_failure_text(i18n: I18n, failure: &SaveFailure) -> String {
    match failure {
        SaveFailure::Refused(refusal) => refusal_text(i18n, refusal),
        SaveFailure::Merge(refusal) => merge_refusal_text(i18n, *refusal),
        SaveFailure::Correction(CorrectionRefusal::DecisionsNeedReviewer) => {
            t_string!(i18n, resident_decisions_need_reviewer).to_string()
        }
        SaveFailure::List(refusal) => list_refusal_text(i18n, refusal),
        SaveFailure::NothingToWithdraw => t_string!(i18n, consent_nothing_to_withdraw).to_string(),
        SaveFailure::NotFound => t_string!(i18n, record_not_on_device).to_string(),
        SaveFailure::Photo(problem) => photo_problem_text(i18n, problem),
        SaveFailure::Note(refusal) => note_refusal_text(i18n, *refusal),
        SaveFailure::Storage(_) => t_string!(i18n, storage_unavailable).to_string(),
    }
}

/// Why the server did not take a change, for the badge on the record.
pub fn reject_reason_text(i18n: I18n, reason: &RejectReason) -> String {
    match reason {
        RejectReason::Invalid { .. }
        | RejectReason::InvalidPayload { .. }
        | RejectReason::InvalidResident { .. } => t_string!(i18n, reject_invalid).to_string(),
        RejectReason::Conflict => t_string!(i18n, reject_conflict).to_string(),
        RejectReason::UnknownKind { .. } => t_string!(i18n, reject_unknown).to_string(),
        RejectReason::Refused { refusal } => refusal_text(i18n, refusal),
        RejectReason::MergeRefused { refusal } => merge_refusal_text(i18n, *refusal),
        RejectReason::Forbidden => t_string!(i18n, failure_forbidden).to_string(),
        RejectReason::UnknownRecord => t_string!(i18n, reject_unknown_record).to_string(),
        RejectReason::ListRefused { refusal } => list_refusal_text(i18n, refusal),
        RejectReason::NoImageConsent => t_string!(i18n, consent_nothing_to_withdraw).to_string(),
        RejectReason::InvalidPhoto { errors } => errors
            .iter()
            .map(|e| photo_details_error_text(i18n, *e))
            .collect::<Vec<_>>()
            .join(" "),
        RejectReason::ImplausiblePhotoFile => t_string!(i18n, photo_not_an_image).to_string(),
        RejectReason::PhotoRefused { refusal } => photo_refusal_text(i18n, *refusal),
        RejectReason::NoteRefused { refusal } => note_refusal_text(i18n, *refusal),
        RejectReason::Anonymised => t_string!(i18n, reject_anonymised).to_string(),
    }
}

pub fn photo_problem_text(i18n: I18n, problem: &PhotoProblem) -> String {
    match problem {
        PhotoProblem::NotAnImage => t_string!(i18n, photo_not_an_image).to_string(),
        PhotoProblem::DeviceFull(_) => t_string!(i18n, photo_device_full).to_string(),
        PhotoProblem::Details(errors) => errors
            .iter()
            .map(|e| photo_details_error_text(i18n, *e))
            .collect::<Vec<_>>()
            .join(" "),
        PhotoProblem::Refused(refusal) => photo_refusal_text(i18n, *refusal),
    }
}

pub fn photo_details_error_text(i18n: I18n, error: PhotoDetailsError) -> String {
    match error {
        PhotoDetailsError::PeopleNotAnswered => t_string!(i18n, photo_people_required).to_string(),
        PhotoDetailsError::CaptionTooLong => {
            t_string!(i18n, problem_too_long, max = MAX_CAPTION_CHARS).to_string()
        }
    }
}

pub fn note_refusal_text(i18n: I18n, refusal: NoteRefusal) -> String {
    match refusal {
        NoteRefusal::TextRequired => t_string!(i18n, notes_text_required).to_string(),
        NoteRefusal::TextTooLong { max } => {
            t_string!(i18n, problem_too_long, max = max).to_string()
        }
        NoteRefusal::NotAuthor => t_string!(i18n, notes_not_author).to_string(),
        NoteRefusal::Approved => t_string!(i18n, notes_already_approved).to_string(),
        NoteRefusal::NotAllowed => t_string!(i18n, failure_forbidden).to_string(),
        NoteRefusal::CommentRequired => t_string!(i18n, notes_comment_required).to_string(),
        NoteRefusal::CommentTooLong { max } => {
            t_string!(i18n, problem_too_long, max = max).to_string()
        }
        NoteRefusal::NotPending => t_string!(i18n, notes_decided).to_string(),
    }
}

pub fn photo_refusal_text(i18n: I18n, refusal: PhotoRefusal) -> String {
    match refusal {
        PhotoRefusal::NotAllowed => t_string!(i18n, failure_forbidden),
        PhotoRefusal::ReasonRequired => t_string!(i18n, photo_reason_required),
        PhotoRefusal::ReasonTooLong => t_string!(i18n, photo_reason_too_long),
        PhotoRefusal::NotUploaded => t_string!(i18n, photo_not_uploaded),
    }
    .to_string()
}

pub fn people_text(i18n: I18n, people: PeopleVisible) -> String {
    match people {
        PeopleVisible::WithConsent => t_string!(i18n, photo_people_with_consent),
        PeopleVisible::NoIdentifiablePeople => t_string!(i18n, photo_people_none),
    }
    .to_string()
}

/// Why the server will not take a photo's bytes, from the API's error code.
pub fn upload_refusal_text(i18n: I18n, code: &str) -> String {
    match code {
        "photo_too_large" => t_string!(i18n, photo_too_large),
        "photo_too_many_pixels" => t_string!(i18n, photo_too_many_pixels),
        "missing_on_device" => t_string!(i18n, photo_missing_on_device),
        _ => t_string!(i18n, photo_not_an_image),
    }
    .to_string()
}

pub fn signature_problem_text(i18n: I18n, problem: SignatureProblem) -> String {
    match problem {
        SignatureProblem::Empty => t_string!(i18n, signature_empty),
        SignatureProblem::TooShort => t_string!(i18n, signature_too_short),
        SignatureProblem::TooLarge => t_string!(i18n, signature_too_large),
    }
    .to_string()
}

pub fn list_refusal_text(i18n: I18n, refusal: &ListRefusal) -> String {
    match refusal {
        ListRefusal::NotPermitted => t_string!(i18n, failure_forbidden).to_string(),
        ListRefusal::ReasonRequired => t_string!(i18n, list_reason_required).to_string(),
        ListRefusal::ReasonTooLong { max } => {
            t_string!(i18n, problem_too_long, max = *max).to_string()
        }
        ListRefusal::AlreadyPresent { name } => {
            t_string!(i18n, list_already_present, name = name.clone()).to_string()
        }
        ListRefusal::AlreadyApproved => t_string!(i18n, list_already_approved).to_string(),
        ListRefusal::NothingToApprove => t_string!(i18n, list_nothing_to_approve).to_string(),
        ListRefusal::UnknownEntry => t_string!(i18n, record_not_on_device).to_string(),
        ListRefusal::Signature { problem } => signature_problem_text(i18n, *problem),
        ListRefusal::ConsentMissing => t_string!(i18n, kiosk_consent_missing).to_string(),
        ListRefusal::DataConsentMissing => t_string!(i18n, kiosk_data_consent_missing).to_string(),
        ListRefusal::Attendee { .. } => t_string!(i18n, form_has_errors).to_string(),
        ListRefusal::NothingToCheck => t_string!(i18n, list_nothing_to_check).to_string(),
    }
}

/// "12 Nov 2026, 10:00–12:00" in the device's time zone.
pub fn event_when(event: &domain::event::Event) -> String {
    use chrono::Local;
    let (start, end) = (
        event.fields.starts_at.with_timezone(&Local),
        event.fields.ends_at.with_timezone(&Local),
    );
    if start.date_naive() == end.date_naive() {
        format!(
            "{} {}–{}",
            start.format("%d.%m.%Y"),
            start.format("%H:%M"),
            end.format("%H:%M")
        )
    } else {
        format!(
            "{} – {}",
            start.format("%d.%m.%Y %H:%M"),
            end.format("%d.%m.%Y %H:%M")
        )
    }
}

pub fn role_text(i18n: leptos_i18n::I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Volunteer => t_string!(i18n, role_volunteer).to_string(),
        Role::Organiser => t_string!(i18n, role_organiser).to_string(),
        Role::Coordinator => t_string!(i18n, role_coordinator).to_string(),
    }
}

pub fn list_status_text(i18n: I18n, list: &AttendanceList) -> String {
    let count = list.present().count();
    match &list.approval {
        Some(approval) => t_string!(
            i18n,
            list_status_approved,
            count = count,
            name = approval.by.name.clone(),
            at = approval
                .at
                .with_timezone(&Local)
                .format("%d.%m.%Y %H:%M")
                .to_string()
        )
        .to_string(),
        None if count == 0 => t_string!(i18n, list_status_empty).to_string(),
        None => t_string!(i18n, list_status_open, count = count).to_string(),
    }
}

pub fn consent_text(i18n: I18n, answer: Option<ConsentAnswer>) -> String {
    match answer {
        Some(a) if a.given => t_string!(i18n, consent_yes, version = a.text_version).to_string(),
        Some(a) => t_string!(i18n, consent_no, version = a.text_version).to_string(),
        None => t_string!(i18n, consent_not_asked).to_string(),
    }
}

pub fn recorded_by_text(i18n: I18n, by: &RecordedBy) -> String {
    match by {
        RecordedBy::Kiosk => t_string!(i18n, recorded_by_kiosk).to_string(),
        RecordedBy::Person(person) => person.name.clone(),
    }
}
