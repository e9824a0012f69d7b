//! The device-side logic, natively, on the in-memory store: what a person saves waits in the outbox until
//! the server acknowledges it, a pulled page meets the changes still waiting, and the cursor moves with the
//! page it belongs to. The browser tests (`end2end/`) run the same code on IndexedDB.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};
use domain::account::Role;
use domain::attendance::AttendanceList;
use domain::audit::{PersonalRead, ReadReceipts};
use domain::consent::{ConsentKind, ConsentText, PublishedConsentText};
use domain::dictionary::{DictionaryEntry, DictionaryKind};
use domain::event::{Event, EventFields};
use domain::help_request::{HelpRequest, HelpRequestFields, Person};
use domain::meeting_note::MeetingNote;
use domain::photo::{PeopleVisible, Photo, PhotoFile, PhotoReview, PhotoSubject};
use domain::resident::{Resident, ResidentFields};
use domain::sync::merge::{sync_state, SyncState};
use domain::sync::protocol::{
    Change, MutationResult, Outcome, PullResponse, PushRequest, PushResponse, ReadableKeys, Record,
    RecordKind, RejectReason,
};
use domain::workflow::Actor;
use futures::executor::block_on;
use uuid::Uuid;

use super::local_data::LocalData;
use super::memory::MemoryStore;
use super::sync::{sync_once, Pass, SyncFailure, SyncServer};
use crate::state::SyncProblem;

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::minutes(minutes)
}

fn volunteer() -> Actor {
    Actor {
        person: Person {
            id: Uuid::from_u128(1),
            name: "Wiola Wolontariuszka".into(),
        },
        role: Role::Volunteer,
    }
}

fn fields(description: &str) -> HelpRequestFields {
    HelpRequestFields {
        resident_name: "Łukasz Nowak".into(),
        district: "okolna".into(),
        category: "shopping".into(),
        description: description.into(),
        ..Default::default()
    }
}

fn district(code: &str) -> Record {
    Record::DictionaryEntry(DictionaryEntry {
        kind: DictionaryKind::District,
        code: code.into(),
        label_pl: code.into(),
        label_en: code.into(),
        position: 1,
        active: true,
    })
}

fn page(records: Vec<Record>, next_cursor: i64, has_more: bool) -> PullResponse {
    let first = next_cursor - records.len() as i64 + 1;
    let changes = records
        .into_iter()
        .zip(first..)
        .map(|(record, cursor)| Change { cursor, record })
        .collect();
    PullResponse {
        changes,
        next_cursor,
        has_more,
        readable: Vec::new(),
    }
}

fn device() -> LocalData<MemoryStore> {
    LocalData::new(MemoryStore::default())
}

fn pass() -> Pass {
    Pass {
        device_id: Uuid::from_u128(77),
        pulls: true,
        now: at(60),
    }
}

/// A server as the device meets it: answers each push with `outcome`, refuses bodies of more than
/// `largest_batch` mutations as too large, and serves `pages` in turn (then an empty one).
struct TestServer {
    outcome: Outcome,
    largest_batch: usize,
    pages: RefCell<VecDeque<PullResponse>>,
    pushes: RefCell<Vec<PushRequest>>,
    pulled_since: RefCell<Vec<i64>>,
    reads: RefCell<Vec<ReadReceipts>>,
    /// The network drops every report of openings.
    reads_lost: Cell<bool>,
}

impl TestServer {
    fn answering(outcome: Outcome) -> Self {
        TestServer {
            outcome,
            largest_batch: usize::MAX,
            pages: RefCell::default(),
            pushes: RefCell::default(),
            pulled_since: RefCell::default(),
            reads: RefCell::default(),
            reads_lost: Cell::default(),
        }
    }

    fn serving(self, pages: Vec<PullResponse>) -> Self {
        self.pages.replace(pages.into());
        self
    }
}

impl SyncServer for TestServer {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        self.pushes.borrow_mut().push(request.clone());
        if request.mutations.len() > self.largest_batch {
            return Err(SyncFailure::Problem(SyncProblem::Server(413)));
        }
        let results = request
            .mutations
            .iter()
            .map(|m| MutationResult {
                mutation_id: m.id,
                outcome: self.outcome.clone(),
            })
            .collect();
        Ok(PushResponse { results })
    }

    async fn pull(&self, since: i64, _limit: u32) -> Result<PullResponse, SyncFailure> {
        self.pulled_since.borrow_mut().push(since);
        let next = self.pages.borrow_mut().pop_front();
        Ok(next.unwrap_or_else(|| page(Vec::new(), since, false)))
    }

    async fn record_reads(&self, reads: &ReadReceipts) -> Result<(), SyncFailure> {
        if self.reads_lost.get() {
            return Err(SyncFailure::Network);
        }
        self.reads.borrow_mut().push(reads.clone());
        Ok(())
    }
}

