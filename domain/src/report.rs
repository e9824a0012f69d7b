//! The organiser's dashboard and the yearly report: counts over a chosen period, per month, district,
//! help category, target group and plan goal. Reports count what an organiser has approved (approved
//! attendance lists, accepted help requests) unless asked to include the rest.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attendance::AttendanceList;
use crate::dictionary::{Dictionary, DictionaryKind};
use crate::event::Event;
use crate::help_request::{HelpRequest, HelpRequestStatus, Person};
use crate::meeting_note::{MeetingNote, NoteForReview};
use crate::photo::{subject_withdrawals, Photo, PhotoSubject};
use crate::resident::Resident;
use crate::review::{queue, ListForReview, PhotoForReview, ReviewKind, Reviewable};
use crate::workflow::HistoryEvent;

/// Dates in reports are the centre's calendar days, not UTC ones: an evening meeting on 31 March counts
/// for March.
pub const CENTRE_TIME_ZONE: Tz = chrono_tz::Europe::Warsaw;

/// Long enough for a plan's whole term; longer periods make per-month tables unreadable.
pub const MAX_PERIOD_DAYS: i64 = 5 * 366;

/// The years a period may lie in: the dates spreadsheet programs know (Excel's calendar ends with 9999),
/// written with four digits. A period far outside them is a typing slip or an attack, never a report.
pub const REPORT_YEARS: RangeInclusive<i32> = 1900..=9999;

/// The time on the centre's clocks. A device's clock may say anything, the last instant chrono knows
/// included, whose local time does not exist: such a time stays as it is in UTC instead of panicking.
pub fn local_time(at: DateTime<Utc>) -> NaiveDateTime {
    let offset = CENTRE_TIME_ZONE
        .offset_from_utc_datetime(&at.naive_utc())
        .fix();
    at.naive_utc()
        .checked_add_offset(offset)
        .unwrap_or(at.naive_utc())
}

/// The calendar day in the centre's time zone.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    local_time(at).date()
}

/// From one day to another, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodProblem {
    EndsBeforeStart,
    TooLong,
    /// A date outside [`REPORT_YEARS`].
    OutsideYears,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, PeriodProblem> {
        if !REPORT_YEARS.contains(&from.year()) || !REPORT_YEARS.contains(&to.year()) {
            return Err(PeriodProblem::OutsideYears);
        }
        if to < from {
            return Err(PeriodProblem::EndsBeforeStart);
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(PeriodProblem::TooLong);
        }
        Ok(Self { from, to })
    }

    /// A calendar year: what the yearly report covers.
    pub fn year(year: i32) -> Result<Self, PeriodProblem> {
        let day = |month, day| NaiveDate::from_ymd_opt(year, month, day);
        match (day(1, 1), day(12, 31)) {
            (Some(from), Some(to)) => Self::new(from, to),
            _ => Err(PeriodProblem::OutsideYears),
        }
    }

    pub fn contains_date(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.contains_date(local_date(at))
    }

    /// The first day of every month the period touches, in order. Ends at the calendar's last month
    /// too (the fields are public, so a period may not have passed [`Period::new`]).
    pub fn months(&self) -> Vec<NaiveDate> {
        let first = self.from.with_day(1).expect("every month has a first day");
        std::iter::successors(Some(first), |month| {
            month.checked_add_months(Months::new(1))
        })
        .take_while(|month| *month <= self.to)
        .collect()
    }
}

/// What a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportScope {
    pub period: Period,
    /// Also count lists not yet approved and requests an organiser has not accepted.
    #[serde(default)]
    pub include_unapproved: bool,
}

/// A report's scope as the query string asks for it (`from=YYYY-MM-DD&to=YYYY-MM-DD`), before the
/// period is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub include_unapproved: bool,
}

impl From<ReportScope> for ScopeQuery {
    fn from(scope: ReportScope) -> Self {
        Self {
            from: scope.period.from,
            to: scope.period.to,
            include_unapproved: scope.include_unapproved,
        }
    }
}

/// Every record a report may count, as the server stores them.
#[derive(Debug, Clone, Copy)]
pub struct ReportData<'a> {
    pub events: &'a [Event],
    pub lists: &'a [AttendanceList],
    pub requests: &'a [HelpRequest],
    pub residents: &'a [Resident],
    pub photos: &'a [Photo],
    pub notes: &'a [MeetingNote],
}

