//! Policies and the less common paths against a real `redis-server`: `Mirror` keeps the local
//! store warm, `FailFast` never falls back, `Divert` reads are local-only while degraded, a
//! memory local store is rebuilt from the journal, blocking pops and batches while degraded
//! replay as what they did.

mod failover_support;

use std::time::{Duration, Instant};

use staunch::failover::{
    BreakerOptions, Failover, FailoverOptions, FailoverState, Policy, RetryOptions,
};
use staunch::prelude::*;
use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

/// How long a Failover may take to notice an outage or a recovery on a busy machine.
const STATE_WAIT: Duration = Duration::from_secs(15);

fn options(policy: Policy) -> FailoverOptions {
    FailoverOptions::new()
        .policy(policy)
        .breaker(
            BreakerOptions::new()
                .failure_threshold(1)
                .open_timeout(Duration::from_millis(200)),
        )
        .retry(RetryOptions::none())
        .probe_intervals(Duration::from_millis(100), Duration::from_millis(50))
}

fn redis(url: &str) -> RedisStore {
    RedisStore::lazy(
        RedisOptions::new(url)
            .response_timeout(Duration::from_millis(300))
            .connect_timeout(Duration::from_millis(300)),
    )
    .expect("redis options")
}

/// Kills Redis and makes the store notice (one failed call opens the breaker).
async fn outage(server: &mut RedisServer, store: &Failover) {
    server.kill();
    let _ = store.get("probe").await;
    failover_support::wait_for_state(store, FailoverState::Degraded, STATE_WAIT).await;
}