#[test]
fn a_saved_request_waits_in_the_outbox_until_the_server_acknowledges_it() {
    block_on(async {
        let device = device();
        let id = device
            .record_help_request(&volunteer(), fields("Zakupy w piątek"), at(0))
            .await
            .unwrap();

        let saved = device.snapshot().await.unwrap();
        assert_eq!(saved.requests.len(), 1);
        assert_eq!(saved.requests[0].fields.description, "Zakupy w piątek");
        assert_eq!(sync_state(id, &saved.outbox), SyncState::Pending);
        assert_eq!(device.unsent_count().await.unwrap(), 1);

        let server = TestServer::answering(Outcome::Applied);
        sync_once(&device, &server, &pass(), |_| {}).await.unwrap();

        let pushed = server.pushes.borrow()[0].mutations.clone();
        assert_eq!(pushed.len(), 1);
        assert_eq!(pushed[0].kind, "help_request.create");
        assert_eq!(pushed[0].payload["help_request_id"], id.to_string());
        let synced = device.snapshot().await.unwrap();
        assert!(synced.outbox.is_empty());
        assert_eq!(synced.requests.len(), 1, "the record stays on the device");
        assert_eq!(sync_state(id, &synced.outbox), SyncState::Synced);
        assert_eq!(synced.last_sync, Some(at(60)));
    });
}

#[test]
fn a_refused_entry_stays_on_the_device_marked_with_the_reason() {
    block_on(async {
        let device = device();
        let id = device
            .record_help_request(&volunteer(), fields("Zakupy"), at(0))
            .await
            .unwrap();
        let server = TestServer::answering(Outcome::Rejected {
            reason: RejectReason::Conflict,
        });
        sync_once(&device, &server, &pass(), |_| {}).await.unwrap();

        let after = device.snapshot().await.unwrap();
        assert_eq!(after.outbox.len(), 1);
        assert_eq!(
            sync_state(id, &after.outbox),
            SyncState::Rejected(RejectReason::Conflict)
        );
        assert_eq!(after.requests.len(), 1);
        // Still the person's to deal with: signing out must not take it away as if it had been sent.
        assert_eq!(device.unsent_count().await.unwrap(), 1);
        // Refused for good: the next pass does not send it again.
        sync_once(&device, &server, &pass(), |_| {}).await.unwrap();
        assert_eq!(server.pushes.borrow().len(), 1);
    });
}

#[test]
fn an_answer_that_acknowledges_nothing_keeps_every_entry_and_says_so() {
    block_on(async {
        let device = device();
        device
            .record_help_request(&volunteer(), fields("Zakupy"), at(0))
            .await
            .unwrap();
        /// Answers for mutations it was not sent.
        struct Confused;
        impl SyncServer for Confused {
            async fn push(&self, _: &PushRequest) -> Result<PushResponse, SyncFailure> {
                let results = vec![MutationResult {
                    mutation_id: Uuid::from_u128(9),
                    outcome: Outcome::Applied,
                }];
                Ok(PushResponse { results })
            }
            async fn pull(&self, since: i64, _: u32) -> Result<PullResponse, SyncFailure> {
                Ok(page(Vec::new(), since, false))
            }
            async fn record_reads(&self, _: &ReadReceipts) -> Result<(), SyncFailure> {
                Ok(())
            }
        }
        let failed = sync_once(&device, &Confused, &pass(), |_| {}).await;
        assert_eq!(failed, Err(SyncFailure::Problem(SyncProblem::Unexpected)));
        assert_eq!(device.unsent_count().await.unwrap(), 1);
    });
}

