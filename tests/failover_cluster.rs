//! `Failover` over a real local Redis Cluster: while no primary answers, writes are served
//! locally and journaled; when the cluster answers again the journal is replayed into it
//! with one watermark per hash slot (`staunch:replay:{<slot tag>}:<node>`, in the slot of the
//! entries it covers), and commands the cluster would refuse (keys in several slots) are
//! refused in every state.
//!
//! The outage is a switch in front of the cluster store (the cluster itself keeps running, so
//! the test does not depend on how fast Redis heals after a network split).
//!
//! `cargo test -p staunch --test failover_cluster`

mod failover_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use staunch::failover::{FailoverState, slot_watermark_key};
use staunch::{Result, async_trait};
use staunch_core::prelude::*;
use staunch_core::slots::key_slot;
use staunch_core::testkit::redis_cluster::{ClusterOptions, test_redis_cluster};
use staunch_core::{Call, Capabilities, Execution, Subscription};
use staunch_redis::RedisStore;

/// The cluster store, or an outage when `down` is set.
struct Switch {
    inner: RedisStore,
    down: AtomicBool,
}

fn outage() -> Error {
    Error::new(ErrorKind::Unavailable, "switched off by the test")
}

#[async_trait]
impl Store for Switch {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        if self.down.load(Ordering::Acquire) {
            return Execution::ready(Err(outage()));
        }
        self.inner.call(call)
    }
    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        if self.down.load(Ordering::Acquire) {
            return Err(outage());
        }
        self.inner.batch(commands, atomic).await
    }
    async fn subscribe(
        &self,
        channels: Vec<staunch_core::Name>,
        patterns: Vec<staunch_core::Name>,
    ) -> Result<Subscription> {
        if self.down.load(Ordering::Acquire) {
            return Err(outage());
        }
        self.inner.subscribe(channels, patterns).await
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

/// Probes through the switch.
struct SwitchProbe(Arc<Switch>);

#[async_trait]
impl staunch::failover::Probe for SwitchProbe {
    async fn ping(&self) -> Result<Duration> {
        if self.0.down.load(Ordering::Acquire) {
            return Err(outage());
        }
        self.0.inner.ping().await
    }
    async fn info(&self) -> Result<Option<String>> {
        Ok(None)
    }
    fn bounds_calls(&self) -> bool {
        true
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_into_a_cluster_uses_one_watermark_per_slot() {
    let Some(cluster) =
        test_redis_cluster("failover on a cluster", ClusterOptions::default()).await
    else {
        return;
    };
    let raw = RedisStore::connect(&cluster.url()).await.expect("connect");
    let switch = Arc::new(Switch {
        inner: raw.clone(),
        down: AtomicBool::new(false),
    });
    let options = staunch::failover::FailoverOptions::new()
        .probe_intervals(Duration::from_millis(200), Duration::from_millis(100))
        .breaker(
            staunch::failover::BreakerOptions::default().open_timeout(Duration::from_millis(200)),
        );
    let failover = staunch::failover::Failover::builder_with_probe(
        switch.clone(),
        Arc::new(SwitchProbe(switch.clone())),
    )
    .local_memory()
    .options(options)
    .open()
    .await
    .expect("open failover");
    assert!(
        !failover.capabilities().cross_slot,
        "a cluster under Failover"
    );
    failover.set("before", "1").await.unwrap();

    switch.down.store(true, Ordering::Release);
    let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
    for key in &keys {
        failover.set(key, "v").await.expect("served locally");
    }
    // A transaction in one slot is journaled as one entry ...
    let mut tx = staunch_core::Batch::transaction(&failover);
    tx.set("{t}:a", "1");
    tx.incrby("{t}:n", 5);
    tx.run()
        .await
        .expect("one-slot transaction")
        .check()
        .unwrap();
    // ... and what the cluster would refuse is refused while it is away too.
    let err = failover.rename("k1", "k2").await.unwrap_err();
    assert!(err.message().contains("CROSSSLOT"), "{err}");
    assert_ne!(failover.state(), FailoverState::Healthy);
    assert!(failover.journal_len() > 0);

    switch.down.store(false, Ordering::Release);
    let mut state = failover.watch_state();
    tokio::time::timeout(Duration::from_secs(60), async {
        while *state.borrow_and_update() != FailoverState::Healthy {
            state.changed().await.expect("state channel");
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "the journal is replayed into the cluster: state {:?}, journal {}, stats {:?}",
            failover.state(),
            failover.journal_len(),
            failover.stats()
        )
    });

    for key in &keys {
        assert_eq!(
            raw.get_string(key).await.unwrap().as_deref(),
            Some("v"),
            "{key}"
        );
    }
    assert_eq!(raw.get_string("{t}:a").await.unwrap().as_deref(), Some("1"));
    assert_eq!(raw.get_string("{t}:n").await.unwrap().as_deref(), Some("5"));
    // The watermark of each slot written lives in that slot and names its last entry.
    let node = failover.node_id().to_owned();
    let mut slots: Vec<u16> = keys.iter().map(|k| key_slot(k.as_bytes())).collect();
    slots.push(key_slot(b"{t}:a"));
    slots.sort_unstable();
    slots.dedup();
    for slot in slots {
        let key = slot_watermark_key(&node, slot);
        assert_eq!(key_slot(key.as_bytes()), slot);
        let seq = raw.get_string(&key).await.unwrap();
        assert!(
            seq.as_deref().and_then(|s| s.parse::<u64>().ok()).is_some(),
            "slot {slot} has its watermark {key}: {seq:?}"
        );
    }
    println!("replayed: {:?}", failover.stats());
    failover.close().await.unwrap();
}

/// `Failover` over a Sentinel-managed primary that is killed: writes made while the Sentinels
/// promote the replica are acknowledged (by Redis once it answers, or locally and journaled),
/// and afterwards the promoted primary holds every one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_follows_a_sentinel_promotion() {
    use staunch_core::testkit::redis_cluster::{redis_cli, test_redis_sentinels};
    let Some(mut set) = test_redis_sentinels("failover over Sentinel").await else {
        return;
    };
    let redis = RedisStore::connect_with(
        staunch_redis::RedisOptions::new(set.url())
            .connect_timeout(Duration::from_secs(1))
            .response_timeout(Duration::from_secs(1)),
    )
    .await
    .expect("connect through the Sentinels");
    let options = staunch::failover::FailoverOptions::new()
        .probe_intervals(Duration::from_millis(200), Duration::from_millis(100))
        .call_timeout(Duration::from_secs(1))
        .breaker(
            staunch::failover::BreakerOptions::default().open_timeout(Duration::from_millis(300)),
        );
    let failover = failover_support::failover(redis.clone())
        .local_memory()
        .options(options)
        .open()
        .await
        .expect("open failover");
    failover.set("before", "1").await.unwrap();
    let old = set.data_servers()[0].port();
    let replica = set.data_servers()[1].port();
    for _ in 0..100 {
        if redis_cli(replica, &["get", "before"])
            .await
            .is_ok_and(|v| v.trim() == "1")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    set.data_servers()[0].kill();
    let writes = tokio::spawn({
        let failover = failover.clone();
        async move {
            let mut written = Vec::new();
            for i in 0..60 {
                let key = format!("during:{i}");
                failover.set(&key, "v").await.expect("acknowledged");
                written.push(key);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            written
        }
    });
    let promoted = set
        .wait_promotion(old, Duration::from_secs(60))
        .await
        .expect("the Sentinels promote the replica");
    let written = writes.await.expect("writer");
    let mut state = failover.watch_state();
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if *state.borrow_and_update() == FailoverState::Healthy && failover.journal_len() == 0 {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(200), state.changed()).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("back on Redis: {:?}", failover.stats()));
    for key in written.iter().chain(std::iter::once(&"before".to_owned())) {
        let got = redis_cli(promoted, &["get", key]).await.unwrap();
        assert_eq!(got.trim(), if key == "before" { "1" } else { "v" }, "{key}");
    }
    println!("during the promotion: {:?}", failover.stats());
    failover.close().await.unwrap();
}