/// How many records carry one dictionary code (or status); `code` is empty for "not given".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub code: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRow {
    /// The month's first day.
    pub month: NaiveDate,
    pub events: u32,
    pub attendances: u32,
    pub requests: u32,
    pub volunteer_minutes: u32,
}

/// The plan's goal and the events tagged with it; an event tagged with two goals counts for both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalRow {
    pub goal: String,
    pub events: u32,
    pub attendances: u32,
    pub unique_residents: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolunteerTime {
    pub volunteer: Person,
    pub minutes: u32,
    /// Requests the volunteer logged time on in the period.
    pub requests: u32,
}

/// The review queue today, whatever the period: work still to do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingReview {
    pub help_requests: u32,
    pub attendance_lists: u32,
    /// Photos to review, and events whose photos need checking after a consent withdrawal.
    pub photos: u32,
    #[serde(default)]
    pub meeting_notes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub scope: ReportScope,
    pub events: u32,
    /// Notes of the period's events (approved ones unless unapproved entries are asked for).
    #[serde(default)]
    pub meeting_notes: u32,
    /// Presences on the counted lists: one resident at three meetings is three.
    pub attendances: u32,
    /// Different residents on the counted lists, merged duplicates counted once.
    pub unique_residents: u32,
    pub requests: u32,
    pub requests_by_status: Vec<Count>,
    pub requests_by_category: Vec<Count>,
    pub requests_by_district: Vec<Count>,
    /// By the target groups of the resident a request is for; a resident in two groups counts in both.
    pub requests_by_target_group: Vec<Count>,
    pub volunteer_minutes: u32,
    pub volunteers: Vec<VolunteerTime>,
    pub by_month: Vec<MonthRow>,
    pub by_goal: Vec<GoalRow>,
    pub awaiting_review: AwaitingReview,
}

impl HelpRequest {
    /// An organiser accepted it: it is being or has been answered (or was cancelled after acceptance).
    pub fn was_accepted(&self) -> bool {
        use HelpRequestStatus as S;
        match self.status {
            S::Approved | S::Assigned | S::InProgress | S::Done => true,
            S::Cancelled => self.history.iter().any(|h| {
                matches!(
                    h.event,
                    HistoryEvent::Acted {
                        to: S::Approved,
                        ..
                    }
                )
            }),
            S::AwaitingApproval | S::Returned | S::Rejected => false,
        }
    }
}

/// Follows merges to the resident a record counts for today.
pub struct ResidentIndex<'a> {
    by_id: HashMap<Uuid, &'a Resident>,
}

impl<'a> ResidentIndex<'a> {
    pub fn new(residents: &'a [Resident]) -> Self {
        Self {
            by_id: residents.iter().map(|r| (r.id, r)).collect(),
        }
    }

    /// The id a resident is known by after merges (a merge chain is followed a bounded number of steps).
    pub fn canonical(&self, id: Uuid) -> Uuid {
        let mut id = id;
        for _ in 0..16 {
            match self.by_id.get(&id).and_then(|r| r.merged_into) {
                Some(next) => id = next,
                None => break,
            }
        }
        id
    }

    pub fn get(&self, id: Uuid) -> Option<&'a Resident> {
        self.by_id.get(&self.canonical(id)).copied()
    }
}

impl ReportScope {
    pub fn counts_list(&self, list: &AttendanceList) -> bool {
        self.include_unapproved || list.approval.is_some()
    }

    pub fn counts_request(&self, request: &HelpRequest) -> bool {
        self.include_unapproved || request.was_accepted()
    }
}

/// Events in the period with their counted lists (`None` when the list does not count).
pub fn events_in<'a>(
    scope: &ReportScope,
    data: &ReportData<'a>,
) -> Vec<(&'a Event, Option<&'a AttendanceList>)> {
    let lists: HashMap<Uuid, &AttendanceList> =
        data.lists.iter().map(|l| (l.event_id, l)).collect();
    let mut events: Vec<_> = data
        .events
        .iter()
        .filter(|e| scope.period.contains(e.fields.starts_at))
        .map(|e| {
            let list = lists.get(&e.id).copied().filter(|l| scope.counts_list(l));
            (e, list)
        })
        .collect();
    events.sort_by_key(|(e, _)| (e.fields.starts_at, e.id));
    events
}

