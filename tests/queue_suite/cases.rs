//! The cases of the queue suite; each takes an [`Env`] and runs on any backend.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use staunch::queue::{
    BotTask, FailOutcome, JobStatus, NewJob, Priority, Queue, QueueEvent, is_lease_lost,
};
use staunch_core::prelude::*;

use super::{Env, U};

#[path = "admin_api.rs"]
mod admin_api;
#[path = "flows.rs"]
mod flows;
#[path = "repeats.rs"]
mod repeats;
#[path = "steady.rs"]
mod steady;
pub use admin_api::{
    jobs_by_state_with_paging, rate_limit_across_workers, removal_policies_by_count_and_age,
    retry_promote_remove_clean,
};
pub use flows::{
    flow_child_failure_policies, flow_crash_points_reconciled, flow_parent_waits_for_children,
};
pub use repeats::{
    repeat_cron_in_time_zone, repeat_dead_owner_taken_over, repeat_every_once_per_occurrence,
    repeat_upsert_list_and_validation,
};
pub use steady::one_round_trip_per_job;

async fn add(q: &Queue, priority: impl Into<Priority>, payload: Value) -> String {
    let job = NewJob::new("work", payload).priority(priority);
    q.enqueue(job).await.expect("enqueue").id
}

async fn claim_payloads(q: &Queue, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for _ in 0..n {
        let lease = q.claim().await.expect("claim").expect("a job");
        out.push(lease.job.payload::<Value>().expect("payload"));
        q.complete(&lease).await.expect("complete");
    }
    assert!(
        q.claim().await.expect("claim").is_none(),
        "queue should be empty"
    );
    out
}

pub async fn seed_layout(env: &Env) {
    let q = env.queue(env.config().prefix("bot"));
    // On a Redis Cluster the queue hash-tags its prefix (`{bot}:tasks:queue`) so its scripts
    // and transactions stay in one slot; elsewhere the layout is the dashboard's `bot:...`.
    let base = if env.store.capabilities().cross_slot {
        "bot"
    } else {
        "{bot}"
    };
    assert_eq!(q.queue_key(), format!("{base}:tasks:queue"));
    let payload = json!({"session_id": "s1", "username": "user@example.com"});
    let id = q
        .enqueue(NewJob::bot(BotTask::Login, payload.clone()))
        .await
        .unwrap()
        .id;
    let scores = env
        .store
        .zrange_with_scores(&format!("{base}:tasks:queue"), 0, -1)
        .await
        .unwrap();
    assert_eq!(scores.len(), 1);
    assert_eq!(scores[0].0.as_ref(), id.as_bytes());
    assert_eq!(
        scores[0].1.floor(),
        -10.0,
        "score is -priority plus a FIFO fraction"
    );
    let hash = env
        .store
        .hgetall(&format!("{base}:task:{id}"))
        .await
        .unwrap();
    let text = |f: &str| String::from_utf8(hash[f.as_bytes()].to_vec()).unwrap();
    assert_eq!(text("id"), id);
    assert_eq!(text("type"), "login");
    assert_eq!(
        serde_json::from_str::<Value>(&text("data")).unwrap(),
        payload
    );
    assert_eq!(text("priority"), "10");
    assert_eq!(text("status"), "pending");
    let created = text("created_at");
    assert!(
        created.ends_with('Z') && created.len() == 20,
        "ISO 8601: {created}"
    );
    let lease = q.claim().await.unwrap().unwrap();
    assert_eq!(lease.job.status, JobStatus::Processing);
    let status = env
        .store
        .hget(&format!("{base}:task:{id}"), "status")
        .await
        .unwrap();
    assert_eq!(status.as_deref(), Some(b"processing".as_slice()));
    q.complete(&lease).await.unwrap();
    let status = env
        .store
        .hget(&format!("{base}:task:{id}"), "status")
        .await
        .unwrap();
    assert_eq!(status.as_deref(), Some(b"completed".as_slice()));
}

