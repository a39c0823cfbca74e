//! Services through a Redis outage: the bot and the cache on `Failover` keep working while
//! `redis-server` is killed, and what they wrote reaches Redis when it is back.
//!
//! `cargo test -p staunch --test svc_outage` (starts and kills its own `redis-server`;
//! `STAUNCH_SKIP_REDIS=1` skips it with a printed notice).

use std::sync::Arc;
use std::time::{Duration, Instant};

use staunch::bot::Bot;
use staunch::cache::{Cache, CacheKey};
use staunch::failover::{BreakerOptions, Failover, FailoverOptions, FailoverState, Policy};
use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};

async fn wait_for(failover: &Failover, state: FailoverState, within: Duration) {
    let started = Instant::now();
    while failover.state() != state
        || (state == FailoverState::Healthy && failover.journal_len() > 0)
    {
        assert!(
            started.elapsed() < within,
            "still {:?} after {within:?}",
            failover.state()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Retries `op` until it succeeds: the calls that detect the outage may fail before the
/// breaker opens.
async fn eventually<T, F, Fut>(mut op: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = staunch::Result<T>>,
{
    let started = Instant::now();
    loop {
        match op().await {
            Ok(value) => return value,
            Err(e) if e.is_outage() && started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bot_and_cache_keep_working_through_an_outage() {
    let Some(mut server) = test_redis_server(
        "services through an outage",
        RedisServerOptions::new()
            .appendonly(true)
            .appendfsync("always"),
    )
    .await
    else {
        return;
    };
    let redis = staunch_redis::RedisStore::connect_with(
        staunch_redis::RedisOptions::new(server.url()).response_timeout(Duration::from_millis(500)),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let failover = Failover::builder(Arc::new(redis.clone()))
        .local_file(dir.path())
        .options(
            FailoverOptions::new()
                .policy(Policy::Mirror)
                .breaker(BreakerOptions::new().open_timeout(Duration::from_millis(300)))
                .probe_intervals(Duration::from_millis(200), Duration::from_millis(200)),
        )
        .open()
        .await
        .unwrap();
    let store: Arc<dyn Store> = Arc::new(failover.clone());
    let bot = Bot::new(store.clone());
    let cache = Cache::new(store.clone());
    let session = bot.start("through the outage", "test").await.unwrap().id;
    bot.record_accepted(&session).await.unwrap();

    server.kill();
    // The bot keeps counting and the cache keeps answering, from the local store.
    for _ in 0..5 {
        let id = session.clone();
        eventually(|| bot.record_accepted(&id)).await;
    }
    wait_for(&failover, FailoverState::Degraded, Duration::from_secs(20)).await;
    let key = CacheKey::tenant("t1", "api_response", "during-outage");
    let value: String = cache
        .get_or_fetch(&key, || async {
            Ok::<_, std::io::Error>("fetched".to_owned())
        })
        .await
        .unwrap();
    assert_eq!(value, "fetched");
    // Mirror: the state Redis held before the outage is readable locally, so the bot can stop.
    assert_eq!(
        bot.stop("test").await.unwrap().as_deref(),
        Some(session.as_str())
    );
    assert_eq!(
        bot.metrics(&session).await.unwrap().unwrap().total_accepted,
        6
    );

    server.restart().await.unwrap();
    wait_for(&failover, FailoverState::Healthy, Duration::from_secs(30)).await;
    // Replayed into Redis: counters added up, the stop applied, the cached value there.
    let direct = staunch_redis::RedisStore::connect(&server.url())
        .await
        .unwrap();
    let metrics = direct.hgetall(&format!("bot:metrics:{session}")).await;
    // The server kept its data (appendonly); the outage's increments are added to it and the
    // state transitions, compare-and-sets, apply on top of the state it held.
    let metrics = metrics.unwrap();
    assert_eq!(
        metrics.get(&b"total_accepted"[..]).map(|v| v.to_vec()),
        Some(b"6".to_vec()),
        "{metrics:?}"
    );
    assert_eq!(
        direct.hget("bot:state", "state").await.unwrap().as_deref(),
        Some(&b"stopped"[..])
    );
    assert!(
        direct
            .get(&cache.key(&key).unwrap())
            .await
            .unwrap()
            .is_some()
    );
    failover.close().await.unwrap();
}
