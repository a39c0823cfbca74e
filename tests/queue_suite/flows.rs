//! Job dependencies (flows) on every backend: parents wait for their children, read their
//! results, die with a child (or not, per policy), and are reconciled after a crash at any
//! point between a child's completion and its parent's release.

use serde_json::{Value, json};
use staunch::queue::{
    ChildFailure, ChildResult, Flow, JobState, JobStatus, NewJob, Queue, StateCounts,
};
use staunch_core::ErrorKind;
use staunch_core::prelude::*;

use super::super::Env;

/// The key prefix of `q` (`P` in `P:tasks:queue`).
fn base(q: &Queue) -> String {
    q.queue_key().trim_end_matches(":tasks:queue").to_owned()
}

/// Claims one job, checks it is `want`, completes it with `result`.
async fn run(q: &Queue, want: &str, result: Value) {
    let lease = q.claim().await.unwrap().expect("a job to claim");
    assert_eq!(lease.job.id, want, "claimed the wrong job");
    q.complete_with(&lease, &result).await.unwrap();
}

fn waiting(counts: StateCounts) -> u64 {
    counts.waiting_children
}

/// A parent (with a nested parent below it) runs only after every child completed, and
/// reads their results; the flow's keys are readable and under the queue's prefix.
pub async fn flow_parent_waits_for_children(env: &Env) {
    let q = env.queue(env.config());
    let flow = Flow::new(NewJob::new("report", json!("top")).priority(10))
        .child(NewJob::new("fetch", json!("a")).priority(1))
        .child(
            Flow::new(NewJob::new("merge", json!("mid")).priority(1))
                .child(NewJob::new("fetch", json!("b")).priority(1)),
        );
    let ids = q.enqueue_flow(flow).await.unwrap();
    let (top, a, mid, b) = (
        ids.id.clone(),
        ids.children[0].id.clone(),
        ids.children[1].id.clone(),
        ids.children[1].children[0].id.clone(),
    );
    let p = base(&q);
    assert_eq!(
        q.status(&top).await.unwrap(),
        Some(JobStatus::WaitingChildren)
    );
    assert_eq!(
        q.status(&mid).await.unwrap(),
        Some(JobStatus::WaitingChildren)
    );
    assert_eq!(waiting(q.counts().await.unwrap()), 2);
    assert_eq!(q.sizes().await.unwrap().waiting_children, 2);
    let listed = q.jobs(JobState::WaitingChildren, 0, 10).await.unwrap();
    assert_eq!(listed.len(), 2);
    let deps = env
        .store
        .smembers(&format!("{p}:tasks:deps:{top}"))
        .await
        .unwrap();
    assert_eq!(deps.len(), 2, "the top parent waits for two children");
    let child = q.get(&a).await.unwrap().unwrap();
    assert_eq!(child.parent.as_deref(), Some(top.as_str()));
    assert!(child.fail_parent);

    // Only the leaves are claimable, although the top parent has the highest priority.
    run(&q, &a, json!({"rows": 3})).await;
    assert_eq!(
        q.status(&top).await.unwrap(),
        Some(JobStatus::WaitingChildren)
    );
    run(&q, &b, json!("b-done")).await;
    // `mid` was released by b's completion; the top still waits for it.
    assert_eq!(q.status(&mid).await.unwrap(), Some(JobStatus::Pending));
    let lease = q.claim().await.unwrap().expect("mid is claimable");
    assert_eq!(lease.job.id, mid);
    assert_eq!(
        q.children_results(&mid).await.unwrap().get(&b),
        Some(&ChildResult::Completed(Some("\"b-done\"".into())))
    );
    assert!(
        q.claim().await.unwrap().is_none(),
        "the top must wait for mid"
    );
    q.complete_with(&lease, &"merged").await.unwrap();
    let lease = q.claim().await.unwrap().expect("the top is claimable");
    assert_eq!(lease.job.id, top);
    let results = q.children_results(&top).await.unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[&a].result::<Value>().unwrap(),
        Some(json!({"rows": 3}))
    );
    assert_eq!(
        results[&mid].result::<String>().unwrap().as_deref(),
        Some("merged")
    );
    q.complete(&lease).await.unwrap();
    assert_eq!(waiting(q.counts().await.unwrap()), 0);
    assert!(
        !env.store
            .exists(&format!("{p}:tasks:deps:{top}"))
            .await
            .unwrap()
    );
    assert_eq!(
        env.store
            .zcard(&format!("{p}:tasks:waiting-children"))
            .await
            .unwrap(),
        0
    );

    // Bad flows are refused whole.
    let unique = Flow::new(NewJob::new("p", ())).child(NewJob::new("c", ()).unique("k"));
    let err = q.enqueue_flow(unique).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let delayed = Flow::new(NewJob::new("p", ()).delay(std::time::Duration::from_secs(5)))
        .child(NewJob::new("c", ()));
    let err = q.enqueue_flow(delayed).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        q.counts().await.unwrap().pending,
        0,
        "nothing of them landed"
    );
}