pub async fn strict_priority_order(env: &Env) {
    let q = env.queue(env.config());
    let tasks = [
        BotTask::Screenshot,
        BotTask::JobCheck,
        BotTask::JobReject,
        BotTask::Login,
        BotTask::Navigation,
        BotTask::JobAccept,
    ];
    for task in tasks {
        q.enqueue(NewJob::bot(task, json!(task.as_str())))
            .await
            .unwrap();
    }
    add(&q, -5, json!("minus five")).await;
    add(&q, 1000, json!("top")).await;
    add(&q, Priority::Low, json!("low")).await;
    let order = claim_payloads(&q, 9).await;
    let want = [
        "top",
        "login",
        "job_reject",
        "job_accept",
        "navigation",
        "job_check",
        "screenshot",
        "low",
        "minus five",
    ];
    assert_eq!(order, want.iter().map(|s| json!(s)).collect::<Vec<_>>());
    let bad = q.enqueue(NewJob::new("x", 1).priority(1001)).await;
    assert_eq!(bad.unwrap_err().kind(), ErrorKind::InvalidInput);
}

pub async fn fifo_within_priority(env: &Env) {
    let q = env.queue(env.config());
    for i in 0..30 {
        add(&q, if i % 2 == 0 { 5 } else { 6 }, json!(i)).await;
    }
    let order = claim_payloads(&q, 30).await;
    let odd: Vec<Value> = (0..30).filter(|i| i % 2 == 1).map(|i| json!(i)).collect();
    let even: Vec<Value> = (0..30).filter(|i| i % 2 == 0).map(|i| json!(i)).collect();
    assert_eq!(order, [odd, even].concat());
}

pub async fn delayed_jobs_invisible_until_due(env: &Env) {
    let q = env.queue(env.config());
    let late = q
        .enqueue(
            NewJob::new("work", json!("late"))
                .priority(Priority::High)
                .delay(Duration::from_millis(2 * U)),
        )
        .await
        .unwrap()
        .id;
    let at = q
        .enqueue(NewJob::new("work", json!("at")).at_ms(env.now() + 4 * U as i64))
        .await
        .unwrap()
        .id;
    add(&q, Priority::Low, json!("now")).await;
    assert_eq!(q.status(&late).await.unwrap(), Some(JobStatus::Scheduled));
    assert_eq!(q.sizes().await.unwrap().scheduled, 2);
    assert_eq!(claim_payloads(&q, 1).await, vec![json!("now")]);
    env.advance(2 * U + 50).await;
    let lease = q.claim().await.unwrap().expect("due now");
    assert_eq!(lease.job.id, late);
    q.complete(&lease).await.unwrap();
    assert!(q.claim().await.unwrap().is_none());
    assert_eq!(q.status(&at).await.unwrap(), Some(JobStatus::Scheduled));
    env.advance(2 * U).await;
    let lease = q.claim().await.unwrap().expect("due at its time");
    assert_eq!(lease.job.id, at);
}

pub async fn retries_backoff_and_dead_letters(env: &Env) {
    let q = env.queue(env.config());
    let id = q
        .enqueue(NewJob::new("work", json!(1)).max_retries(2))
        .await
        .unwrap()
        .id;
    for attempt in 1..=3u32 {
        let lease = q.claim().await.unwrap().expect("claimable");
        assert_eq!(lease.job.attempts, attempt);
        let before = env.now();
        let outcome = q.fail(&lease, &format!("boom {attempt}")).await.unwrap();
        let job = q.get(&id).await.unwrap().unwrap();
        assert_eq!(
            job.last_error.as_deref(),
            Some(format!("boom {attempt}").as_str())
        );
        if attempt == 3 {
            assert_eq!(outcome, FailOutcome::Dead);
            assert_eq!(job.status, JobStatus::Dead);
            break;
        }
        let delay = U as i64 * (1 << (attempt - 1));
        let FailOutcome::Retrying { run_at_ms } = outcome else {
            panic!("attempt {attempt} should retry");
        };
        assert!(run_at_ms >= before + delay && run_at_ms <= env.now() + delay);
        assert_eq!(job.status, JobStatus::Failed);
        assert!(q.claim().await.unwrap().is_none(), "backing off");
        env.advance(delay as u64 / 2).await;
        assert!(q.claim().await.unwrap().is_none(), "still backing off");
        env.advance(delay as u64 / 2 + 60).await;
    }
    assert!(q.claim().await.unwrap().is_none());
    let dead = q.dead_letters(0, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].id, id);
    assert_eq!(dead[0].attempts, 3);
    let c = q.counters().await.unwrap();
    assert_eq!((c.failed, c.retried, c.dead), (3, 2, 1));
    assert_eq!(q.sizes().await.unwrap().dead, 1);
}

