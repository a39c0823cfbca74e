//! Conformance cases for the queue's atomic step ([`Command::QueueStep`]): claiming the best
//! pending jobs, completing a held job under its fencing token, and what stops a claim (the
//! paused flag, due scheduled jobs, a closed fence).

use super::super::TestStore;
use super::super::keyspace::assert_kind;
use crate::prelude::*;
use crate::{QueueFinish, QueueStepOptions, QueueStepReply};

/// 2096-10-02, Unix ms: a time every store's clock has not reached.
const FUTURE: i64 = 4_000_000_000_000;

const KEYS: [&str; 8] = [
    "q:pending",
    "q:processing",
    "q:scheduled",
    "q:paused",
    "q:stats",
    "q:job:",
    "q:unique:",
    "q:completed",
];

async fn job(store: &TestStore, id: &str, score: f64) {
    store
        .hset_multiple(&format!("q:job:{id}"), [("type", "t"), ("data", "{}")])
        .await
        .unwrap();
    store.zadd("q:pending", score, id).await.unwrap();
}

async fn step(store: &TestStore, options: QueueStepOptions) -> QueueStepReply {
    store.queue_step(KEYS, options).await.unwrap()
}

fn field<'a>(fields: &'a [(crate::Name, Bytes)], name: &str) -> Option<&'a [u8]> {
    fields
        .iter()
        .find(|(f, _)| f == name)
        .map(|(_, v)| v.as_ref())
}

/// The lowest-scored jobs move to `processing` at the lease deadline, with token and attempts
/// increased; the reply holds the fields read before `status processing` was written.
pub async fn test_queue_step_claims_lowest_first(store: TestStore) {
    job(&store, "b", 2.0).await;
    job(&store, "a", 1.0).await;
    job(&store, "c", 3.0).await;
    let reply = step(&store, QueueStepOptions::new(1000, "T0", 2, 5000)).await;
    assert_eq!(reply.finished, None, "nothing to finish");
    assert!(!reply.paused);
    assert_eq!(reply.due, 0);
    let ids: Vec<&[u8]> = reply.jobs.iter().map(|j| j.id.as_ref()).collect();
    assert_eq!(
        ids,
        [b"a".as_ref(), b"b"],
        "the two lowest scores, lowest first"
    );
    for j in &reply.jobs {
        assert_eq!(j.token, 1, "a first claim's token is 1");
        assert_eq!(field(&j.fields, "token"), Some(b"1".as_ref()));
        assert_eq!(field(&j.fields, "attempts"), Some(b"1".as_ref()));
        assert_eq!(field(&j.fields, "type"), Some(b"t".as_ref()));
        assert_eq!(
            field(&j.fields, "status"),
            None,
            "read before it was marked"
        );
    }
    assert_eq!(
        store
            .zrange_with_scores("q:processing", 0, -1)
            .await
            .unwrap(),
        vec![(Bytes::from("a"), 5000.0), (Bytes::from("b"), 5000.0)],
        "claimed jobs are in processing at the lease deadline"
    );
    assert_eq!(store.zcard("q:pending").await.unwrap(), 1, "c is left");
    assert_eq!(
        store.hget("q:job:a", "status").await.unwrap(),
        Some(Bytes::from("processing"))
    );
    assert_eq!(
        store.hget("q:job:a", "started_at").await.unwrap(),
        Some(Bytes::from("T0"))
    );
}

/// A held job completes when its token matches, and the same step claims the next job.
pub async fn test_queue_step_completes_then_claims(store: TestStore) {
    job(&store, "a", 1.0).await;
    job(&store, "b", 2.0).await;
    store.set("q:unique:key", "a").await.unwrap();
    let first = step(&store, QueueStepOptions::new(1000, "T0", 1, 5000)).await;
    assert_eq!(first.jobs.len(), 1);
    let finish = QueueFinish::new("a", first.jobs[0].token, 60_000)
        .result("\"ok\"")
        .unique("key");
    // A real future time: the completed job's expiry is absolute (`now_ms + keep_ms`).
    let reply = step(
        &store,
        QueueStepOptions::new(FUTURE, "T1", 1, 6000).finish(finish),
    )
    .await;
    assert_eq!(reply.finished, Some(true), "the holder's token matched");
    assert_eq!(reply.jobs.len(), 1);
    assert_eq!(
        reply.jobs[0].id,
        Bytes::from("b"),
        "the next job is claimed"
    );
    let a = store.hgetall("q:job:a").await.unwrap();
    assert_eq!(a.get(&b"status"[..]), Some(&Bytes::from("completed")));
    assert_eq!(
        a.get(&b"token"[..]),
        Some(&Bytes::from("1:completed")),
        "fence closed"
    );
    assert_eq!(a.get(&b"result"[..]), Some(&Bytes::from("\"ok\"")));
    assert_eq!(
        a.get(&b"finished_ms"[..]),
        Some(&Bytes::from(FUTURE.to_string()))
    );
    assert_eq!(a.get(&b"finished_at"[..]), Some(&Bytes::from("T1")));
    assert!(
        store.pttl("q:job:a").await.unwrap() > 0,
        "a completed job expires"
    );
    assert_eq!(
        store.hget("q:stats", "completed").await.unwrap(),
        Some(Bytes::from("1"))
    );
    assert_eq!(
        store.get("q:unique:key").await.unwrap(),
        None,
        "unique key released"
    );
    assert_eq!(
        store
            .zrange_with_scores("q:completed", 0, -1)
            .await
            .unwrap(),
        vec![(Bytes::from("a"), FUTURE as f64)],
        "the completed set holds it by finish time"
    );
    assert_eq!(
        store
            .zrange_with_scores("q:processing", 0, -1)
            .await
            .unwrap(),
        vec![(Bytes::from("b"), 6000.0)],
        "a left processing, b entered it"
    );
}

