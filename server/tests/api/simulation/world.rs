//! The simulated world: the server, the people, their devices, and the network between them.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use app::device::{report_reads, sync_once, LocalData, MemoryStore, Pass, SyncFailure, SyncServer};
use app::state::SyncProblem;
use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, DurationRound, Utc};
use domain::account::{Account, AccountChanges, Role};
use domain::api as v1;
use domain::audit::{PersonalRead, ReadReceipts};
use domain::dictionary::{Dictionary, DictionaryEntry, DictionaryKind, EntryLabels};
use domain::help_request::{
    Field, HelpRequest, HelpRequestFields, HelpRequestStatus, Person, Urgency,
};
use domain::sync::outbox::OutboxEntry;
use domain::sync::protocol::{Mutation, PullResponse, PushRequest, PushResponse};
use domain::workflow::{available_actions, changes_between, may_edit, Action, ActionKind, Actor};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use uuid::Uuid;

use crate::support::{pull_uri, sync_answer as answer, Browser, TestApp};

/// The people: who they are on the server.
const PEOPLE: [(&str, Role); 4] = [
    ("koordynatorka", Role::Coordinator),
    ("organizatorka", Role::Organiser),
    ("ania", Role::Volunteer),
    ("bartek", Role::Volunteer),
];
const COORDINATOR: usize = 0;
const ORGANISER: usize = 1;
const VOLUNTEERS: [usize; 2] = [2, 3];

/// The devices: whose, and how many tabs are open on them. The organiser's two devices and the recorder's
/// phone can all change one request: three devices editing the same record.
const DEVICES: [(&str, usize, usize); 4] = [
    ("telefon organizatorki", ORGANISER, 1),
    ("laptop organizatorki", ORGANISER, 1),
    ("telefon Ani", 2, 2),
    ("telefon Bartka", 3, 1),
];

const NAMES: [&str; 4] = [
    "Łukasz Nowak",
    "Irena Kowalska",
    "Jan Wiśniewski",
    "Zofia Lis",
];

/// The accounts and a signed-in session for every device, made once and copied into every run.
pub struct Template {
    app: TestApp,
    accounts: Vec<Account>,
    devices: Vec<Browser>,
    admin: Browser,
}

impl Template {
    pub async fn new() -> Self {
        let app = TestApp::new().await;
        let mut accounts = Vec::new();
        for (username, role) in PEOPLE {
            accounts.push(app.add_account(username, role).await);
        }
        let mut devices = Vec::new();
        for (_, person, _) in DEVICES {
            devices.push(app.signed_in(PEOPLE[person].0).await);
        }
        let admin = app.signed_in(PEOPLE[COORDINATOR].0).await;
        Template {
            app,
            accounts,
            devices,
            admin,
        }
    }
}

/// What went wrong on the way, chosen by the seed for some exchanges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The request never reached the server.
    RequestLost,
    /// The server committed and answered; the answer never arrived.
    AnswerLost,
    /// The network delivered the request twice.
    Duplicated,
    /// The server committed, then stopped before answering, and started again.
    Restarted,
    /// While this tab waited for the answer, another tab of the device ran a whole sync.
    OtherTab,
}

/// A change a person saved on a device, and what they meant by it.
#[derive(Debug, Clone)]
pub struct Made {
    pub mutation: Uuid,
    pub at: DateTime<Utc>,
    pub by: Uuid,
    pub request: Uuid,
    /// It creates its record (`Mutation::creates`).
    pub creates: bool,
    /// For an edit, the fields the person changed in the form; nothing else may change because of it.
    pub edited: Option<Vec<Field>>,
}

/// What a run did, added up over runs for the report.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub runs: u64,
    pub changes_made: u64,
    pub applied: u64,
    pub refused_and_kept: u64,
    pub faults: u64,
}

impl Summary {
    pub fn add(&mut self, other: &Summary) {
        self.runs += other.runs;
        self.changes_made += other.changes_made;
        self.applied += other.applied;
        self.refused_and_kept += other.refused_and_kept;
        self.faults += other.faults;
    }
}

