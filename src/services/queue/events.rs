//! State changes published on the queue's channel (`bot:tasks:events`), for dashboards and for
//! waking idle workers.
//!
//! Each message is one JSON object, readable with `redis-cli SUBSCRIBE bot:tasks:events`:
//! `{"event":"status","id":"...","status":"pending","at":1759036514000}`, or
//! `{"event":"statuses","ids":[...],"status":"pending",...}` for a bulk enqueue,
//! `{"event":"progress",...}`, `{"event":"paused",...}`, `{"event":"resumed",...}`. Pub/sub is
//! fire-and-forget: a subscriber that was away misses messages and should re-read state
//! (`SubscriptionEvent::Gap` says when that happened).

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use staunch_core::{Batch, Result, Store, SubscriptionEvent};

use super::job::JobStatus;

/// One message on the queue's channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum QueueEvent {
    /// A job entered a state.
    Status {
        /// The job.
        id: String,
        /// Its new status, as the `status` field spells it.
        status: String,
        /// When, Unix ms.
        at: i64,
    },
    /// Several jobs entered the same state at once (a bulk enqueue).
    Statuses {
        /// The jobs.
        ids: Vec<String>,
        /// Their new status.
        status: String,
        /// When, Unix ms.
        at: i64,
    },
    /// A running job reported progress (JSON text).
    Progress {
        /// The job.
        id: String,
        /// The progress value as JSON text.
        progress: String,
        /// When, Unix ms.
        at: i64,
    },
    /// A job was deleted by [`Queue::remove`](super::Queue::remove).
    Removed {
        /// The job.
        id: String,
        /// When, Unix ms.
        at: i64,
    },
    /// The queue was paused.
    Paused {
        /// When, Unix ms.
        at: i64,
    },
    /// The queue was resumed.
    Resumed {
        /// When, Unix ms.
        at: i64,
    },
}

impl QueueEvent {
    pub(crate) fn status(id: &str, status: JobStatus, at: i64) -> QueueEvent {
        QueueEvent::Status {
            id: id.to_owned(),
            status: status.as_str().to_owned(),
            at,
        }
    }

    /// One job's event, or a bulk one for several.
    pub(crate) fn statuses(ids: Vec<String>, status: JobStatus, at: i64) -> QueueEvent {
        if ids.len() == 1 {
            let id = ids.into_iter().next().unwrap_or_default();
            return QueueEvent::status(&id, status, at);
        }
        QueueEvent::Statuses {
            ids,
            status: status.as_str().to_owned(),
            at,
        }
    }

    /// The job status this event announces, if it is a status change.
    pub fn job_status(&self) -> Option<JobStatus> {
        match self {
            QueueEvent::Status { status, .. } | QueueEvent::Statuses { status, .. } => {
                JobStatus::parse(status)
            }
            _ => None,
        }
    }

    /// True when the event may mean work is available (a job became pending, or the queue
    /// was resumed): what idle workers wake up for.
    pub fn may_have_work(&self) -> bool {
        match self {
            QueueEvent::Resumed { .. } => true,
            other => other.job_status() == Some(JobStatus::Pending),
        }
    }

    /// Adds publishing this event on `channel` to `batch`.
    pub(crate) fn publish_in(&self, batch: &mut Batch<'_, dyn Store>, channel: &str) {
        let text = serde_json::to_string(self).unwrap_or_default();
        batch.publish(channel, text);
    }

    /// Decodes a published message; `None` for anything else.
    pub fn decode(payload: &[u8]) -> Option<QueueEvent> {
        serde_json::from_slice(payload).ok()
    }
}

/// A stream of the queue's events; `None` items stand for a gap (messages may have been
/// missed, re-read state).
pub(crate) async fn subscribe(
    store: &dyn Store,
    channel: &str,
) -> Result<impl futures_util::Stream<Item = Option<QueueEvent>> + Send + use<>> {
    let subscription = store.subscribe(vec![channel.into()], Vec::new()).await?;
    Ok(subscription.filter_map(|event| async move {
        match event {
            SubscriptionEvent::Message(m) => QueueEvent::decode(&m.payload).map(Some),
            _ => Some(None),
        }
    }))
}
