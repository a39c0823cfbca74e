//! The metrics staunch records, in one place: with the `metrics` feature each function feeds
//! the `metrics` facade; without it each is an empty inline function.

use std::time::Duration;

use staunch_core::ErrorKind;

/// The per-store command handles, registered once (a command then costs two atomic updates).
pub(crate) struct CommandMetrics {
    #[cfg(feature = "metrics")]
    calls: metrics::Counter,
    #[cfg(feature = "metrics")]
    latency: metrics::Histogram,
    #[cfg(feature = "metrics")]
    labels: [(&'static str, String); 2],
}

impl CommandMetrics {
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn new(backend: &'static str, database: &str) -> CommandMetrics {
        #[cfg(feature = "metrics")]
        {
            let labels = [
                ("backend", backend.to_owned()),
                ("database", database.to_owned()),
            ];
            CommandMetrics {
                calls: metrics::counter!("staunch_commands_total", &labels),
                latency: metrics::histogram!("staunch_command_duration_seconds", &labels),
                labels,
            }
        }
        #[cfg(not(feature = "metrics"))]
        CommandMetrics {}
    }

    /// Whether command timings are wanted at all.
    #[inline]
    pub(crate) const fn enabled() -> bool {
        cfg!(feature = "metrics")
    }

    /// One round trip of `commands` commands, `failed` of them with these kinds.
    #[inline]
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn round_trip(&self, commands: u64, elapsed: Duration) {
        #[cfg(feature = "metrics")]
        {
            self.calls.increment(commands);
            self.latency.record(elapsed.as_secs_f64());
        }
    }

    /// A failed command (the rare path: its handle is looked up each time).
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn error(&self, kind: ErrorKind) {
        #[cfg(feature = "metrics")]
        metrics::counter!(
            "staunch_command_errors_total",
            "backend" => self.labels[0].1.clone(),
            "database" => self.labels[1].1.clone(),
            "kind" => kind.as_str()
        )
        .increment(1);
    }
}

/// A cache read's result: `hit`, `stale`, `miss` or `coalesced`.
#[inline]
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn cache(result: &'static str, n: u64) {
    #[cfg(feature = "metrics")]
    metrics::counter!("staunch_cache_requests_total", "result" => result).increment(n);
}

/// A `Failover` event: `breaker_trip`, `served_locally`, `journaled`, `replayed`,
/// `replay_skipped`; the journal length gauge follows the last three.
#[inline]
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn failover_event(event: &'static str, n: u64) {
    #[cfg(feature = "metrics")]
    {
        metrics::counter!("staunch_failover_events_total", "event" => event).increment(n);
        let journal = metrics::gauge!("staunch_failover_journal_length");
        match event {
            "journaled" => journal.increment(n as f64),
            "replayed" | "replay_skipped" => journal.decrement(n as f64),
            _ => {}
        }
    }
}

/// A `Failover` state change: the state (0 healthy, 1 degraded, 2 recovering) and the exact
/// journal length at that moment.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn failover_state(state: u8, journal_len: usize) {
    #[cfg(feature = "metrics")]
    {
        metrics::gauge!("staunch_failover_state").set(f64::from(state));
        metrics::gauge!("staunch_failover_journal_length").set(journal_len as f64);
    }
}

/// A queue's sizes by state.
#[cfg(feature = "metrics")]
pub(crate) fn queue_sizes(queue: &str, sizes: &[(&'static str, u64)]) {
    for (state, n) in sizes {
        metrics::gauge!("staunch_queue_jobs", "queue" => queue.to_owned(), "state" => *state)
            .set(*n as f64);
    }
}

/// A job's run from claim to recorded outcome.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn job(queue: &str, task_type: &str, outcome: &'static str, elapsed: Duration) {
    #[cfg(feature = "metrics")]
    metrics::histogram!(
        "staunch_job_duration_seconds",
        "queue" => queue.to_owned(),
        "task_type" => task_type.to_owned(),
        "outcome" => outcome
    )
    .record(elapsed.as_secs_f64());
}