pub struct Device {
    pub name: &'static str,
    pub person: usize,
    pub id: Uuid,
    tabs: usize,
    data: RefCell<Rc<LocalData<MemoryStore>>>,
    browser: RefCell<Browser>,
    /// The role the device learnt at sign-in; the server may have changed it since.
    role: Cell<Role>,
    /// How far the device's clock is behind the world's, in minutes.
    behind: Cell<i64>,
    /// The request copy the edit form was filled from, while it is open.
    form: RefCell<Option<HelpRequest>>,
    pub made: RefCell<Vec<Made>>,
    /// The openings of personal data noted here (`ReadReceipt` ids): each must reach the audit log once.
    pub opened: RefCell<Vec<Uuid>>,
    session_ended: Cell<bool>,
}

impl Device {
    pub fn data(&self) -> Rc<LocalData<MemoryStore>> {
        self.data.borrow().clone()
    }
}

pub struct World {
    server: RefCell<TestApp>,
    rng: RefCell<ChaCha8Rng>,
    pub accounts: Vec<Account>,
    roles: RefCell<Vec<Role>>,
    pub devices: Vec<Device>,
    admin: RefCell<Browser>,
    started: DateTime<Utc>,
    minutes: Cell<i64>,
    /// A distinct millisecond for every reading of a device clock, so a history entry's time names the
    /// change that made it.
    ticks: Cell<i64>,
    faults: Cell<u64>,
    retired: RefCell<Option<DictionaryEntry>>,
    trace: RefCell<Vec<String>>,
}

impl World {
    pub async fn new(template: &Template, seed: u64) -> Self {
        // The world's files in memory where there is a memory file system: the runs test the logic, the
        // server's durability has its own test.
        let parent = std::path::Path::new("/dev/shm");
        let parent = if parent.is_dir() {
            parent.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let server = template.app.copy_in(&parent).await;
        let devices = DEVICES
            .iter()
            .zip(&template.devices)
            .enumerate()
            .map(|(n, ((name, person, tabs), browser))| Device {
                name,
                person: *person,
                id: Uuid::from_u128(n as u128 + 1),
                tabs: *tabs,
                data: RefCell::new(Rc::new(LocalData::new(MemoryStore::default()))),
                browser: RefCell::new(browser.clone()),
                role: Cell::new(PEOPLE[*person].1),
                behind: Cell::new(0),
                form: RefCell::default(),
                made: RefCell::default(),
                opened: RefCell::default(),
                session_ended: Cell::new(false),
            })
            .collect();
        World {
            server: RefCell::new(server),
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(seed)),
            accounts: template.accounts.clone(),
            roles: RefCell::new(PEOPLE.iter().map(|(_, role)| *role).collect()),
            devices,
            admin: RefCell::new(template.admin.clone()),
            // The server compares some dates with its own clock: the world starts today.
            started: Utc::now().duration_trunc(Duration::days(1)).unwrap() + Duration::hours(8),
            minutes: Cell::new(0),
            ticks: Cell::new(0),
            faults: Cell::new(0),
            retired: RefCell::default(),
            trace: RefCell::default(),
        }
    }

    pub fn trace(&self) -> String {
        self.trace.borrow().join("\n")
    }

    fn note(&self, line: String) {
        let minute = self.minutes.get();
        self.trace
            .borrow_mut()
            .push(format!("[{minute:>4} min] {line}"));
    }

    fn roll(&self, range: std::ops::RangeInclusive<i64>) -> i64 {
        self.rng.borrow_mut().random_range(range)
    }

    fn chance(&self, p: f64) -> bool {
        self.rng.borrow_mut().random_bool(p)
    }

