//! One sync pass: push the outbox, oldest first, report what was opened to the audit log, then pull pages
//! until the server has no more. The same code runs against the server over HTTP in the browser and against
//! a test's server natively.

use chrono::{DateTime, Utc};
use domain::audit::{ReadReceipts, MAX_READ_RECEIPTS};
use domain::sync::outbox::{acknowledge, next_batch, smaller_batch};
use domain::sync::protocol::{
    ApiError, PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PUSH_BATCH,
    WIPE_ORDERED,
};
use uuid::Uuid;

use super::local_data::LocalData;
use super::store::{DeviceStore, StoreError};
use crate::state::SyncProblem;

/// Why a sync pass stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncFailure {
    /// No answer at all: offline, or the server is down.
    Network,
    Problem(SyncProblem),
    /// The account was deactivated: the server has what this device could send, and orders it to erase
    /// the account's data (`LocalData::erase`) and confirm.
    WipeOrdered,
}

impl From<StoreError> for SyncFailure {
    fn from(_: StoreError) -> Self {
        SyncFailure::Problem(SyncProblem::Storage)
    }
}

/// What an answer that is not a success means to the device: `error` is the API's error body, if any.
pub fn failure_of(status: u16, error: Option<&ApiError>) -> SyncFailure {
    match error {
        Some(e) if e.error == WIPE_ORDERED => SyncFailure::WipeOrdered,
        Some(e) if e.error == "unsupported_api_version" => {
            SyncFailure::Problem(SyncProblem::UnsupportedVersion)
        }
        // A proxy's "bad gateway" while the server restarts is as good as offline.
        _ if matches!(status, 502..=504) => SyncFailure::Network,
        _ if status == 401 => SyncFailure::Problem(SyncProblem::SignInRequired),
        _ => SyncFailure::Problem(SyncProblem::Server(status)),
    }
}

/// The server's sync endpoints, and the audit log's ear for what was opened, as a device reaches them.
#[allow(async_fn_in_trait, reason = "a device's futures never cross threads")]
pub trait SyncServer {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncFailure>;
    async fn pull(&self, since: i64, limit: u32) -> Result<PullResponse, SyncFailure>;
    async fn record_reads(&self, reads: &ReadReceipts) -> Result<(), SyncFailure>;
}

/// Reports the openings of personal data noted on this device, oldest first, until none is left.
pub async fn report_reads<S: DeviceStore>(
    data: &LocalData<S>,
    server: &impl SyncServer,
) -> Result<(), SyncFailure> {
    loop {
        let reads = ReadReceipts {
            receipts: data.read_receipts(MAX_READ_RECEIPTS).await?,
        };
        if reads.receipts.is_empty() {
            return Ok(());
        }
        server.record_reads(&reads).await?;
        data.reported(&reads.receipts).await?;
    }
}

/// What this pass does besides pushing.
pub struct Pass {
    pub device_id: Uuid,
    /// A kiosk only sends: it may read nothing but its own event's package.
    pub pulls: bool,
    pub now: DateTime<Utc>,
}

/// Pushes everything pending, reports what was opened, then pulls; `received` hears the size of each
/// page applied.
pub async fn sync_once<S: DeviceStore>(
    data: &LocalData<S>,
    server: &impl SyncServer,
    pass: &Pass,
    mut received: impl FnMut(usize),
) -> Result<(), SyncFailure> {
    let mut batch_size = MAX_PUSH_BATCH;
    loop {
        let outbox = data.outbox().await?;
        let batch = next_batch(&outbox, batch_size);
        if batch.is_empty() {
            break;
        }
        let request = PushRequest {
            device_id: pass.device_id,
            mutations: batch.clone(),
        };
        let response = match (server.push(&request).await, smaller_batch(batch_size)) {
            // Long descriptions can make a full batch exceed the body limit: send fewer at a time.
            (Err(SyncFailure::Problem(SyncProblem::Server(413))), Some(smaller)) => {
                batch_size = smaller;
                continue;
            }
            (sent, _) => sent?,
        };
        let ack = acknowledge(&batch, &response.results);
        let progressed = !ack.remove.is_empty() || !ack.reject.is_empty();
        data.acknowledge(&ack).await?;
        if !progressed {
            return Err(SyncFailure::Problem(SyncProblem::Unexpected));
        }
    }
    report_reads(data, server).await?;
    if pass.pulls {
        loop {
            let since = data.pull_cursor().await?;
            let page = server.pull(since, DEFAULT_PULL_LIMIT).await?;
            // A page dropped because the cursor moved meanwhile is pulled again from where it is now.
            if !data.apply_pull(since, &page).await? {
                continue;
            }
            received(page.changes.len());
            if !page.has_more {
                break;
            }
        }
    }
    data.set_last_sync(pass.now).await?;
    Ok(())
}
