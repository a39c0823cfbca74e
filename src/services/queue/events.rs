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

    /// Adds publishing that `ids` took `status` to `batch`, without copying the ids into a
    /// [`QueueEvent`] first (a bulk enqueue names a thousand): the same JSON as
    /// [`QueueEvent::Statuses`], or [`QueueEvent::Status`] for one id.
    pub(crate) fn publish_statuses_in(
        batch: &mut Batch<'_, dyn Store>,
        channel: &str,
        ids: &[&str],
        status: JobStatus,
        at: i64,
    ) {
        batch.publish(channel, QueueEvent::statuses_json(ids, status, at));
    }

    /// The text [`QueueEvent::publish_statuses_in`] publishes.
    fn statuses_json(ids: &[&str], status: JobStatus, at: i64) -> String {
        #[derive(Serialize)]
        #[serde(tag = "event", rename_all = "snake_case")]
        enum Out<'a> {
            Status {
                id: &'a str,
                status: &'a str,
                at: i64,
            },
            Statuses {
                ids: &'a [&'a str],
                status: &'a str,
                at: i64,
            },
        }
        let status = status.as_str();
        let event = match ids {
            [id] => Out::Status { id, status, at },
            _ => Out::Statuses { ids, status, at },
        };
        serde_json::to_string(&event).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The borrowed writer and the public enum are one format.
    #[test]
    fn statuses_text_decodes_as_the_public_event() {
        let one = QueueEvent::statuses_json(&["a"], JobStatus::Pending, 7);
        assert_eq!(
            QueueEvent::decode(one.as_bytes()),
            Some(QueueEvent::status("a", JobStatus::Pending, 7))
        );
        let many = QueueEvent::statuses_json(&["a", "b"], JobStatus::Scheduled, 9);
        assert_eq!(
            QueueEvent::decode(many.as_bytes()),
            Some(QueueEvent::Statuses {
                ids: vec!["a".into(), "b".into()],
                status: "scheduled".into(),
                at: 9,
            })
        );
    }
}