    fn pick<'a, T>(&self, items: &'a [T]) -> Option<&'a T> {
        items.choose(&mut *self.rng.borrow_mut())
    }

    /// The device's clock now: the world's time, minus how far the device is behind, plus a distinct
    /// millisecond.
    fn now(&self, device: &Device) -> DateTime<Utc> {
        let tick = self.ticks.get() + 1;
        self.ticks.set(tick);
        self.started
            + Duration::minutes(self.minutes.get() - device.behind.get())
            + Duration::milliseconds(tick)
    }

    fn actor(&self, device: &Device) -> Actor {
        let account = &self.accounts[device.person];
        Actor {
            person: Person {
                id: account.id,
                name: account.display_name.clone(),
            },
            role: device.role.get(),
        }
    }

    /// One request as `browser` makes it; the answer's status and JSON.
    async fn call(
        &self,
        browser: &RefCell<Browser>,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let server = self.server.borrow().clone();
        let mut cookies = browser.borrow().clone();
        let answer = server.call(&mut cookies, method, uri, body).await;
        browser.replace(cookies);
        (answer.status, answer.json)
    }

    async fn restart(&self) {
        let running = self.server.borrow().clone();
        let restarted = running.restarted().await;
        self.server.replace(restarted);
    }

    async fn admin(&self, method: Method, uri: &str, body: Value) {
        let (status, json) = self.call(&self.admin, method, uri, Some(body)).await;
        assert!(status.is_success(), "{uri}: {status} {json}");
    }
}

/// The network as one tab of a device meets it: faults as the seed says.
struct Network<'w> {
    world: &'w World,
    device: &'w Device,
}

/// The network without faults: a second tab's sync while the first waits, and the runs' last syncs.
struct Calm<'w> {
    world: &'w World,
    device: &'w Device,
}

impl SyncServer for Calm<'_> {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        let body = serde_json::to_value(request).unwrap();
        let uri = v1::path::<v1::Push>(&[]);
        answer(
            self.world
                .call(&self.device.browser, Method::POST, &uri, Some(body))
                .await,
        )
    }

    async fn pull(&self, since: i64, limit: u32) -> Result<PullResponse, SyncFailure> {
        let uri = pull_uri(since, limit);
        answer(
            self.world
                .call(&self.device.browser, Method::GET, &uri, None)
                .await,
        )
    }

    async fn record_reads(&self, reads: &ReadReceipts) -> Result<(), SyncFailure> {
        let body = serde_json::to_value(reads).unwrap();
        let uri = v1::path::<v1::RecordReads>(&[]);
        answer(
            self.world
                .call(&self.device.browser, Method::POST, &uri, Some(body))
                .await,
        )
    }
}

impl SyncServer for Network<'_> {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
        let body = serde_json::to_value(request).unwrap();
        let uri = v1::path::<v1::Push>(&[]);
        answer(self.exchange(Method::POST, &uri, Some(body)).await?)
    }

    async fn pull(&self, since: i64, limit: u32) -> Result<PullResponse, SyncFailure> {
        answer(
            self.exchange(Method::GET, &pull_uri(since, limit), None)
                .await?,
        )
    }

    async fn record_reads(&self, reads: &ReadReceipts) -> Result<(), SyncFailure> {
        let body = serde_json::to_value(reads).unwrap();
        let uri = v1::path::<v1::RecordReads>(&[]);
        answer(self.exchange(Method::POST, &uri, Some(body)).await?)
    }
}

impl Network<'_> {
    fn fault(&self) -> Option<Fault> {
        let world = self.world;
        if !world.chance(0.3) {
            return None;
        }
        let mut faults = vec![
            Fault::RequestLost,
            Fault::AnswerLost,
            Fault::Duplicated,
            Fault::Restarted,
        ];
        if self.device.tabs > 1 {
            faults.push(Fault::OtherTab);
        }
        let fault = *world.pick(&faults).unwrap();
        world.faults.set(world.faults.get() + 1);
        Some(fault)
    }

    async fn exchange(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), SyncFailure> {
        let (world, device) = (self.world, self.device);
        let fault = self.fault();
        let what = format!("{method} {}", uri.split('?').next().unwrap_or(uri));
        if let Some(fault) = fault {
            world.note(format!("{}: {what}: {fault:?}", device.name));
        }
        if fault == Some(Fault::RequestLost) {
            return Err(SyncFailure::Network);
        }
        let mut answer = world
            .call(&device.browser, method.clone(), uri, body.clone())
            .await;
        match fault {
            Some(Fault::Duplicated) => {
                answer = world.call(&device.browser, method, uri, body).await;
            }
            Some(Fault::AnswerLost) => return Err(SyncFailure::Network),
            Some(Fault::Restarted) => {
                world.restart().await;
                return Err(SyncFailure::Network);
            }
            Some(Fault::OtherTab) => {
                let data = device.data();
                let pass = Pass {
                    device_id: device.id,
                    pulls: true,
                    now: world.now(device),
                };
                let other = sync_once(&data, &Calm { world, device }, &pass, |_| {}).await;
                world.note(format!("{}: the other tab's sync: {other:?}", device.name));
            }
            Some(Fault::RequestLost) | None => {}
        }
        Ok(answer)
    }
}

