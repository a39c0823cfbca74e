//! Fault injection against a real `redis-server`: a hung (SIGSTOPped) server, a killed one that
//! comes back on the same port, and a subscription that lives through a restart.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions, test_redis_server};
use staunch_core::{GapReason, SubscriptionEvent};
use staunch_redis::{RedisOptions, RedisStore};

const RESPONSE: Duration = Duration::from_millis(500);
/// Scheduling slack on a loaded 2-core CI machine.
const MARGIN: Duration = Duration::from_millis(1500);

async fn server(what: &str) -> Option<RedisServer> {
    test_redis_server(what, RedisServerOptions::new()).await
}

async fn store(server: &RedisServer) -> RedisStore {
    RedisStore::connect_with(
        RedisOptions::new(server.url())
            .connect_timeout(RESPONSE)
            .response_timeout(RESPONSE)
            .reconnect_backoff(Duration::from_millis(20), Duration::from_millis(200)),
    )
    .await
    .expect("connect")
}

/// Retries `get` until it succeeds or `within` passes; returns how long it took.
async fn until_ok(store: &RedisStore, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        match store.get("k").await {
            Ok(_) => return started.elapsed(),
            Err(e) => {
                assert!(e.is_outage(), "only outage errors while recovering: {e}");
                assert!(
                    started.elapsed() < within,
                    "not recovered within {within:?}: {e}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_server_times_out_then_recovers() {
    let Some(server) = server("hung server (SIGSTOP)").await else {
        return;
    };
    let s = store(&server).await;
    s.set("k", "v").await.unwrap();

    server.pause().expect("SIGSTOP");
    for _ in 0..2 {
        let started = Instant::now();
        let err = s
            .get("k")
            .await
            .expect_err("a stopped server cannot answer");
        let elapsed = started.elapsed();
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
        assert!(elapsed < RESPONSE + MARGIN, "took {elapsed:?}");
    }
    // A batch and a blocking pop are bounded too.
    let started = Instant::now();
    let err = s.batch(vec![Command::DbSize], false).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let err = s
        .execute(Command::BLPop {
            keys: vec!["q".into()],
            timeout: Duration::from_millis(100),
        })
        .await
        .unwrap_err();
    assert!(err.is_outage(), "{err}");
    assert!(started.elapsed() < 2 * (RESPONSE + MARGIN) + Duration::from_millis(100));

    // Subscribing to a stopped server fails in bounded time too (connect, then the ack).
    let started = Instant::now();
    let err = s.subscribe(vec!["c".into()], vec![]).await.unwrap_err();
    assert!(err.is_outage(), "{err}");
    assert!(
        started.elapsed() < 2 * RESPONSE + MARGIN,
        "{:?}",
        started.elapsed()
    );

    server.resume().expect("SIGCONT");
    until_ok(&s, Duration::from_secs(3)).await;
    assert_eq!(s.get("k").await.unwrap(), Some(Bytes::from_static(b"v")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_is_unavailable_then_back_after_restart() {
    let Some(mut server) = server("killed server").await else {
        return;
    };
    let s = store(&server).await;
    s.set("k", "v").await.unwrap();

    server.kill();
    for _ in 0..3 {
        let started = Instant::now();
        let err = s.get("k").await.expect_err("an outage is never a miss");
        assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
        assert!(started.elapsed() < RESPONSE + MARGIN);
    }
    let err = s
        .execute(Command::BLPop {
            keys: vec!["q".into()],
            timeout: Duration::from_millis(100),
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");

    server.restart().await.expect("restart on the same port");
    // The first call after the restart already reconnects.
    assert_eq!(s.get("k").await.expect("first call after restart"), None);
    s.set("k", "again").await.unwrap();
    assert_eq!(
        s.execute(Command::RPush {
            key: "q".into(),
            values: vec![Bytes::from_static(b"x")]
        })
        .await
        .unwrap(),
        Reply::Int(1)
    );
    assert!(
        !s.execute(Command::BLPop {
            keys: vec!["q".into()],
            timeout: Duration::from_secs(1)
        })
        .await
        .unwrap()
        .is_nil()
    );
    // Scripts are gone after a restart; EVALSHA falls back to EVAL.
    assert_eq!(
        s.execute(Command::IncrByEx {
            key: "n".into(),
            delta: 1,
            ttl_ms: 1000
        })
        .await
        .unwrap(),
        Reply::Int(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lazy_store_starts_without_a_server() {
    let Some(mut server) = server("lazy store").await else {
        return;
    };
    server.kill();
    let s = RedisStore::lazy(RedisOptions::new(server.url()).connect_timeout(RESPONSE)).unwrap();
    assert_eq!(s.get("k").await.unwrap_err().kind(), ErrorKind::Unavailable);
    assert!(RedisStore::connect(&server.url()).await.is_err());
    server.restart().await.unwrap();
    until_ok(&s, Duration::from_secs(3)).await;
    assert!(s.ping().await.is_ok());
    let info = s.server_info().await.unwrap();
    assert!(
        info.version.as_ref().is_some_and(|v| !v.is_empty()),
        "{info:?}"
    );
    assert!(info.connected_clients.is_some_and(|n| n >= 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_resubscribes_after_restart() {
    let Some(mut server) = server("pub/sub across a restart").await else {
        return;
    };
    let s = store(&server).await;
    let mut sub = s
        .subscribe(vec!["events".into()], vec!["jobs.*".into()])
        .await
        .unwrap();
    s.publish("events", "before").await.unwrap();
    let event = tokio::time::timeout(Duration::from_secs(2), sub.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        event.into_message().unwrap().payload,
        Bytes::from_static(b"before")
    );

    server.kill();
    server.restart().await.unwrap();
    let event = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("a gap marker after the restart")
        .unwrap();
    assert_eq!(event, SubscriptionEvent::Gap(GapReason::Reconnected));

    until_ok(&s, Duration::from_secs(3)).await;
    assert_eq!(s.publish("events", "after").await.unwrap(), 1);
    assert_eq!(s.publish("jobs.1", "job").await.unwrap(), 1);
    let event = tokio::time::timeout(Duration::from_secs(2), sub.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        event.into_message().unwrap().payload,
        Bytes::from_static(b"after")
    );
    let event = tokio::time::timeout(Duration::from_secs(2), sub.next())
        .await
        .unwrap()
        .unwrap();
    let message = event.into_message().unwrap();
    assert_eq!(
        (message.channel.as_str(), message.pattern.as_deref()),
        (Some("jobs.1"), Some(&b"jobs.*"[..]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_subscriber_gets_a_lag_marker() {
    let Some(server) = server("lagging subscriber").await else {
        return;
    };
    let s = RedisStore::connect_with(RedisOptions::new(server.url()).subscription_buffer(4))
        .await
        .unwrap();
    let mut sub = s.subscribe(vec!["flood".into()], vec![]).await.unwrap();
    for i in 0..20 {
        s.publish("flood", format!("m{i}")).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let first = tokio::time::timeout(Duration::from_secs(2), sub.next())
        .await
        .unwrap()
        .unwrap();
    let SubscriptionEvent::Gap(GapReason::Lagged(mut lagged)) = first else {
        panic!("a subscriber 16 messages behind is told first: {first:?}");
    };
    let mut got = 0;
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(300), sub.next()).await {
        match event {
            SubscriptionEvent::Message(_) => got += 1,
            SubscriptionEvent::Gap(GapReason::Lagged(n)) => lagged += n,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got + lagged, 20, "every message is delivered or counted");
    assert!(got >= 4, "the buffer's messages are delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appendonly_server_keeps_data_across_a_crash() {
    let Some(mut server) = test_redis_server(
        "append-only restart",
        RedisServerOptions::new()
            .appendonly(true)
            .appendfsync("always"),
    )
    .await
    else {
        return;
    };
    let s = store(&server).await;
    s.set("durable", "yes").await.unwrap();
    server.kill();
    server
        .restart()
        .await
        .expect("restart with the same directory");
    until_ok(&s, Duration::from_secs(3)).await;
    assert_eq!(
        s.get("durable").await.unwrap(),
        Some(Bytes::from_static(b"yes"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_notices_a_hung_server_by_ping() {
    let Some(server) = server("pub/sub across a SIGSTOP").await else {
        return;
    };
    let s = RedisStore::connect_with(
        RedisOptions::new(server.url())
            .connect_timeout(RESPONSE)
            .response_timeout(RESPONSE)
            .reconnect_backoff(Duration::from_millis(20), Duration::from_millis(200))
            .subscription_ping_interval(Duration::from_millis(200)),
    )
    .await
    .unwrap();
    let mut sub = s.subscribe(vec!["events".into()], vec![]).await.unwrap();
    server.pause().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.resume().unwrap();
    let event = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("a gap marker after the hang")
        .unwrap();
    assert_eq!(event, SubscriptionEvent::Gap(GapReason::Reconnected));
    until_ok(&s, Duration::from_secs(3)).await;
    assert_eq!(s.publish("events", "after").await.unwrap(), 1);
    let event = tokio::time::timeout(Duration::from_secs(2), sub.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        event.into_message().unwrap().payload,
        Bytes::from_static(b"after")
    );
}