/// A stale token changes nothing; `keep_ms` 0 deletes a completed job.
pub async fn test_queue_step_stale_token_and_delete(store: TestStore) {
    job(&store, "a", 1.0).await;
    let first = step(&store, QueueStepOptions::new(1000, "T0", 1, 5000)).await;
    let token = first.jobs[0].token;
    let stale = step(
        &store,
        QueueStepOptions::new(2000, "T1", 0, 6000).finish(QueueFinish::new("a", token + 1, 0)),
    )
    .await;
    assert_eq!(
        stale.finished,
        Some(false),
        "a stale token finishes nothing"
    );
    assert_eq!(
        store.hget("q:job:a", "status").await.unwrap(),
        Some(Bytes::from("processing"))
    );
    assert_eq!(store.zcard("q:processing").await.unwrap(), 1);
    let done = step(
        &store,
        QueueStepOptions::new(2000, "T1", 0, 6000).finish(QueueFinish::new("a", token, 0)),
    )
    .await;
    assert_eq!(done.finished, Some(true));
    assert!(
        !store.exists("q:job:a").await.unwrap(),
        "keep 0 deletes the job"
    );
    assert_eq!(
        store.zcard("q:completed").await.unwrap(),
        0,
        "and keeps no entry"
    );
    assert_eq!(store.zcard("q:processing").await.unwrap(), 0);
}

/// Nothing is claimed while the queue is paused or a scheduled job is due.
pub async fn test_queue_step_paused_and_due_claim_nothing(store: TestStore) {
    job(&store, "a", 1.0).await;
    store.set("q:paused", "1").await.unwrap();
    let paused = step(&store, QueueStepOptions::new(1000, "T0", 1, 5000)).await;
    assert!(paused.paused);
    assert!(paused.jobs.is_empty(), "paused: nothing claimed");
    store.del("q:paused").await.unwrap();
    store.zadd("q:scheduled", 900.0, "later").await.unwrap();
    store.zadd("q:scheduled", 1500.0, "future").await.unwrap();
    let due = step(&store, QueueStepOptions::new(1000, "T0", 1, 5000)).await;
    assert_eq!(due.due, 1, "one scheduled job is due at 1000");
    assert!(due.jobs.is_empty(), "due jobs must be promoted first");
    assert_eq!(store.zcard("q:pending").await.unwrap(), 1);
}

/// A job whose fence is closed is taken with token 0 and its `token` field left alone.
pub async fn test_queue_step_closed_fence(store: TestStore) {
    job(&store, "a", 1.0).await;
    store.hset("q:job:a", "token", "4:completed").await.unwrap();
    let reply = step(&store, QueueStepOptions::new(1000, "T0", 1, 5000)).await;
    assert_eq!(reply.jobs.len(), 1);
    assert_eq!(reply.jobs[0].token, 0, "a closed fence is not bumped");
    assert_eq!(
        store.hget("q:job:a", "token").await.unwrap(),
        Some(Bytes::from("4:completed"))
    );
    assert_eq!(
        store.hget("q:job:a", "attempts").await.unwrap(),
        Some(Bytes::from("1"))
    );
}

/// A key list of the wrong length is `InvalidInput`.
pub async fn test_queue_step_wrong_keys(store: TestStore) {
    assert_kind(
        store
            .queue_step(["a", "b"], QueueStepOptions::new(1, "T", 1, 2))
            .await,
        ErrorKind::InvalidInput,
        "QUEUESTEP takes eight keys",
    );
}