/// What people do.
impl World {
    pub async fn play(&self) {
        for device in &self.devices {
            self.learn_who_signed_in(device).await;
            self.sync(device, false).await;
        }
        let steps = self.roll(20..=60);
        for _ in 0..steps {
            self.minutes.set(self.minutes.get() + self.roll(1..=20));
            let device = self.pick(&self.devices).unwrap();
            match self.roll(0..=99) {
                0..=17 => self.record(device).await,
                18..=27 => self.open_form(device).await,
                28..=39 => self.save_form(device).await,
                40..=54 => self.act(device).await,
                55..=58 => self.open_record(device).await,
                59..=86 => {
                    self.sync(device, true).await;
                }
                87..=88 => self.set_clock_back(device),
                89..=90 => self.end_sessions(device).await,
                91..=93 => self.sign_in_again(device).await,
                94..=95 => self.sign_out(device).await,
                96..=97 => self.change_organiser_role().await,
                _ => self.retire_or_restore_category().await,
            }
        }
    }

    /// After the faults: everyone signs in again where needed and syncs until nothing waits, then once
    /// more to pull what the others sent.
    pub async fn settle(&self) {
        self.note("-- the faults stop; everyone syncs".into());
        for device in &self.devices {
            for _ in 0..3 {
                if self.sync(device, false).await {
                    break;
                }
                self.sign_in_again(device).await;
            }
        }
        for device in &self.devices {
            self.sync(device, false).await;
        }
    }

    /// One sync pass of `device`, through the faulty network or the calm one; whether it went through.
    async fn sync(&self, device: &Device, faulty: bool) -> bool {
        let data = device.data();
        let pass = Pass {
            device_id: device.id,
            pulls: true,
            now: self.now(device),
        };
        let result = if faulty {
            sync_once(
                &data,
                &Network {
                    world: self,
                    device,
                },
                &pass,
                |_| {},
            )
            .await
        } else {
            sync_once(
                &data,
                &Calm {
                    world: self,
                    device,
                },
                &pass,
                |_| {},
            )
            .await
        };
        if result == Err(SyncFailure::Problem(SyncProblem::SignInRequired)) {
            device.session_ended.set(true);
        }
        self.note(format!("{}: sync: {result:?}", device.name));
        result.is_ok()
    }

    async fn dictionary(&self, device: &Device) -> Dictionary {
        Dictionary::new(device.data().snapshot().await.unwrap().dictionary)
    }

    fn choose_code(&self, dictionary: &Dictionary, kind: DictionaryKind) -> String {
        let codes: Vec<&str> = dictionary.active(kind).map(|e| e.code.as_str()).collect();
        self.pick(&codes)
            .map(|c| (*c).to_owned())
            .unwrap_or_default()
    }

    /// Remembers the changes a save put in the outbox (those not there `before`).
    async fn made(&self, device: &Device, before: &[OutboxEntry], edited: Option<Vec<Field>>) {
        let after = device.data().outbox().await.unwrap();
        for entry in after {
            if before.iter().any(|b| b.mutation.id == entry.mutation.id) {
                continue;
            }
            device.made.borrow_mut().push(Made {
                mutation: entry.mutation.id,
                at: entry.mutation.recorded_at,
                by: self.accounts[device.person].id,
                request: entry.entity_id,
                creates: Mutation::from_envelope(&entry.mutation).is_ok_and(|m| m.creates()),
                edited: edited.clone(),
            });
            self.note(format!(
                "{}: saved {} on {}",
                device.name, entry.mutation.kind, entry.entity_id
            ));
        }
    }

