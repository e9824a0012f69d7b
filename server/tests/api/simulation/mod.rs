//! A seeded simulation of several devices working offline and syncing through a faulty network with the
//! real server: each device runs the app's own device-side code (`app::device::simulated`: the outbox,
//! merging pulled pages, one sync pass) on an in-memory store; the server is the real router over a real
//! SQLite database. From one seed everything follows: what people do, when they sync, and what goes wrong
//! on the way (a request or its answer lost, a request delivered twice, the server restarted, a second tab
//! syncing the same outbox, a device clock set back, a session ended, a role taken away, a category
//! retired, a sign-out with work pending). After every run the invariants of `invariants.rs` must hold.
//!
//! `SIM_SEEDS=n` runs n seeds (default [`SEEDS`]; `make soak` runs 100,000), from `SIM_FIRST_SEED`;
//! `SIM_SEED=s` replays one seed and prints what happened in it.

mod invariants;
mod world;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use world::{Template, World};

/// How many seeds `make test` runs.
const SEEDS: u64 = 1_000;
/// How often a run of many seeds reports its progress.
const PROGRESS_EVERY: u64 = 10_000;

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(
        text.parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {text:?}")),
    )
}

/// The template every run copies: accounts and signed-in devices, made once (signing in is slow on
/// purpose).
fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| runtime().block_on(Template::new()))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// One seed, start to end, on its own runtime and its own copy of the server: `Err` names the broken
/// invariant, with what happened.
fn run(seed: u64) -> Result<world::Summary, String> {
    let template = template();
    runtime().block_on(async {
        let world = World::new(template, seed).await;
        world.play().await;
        world.settle().await;
        let summary = world.summary().await;
        invariants::check(&world)
            .await
            .map_err(|broken| format!("{broken}\n\nwhat happened:\n{}", world.trace()))?;
        Ok(summary)
    })
}

fn replay_command(seed: u64) -> String {
    format!("SIM_SEED={seed} cargo test -p server --features app/ssr --test api simulation -- --nocapture")
}

#[test]
fn devices_with_faults_lose_duplicate_and_overwrite_nothing() {
    if let Some(seed) = env_number("SIM_SEED") {
        let summary = run(seed).unwrap_or_else(|broken| panic!("seed {seed}: {broken}"));
        println!("seed {seed}: {summary:?}");
        return;
    }
    let first = env_number("SIM_FIRST_SEED").unwrap_or(0);
    let count = env_number("SIM_SEEDS").unwrap_or(SEEDS);
    let started = Instant::now();
    let next = AtomicU64::new(first);
    let done = AtomicU64::new(0);
    let failures: Mutex<Vec<(u64, String)>> = Mutex::default();
    let totals: Mutex<world::Summary> = Mutex::default();
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= first + count {
                    return;
                }
                // A panic inside a run is a failure of that seed, reported with the others.
                let outcome = std::panic::catch_unwind(|| run(seed))
                    .unwrap_or_else(|panic| Err(panic_text(&panic)));
                match outcome {
                    Ok(summary) => totals.lock().unwrap().add(&summary),
                    Err(broken) => {
                        // Said at once: a long soak may be stopped before its end.
                        eprintln!(
                            "simulation: seed {seed} broke an invariant: {}\nreplay: {}",
                            broken.lines().next().unwrap_or_default(),
                            replay_command(seed)
                        );
                        failures.lock().unwrap().push((seed, broken));
                    }
                }
                // A long soak says how far it is.
                let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                if finished.is_multiple_of(PROGRESS_EVERY) && finished < count {
                    eprintln!(
                        "simulation: {finished} of {count} seeds in {:.0} s, {} broken so far",
                        started.elapsed().as_secs_f64(),
                        failures.lock().unwrap().len()
                    );
                }
            });
        }
    });
    let totals = totals.into_inner().unwrap();
    println!(
        "simulation: {count} seeds from {first} in {:.1} s: {totals:?}",
        started.elapsed().as_secs_f64()
    );
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|(seed, _)| *seed);
    if let Some((seed, broken)) = failures.first() {
        let seeds: Vec<u64> = failures.iter().map(|(seed, _)| *seed).collect();
        panic!(
            "{} of {count} seeds broke an invariant: {seeds:?}\nreplay the first: {}\n\nseed {seed}: {broken}",
            failures.len(),
            replay_command(*seed),
        );
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    let text = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    format!("the run panicked: {text}")
}