fn text(v: Option<Bytes>) -> Option<String> {
    v.map(|b| String::from_utf8_lossy(&b).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirror_divert_and_fail_fast() {
    let Some(mut server) = test_redis_server("failover policies", RedisServerOptions::new()).await
    else {
        return;
    };
    let url = server.url();

    // Mirror: what Redis acknowledged is readable locally during the outage.
    let mirror = failover_support::failover(redis(&url))
        .local_memory()
        .options(options(Policy::Mirror))
        .open()
        .await
        .expect("open mirror");
    mirror.set("m:key", "before").await.expect("set");
    mirror
        .rpush_multiple("m:q", ["a", "b"])
        .await
        .expect("rpush");
    assert_eq!(
        text(mirror.lpop("m:q").await.expect("lpop")).as_deref(),
        Some("a")
    );
    // Divert on the same Redis: its local store is empty.
    let divert = failover_support::failover(redis(&url))
        .local_memory()
        .options(options(Policy::Divert))
        .open()
        .await
        .expect("open divert");
    let fail_fast = failover_support::failover(redis(&url))
        .local_memory()
        .options(options(Policy::FailFast))
        .open()
        .await
        .expect("open fail-fast");

    outage(&mut server, &mirror).await;
    outage(&mut server, &divert).await;
    outage(&mut server, &fail_fast).await;
    assert_eq!(
        text(mirror.get("m:key").await.expect("mirror read")).as_deref(),
        Some("before")
    );
    let q = mirror.lrange("m:q", 0, -1).await.expect("lrange");
    assert_eq!(
        q,
        vec![Bytes::from_static(b"b")],
        "the mirrored pop took `a`"
    );
    assert_eq!(
        divert.get("m:key").await.expect("divert read"),
        None,
        "Divert reads are local-only"
    );
    let started = Instant::now();
    let err = fail_fast
        .get("m:key")
        .await
        .expect_err("FailFast must fail");
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "FailFast was slow"
    );
    // Degraded writes on Mirror replay as operations.
    mirror.set("m:key", "during").await.expect("degraded set");

    server.restart().await.expect("restart");
    failover_support::wait_for_state(&mirror, FailoverState::Healthy, STATE_WAIT).await;
    failover_support::wait_for_state(&divert, FailoverState::Healthy, STATE_WAIT).await;
    failover_support::wait_for_state(&fail_fast, FailoverState::Healthy, STATE_WAIT).await;
    let direct = RedisStore::connect(&url).await.expect("connect");
    assert_eq!(
        text(direct.get("m:key").await.expect("get")).as_deref(),
        Some("during")
    );
    assert_eq!(
        text(fail_fast.get("m:key").await.expect("get")).as_deref(),
        Some("during")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_pops_and_batches_while_degraded() {
    let Some(mut server) =
        test_redis_server("failover blocking and batches", RedisServerOptions::new()).await
    else {
        return;
    };
    let url = server.url();
    let store = failover_support::failover(redis(&url))
        .local_memory()
        .options(options(Policy::Divert))
        .open()
        .await
        .expect("open");
    // Another node's job, in Redis before the outage.
    store
        .rpush_multiple("b:jobs", ["other-node"])
        .await
        .expect("rpush");
    outage(&mut server, &store).await;
    server.restart().await.expect("restart");
    // Redis restarted empty: put the other node's job back, as a persistent Redis would have.
    let direct = RedisStore::connect(&url).await.expect("connect");
    direct
        .rpush_multiple("b:jobs", ["other-node"])
        .await
        .expect("rpush");
    // Still degraded until the breaker lets a probe through; push and pop locally meanwhile.
    let popper = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .blpop_multiple(&["b:jobs"], Duration::from_secs(5))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    if store.state() != FailoverState::Healthy {
        store
            .rpush_multiple("b:jobs", ["mine"])
            .await
            .expect("local push");
        let popped = popper.await.expect("task").expect("blpop");
        let (_, value) = popped.expect("an element");
        assert_eq!(value, Bytes::from_static(b"mine"));
        // An atomic batch while degraded becomes one journal entry.
        let before = store.stats().journaled;
        let results = store
            .batch(
                vec![
                    Command::IncrBy {
                        key: "b:n".into(),
                        delta: 2,
                    },
                    Command::SAdd {
                        key: "b:s".into(),
                        members: vec![Bytes::from_static(b"x")],
                    },
                ],
                true,
            )
            .await
            .expect("batch");
        assert!(results.iter().all(Result::is_ok));
        if store.state() != FailoverState::Healthy {
            assert_eq!(
                store.stats().journaled,
                before + 1,
                "one entry for the batch"
            );
        }
        failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
        // The push and the pop of `mine` replayed as push + LREM: the other node's job stays.
        let jobs = direct.lrange("b:jobs", 0, -1).await.expect("lrange");
        assert_eq!(jobs, vec![Bytes::from_static(b"other-node")]);
        assert_eq!(
            text(direct.get("b:n").await.expect("get")).as_deref(),
            Some("2")
        );
        println!("blocking pop and batch checked while degraded");
    } else {
        println!("the breaker closed too early: degraded blocking path not exercised");
        // The breaker closed before the test could act; nothing degraded to check.
        let _ = popper.await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_local_is_rebuilt_from_the_journal() {
    let Some(mut server) =
        test_redis_server("failover memory rebuild", RedisServerOptions::new()).await
    else {
        return;
    };
    let url = server.url();
    server.kill();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut opts = options(Policy::Divert);
    opts.breaker = BreakerOptions::new()
        .failure_threshold(1)
        .open_timeout(Duration::from_secs(3600));
    {
        let store = failover_support::failover(redis(&url))
            .local_memory()
            .journal_dir(dir.path())
            .options(opts.clone())
            .open()
            .await
            .expect("open");
        store.set("r:k", "v1").await.expect("set");
        store.incrby("r:n", 5).await.expect("incr");
        assert_eq!(store.journal_len(), 2);
        store.close().await.expect("close");
    }
    let store = failover_support::failover(redis(&url))
        .local_memory()
        .journal_dir(dir.path())
        .options(options(Policy::Divert))
        .open()
        .await
        .expect("reopen");
    assert_ne!(store.state(), FailoverState::Healthy);
    assert_eq!(store.journal_len(), 2);
    assert_eq!(
        text(store.get("r:k").await.expect("get")).as_deref(),
        Some("v1"),
        "the memory store was rebuilt from the journal"
    );
    server.restart().await.expect("restart");
    failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
    let direct = RedisStore::connect(&url).await.expect("connect");
    assert_eq!(
        text(direct.get("r:n").await.expect("get")).as_deref(),
        Some("5")
    );
}

/// Sorted-set writes over several keys made while degraded (`ZUNIONSTORE`, `ZINTERSTORE`,
/// `ZRANGESTORE`, `ZMPOP`, `ZREMRANGEBYLEX`) are journaled and replay into Redis to the same
/// state; `ZMPOP` replays as the removal of what it popped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorted_set_stores_and_pops_replay_after_an_outage() {
    let Some(mut server) =
        test_redis_server("failover zset stores", RedisServerOptions::new()).await
    else {
        return;
    };
    let url = server.url();
    server.kill();
    let mut opts = options(Policy::Divert);
    opts.breaker = BreakerOptions::new()
        .failure_threshold(1)
        .open_timeout(Duration::from_millis(300));
    let store = failover_support::failover(redis(&url))
        .local_memory()
        .options(opts)
        .open()
        .await
        .expect("open");
    let _ = store.get("probe").await;
    failover_support::wait_for_state(&store, FailoverState::Degraded, STATE_WAIT).await;
    store
        .zadd_multiple("{z}src", [(1.0, "a"), (2.0, "b"), (3.0, "c")])
        .await
        .expect("zadd");
    store.zadd("{z}other", 10.0, "b").await.expect("zadd");
    let union = store
        .zunionstore("{z}union", ["{z}src", "{z}other"], ZCombineOptions::new())
        .await
        .expect("zunionstore");
    assert_eq!(union, 3);
    store
        .zinterstore(
            "{z}inter",
            ["{z}src", "{z}other"],
            ZCombineOptions::new().aggregate(ZAggregate::Max),
        )
        .await
        .expect("zinterstore");
    store
        .zrangestore(
            "{z}top",
            "{z}src",
            ZRangeBy::Rank {
                start: -1,
                stop: -1,
            },
            ZRangeOptions::new(),
        )
        .await
        .expect("zrangestore");
    let popped = store
        .zmpop_count(["{z}none", "{z}src"], ZPopEnd::Min, 2)
        .await
        .expect("zmpop");
    assert_eq!(
        popped,
        Some((
            "{z}src".into(),
            vec![
                (Bytes::from_static(b"a"), 1.0),
                (Bytes::from_static(b"b"), 2.0)
            ]
        ))
    );
    store
        .zadd_multiple("{z}lex", [(0.0, "x"), (0.0, "y"), (0.0, "z")])
        .await
        .expect("zadd");
    store
        .zremrangebylex(
            "{z}lex",
            LexBound::Min,
            LexBound::Inclusive(Bytes::from_static(b"y")),
        )
        .await
        .expect("zremrangebylex");
    assert!(store.journal_len() >= 8, "every write was journaled");
    server.restart().await.expect("restart");
    failover_support::wait_for_state(&store, FailoverState::Healthy, STATE_WAIT).await;
    let direct = RedisStore::connect(&url).await.expect("connect");
    let all = |key: &'static str| {
        let direct = direct.clone();
        async move { direct.zrange_with_scores(key, 0, -1).await.expect("zrange") }
    };
    let scored = |items: &[(&'static str, f64)]| -> Vec<(Bytes, f64)> {
        items
            .iter()
            .map(|(m, s)| (Bytes::from_static(m.as_bytes()), *s))
            .collect()
    };
    assert_eq!(
        all("{z}union").await,
        scored(&[("a", 1.0), ("c", 3.0), ("b", 12.0)])
    );
    assert_eq!(all("{z}inter").await, scored(&[("b", 10.0)]));
    assert_eq!(all("{z}top").await, scored(&[("c", 3.0)]));
    assert_eq!(
        all("{z}src").await,
        scored(&[("c", 3.0)]),
        "ZMPOP replayed as the removal of what it popped"
    );
    assert_eq!(all("{z}lex").await, scored(&[("z", 0.0)]));
}
