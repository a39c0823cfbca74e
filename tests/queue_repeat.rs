//! Cron schedules of repeatable jobs across time zones and DST changes, with a manual clock
//! (`QueueConfig::clock`) on the memory and file backends: the clock walks through the
//! changes in small steps with a maintenance pass after each, and the jobs' due times are the
//! occurrences (UTC instants written out by hand).
//!
//! `cargo test -p staunch --features cron --test queue_repeat` (the target requires the
//! `cron` feature).

use std::sync::Arc;
use std::time::Duration;

use staunch::queue::{JobState, NewJob, Queue, QueueConfig, Repeat, Schedule};
use staunch_core::{Clock, ManualClock, Store};

/// Unix ms of an RFC 3339 UTC instant.
fn utc(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>()
        .expect("an RFC 3339 instant")
        .as_millisecond()
}

/// A queue over `store`, whose clock is `clock`.
fn queue(store: Arc<dyn Store>, clock: &ManualClock) -> Queue {
    let config = QueueConfig::new()
        .prefix("dst")
        .clock(Arc::new(clock.clone()));
    Queue::with_config(store, config).expect("queue")
}

/// The stores under test, each with its manual clock set to `start`.
async fn stores(
    start: i64,
) -> Vec<(
    &'static str,
    Arc<dyn Store>,
    ManualClock,
    Box<dyn std::any::Any>,
)> {
    let memory_clock = ManualClock::new(start);
    let memory = staunch_memory::MemoryStore::with_options(
        staunch_memory::MemoryOptions::new().clock(Arc::new(memory_clock.clone())),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file_clock = ManualClock::new(start);
    let options = staunch_file::FileOptions::new()
        .clock(Arc::new(file_clock.clone()))
        .fsync(staunch_file::FsyncPolicy::No);
    let file = staunch_file::FileStore::open_with(dir.path(), options)
        .await
        .expect("open file store");
    vec![
        ("memory", Arc::new(memory), memory_clock, Box::new(())),
        ("file", Arc::new(file), file_clock, Box::new(dir)),
    ]
}

/// Registers `expression` in `zone` from `start`, walks the clock to `end` in `step`s with a
/// maintenance pass after each, and returns the due times of the jobs enqueued, checking
/// that no pass enqueued more than one.
async fn occurrences(
    expression: &str,
    zone: &str,
    start: &str,
    end: &str,
    step: Duration,
) -> Vec<(&'static str, Vec<i64>)> {
    let mut out = Vec::new();
    for (name, store, clock, keep) in stores(utc(start)).await {
        let q = queue(store, &clock);
        let repeat = Repeat::new(
            "cron",
            Schedule::cron(expression, zone),
            NewJob::new("t", ()),
        );
        q.upsert_repeat(repeat).await.expect("upsert");
        while clock.now_ms() < utc(end) {
            clock.advance(step.as_millis() as i64);
            let pass = q.maintain().await.expect("maintain");
            assert!(pass.repeated <= 1, "{name}: a burst of {}", pass.repeated);
        }
        let mut due: Vec<i64> = q
            .jobs(JobState::Pending, 0, 1000)
            .await
            .expect("jobs")
            .iter()
            .map(|j| j.run_at_ms)
            .collect();
        due.sort_unstable();
        out.push((name, due));
        drop(keep);
    }
    out
}

fn expect(got: Vec<(&'static str, Vec<i64>)>, want: &[&str]) {
    let want: Vec<i64> = want.iter().map(|t| utc(t)).collect();
    for (name, due) in got {
        assert_eq!(due, want, "{name}");
    }
}

/// Spring forward in Berlin (2026-03-29, 02:00 CET -> 03:00 CEST): a daily 02:30 falls into
/// the gap and runs right after it, at 03:00 CEST, that day.
#[tokio::test]
async fn berlin_spring_forward_gap_runs_after_the_gap() {
    let got = occurrences(
        "30 2 * * *",
        "Europe/Berlin",
        "2026-03-27T12:00:00Z",
        "2026-03-31T12:00:00Z",
        Duration::from_secs(600),
    )
    .await;
    expect(
        got,
        &[
            "2026-03-28T01:30:00Z", // 02:30 CET
            "2026-03-29T01:00:00Z", // 03:00 CEST, right after the gap
            "2026-03-30T00:30:00Z", // 02:30 CEST
            "2026-03-31T00:30:00Z",
        ],
    );
}

/// Fall back in Berlin (2026-10-25, 03:00 CEST -> 02:00 CET): a daily 02:30 happens twice
/// on the wall clock and runs once, at its first pass.
#[tokio::test]
async fn berlin_fall_back_overlap_runs_once() {
    let got = occurrences(
        "30 2 * * *",
        "Europe/Berlin",
        "2026-10-23T12:00:00Z",
        "2026-10-26T12:00:00Z",
        Duration::from_secs(600),
    )
    .await;
    expect(
        got,
        &[
            "2026-10-24T00:30:00Z", // 02:30 CEST
            "2026-10-25T00:30:00Z", // 02:30 CEST, first pass; not again at 02:30 CET
            "2026-10-26T01:30:00Z", // 02:30 CET
        ],
    );
}

/// An interval pattern runs in both passes of the repeated hour (every 30 minutes of real
/// time), as croner documents.
#[tokio::test]
async fn berlin_fall_back_interval_runs_in_both_passes() {
    let got = occurrences(
        "*/30 * * * *",
        "Europe/Berlin",
        "2026-10-24T23:50:00Z",
        "2026-10-25T01:50:00Z",
        Duration::from_secs(300),
    )
    .await;
    expect(
        got,
        &[
            "2026-10-25T00:00:00Z", // 02:00 CEST
            "2026-10-25T00:30:00Z", // 02:30 CEST
            "2026-10-25T01:00:00Z", // 02:00 CET
            "2026-10-25T01:30:00Z", // 02:30 CET
        ],
    );
}

/// New York, weekdays at 09:00 local time across the US change (2026-03-08): the UTC time
/// moves by an hour, the local time does not; no job at the weekend.
#[tokio::test]
async fn new_york_weekdays_keep_local_time() {
    let got = occurrences(
        "0 9 * * MON-FRI",
        "America/New_York",
        "2026-03-05T20:00:00Z",
        "2026-03-10T20:00:00Z",
        Duration::from_secs(900),
    )
    .await;
    expect(
        got,
        &[
            "2026-03-06T14:00:00Z", // Friday 09:00 EST
            "2026-03-09T13:00:00Z", // Monday 09:00 EDT
            "2026-03-10T13:00:00Z",
        ],
    );
}

/// Downtime: three days without maintenance give one job (for the first missed
/// occurrence), and the next occurrence is the following day's.
#[tokio::test]
async fn downtime_runs_once_not_a_burst() {
    for (name, store, clock, keep) in stores(utc("2026-06-01T12:00:00Z")).await {
        let q = queue(store, &clock);
        let daily = Schedule::cron("30 2 * * *", "Europe/Berlin");
        let info = q
            .upsert_repeat(Repeat::new("daily", daily, NewJob::new("t", ())))
            .await
            .expect("upsert");
        assert_eq!(info.next_ms, utc("2026-06-02T00:30:00Z"), "{name}");
        clock.set(utc("2026-06-05T12:00:00Z"));
        // A process starting after the downtime registers the same schedule: nothing changes,
        // so the missed occurrence still runs.
        let again = Repeat::new(
            "daily",
            Schedule::cron("30 2 * * *", "Europe/Berlin"),
            NewJob::new("t", ()),
        );
        assert_eq!(
            q.upsert_repeat(again).await.expect("upsert").next_ms,
            info.next_ms
        );
        assert_eq!(q.maintain().await.expect("maintain").repeated, 1, "{name}");
        assert_eq!(q.maintain().await.expect("maintain").repeated, 0, "{name}");
        let jobs = q.jobs(JobState::Pending, 0, 10).await.expect("jobs");
        assert_eq!(jobs.len(), 1, "{name}");
        assert_eq!(jobs[0].run_at_ms, utc("2026-06-02T00:30:00Z"), "{name}");
        let after = &q.repeats().await.expect("repeats")[0];
        assert_eq!(after.next_ms, utc("2026-06-06T00:30:00Z"), "{name}");
        drop(keep);
    }
}