    async fn record(&self, device: &Device) {
        let dictionary = self.dictionary(device).await;
        let tick = self.ticks.get();
        let fields = HelpRequestFields {
            resident_name: (*self.pick(&NAMES).unwrap()).to_owned(),
            district: self.choose_code(&dictionary, DictionaryKind::District),
            category: self.choose_code(&dictionary, DictionaryKind::HelpCategory),
            description: format!("prośba {tick}"),
            urgency: *self
                .pick(&[Urgency::Low, Urgency::Normal, Urgency::Urgent])
                .unwrap(),
            ..Default::default()
        }
        .normalized();
        // The form saves only what its own dictionary accepts.
        if fields.validate(&dictionary).is_err() {
            return;
        }
        let data = device.data();
        let before = data.outbox().await.unwrap();
        let now = self.now(device);
        match data
            .record_help_request(&self.actor(device), fields, now)
            .await
        {
            Ok(_) => self.made(device, &before, None).await,
            Err(e) => self.note(format!("{}: recording refused: {e:?}", device.name)),
        }
    }

    /// The person opens someone's full entry (which one matters to the log, not to the simulation).
    async fn open_record(&self, device: &Device) {
        let read = PersonalRead::Resident {
            resident_id: Uuid::now_v7(),
        };
        let receipt = device
            .data()
            .note_read(read, self.now(device))
            .await
            .unwrap();
        device.opened.borrow_mut().push(receipt.id);
    }

    async fn open_form(&self, device: &Device) {
        let actor = self.actor(device);
        let requests = device.data().snapshot().await.unwrap().requests;
        let editable: Vec<&HelpRequest> = requests.iter().filter(|r| may_edit(r, &actor)).collect();
        if let Some(request) = self.pick(&editable) {
            self.note(format!(
                "{}: opens the form of {} (revision {})",
                device.name, request.id, request.revision
            ));
            device.form.replace(Some((*request).clone()));
        }
    }

    async fn save_form(&self, device: &Device) {
        let Some(seen) = device.form.take() else {
            return;
        };
        let dictionary = self.dictionary(device).await;
        let mut typed = seen.fields.clone();
        let tick = self.ticks.get();
        let every = [
            Field::Description,
            Field::Place,
            Field::Urgency,
            Field::District,
            Field::Category,
        ];
        let mut chosen: Vec<Field> = every.into_iter().filter(|_| self.chance(0.4)).collect();
        if chosen.is_empty() {
            chosen.push(Field::Description);
        }
        for field in &chosen {
            match field {
                Field::Description => typed.description = format!("opis {tick}"),
                Field::Place => {
                    typed.place =
                        (*self.pick(&["", "przychodnia", "MAL Brzozowa 7"]).unwrap()).into()
                }
                Field::Urgency => {
                    typed.urgency = *self
                        .pick(&[Urgency::Low, Urgency::Normal, Urgency::Urgent])
                        .unwrap()
                }
                Field::District => {
                    typed.district = self.choose_code(&dictionary, DictionaryKind::District)
                }
                _ => typed.category = self.choose_code(&dictionary, DictionaryKind::HelpCategory),
            }
        }
        let typed = typed.normalized();
        if typed.validate(&dictionary).is_err() {
            return;
        }
        let data = device.data();
        // As the page: a request returned for corrections goes back for approval with them.
        let resubmit = data
            .help_request(seen.id)
            .await
            .is_ok_and(|r| r.status == HelpRequestStatus::Returned);
        let edited: Vec<Field> = changes_between(&seen.fields, &typed)
            .iter()
            .map(|c| c.field())
            .collect();
        let before = data.outbox().await.unwrap();
        let now = self.now(device);
        let saved = data
            .edit_help_request(
                &self.actor(device),
                &seen,
                typed,
                resubmit,
                &dictionary,
                now,
            )
            .await;
        match saved {
            Ok(()) => self.made(device, &before, Some(edited)).await,
            Err(e) => self.note(format!("{}: the edit was refused: {e:?}", device.name)),
        }
    }