pub async fn dead_letter_requeue_and_purge(env: &Env) {
    let q = env.queue(env.config());
    let mut ids = Vec::new();
    for i in 0..3 {
        let id = add(&q, 5, json!(i)).await;
        let lease = q.claim().await.unwrap().unwrap();
        q.fail_permanently(&lease, "no").await.unwrap();
        ids.push(id);
    }
    let listed: Vec<String> = q
        .dead_letters(0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(listed.len(), 3);
    assert_eq!(q.dead_letters(1, 1).await.unwrap().len(), 1);
    assert!(q.requeue_dead(&ids[0]).await.unwrap());
    assert!(!q.requeue_dead(&ids[0]).await.unwrap());
    let job = q.get(&ids[0]).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Pending, 0));
    let lease = q.claim().await.unwrap().unwrap();
    assert_eq!(lease.job.id, ids[0]);
    q.complete(&lease).await.unwrap();
    assert!(q.purge_dead(&ids[1]).await.unwrap());
    assert!(!q.purge_dead(&ids[1]).await.unwrap());
    assert!(q.get(&ids[1]).await.unwrap().is_none());
    assert_eq!(q.purge_all_dead().await.unwrap(), 1);
    assert!(q.get(&ids[2]).await.unwrap().is_none());
    assert_eq!(q.sizes().await.unwrap().dead, 0);
}

pub async fn unique_keys(env: &Env) {
    let q = env.queue(env.config());
    let first = q.enqueue(NewJob::new("work", 1).unique("k")).await.unwrap();
    assert!(!first.duplicate);
    let again = q.enqueue(NewJob::new("work", 2).unique("k")).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.id, first.id);
    let bulk = q
        .enqueue_bulk(vec![
            NewJob::new("work", 3).unique("k"),
            NewJob::new("work", 4).unique("m"),
            NewJob::new("work", 5).unique("m"),
            NewJob::new("work", 6),
        ])
        .await
        .unwrap();
    assert!(bulk[0].duplicate && bulk[0].id == first.id);
    assert!(!bulk[1].duplicate);
    assert!(bulk[2].duplicate && bulk[2].id == bulk[1].id);
    assert!(!bulk[3].duplicate);
    assert_eq!(q.sizes().await.unwrap().pending, 3);
    // Still unique while running; free once finished.
    let lease = q.claim().await.unwrap().unwrap();
    assert_eq!(lease.job.id, first.id);
    assert!(
        q.enqueue(NewJob::new("work", 7).unique("k"))
            .await
            .unwrap()
            .duplicate
    );
    q.complete(&lease).await.unwrap();
    let next = q.enqueue(NewJob::new("work", 8).unique("k")).await.unwrap();
    assert!(!next.duplicate);
    // Cancelling frees the key too.
    assert!(q.cancel(&next.id).await.unwrap());
    assert!(
        !q.enqueue(NewJob::new("work", 9).unique("k"))
            .await
            .unwrap()
            .duplicate
    );
}

pub async fn bulk_enqueue(env: &Env) {
    let q = env.queue(env.config());
    let jobs: Vec<_> = (0..200)
        .map(|i| NewJob::new("work", json!(i)).priority(i % 3))
        .collect();
    let ids = q.enqueue_bulk(jobs).await.unwrap();
    assert_eq!(ids.len(), 200);
    let sizes = q.sizes().await.unwrap();
    assert_eq!(sizes.pending, 200);
    assert_eq!(sizes.pending_by_priority.get(&2), Some(&66));
    assert_eq!(q.pending_count(0).await.unwrap(), 67);
    let order = claim_payloads(&q, 200).await;
    let mut want: Vec<i64> = (0..200).collect();
    want.sort_by_key(|i| (-(i % 3), *i));
    assert_eq!(order, want.iter().map(|i| json!(i)).collect::<Vec<_>>());
}