/// Requests recorded in the period that the scope counts, oldest first.
pub fn requests_in<'a>(scope: &ReportScope, data: &ReportData<'a>) -> Vec<&'a HelpRequest> {
    let mut requests: Vec<_> = data
        .requests
        .iter()
        .filter(|r| scope.period.contains(r.recorded_at) && scope.counts_request(r))
        .collect();
    requests.sort_by_key(|r| (r.recorded_at, r.id));
    requests
}

/// Time given in the period (by the day it was given, whenever the request was recorded) on counted
/// requests: (request, volunteer, minutes, day).
pub fn hours_in<'a>(
    scope: &ReportScope,
    data: &ReportData<'a>,
) -> Vec<(&'a HelpRequest, &'a crate::help_request::HoursEntry)> {
    let mut hours: Vec<_> = data
        .requests
        .iter()
        .filter(|r| scope.counts_request(r))
        .flat_map(|r| r.hours.iter().map(move |h| (r, h)))
        .filter(|(_, h)| scope.period.contains_date(h.on))
        .collect();
    hours.sort_by(|(ra, a), (rb, b)| {
        (a.on, &a.volunteer.name, ra.recorded_at).cmp(&(b.on, &b.volunteer.name, rb.recorded_at))
    });
    hours
}

fn counts_in_order(
    counted: &BTreeMap<String, u32>,
    dictionary: &Dictionary,
    kind: DictionaryKind,
) -> Vec<Count> {
    // Every active entry shows, with zeros, so two periods compare row by row; retired or unknown codes
    // show when something carries them.
    let mut rows: Vec<Count> = dictionary
        .active(kind)
        .map(|e| Count {
            code: e.code.clone(),
            count: counted.get(&e.code).copied().unwrap_or(0),
        })
        .collect();
    for (code, count) in counted {
        if !rows.iter().any(|r| &r.code == code) {
            rows.push(Count {
                code: code.clone(),
                count: *count,
            });
        }
    }
    rows
}