#[test]
fn a_pulled_copy_does_not_replace_a_change_still_waiting_to_be_sent() {
    block_on(async {
        let device = device();
        let mine = device
            .record_help_request(&volunteer(), fields("Mój opis"), at(0))
            .await
            .unwrap();
        let mut theirs =
            HelpRequest::recorded(mine, fields("Opis z serwera"), volunteer().person, at(0));
        theirs.revision = 2;
        let other = HelpRequest::recorded(
            Uuid::from_u128(500),
            fields("Cudza prośba"),
            volunteer().person,
            at(5),
        );
        device
            .apply_pull(
                0,
                &page(
                    vec![
                        Record::HelpRequest(theirs.clone()),
                        Record::HelpRequest(other.clone()),
                        district("okolna"),
                    ],
                    3,
                    false,
                ),
            )
            .await
            .unwrap();

        let shown = device.snapshot().await.unwrap();
        let description = |id: Uuid| {
            shown
                .requests
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.fields.description.clone())
        };
        assert_eq!(
            description(mine).as_deref(),
            Some("Mój opis"),
            "the person's change stays"
        );
        assert_eq!(description(other.id).as_deref(), Some("Cudza prośba"));
        assert_eq!(shown.dictionary.len(), 1);

        // Once the server has the change, its version is the truth again.
        let server = TestServer::answering(Outcome::Applied).serving(vec![page(
            vec![Record::HelpRequest(theirs)],
            4,
            false,
        )]);
        sync_once(&device, &server, &pass(), |_| {}).await.unwrap();
        let after = device.snapshot().await.unwrap();
        let request = after.requests.iter().find(|r| r.id == mine).unwrap();
        assert_eq!(request.fields.description, "Opis z serwera");
        assert_eq!(request.revision, 2);
    });
}

#[test]
fn a_record_the_reader_may_no_longer_hold_leaves_the_device_unless_a_change_to_it_waits() {
    block_on(async {
        let device = device();
        let request = |n: u128, description: &str| {
            HelpRequest::recorded(
                Uuid::from_u128(n),
                fields(description),
                volunteer().person,
                at(0),
            )
        };
        let (kept, unassigned) = (request(500, "Nadal moja"), request(501, "Już nie moja"));
        device
            .apply_pull(
                0,
                &page(
                    vec![
                        Record::HelpRequest(kept.clone()),
                        Record::HelpRequest(unassigned.clone()),
                        district("okolna"),
                    ],
                    3,
                    false,
                ),
            )
            .await
            .unwrap();
        let unsent = device
            .record_help_request(&volunteer(), fields("Zapisana bez zasięgu"), at(1))
            .await
            .unwrap();

        let mut last = page(Vec::new(), 3, false);
        last.readable = vec![ReadableKeys {
            entity: RecordKind::HelpRequest.as_str().to_owned(),
            keys: vec![kept.id.to_string()],
        }];
        assert!(device.apply_pull(3, &last).await.unwrap());

        let after = device.snapshot().await.unwrap();
        let mut held: Vec<Uuid> = after.requests.iter().map(|r| r.id).collect();
        held.sort();
        let mut expected = vec![kept.id, unsent];
        expected.sort();
        assert_eq!(
            held, expected,
            "the unassigned request is gone, the unsent one waits"
        );
        assert_eq!(
            after.dictionary.len(),
            1,
            "kinds the page does not name stay"
        );
        assert_eq!(device.unsent_count().await.unwrap(), 1);
    });
}

#[test]
fn the_cursor_moves_with_its_page_and_a_page_that_failed_to_save_moves_nothing() {
    block_on(async {
        let device = device();
        device
            .apply_pull(0, &page(vec![district("okolna")], 5, false))
            .await
            .unwrap();
        assert_eq!(device.pull_cursor().await.unwrap(), 5);

        device.store().fail_commits(true);
        let lost = page(vec![district("jedwabnik")], 9, false);
        assert!(device.apply_pull(5, &lost).await.is_err());
        device.store().fail_commits(false);
        assert_eq!(
            device.pull_cursor().await.unwrap(),
            5,
            "the page will be pulled again"
        );
        assert_eq!(device.snapshot().await.unwrap().dictionary.len(), 1);

        assert!(device.apply_pull(5, &lost).await.unwrap());
        assert_eq!(device.pull_cursor().await.unwrap(), 9);
        assert_eq!(device.snapshot().await.unwrap().dictionary.len(), 2);
    });
}