pub async fn pause_and_resume(env: &Env) {
    let q = env.queue(env.config());
    add(&q, 5, json!(1)).await;
    q.pause().await.unwrap();
    assert!(q.is_paused().await.unwrap());
    assert!(q.claim().await.unwrap().is_none());
    add(&q, 5, json!(2)).await;
    assert_eq!(
        q.sizes().await.unwrap().pending,
        2,
        "a paused claim takes nothing"
    );
    q.resume().await.unwrap();
    assert!(!q.is_paused().await.unwrap());
    assert_eq!(claim_payloads(&q, 2).await, vec![json!(1), json!(2)]);
}

pub async fn stale_tokens_rejected(env: &Env) {
    let q = env.queue(env.config());
    let id = add(&q, 5, json!(1)).await;
    let a = q.claim().await.unwrap().unwrap();
    env.advance(2 * U + 50).await;
    assert_eq!(q.maintain().await.unwrap().reaped, 1);
    let b = q.claim().await.unwrap().expect("redelivered");
    assert_eq!(b.job.id, id);
    assert!(b.token > a.token);
    assert!(is_lease_lost(&q.complete(&a).await.unwrap_err()));
    assert!(is_lease_lost(&q.heartbeat(&a).await.unwrap_err()));
    assert!(is_lease_lost(&q.fail(&a, "late").await.unwrap_err()));
    assert!(is_lease_lost(&q.progress(&a, &1).await.unwrap_err()));
    assert!(is_lease_lost(&q.release(&a).await.unwrap_err()));
    q.complete_with(&b, &"done").await.unwrap();
    assert!(is_lease_lost(&q.complete(&b).await.unwrap_err()), "twice");
    let job = q.get(&id).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Completed, 2));
    assert_eq!(job.result::<String>().unwrap().as_deref(), Some("done"));
    // A holder whose lease ran out but was not taken over yet may still finish.
    add(&q, 5, json!(2)).await;
    let c = q.claim().await.unwrap().unwrap();
    env.advance(2 * U + 50).await;
    q.complete(&c).await.unwrap();
    assert_eq!(q.maintain().await.unwrap().reaped, 0);
    assert!(q.claim().await.unwrap().is_none());
}

pub async fn reaped_lease_counts_as_attempt(env: &Env) {
    let q = env.queue(env.config());
    let id = q
        .enqueue(NewJob::new("work", 1).max_retries(1))
        .await
        .unwrap()
        .id;
    for attempt in 1..=2 {
        let lease = q.claim().await.unwrap().expect("claimable");
        assert_eq!(lease.job.attempts, attempt);
        env.advance(2 * U + 50).await;
        assert_eq!(q.maintain().await.unwrap().reaped, 1);
    }
    assert!(q.claim().await.unwrap().is_none(), "out of attempts");
    let job = q.get(&id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Dead);
    assert_eq!(job.attempts, 2);
    assert_eq!(job.last_error.as_deref(), Some("lease expired"));
    assert_eq!(q.counters().await.unwrap().reaped, 2);
}

pub async fn results_expire(env: &Env) {
    let q = env.queue(env.config().result_ttl(Duration::from_millis(2 * U)));
    let id = add(&q, 5, json!(1)).await;
    let lease = q.claim().await.unwrap().unwrap();
    q.complete_with(&lease, &json!({"ok": true})).await.unwrap();
    let job = q.get(&id).await.unwrap().unwrap();
    assert_eq!(job.result::<Value>().unwrap(), Some(json!({"ok": true})));
    assert!(job.finished_at_ms.is_some());
    env.advance(U).await;
    assert!(q.get(&id).await.unwrap().is_some());
    env.advance(U + 100).await;
    assert!(q.get(&id).await.unwrap().is_none(), "result expired");
    assert_eq!(q.counters().await.unwrap().completed, 1);
}