pub fn dashboard(scope: ReportScope, data: &ReportData, dictionary: &Dictionary) -> Dashboard {
    let residents = ResidentIndex::new(data.residents);
    let events = events_in(&scope, data);
    let requests = requests_in(&scope, data);
    let hours = hours_in(&scope, data);

    let mut by_month: BTreeMap<NaiveDate, MonthRow> = scope
        .period
        .months()
        .into_iter()
        .map(|month| {
            (
                month,
                MonthRow {
                    month,
                    events: 0,
                    attendances: 0,
                    requests: 0,
                    volunteer_minutes: 0,
                },
            )
        })
        .collect();

    let mut attendances = 0;
    let mut unique = HashSet::new();
    let mut goals: BTreeMap<&str, (u32, u32, HashSet<Uuid>)> = BTreeMap::new();
    for (event, list) in &events {
        let present: Vec<Uuid> = list
            .iter()
            .flat_map(|l| l.present())
            .map(|a| residents.canonical(a.resident_id()))
            .collect();
        let row = month_row(&mut by_month, local_date(event.fields.starts_at));
        row.events += 1;
        row.attendances += present.len() as u32;
        attendances += present.len() as u32;
        unique.extend(present.iter().copied());
        for goal in &event.fields.plan_goals {
            let entry = goals.entry(goal).or_default();
            entry.0 += 1;
            entry.1 += present.len() as u32;
            entry.2.extend(present.iter().copied());
        }
    }

    let mut by_status: BTreeMap<HelpRequestStatus, u32> = BTreeMap::new();
    let mut by_category = BTreeMap::new();
    let mut by_district = BTreeMap::new();
    let mut by_group = BTreeMap::new();
    for request in &requests {
        *by_status.entry(request.status).or_insert(0) += 1;
        *by_category
            .entry(request.fields.category.clone())
            .or_insert(0) += 1;
        *by_district
            .entry(request.fields.district.clone())
            .or_insert(0) += 1;
        let groups = request
            .fields
            .resident_id
            .and_then(|id| residents.get(id))
            .map(|r| r.fields.target_groups.clone())
            .filter(|groups| !groups.is_empty())
            .unwrap_or_else(|| vec![String::new()]);
        for group in groups {
            *by_group.entry(group).or_insert(0) += 1;
        }
        month_row(&mut by_month, local_date(request.recorded_at)).requests += 1;
    }

    let mut volunteers: BTreeMap<Uuid, (Person, u32, HashSet<Uuid>)> = BTreeMap::new();
    for (request, entry) in &hours {
        month_row(&mut by_month, entry.on).volunteer_minutes += entry.minutes;
        let volunteer = volunteers
            .entry(entry.volunteer.id)
            .or_insert_with(|| (entry.volunteer.clone(), 0, HashSet::new()));
        volunteer.1 += entry.minutes;
        volunteer.2.insert(request.id);
    }
    let mut volunteers: Vec<VolunteerTime> = volunteers
        .into_values()
        .map(|(volunteer, minutes, requests)| VolunteerTime {
            volunteer,
            minutes,
            requests: requests.len() as u32,
        })
        .collect();
    volunteers.sort_by(|a, b| {
        b.minutes
            .cmp(&a.minutes)
            .then_with(|| a.volunteer.name.cmp(&b.volunteer.name))
    });

    let requests_by_status = HelpRequestStatus::ALL
        .into_iter()
        .filter(|s| scope.include_unapproved || by_status.contains_key(s) || accepted_status(*s))
        .map(|s| Count {
            code: s.as_str().to_owned(),
            count: by_status.get(&s).copied().unwrap_or(0),
        })
        .collect();
    let mut requests_by_target_group =
        counts_in_order(&by_group, dictionary, DictionaryKind::TargetGroup);
    // "Not given" last, after the dictionary's groups.
    requests_by_target_group.sort_by_key(|c| c.code.is_empty());
    let by_goal = dictionary
        .active(DictionaryKind::PlanGoal)
        .map(|e| e.code.as_str())
        .chain(goals.keys().copied())
        .fold(Vec::<&str>::new(), |mut codes, code| {
            if !codes.contains(&code) {
                codes.push(code);
            }
            codes
        })
        .into_iter()
        .map(|goal| {
            let (events, attendances, residents) = goals.remove(goal).unwrap_or_default();
            GoalRow {
                goal: goal.to_owned(),
                events,
                attendances,
                unique_residents: residents.len() as u32,
            }
        })
        .collect();

    let counted_events: HashSet<Uuid> = events.iter().map(|(e, _)| e.id).collect();
    let meeting_notes = data
        .notes
        .iter()
        .filter(|n| counted_events.contains(&n.event_id))
        .filter(|n| scope.include_unapproved || n.is_approved())
        .count() as u32;
    Dashboard {
        scope,
        events: events.len() as u32,
        meeting_notes,
        attendances,
        unique_residents: unique.len() as u32,
        requests: requests.len() as u32,
        requests_by_status,
        requests_by_category: counts_in_order(
            &by_category,
            dictionary,
            DictionaryKind::HelpCategory,
        ),
        requests_by_district: counts_in_order(&by_district, dictionary, DictionaryKind::District),
        requests_by_target_group,
        volunteer_minutes: hours.iter().map(|(_, h)| h.minutes).sum(),
        volunteers,
        by_month: by_month.into_values().collect(),
        by_goal,
        awaiting_review: awaiting_review(data, &residents),
    }
}

fn month_row(rows: &mut BTreeMap<NaiveDate, MonthRow>, date: NaiveDate) -> &mut MonthRow {
    let month = date.with_day(1).expect("every month has a first day");
    rows.get_mut(&month)
        .expect("the period's months cover its days")
}

/// The statuses of accepted requests: the status chart's rows when unapproved ones are left out.
fn accepted_status(status: HelpRequestStatus) -> bool {
    use HelpRequestStatus as S;
    matches!(status, S::Approved | S::Assigned | S::InProgress | S::Done)
}

