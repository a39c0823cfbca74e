//! Repeatable jobs on every backend: definitions stored readably, upserted idempotently by
//! name, removed and listed; each occurrence enqueued exactly once however many queue
//! handles run maintenance at the same time; missed occurrences run once; an owner that died
//! mid-occurrence is taken over. (DST and time zones: `tests/queue_repeat.rs`.)

use std::time::Duration;

use staunch::queue::{JobState, NewJob, Queue, Repeat, Schedule};
use staunch_core::ErrorKind;
use staunch_core::prelude::*;

use super::super::{Env, U};

fn base(q: &Queue) -> String {
    q.queue_key().trim_end_matches(":tasks:queue").to_owned()
}

/// Lets time pass until just after `at` (Unix ms).
async fn until_after(env: &Env, at: i64) {
    let wait = at - env.now() + 20;
    if wait > 0 {
        env.advance(wait as u64).await;
    }
}

/// Runs maintenance on every handle at once; returns the jobs they enqueued in total.
async fn maintain_all(queues: &[Queue]) -> u64 {
    let passes = futures_util::future::join_all(queues.iter().map(|q| q.maintain())).await;
    passes.into_iter().map(|p| p.unwrap().repeated).sum()
}

/// Two processes register the same schedule: one definition; every occurrence gives one job
/// although three handles maintain concurrently; missed occurrences run once.
pub async fn repeat_every_once_per_occurrence(env: &Env) {
    let config = env.config();
    let queues: Vec<Queue> = (0..3).map(|_| env.queue(config.clone())).collect();
    let q = &queues[0];
    let every = Schedule::every(Duration::from_millis(4 * U));
    let def = || Repeat::new("tick", every.clone(), NewJob::new("tick", 7).priority(8));
    let first = queues[0].upsert_repeat(def()).await.unwrap();
    let again = queues[1].upsert_repeat(def()).await.unwrap();
    assert_eq!(first, again, "registering again changes nothing");
    assert_eq!(first.next_ms % (4 * U as i64), 0, "aligned to the interval");
    assert!(first.next_ms > env.now() - 20);

    // Readable with redis-cli: a zset of next runs and a hash per definition.
    let p = base(q);
    let zset = env
        .store
        .zrange_with_scores(&format!("{p}:tasks:repeat"), 0, -1)
        .await
        .unwrap();
    assert_eq!(zset.len(), 1);
    assert_eq!(zset[0].0.as_ref(), b"tick");
    assert_eq!(zset[0].1 as i64, first.next_ms);
    let hash = env
        .store
        .hgetall(&format!("{p}:tasks:repeat:tick"))
        .await
        .unwrap();
    assert_eq!(hash[&b"type"[..]].as_ref(), b"tick");
    assert_eq!(
        hash[&b"every_ms"[..]].as_ref(),
        (4 * U).to_string().as_bytes()
    );
    assert_eq!(
        hash[&b"next"[..]].as_ref(),
        first.next_ms.to_string().as_bytes()
    );

    let mut seen = Vec::new();
    for _ in 0..2 {
        let next = q.repeats().await.unwrap()[0].next_ms;
        until_after(env, next).await;
        assert_eq!(maintain_all(&queues).await, 1, "one job per occurrence");
        let jobs = q.jobs(JobState::Pending, 0, 10).await.unwrap();
        let new: Vec<_> = jobs.iter().filter(|j| !seen.contains(&j.id)).collect();
        assert_eq!(new.len(), 1);
        let job = new[0];
        assert_eq!(job.repeat.as_deref(), Some("tick"));
        assert_eq!((job.task_type.as_str(), job.priority), ("tick", 8));
        assert_eq!(job.payload::<i32>().unwrap(), 7);
        assert_eq!(job.run_at_ms, next, "due at its occurrence");
        seen.push(job.id.clone());
        let info = &q.repeats().await.unwrap()[0];
        assert_eq!(info.last_job.as_deref(), Some(job.id.as_str()));
        assert_eq!(info.last_ms, Some(next));
        assert!(info.next_ms > next);
    }
    assert_eq!(
        maintain_all(&queues).await,
        0,
        "nothing before the next occurrence"
    );

    // Downtime: several occurrences pass without maintenance; one job, not a burst.
    let next = q.repeats().await.unwrap()[0].next_ms;
    until_after(env, next + 3 * (4 * U as i64)).await;
    assert_eq!(maintain_all(&queues).await, 1);
    let info = &q.repeats().await.unwrap()[0];
    assert_eq!(info.last_ms, Some(next), "the first missed occurrence runs");
    assert!(
        info.next_ms > env.now() - 20,
        "the next one is in the future"
    );
    assert_eq!(q.counts().await.unwrap().pending, 3);

    // Removed: no more jobs, and the keys are gone.
    assert!(q.remove_repeat("tick").await.unwrap());
    assert!(!q.remove_repeat("tick").await.unwrap());
    assert!(q.repeats().await.unwrap().is_empty());
    until_after(env, info.next_ms).await;
    assert_eq!(maintain_all(&queues).await, 0);
    assert!(
        !env.store
            .exists(&format!("{p}:tasks:repeat:tick"))
            .await
            .unwrap()
    );
}