/// A child that dies fails its parent (and the failure goes up); with
/// `ChildFailure::Ignore` the parent runs and sees the error; a cancelled child counts as dead.
pub async fn flow_child_failure_policies(env: &Env) {
    let q = env.queue(env.config());
    // Fail the parent (the default), through a nested parent up to the top.
    let flow = Flow::new(NewJob::new("top", ()))
        .child(Flow::new(NewJob::new("mid", ())).child(NewJob::new("leaf", ()).max_retries(0)));
    let ids = q.enqueue_flow(flow).await.unwrap();
    let (top, mid, leaf) = (
        ids.id.clone(),
        ids.children[0].id.clone(),
        ids.children[0].children[0].id.clone(),
    );
    let lease = q.claim().await.unwrap().unwrap();
    assert_eq!(lease.job.id, leaf);
    q.fail(&lease, "boom").await.unwrap();
    for id in [&leaf, &mid, &top] {
        assert_eq!(q.status(id).await.unwrap(), Some(JobStatus::Dead), "{id}");
    }
    let mid_job = q.get(&mid).await.unwrap().unwrap();
    assert!(
        mid_job
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains(&leaf) && e.contains("boom")),
        "{:?}",
        mid_job.last_error
    );
    let counts = q.counts().await.unwrap();
    assert_eq!((counts.dead, counts.waiting_children), (3, 0));

    // Ignore: the parent runs once the other child completed, and sees the error.
    let flow = Flow::new(NewJob::new("parent", ()))
        .child(Flow::new(NewJob::new("flaky", ())).on_failure(ChildFailure::Ignore))
        .child(NewJob::new("fine", ()));
    let ids = q.enqueue_flow(flow).await.unwrap();
    let (parent, flaky, fine) = (
        ids.id.clone(),
        ids.children[0].id.clone(),
        ids.children[1].id.clone(),
    );
    let first = q.claim().await.unwrap().unwrap();
    let second = q.claim().await.unwrap().unwrap();
    let (flaky_lease, fine_lease) = if first.job.id == flaky {
        (first, second)
    } else {
        (second, first)
    };
    assert_eq!(fine_lease.job.id, fine);
    q.fail_permanently(&flaky_lease, "flaked").await.unwrap();
    assert_eq!(
        q.status(&parent).await.unwrap(),
        Some(JobStatus::WaitingChildren)
    );
    q.complete_with(&fine_lease, &1).await.unwrap();
    let lease = q.claim().await.unwrap().expect("the parent runs");
    assert_eq!(lease.job.id, parent);
    let results = q.children_results(&parent).await.unwrap();
    assert_eq!(results[&flaky], ChildResult::Failed("flaked".into()));
    assert_eq!(results[&fine], ChildResult::Completed(Some("1".into())));
    q.complete(&lease).await.unwrap();

    // A cancelled child is a dead one: its parent (default policy) dies.
    let ids = q
        .enqueue_flow(Flow::new(NewJob::new("p", ())).child(NewJob::new("c", ())))
        .await
        .unwrap();
    assert!(q.cancel(&ids.children[0].id).await.unwrap());
    assert_eq!(q.status(&ids.id).await.unwrap(), Some(JobStatus::Dead));
    // Cancelling a waiting parent leaves its child to run; its end is ignored.
    let ids = q
        .enqueue_flow(Flow::new(NewJob::new("p", ())).child(NewJob::new("c", ())))
        .await
        .unwrap();
    assert!(q.cancel(&ids.id).await.unwrap());
    run(&q, &ids.children[0].id, json!(null)).await;
    assert_eq!(q.status(&ids.id).await.unwrap(), Some(JobStatus::Cancelled));
    assert!(q.claim().await.unwrap().is_none());
}