pub async fn cancel_pending(env: &Env) {
    let q = env.queue(env.config());
    let pending = add(&q, 5, json!(1)).await;
    let scheduled = q
        .enqueue(NewJob::new("work", 2).delay(Duration::from_secs(60)))
        .await
        .unwrap()
        .id;
    let running = add(&q, 1, json!(3)).await;
    assert!(q.cancel(&pending).await.unwrap());
    assert!(!q.cancel(&pending).await.unwrap());
    assert!(q.cancel(&scheduled).await.unwrap());
    assert_eq!(
        q.status(&pending).await.unwrap(),
        Some(JobStatus::Cancelled)
    );
    let lease = q.claim().await.unwrap().unwrap();
    assert_eq!(lease.job.id, running);
    assert!(
        !q.cancel(&running).await.unwrap(),
        "running jobs are not cancelled"
    );
    assert!(!q.cancel("no-such-job").await.unwrap());
    assert!(q.claim().await.unwrap().is_none());
    let sizes = q.sizes().await.unwrap();
    assert_eq!(
        (sizes.pending, sizes.scheduled, sizes.processing),
        (0, 0, 1)
    );
    assert_eq!(q.counters().await.unwrap().cancelled, 2);
}

pub async fn progress_heartbeat_and_release(env: &Env) {
    let q = env.queue(env.config());
    let id = add(&q, 5, json!(1)).await;
    let lease = q.claim().await.unwrap().unwrap();
    q.progress(&lease, &json!({"pct": 50})).await.unwrap();
    let job = q.get(&id).await.unwrap().unwrap();
    assert_eq!(job.progress.as_deref(), Some(r#"{"pct":50}"#));
    for _ in 0..3 {
        env.advance(U).await;
        let until = q.heartbeat(&lease).await.unwrap();
        assert!(until >= env.now() + 2 * U as i64 - 50);
        assert_eq!(q.maintain().await.unwrap().reaped, 0);
    }
    q.release(&lease).await.unwrap();
    let job = q.get(&id).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Pending, 0));
    let again = q.claim().await.unwrap().unwrap();
    assert!(again.token > lease.token);
    assert_eq!(again.job.attempts, 1);
    q.complete(&again).await.unwrap();
}

pub async fn sizes_and_counters(env: &Env) {
    let q = env.queue(env.config());
    for i in 0..3 {
        add(&q, Priority::High, json!(i)).await;
    }
    for i in 0..2 {
        add(&q, Priority::Normal, json!(i)).await;
    }
    q.enqueue(NewJob::new("work", 0).delay(Duration::from_secs(60)))
        .await
        .unwrap();
    let lease = q.claim().await.unwrap().unwrap();
    let sizes = q.sizes().await.unwrap();
    assert_eq!(
        (sizes.pending, sizes.scheduled, sizes.processing, sizes.dead),
        (4, 1, 1, 0)
    );
    assert_eq!(sizes.pending_by_priority.get(&10), Some(&2));
    assert_eq!(sizes.pending_by_priority.get(&5), Some(&2));
    assert_eq!(q.pending_count(Priority::High).await.unwrap(), 2);
    assert_eq!(q.pending_count(7).await.unwrap(), 0);
    q.complete(&lease).await.unwrap();
    let c = q.counters().await.unwrap();
    assert_eq!((c.enqueued, c.completed, c.failed), (6, 1, 0));
}

pub async fn get_many_in_one_round_trip(env: &Env) {
    let q = env.queue(env.config());
    let a = q
        .enqueue(NewJob::new("work", json!({"n": 1})))
        .await
        .unwrap();
    let b = q
        .enqueue(NewJob::new("other", json!({"n": 2})).priority(Priority::High))
        .await
        .unwrap();
    let ids = vec![b.id.clone(), "no-such-job".to_owned(), a.id.clone()];
    let jobs = q.get_many(&ids).await.unwrap();
    // In the order asked, the missing one left out, each as `get` reads it.
    assert_eq!(
        jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        [b.id.as_str(), a.id.as_str()]
    );
    assert_eq!(jobs[0], q.get(&b.id).await.unwrap().unwrap());
    assert_eq!(
        (jobs[0].task_type.as_str(), jobs[0].priority),
        ("other", 10)
    );
    assert_eq!(jobs[1].payload::<serde_json::Value>().unwrap()["n"], 1);
    assert!(q.get_many(&[]).await.unwrap().is_empty());
}