    async fn act(&self, device: &Device) {
        let actor = self.actor(device);
        let requests = device.data().snapshot().await.unwrap().requests;
        let choices: Vec<(Uuid, ActionKind)> = requests
            .iter()
            .flat_map(|r| available_actions(r, &actor).into_iter().map(|a| (r.id, a)))
            .collect();
        let Some(&(id, kind)) = self.pick(&choices) else {
            return;
        };
        let now = self.now(device);
        let minutes = self.roll(15..=240) as u32;
        let action = match kind {
            ActionKind::Approve => Action::Approve,
            ActionKind::Return => Action::Return {
                comment: "Proszę dopisać adres".into(),
            },
            ActionKind::Reject => Action::Reject {
                comment: "Poza zakresem MAL".into(),
            },
            ActionKind::Resubmit => Action::Resubmit,
            ActionKind::Assign => {
                let volunteers: Vec<Person> = VOLUNTEERS
                    .iter()
                    .filter(|_| self.chance(0.6))
                    .map(|&n| Person {
                        id: self.accounts[n].id,
                        name: self.accounts[n].display_name.clone(),
                    })
                    .collect();
                if volunteers.is_empty() {
                    return;
                }
                Action::Assign { volunteers }
            }
            ActionKind::Accept => Action::Accept,
            ActionKind::Decline => Action::Decline,
            ActionKind::Start => Action::Start,
            ActionKind::LogHours => Action::LogHours {
                minutes,
                on: now.date_naive(),
            },
            ActionKind::Complete => Action::Complete {
                outcome: "Zakupy dostarczone".into(),
                minutes,
                on: now.date_naive(),
            },
            ActionKind::Cancel => Action::Cancel {
                comment: "Nieaktualne".into(),
            },
        };
        let data = device.data();
        let before = data.outbox().await.unwrap();
        match data
            .act_on_help_requests(&actor, vec![id], action, now)
            .await
        {
            Ok(()) => self.made(device, &before, None).await,
            Err(e) => self.note(format!("{}: {kind:?} refused: {e:?}", device.name)),
        }
    }

    fn set_clock_back(&self, device: &Device) {
        let minutes = self.roll(30..=600);
        device.behind.set(device.behind.get() + minutes);
        self.note(format!("{}: clock set back {minutes} min", device.name));
    }

    /// The person's sessions end (expired, or "sign out everywhere" on another device).
    async fn end_sessions(&self, device: &Device) {
        let account = &self.accounts[device.person];
        let server = self.server.borrow().clone();
        server
            .store
            .delete_account_sessions(account.id)
            .await
            .unwrap();
        self.note(format!("{}'s sessions end", account.username));
    }

    async fn sign_in_again(&self, device: &Device) {
        if !device.session_ended.get() {
            return;
        }
        let server = self.server.borrow().clone();
        device
            .browser
            .replace(server.signed_in(PEOPLE[device.person].0).await);
        device.role.set(self.roles.borrow()[device.person]);
        device.session_ended.set(false);
        self.learn_who_signed_in(device).await;
        self.note(format!("{}: signed in again", device.name));
    }

    /// As the app at sign-in: the device notes the person and the role it now pulls as.
    async fn learn_who_signed_in(&self, device: &Device) {
        let account = Account {
            role: device.role.get(),
            ..self.accounts[device.person].clone()
        };
        device.data().signed_in_as(&account).await.unwrap();
    }