/// Puts `parent` back in `waiting-children` as if its child's completion had not been
/// recorded yet (the state a crash right after the child's step leaves).
async fn unrecord(env: &Env, q: &Queue, parent: &str, child: &str) {
    let p = base(q);
    env.store
        .zadd(&format!("{p}:tasks:waiting-children"), 4.0e15, parent)
        .await
        .unwrap();
    env.store
        .sadd(&format!("{p}:tasks:deps:{parent}"), child)
        .await
        .unwrap();
}

/// A crash at each point between a child's completion and its parent's release is repaired
/// by the maintenance pass; a parent never runs before its children are done.
pub async fn flow_crash_points_reconciled(env: &Env) {
    let q = env.queue(env.config());
    let p = base(&q);
    let waiting_key = format!("{p}:tasks:waiting-children");

    // 1. The child completed, nothing recorded at the parent.
    let ids = q
        .enqueue_flow(Flow::new(NewJob::new("p", ())).child(NewJob::new("c", ())))
        .await
        .unwrap();
    let (parent, child) = (ids.id.clone(), ids.children[0].id.clone());
    let lease = q.claim().await.unwrap().unwrap();
    // Hide the parent while the child completes, so the completion records nothing.
    env.store.zrem(&waiting_key, &parent).await.unwrap();
    q.complete_with(&lease, &"r").await.unwrap();
    unrecord(env, &q, &parent, &child).await;
    assert!(
        q.claim().await.unwrap().is_none(),
        "the parent must not run yet"
    );
    let pass = q.maintain().await.unwrap();
    assert_eq!(pass.released, 1);
    run(&q, &parent, json!(null)).await;
    assert_eq!(
        q.children_results(&parent).await.unwrap()[&child],
        ChildResult::Completed(Some("\"r\"".into()))
    );

    // 2. Recorded (the set is empty), the parent not released.
    let ids = q
        .enqueue_flow(Flow::new(NewJob::new("p", ())).child(NewJob::new("c", ())))
        .await
        .unwrap();
    let (parent, child) = (ids.id.clone(), ids.children[0].id.clone());
    let lease = q.claim().await.unwrap().unwrap();
    env.store.zrem(&waiting_key, &parent).await.unwrap();
    q.complete(&lease).await.unwrap();
    env.store
        .srem(&format!("{p}:tasks:deps:{parent}"), &child)
        .await
        .unwrap();
    env.store.zadd(&waiting_key, 4.0e15, &parent).await.unwrap();
    assert!(q.claim().await.unwrap().is_none());
    assert_eq!(q.maintain().await.unwrap().released, 1);
    run(&q, &parent, json!(null)).await;

    // 3. Rescored for release, not moved.
    let ids = q
        .enqueue_flow(Flow::new(NewJob::new("p", ())).child(NewJob::new("c", ())))
        .await
        .unwrap();
    let (parent, child) = (ids.id.clone(), ids.children[0].id.clone());
    let lease = q.claim().await.unwrap().unwrap();
    env.store.zrem(&waiting_key, &parent).await.unwrap();
    q.complete(&lease).await.unwrap();
    env.store
        .srem(&format!("{p}:tasks:deps:{parent}"), &child)
        .await
        .unwrap();
    env.store
        .zadd(&waiting_key, env.now() as f64, &parent)
        .await
        .unwrap();
    assert_eq!(q.maintain().await.unwrap().released, 1);
    run(&q, &parent, json!(null)).await;

    // 4. A parent whose failure was decided (status dead) but not applied.
    let ids = q
        .enqueue_flow(Flow::new(NewJob::new("p", ())).child(NewJob::new("c", ())))
        .await
        .unwrap();
    let parent = ids.id.clone();
    env.store
        .hset(&q.task_key(&parent), "status", "dead")
        .await
        .unwrap();
    q.maintain().await.unwrap();
    let counts = q.counts().await.unwrap();
    assert_eq!((counts.waiting_children, counts.dead), (0, 1));
    // Its child still runs (a dead parent ignores it).
    run(&q, &ids.children[0].id, json!(null)).await;

    // 5. A child removed by the admin API counts as done.
    let ids = q
        .enqueue_flow(Flow::new(NewJob::new("p", ())).child(NewJob::new("c", ())))
        .await
        .unwrap();
    assert!(q.remove(&ids.children[0].id).await.unwrap());
    assert_eq!(q.maintain().await.unwrap().released, 1);
    run(&q, &ids.id, json!(null)).await;
    assert!(q.claim().await.unwrap().is_none());
}