#[test]
fn a_pass_pulls_page_after_page_from_the_cursor_each_page_left() {
    block_on(async {
        let device = device();
        let server = TestServer::answering(Outcome::Applied).serving(vec![
            page(vec![district("a"), district("b")], 2, true),
            page(vec![district("c")], 3, false),
        ]);
        let mut received = Vec::new();
        sync_once(&device, &server, &pass(), |n| received.push(n))
            .await
            .unwrap();
        assert_eq!(*server.pulled_since.borrow(), [0, 2]);
        assert_eq!(received, [2, 1]);
        assert_eq!(device.pull_cursor().await.unwrap(), 3);
        assert_eq!(device.snapshot().await.unwrap().dictionary.len(), 3);

        sync_once(&device, &server, &pass(), |_| {}).await.unwrap();
        assert_eq!(server.pulled_since.borrow().last(), Some(&3));
    });
}

#[test]
fn a_batch_too_large_for_the_server_goes_in_smaller_ones_and_nothing_is_lost() {
    block_on(async {
        let device = device();
        for n in 0..3 {
            device
                .record_help_request(&volunteer(), fields(&format!("Prośba {n}")), at(n))
                .await
                .unwrap();
        }
        let mut server = TestServer::answering(Outcome::Applied);
        server.largest_batch = 1;
        sync_once(&device, &server, &pass(), |_| {}).await.unwrap();

        let accepted: Vec<_> = server
            .pushes
            .borrow()
            .iter()
            .filter(|p| p.mutations.len() == 1)
            .map(|p| p.mutations[0].payload["description"].clone())
            .collect();
        assert_eq!(
            accepted,
            ["Prośba 0", "Prośba 1", "Prośba 2"],
            "oldest first"
        );
        assert_eq!(device.unsent_count().await.unwrap(), 0);
    });
}

#[test]
fn entries_go_in_the_order_they_were_made_even_when_the_clock_was_set_back() {
    block_on(async {
        let device = device();
        device
            .record_help_request(&volunteer(), fields("Pierwsza"), at(100))
            .await
            .unwrap();
        // The phone's clock went back an hour (a dead battery, a manual change) before the next entry.
        device
            .record_help_request(&volunteer(), fields("Druga"), at(40))
            .await
            .unwrap();
        let server = TestServer::answering(Outcome::Applied);
        sync_once(&device, &server, &pass(), |_| {}).await.unwrap();
        let sent: Vec<_> = server.pushes.borrow()[0]
            .mutations
            .iter()
            .map(|m| m.payload["description"].clone())
            .collect();
        assert_eq!(sent, ["Pierwsza", "Druga"]);
    });
}

#[test]
fn a_kiosk_pass_sends_and_reads_nothing_back() {
    block_on(async {
        let device = device();
        device
            .queue_kiosk_change(
                Uuid::from_u128(300),
                domain::attendance::ListChange::Approve,
                at(0),
            )
            .await
            .unwrap();
        let server = TestServer::answering(Outcome::Applied);
        let kiosk = Pass {
            pulls: false,
            ..pass()
        };
        sync_once(&device, &server, &kiosk, |_| {}).await.unwrap();
        assert_eq!(
            server.pushes.borrow()[0].mutations[0].kind,
            "attendance.change"
        );
        assert!(server.pulled_since.borrow().is_empty());
        assert_eq!(device.unsent_count().await.unwrap(), 0);
    });
}

/// One record of `kind` as the server sends it.
fn one_of(kind: RecordKind) -> Record {
    let id = Uuid::from_u128(900);
    match kind {
        RecordKind::HelpRequest => Record::HelpRequest(HelpRequest::recorded(
            id,
            fields("Zakupy"),
            volunteer().person,
            at(0),
        )),
        RecordKind::DictionaryEntry => district("okolna"),
        RecordKind::Resident => Record::Resident(Resident {
            id,
            fields: ResidentFields {
                name: "Łucja Żak".into(),
                ..Default::default()
            },
            recorded_at: at(0),
            merged_into: None,
            image_consent: None,
            anonymised_at: None,
        }),
        RecordKind::Event => Record::Event(Event {
            id,
            fields: EventFields {
                title: "Kawiarenka".into(),
                starts_at: at(0),
                ends_at: at(90),
                location: String::new(),
                organiser: String::new(),
                target_groups: Vec::new(),
                plan_goals: Vec::new(),
                description: String::new(),
                expected: Vec::new(),
            },
            created_by: None,
            created_at: at(0),
        }),
        RecordKind::AttendanceList => Record::AttendanceList(AttendanceList::new(id)),
        RecordKind::ConsentText => Record::ConsentText(PublishedConsentText {
            kind: ConsentKind::Image,
            text: ConsentText {
                version: 1,
                text_pl: "Zgoda".into(),
                text_en: "Consent".into(),
                since: at(0),
            },
        }),
        RecordKind::Photo => Record::Photo(Photo {
            id,
            subject: PhotoSubject::Event(id),
            caption: "Kawiarenka".into(),
            people: PeopleVisible::NoIdentifiablePeople,
            file: PhotoFile {
                sha256: "0".repeat(64),
                bytes: 1,
                width: 1,
                height: 1,
            },
            taken_by: volunteer().person,
            taken_at: at(0),
            uploaded: true,
            review: PhotoReview::Pending,
            erased_at: None,
        }),
        RecordKind::MeetingNote => Record::MeetingNote(
            MeetingNote::write(None, id, id, "Notatka", &volunteer(), at(0)).unwrap(),
        ),
    }
}