    /// The person signs out; the app lets them only when nothing would be lost.
    async fn sign_out(&self, device: &Device) {
        let unsent = device.data().unsent_count().await.unwrap();
        if unsent > 0 {
            self.note(format!("{}: sign-out keeps {unsent} unsent", device.name));
            return;
        }
        // As the browser's sign-out: the log hears what was opened first, or the device keeps it.
        let calm = Calm {
            world: self,
            device,
        };
        if let Err(e) = report_reads(&device.data(), &calm).await {
            self.note(format!(
                "{}: sign-out keeps what was opened: {e:?}",
                device.name
            ));
            return;
        }
        self.call(
            &device.browser,
            Method::DELETE,
            &v1::path::<v1::SignOut>(&[]),
            None,
        )
        .await;
        device
            .data
            .replace(Rc::new(LocalData::new(MemoryStore::default())));
        device.form.replace(None);
        device.session_ended.set(true);
        self.note(format!("{}: signed out, device emptied", device.name));
        self.sign_in_again(device).await;
        self.sync(device, false).await;
    }

    /// The coordinator makes the organiser a volunteer, or an organiser again; their devices learn it at
    /// their next sign-in.
    async fn change_organiser_role(&self) {
        let role = match self.roles.borrow()[ORGANISER] {
            Role::Organiser => Role::Volunteer,
            _ => Role::Organiser,
        };
        let id = self.accounts[ORGANISER].id;
        let changes = AccountChanges {
            role: Some(role),
            ..Default::default()
        };
        self.admin(
            Method::PATCH,
            &v1::path::<v1::UpdateUser>(&[&id]),
            serde_json::to_value(changes).unwrap(),
        )
        .await;
        self.roles.borrow_mut()[ORGANISER] = role;
        self.note(format!("the organiser is now {role:?}"));
    }

    /// The coordinator retires a category (entries recorded offline with it are then refused), or
    /// brings the retired one back.
    async fn retire_or_restore_category(&self) {
        let retired = self.retired.take();
        let (entry, active) = match retired {
            Some(entry) => (entry, true),
            None => {
                let dictionary = self.dictionary(&self.devices[0]).await;
                let active: Vec<DictionaryEntry> = dictionary
                    .active(DictionaryKind::HelpCategory)
                    .cloned()
                    .collect();
                let Some(entry) = self.pick(&active).cloned() else {
                    return;
                };
                self.retired.replace(Some(entry.clone()));
                (entry, false)
            }
        };
        let labels = EntryLabels {
            label_pl: entry.label_pl.clone(),
            label_en: entry.label_en.clone(),
            active,
        };
        let kind = entry.kind.as_str();
        self.admin(
            Method::PUT,
            &v1::path::<v1::UpdateDictionaryEntry>(&[&kind, &entry.code]),
            serde_json::to_value(labels).unwrap(),
        )
        .await;
        self.note(format!("category {} active: {active}", entry.code));
    }
}

/// What the checks read.
impl World {
    pub fn server(&self) -> TestApp {
        self.server.borrow().clone()
    }

    /// Everything the server would send `device`'s reader (the coordinator's when `None`), from the start.
    pub async fn server_view(&self, device: Option<&Device>) -> PullResponse {
        let browser = device.map_or(&self.admin, |d| &d.browser);
        let mut everything = PullResponse {
            changes: Vec::new(),
            next_cursor: 0,
            has_more: true,
            readable: Vec::new(),
        };
        while everything.has_more {
            let page: PullResponse = answer(
                self.call(
                    browser,
                    Method::GET,
                    &pull_uri(everything.next_cursor, 500),
                    None,
                )
                .await,
            )
            .unwrap();
            everything.changes.extend(page.changes);
            everything.next_cursor = page.next_cursor;
            everything.has_more = page.has_more;
            everything.readable = page.readable;
        }
        everything
    }

    pub async fn summary(&self) -> Summary {
        let mut summary = Summary {
            runs: 1,
            faults: self.faults.get(),
            ..Default::default()
        };
        for device in &self.devices {
            summary.changes_made += device.made.borrow().len() as u64;
            let outbox = device.data().outbox().await.unwrap();
            summary.refused_and_kept += outbox.iter().filter(|e| !e.is_pending()).count() as u64;
        }
        summary.applied = summary.changes_made - summary.refused_and_kept.min(summary.changes_made);
        summary
    }
}
