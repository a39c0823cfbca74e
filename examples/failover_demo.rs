//! A first look at `Failover`: counts visits through Redis if it is there and through the
//! local file store if it is not, then prints a health report.
//!
//! ```text
//! redis-server --port 6390 --save '' &      # a throwaway Redis of its own
//! REDIS_URL=redis://127.0.0.1:6390 cargo run --example failover_demo --features redis
//! ```
//!
//! `REDIS_URL` is required: the demo writes `demo:visits` and would otherwise pick whatever
//! Redis listens on the default port (decision: no default URL, so it never touches a server
//! nobody named).
//!
//! Run it once with Redis stopped: the writes are served locally and journaled in
//! `target/failover-demo/journal`. Start Redis and run it again: the journal is replayed into
//! Redis before the new writes go there, and the count includes both runs.

#[cfg(feature = "redis")]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> staunch::Result<()> {
    use std::time::Duration;

    use staunch::failover::{BreakerOptions, Failover, FailoverOptions, FailoverState};
    use staunch::prelude::*;
    use staunch::redis::{RedisOptions, RedisStore};

    let Some(url) = std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!(
            "failover_demo: set REDIS_URL to a Redis it may write to (key demo:visits), e.g.\n  \
             redis-server --port 6390 --save '' &\n  \
             REDIS_URL=redis://127.0.0.1:6390 cargo run --example failover_demo --features redis"
        );
        std::process::exit(2);
    };
    let redis = RedisStore::lazy(
        RedisOptions::new(&url)
            .connect_timeout(Duration::from_millis(500))
            .response_timeout(Duration::from_millis(500)),
    )?;
    let store = Failover::redis(redis)
        .local_file("target/failover-demo")
        .options(
            FailoverOptions::new()
                .breaker(
                    BreakerOptions::new()
                        .failure_threshold(1)
                        .open_timeout(Duration::from_millis(500)),
                )
                .probe_intervals(Duration::from_secs(30), Duration::from_millis(100)),
        )
        .on_state_change(|c| {
            println!(
                "state: {} -> {} ({}; {} journaled writes)",
                c.from.as_str(),
                c.to.as_str(),
                c.reason,
                c.journal_len
            )
        })
        .open()
        .await?;

    if store.state() == FailoverState::Recovering {
        println!("a journal from an earlier run is waiting; giving replay a moment");
        for _ in 0..30 {
            if store.state() == FailoverState::Healthy {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    for _ in 0..3 {
        let visits = store.incr("demo:visits").await?;
        println!("visits: {visits} (served by {:?})", store.state());
    }

    let health = store.health().await;
    println!(
        "state        {:?} (breaker {:?})",
        health.state, health.breaker
    );
    println!("latency      {:?}", health.latency);
    if let Some(server) = &health.server {
        println!(
            "redis        {} | {} bytes used | {} clients | up {:?}",
            server.version.as_deref().unwrap_or("?"),
            server.used_memory.unwrap_or(0),
            server.connected_clients.unwrap_or(0),
            server.uptime.unwrap_or_default()
        );
    } else if let Some(error) = &health.error {
        println!("redis        unreachable: {error}");
    }
    println!(
        "journal      {} entries, replay lag {:?}",
        health.journal_len, health.replay_lag
    );
    println!("node id      {}", health.node_id);
    println!("stats        {:?}", health.stats);
    store.close().await
}

#[cfg(not(feature = "redis"))]
fn main() {
    eprintln!(
        "failover_demo needs the `redis` feature: cargo run --example failover_demo --features redis"
    );
}