/// Upserts replace a changed definition, keep an unchanged one, and refuse bad input.
pub async fn repeat_upsert_list_and_validation(env: &Env) {
    let q = env.queue(env.config());
    let hourly = Schedule::every(Duration::from_secs(3600));
    let a = q
        .upsert_repeat(Repeat::new("a", hourly.clone(), NewJob::new("t", 1)))
        .await
        .unwrap();
    let minutely = Schedule::every(Duration::from_secs(60));
    let b = q
        .upsert_repeat(Repeat::new("b", minutely.clone(), NewJob::new("t", 2)))
        .await
        .unwrap();
    let list = q.repeats().await.unwrap();
    assert_eq!(
        list.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["b", "a"],
        "soonest first"
    );
    assert_eq!(list[1], a);
    assert_eq!(list[0].schedule.interval(), Some(Duration::from_secs(60)));
    assert_eq!(q.counts().await.unwrap().repeats, 2);
    // Changing the payload or schedule replaces the definition.
    let changed = q
        .upsert_repeat(Repeat::new("b", hourly.clone(), NewJob::new("t", 3)))
        .await
        .unwrap();
    assert_eq!(changed.data, "3");
    assert_eq!(
        changed.next_ms % 3_600_000,
        0,
        "recomputed for the new schedule"
    );
    assert_eq!(a.next_ms % 3_600_000, 0);
    assert_eq!(b.next_ms % 60_000, 0);
    assert_eq!(q.repeats().await.unwrap().len(), 2);

    let bad = [
        Repeat::new("", hourly.clone(), NewJob::new("t", ())),
        Repeat::new("x".repeat(300), hourly.clone(), NewJob::new("t", ())),
        Repeat::new("z", Schedule::every(Duration::ZERO), NewJob::new("t", ())),
        Repeat::new(
            "d",
            hourly.clone(),
            NewJob::new("t", ()).delay(Duration::from_secs(1)),
        ),
        Repeat::new("u", hourly.clone(), NewJob::new("t", ()).unique("k")),
        Repeat::new("e", hourly.clone(), NewJob::new("", ())),
        Repeat::new("p", hourly, NewJob::new("t", ()).priority(5000)),
    ];
    for repeat in bad {
        let err = q.upsert_repeat(repeat).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    }
    assert_eq!(q.repeats().await.unwrap().len(), 2, "nothing stored");
}

/// Cron schedules with a time zone: every second in Berlin time (with the `cron` feature),
/// `Unsupported` without it.
pub async fn repeat_cron_in_time_zone(env: &Env) {
    let q = env.queue(env.config());
    let every_second = Schedule::cron("* * * * * *", "Europe/Berlin");
    let repeat = Repeat::new("sec", every_second, NewJob::new("t", ()));
    let stored = q.upsert_repeat(repeat).await;
    if cfg!(not(feature = "cron")) {
        assert_eq!(stored.unwrap_err().kind(), ErrorKind::Unsupported);
        return;
    }
    let stored = stored.unwrap();
    assert_eq!(
        stored.next_ms % 1000,
        0,
        "cron occurrences are whole seconds"
    );
    assert_eq!(
        stored.schedule.cron_expression(),
        Some(("* * * * * *", "Europe/Berlin"))
    );
    until_after(env, stored.next_ms).await;
    assert_eq!(q.maintain().await.unwrap().repeated, 1);
    let jobs = q.jobs(JobState::Pending, 0, 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].run_at_ms, stored.next_ms);
    let bad = Repeat::new(
        "bad",
        Schedule::cron("* * * * *", "Nowhere/Town"),
        NewJob::new("t", ()),
    );
    assert_eq!(
        q.upsert_repeat(bad).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

/// An owner that died after claiming an occurrence (its `next` says `T:J:since`) is taken
/// over once the claim is a minute old, with the same job id; a fresh claim is left alone.
pub async fn repeat_dead_owner_taken_over(env: &Env) {
    let q = env.queue(env.config());
    let p = base(&q);
    let every = Schedule::every(Duration::from_millis(4 * U));
    let info = q
        .upsert_repeat(Repeat::new("r", every, NewJob::new("t", ())))
        .await
        .unwrap();
    until_after(env, info.next_ms).await;
    let key = format!("{p}:tasks:repeat:r");
    let now = env.now();
    let job = format!("{:011x}{:08x}{:08x}", now, 1, 2);
    // A claim made just now: its owner may still be at work.
    let fresh = format!("{}:{job}:{now}", info.next_ms);
    env.store.hset(&key, "next", fresh).await.unwrap();
    assert_eq!(q.maintain().await.unwrap().repeated, 0);
    // A claim made over a minute ago: its owner is gone.
    let stale = format!("{}:{job}:{}", info.next_ms, now - 61_000);
    env.store.hset(&key, "next", stale).await.unwrap();
    assert_eq!(q.maintain().await.unwrap().repeated, 1);
    let got = q
        .get(&job)
        .await
        .unwrap()
        .expect("the claimed job id is used");
    assert_eq!(got.repeat.as_deref(), Some("r"));
    assert_eq!(got.run_at_ms, info.next_ms);
    let after = &q.repeats().await.unwrap()[0];
    assert!(after.next_ms > info.next_ms);
    assert_eq!(after.last_job.as_deref(), Some(job.as_str()));
    assert_eq!(q.maintain().await.unwrap().repeated, 0);
}