/// When people connected with the photo's subject withdrew image consent (`photo::subject_withdrawals`).
fn withdrawals_for(
    photo: &Photo,
    lists: &HashMap<Uuid, &AttendanceList>,
    requests: &HashMap<Uuid, &HelpRequest>,
    residents: &ResidentIndex,
) -> Vec<DateTime<Utc>> {
    match photo.subject {
        PhotoSubject::Event(id) => subject_withdrawals(lists.get(&id).copied(), None),
        PhotoSubject::HelpRequest(id) => subject_withdrawals(
            None,
            requests
                .get(&id)
                .and_then(|r| r.fields.resident_id)
                .and_then(|id| residents.get(id)),
        ),
    }
}

/// A photo that may go into the evidence pack, with the title of what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackPhoto<'a> {
    pub photo: &'a Photo,
    pub subject_title: String,
}

/// Photos taken in the period that are in the gallery: approved, and nobody they may show has withdrawn
/// consent since. Image material never includes unapproved photos, whatever the scope says.
pub fn gallery_photos<'a>(scope: &ReportScope, data: &ReportData<'a>) -> Vec<PackPhoto<'a>> {
    let residents = ResidentIndex::new(data.residents);
    let events: HashMap<Uuid, &Event> = data.events.iter().map(|e| (e.id, e)).collect();
    let lists: HashMap<Uuid, &AttendanceList> =
        data.lists.iter().map(|l| (l.event_id, l)).collect();
    let requests: HashMap<Uuid, &HelpRequest> = data.requests.iter().map(|r| (r.id, r)).collect();
    let mut photos: Vec<PackPhoto> = data
        .photos
        .iter()
        .filter(|photo| scope.period.contains(photo.taken_at))
        .filter(|photo| photo.in_gallery(&withdrawals_for(photo, &lists, &requests, &residents)))
        .map(|photo| PackPhoto {
            photo,
            subject_title: match photo.subject {
                PhotoSubject::Event(id) => events.get(&id).map(|e| e.fields.title.clone()),
                PhotoSubject::HelpRequest(id) => {
                    requests.get(&id).map(|r| r.fields.resident_name.clone())
                }
            }
            .unwrap_or_default(),
        })
        .collect();
    photos.sort_by_key(|p| (p.photo.taken_at, p.photo.id));
    photos
}

fn awaiting_review(data: &ReportData, residents: &ResidentIndex) -> AwaitingReview {
    let events: HashMap<Uuid, &Event> = data.events.iter().map(|e| (e.id, e)).collect();
    let lists: HashMap<Uuid, &AttendanceList> =
        data.lists.iter().map(|l| (l.event_id, l)).collect();
    let requests: HashMap<Uuid, &HelpRequest> = data.requests.iter().map(|r| (r.id, r)).collect();
    let list_items: Vec<ListForReview> = data
        .lists
        .iter()
        .filter_map(|list| {
            Some(ListForReview {
                list,
                event: events.get(&list.event_id)?,
            })
        })
        .collect();
    let photo_items: Vec<PhotoForReview> = data
        .photos
        .iter()
        .map(|photo| PhotoForReview {
            photo,
            withdrawals: withdrawals_for(photo, &lists, &requests, residents),
            subject_title: String::new(),
        })
        .collect();
    let note_items: Vec<NoteForReview> = data
        .notes
        .iter()
        .map(|note| NoteForReview {
            note,
            event_title: String::new(),
        })
        .collect();
    let items = queue(
        data.requests
            .iter()
            .map(|r| r as &dyn Reviewable)
            .chain(note_items.iter().map(|n| n as &dyn Reviewable))
            .chain(list_items.iter().map(|l| l as &dyn Reviewable))
            .chain(photo_items.iter().map(|p| p as &dyn Reviewable)),
    );
    let mut awaiting = AwaitingReview::default();
    for item in items {
        match item.kind {
            ReviewKind::HelpRequest => awaiting.help_requests += 1,
            ReviewKind::AttendanceList => awaiting.attendance_lists += 1,
            ReviewKind::PhotoConsent | ReviewKind::Photo => awaiting.photos += 1,
            ReviewKind::MeetingNote => awaiting.meeting_notes += 1,
        }
    }
    awaiting
}

#[cfg(test)]
pub(crate) mod tests;