#[test]
fn every_kind_a_device_pulls_is_kept_and_reaches_the_pages() {
    block_on(async {
        for kind in RecordKind::ALL {
            let device = device();
            device
                .apply_pull(0, &page(vec![one_of(kind)], 1, false))
                .await
                .unwrap();
            let shown = device.snapshot().await.unwrap();
            assert_eq!(shown.count(kind), 1, "{kind:?}");
        }
    });
}

/// The dictionary the edit below is checked against: both districts and the category in use.
fn two_districts() -> domain::dictionary::Dictionary {
    let entry = |kind, code: &str| DictionaryEntry {
        kind,
        code: code.into(),
        label_pl: code.into(),
        label_en: code.into(),
        position: 1,
        active: true,
    };
    domain::dictionary::Dictionary::new(vec![
        entry(DictionaryKind::District, "okolna"),
        entry(DictionaryKind::District, "jedwabnik"),
        entry(DictionaryKind::HelpCategory, "shopping"),
    ])
}

#[test]
fn an_edit_sends_only_what_the_person_changed_in_the_copy_they_saw() {
    block_on(async {
        let device = device();
        let mut seen = HelpRequest::recorded(
            Uuid::from_u128(600),
            fields("Zakupy w czwartek"),
            volunteer().person,
            at(0),
        );
        seen.revision = 1;
        device
            .apply_pull(0, &page(vec![Record::HelpRequest(seen.clone())], 1, false))
            .await
            .unwrap();
        // While the form is open, a pull brings someone else's change of the district.
        let mut moved = seen.clone();
        moved.fields.district = "jedwabnik".into();
        moved.revision = 2;
        device
            .apply_pull(1, &page(vec![Record::HelpRequest(moved)], 2, false))
            .await
            .unwrap();

        let mut typed = seen.fields.clone();
        typed.description = "Zakupy w piątek".into();
        device
            .edit_help_request(&volunteer(), &seen, typed, false, &two_districts(), at(10))
            .await
            .unwrap();

        let outbox = device.outbox().await.unwrap();
        assert_eq!(outbox.len(), 1);
        let payload = &outbox[0].mutation.payload;
        assert_eq!(payload["seen_revision"], 1, "{payload}");
        let changed: Vec<&str> = payload["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(changed, ["description"], "{payload}");
        let shown = device.help_request(seen.id).await.unwrap();
        assert_eq!(shown.fields.district, "jedwabnik", "the other change stays");
        assert_eq!(shown.fields.description, "Zakupy w piątek");
    });
}

#[test]
fn a_page_pulled_before_another_tab_moved_the_cursor_is_dropped() {
    block_on(async {
        let device = device();
        let mut request = HelpRequest::recorded(
            Uuid::from_u128(700),
            fields("Transport do przychodni"),
            volunteer().person,
            at(0),
        );
        request.revision = 2;
        let older = page(vec![Record::HelpRequest(request.clone())], 4, false);
        request.revision = 3;
        request.fields.description = "Transport w piątek".into();
        let newer = page(vec![Record::HelpRequest(request.clone())], 5, false);

        // Both tabs pulled from 0; the other tab's later page was applied first.
        assert!(device.apply_pull(0, &newer).await.unwrap());
        assert!(!device.apply_pull(0, &older).await.unwrap());

        assert_eq!(device.pull_cursor().await.unwrap(), 5);
        let shown = device.help_request(request.id).await.unwrap();
        assert_eq!(shown.revision, 3);
        assert_eq!(shown.fields.description, "Transport w piątek");
    });
}

#[test]
fn a_new_role_pulls_everything_again_and_the_same_role_does_not() {
    block_on(async {
        let device = device();
        let mut account = domain::account::Account {
            id: volunteer().person.id,
            username: "wiola".into(),
            display_name: volunteer().person.name,
            role: Role::Volunteer,
        };
        device.signed_in_as(&account).await.unwrap();
        assert!(device
            .apply_pull(0, &page(vec![district("okolna")], 7, false))
            .await
            .unwrap());

        device.signed_in_as(&account).await.unwrap();
        assert_eq!(device.pull_cursor().await.unwrap(), 7);

        // As an organiser the server sends every request, also those before the cursor.
        account.role = Role::Organiser;
        device.signed_in_as(&account).await.unwrap();
        assert_eq!(device.pull_cursor().await.unwrap(), 0);
        assert_eq!(device.snapshot().await.unwrap().dictionary.len(), 1);
    });
}

/// A request recorded offline with a district the coordinator has since retired, refused by the server.
async fn refused_request(device: &LocalData<MemoryStore>) -> HelpRequest {
    let id = device
        .record_help_request(&volunteer(), fields("Zakupy na sobotę"), at(0))
        .await
        .unwrap();
    let server = TestServer::answering(Outcome::Rejected {
        reason: RejectReason::Invalid { errors: Vec::new() },
    });
    sync_once(device, &server, &pass(), |_| {}).await.unwrap();
    device.help_request(id).await.unwrap()
}

#[test]
fn a_refused_new_request_corrected_is_sent_again_as_new() {
    block_on(async {
        let device = device();
        let seen = refused_request(&device).await;
        let mut typed = seen.fields.clone();
        typed.district = "jedwabnik".into();
        device
            .edit_help_request(&volunteer(), &seen, typed, false, &two_districts(), at(5))
            .await
            .unwrap();

        let outbox = device.outbox().await.unwrap();
        assert_eq!(outbox.len(), 1, "the refused entry is replaced");
        assert!(outbox[0].is_pending());
        assert_eq!(outbox[0].mutation.kind, "help_request.create");
        assert_eq!(outbox[0].mutation.payload["district"], "jedwabnik");
    });
}

#[test]
fn discarding_a_refused_new_request_takes_it_off_the_device() {
    block_on(async {
        let device = device();
        let refused = refused_request(&device).await;
        device
            .discard_refused(RecordKind::HelpRequest, refused.id)
            .await
            .unwrap();

        assert_eq!(device.unsent_count().await.unwrap(), 0);
        assert!(device.snapshot().await.unwrap().requests.is_empty());
    });
}

#[test]
fn an_opening_noted_offline_reaches_the_audit_log_at_the_next_sync_once_and_is_nothing_to_lose() {
    block_on(async {
        let device = device();
        let resident_id = Uuid::from_u128(40);
        let event_id = Uuid::from_u128(41);
        device
            .note_read(PersonalRead::Resident { resident_id }, at(0))
            .await
            .unwrap();
        device
            .note_read(PersonalRead::SignedAttendance { event_id }, at(1))
            .await
            .unwrap();
        // An opening is no entry of the person's: signing out does not warn about it.
        assert_eq!(device.unsent_count().await.unwrap(), 0);

        let server = TestServer::answering(Outcome::Applied);
        server.reads_lost.set(true);
        let failed = sync_once(&device, &server, &pass(), |_| {}).await;
        assert_eq!(failed, Err(SyncFailure::Network));
        assert!(server.pulled_since.borrow().is_empty(), "the pull waits");

        server.reads_lost.set(false);
        sync_once(&device, &server, &pass(), |_| {}).await.unwrap();
        let reported: Vec<_> = server.reads.borrow()[0]
            .receipts
            .iter()
            .map(|r| (r.read, r.opened_at))
            .collect();
        assert_eq!(
            reported,
            [
                (PersonalRead::Resident { resident_id }, at(0)),
                (PersonalRead::SignedAttendance { event_id }, at(1)),
            ]
        );
        sync_once(&device, &server, &pass(), |_| {}).await.unwrap();
        assert_eq!(server.reads.borrow().len(), 1, "reported once");
    });
}