pub async fn events_published(env: &Env) {
    let q = env.queue(env.config());
    let mut events = Box::pin(q.events().await.unwrap());
    let id = add(&q, 5, json!(1)).await;
    let lease = q.claim().await.unwrap().unwrap();
    q.progress(&lease, &7).await.unwrap();
    q.complete(&lease).await.unwrap();
    q.pause().await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 5 {
        let next = tokio::time::timeout(Duration::from_secs(5), events.next()).await;
        let Some(Some(event)) = next.expect("event in time") else {
            continue;
        };
        seen.push(event);
    }
    let status = |s: &str| matches!(&seen[..], _ if seen.iter().any(|e| matches!(e, QueueEvent::Status { id: i, status, .. } if *i == id && status == s)));
    assert!(
        status("pending") && status("processing") && status("completed"),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|e| matches!(e, QueueEvent::Progress { progress, .. } if progress == "7"))
    );
    assert!(matches!(seen[4], QueueEvent::Paused { .. }), "{seen:?}");
    assert!(seen[0].may_have_work());
}

pub async fn hash_tagged_prefix(env: &Env) {
    let q = env.queue(env.config().prefix("app").hash_tag(true));
    assert_eq!(q.queue_key(), "{app}:tasks:queue");
    let id = add(&q, 5, json!(1)).await;
    assert_eq!(
        env.store
            .exists_multiple(&[&format!("{{app}}:task:{id}")])
            .await
            .unwrap(),
        1
    );
    let lease = q.claim().await.unwrap().unwrap();
    q.complete(&lease).await.unwrap();
    assert_eq!(q.status(&id).await.unwrap(), Some(JobStatus::Completed));
}

/// A new job's hash holds only what cannot be derived (no `token`, `attempts`, `created_ms`,
/// `run_at` until they mean something), and hashes written with those fields explicit (as
/// earlier versions did) read and run the same.
pub async fn lean_hashes_and_explicit_older_ones(env: &Env) {
    let q = env.queue(env.config());
    let id = add(&q, 5, json!(1)).await;
    let hash = env.store.hgetall(&q.task_key(&id)).await.unwrap();
    for absent in ["token", "attempts", "created_ms", "run_at"] {
        assert!(
            !hash.contains_key(absent.as_bytes()),
            "{absent} in {hash:?}"
        );
    }
    assert_eq!(&hash[&b"max_retries"[..]][..], b"3");
    let info = q.get(&id).await.unwrap().expect("the job");
    assert_eq!(info.attempts, 0);
    assert!(info.created_at_ms > 0 && info.created_at_ms <= env.now());
    assert_eq!(info.run_at_ms, info.created_at_ms);
    let lease = q.claim().await.unwrap().expect("the job");
    assert_eq!(
        (lease.id(), lease.token, lease.job.attempts),
        (id.as_str(), 1, 1)
    );
    q.complete(&lease).await.unwrap();

    let old = "019b7777777000000001deadbeef";
    let at = "1767225600000";
    env.store
        .hset_multiple(
            &q.task_key(old),
            [
                ("id", old),
                ("type", "work"),
                ("data", "2"),
                ("priority", "5"),
                ("created_at", "2026-01-01T00:00:00Z"),
                ("status", "pending"),
                ("token", "0"),
                ("attempts", "0"),
                ("max_retries", "3"),
                ("created_ms", at),
                ("run_at", at),
            ],
        )
        .await
        .unwrap();
    env.store.zadd(q.queue_key(), -5.0, old).await.unwrap();
    let info = q.get(old).await.unwrap().expect("the old job");
    assert_eq!(
        (info.created_at_ms, info.run_at_ms),
        (1_767_225_600_000, 1_767_225_600_000)
    );
    let lease = q.claim().await.unwrap().expect("the old job");
    assert_eq!((lease.id(), lease.token, lease.job.attempts), (old, 1, 1));
    assert_eq!(lease.job.payload::<Value>().unwrap(), json!(2));
    q.complete(&lease).await.unwrap();
    assert!(q.claim().await.unwrap().is_none());
}
