//! Kill under load: concurrent writers keep writing through `Failover` while `redis-server` is
//! SIGKILLed and restarted again and again; afterwards Redis holds exactly what the
//! acknowledged writes imply.
//!
//! Redis runs with `appendonly yes` + `appendfsync always`, so what it acknowledged before a
//! kill comes back from its own persistence at restart and the final state can be checked
//! against the whole run. A write that failed with an outage error *after it may have been
//! sent* (the connection broke under it) is "ambiguous": Redis may or may not have applied it,
//! as with any Redis client. Failover never retries or diverts such a non-idempotent write, so
//! the checks are: every acknowledged effect is present exactly once, and nothing is present
//! beyond acknowledged plus ambiguous writes.

mod failover_support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use staunch::failover::{
    BreakerOptions, Failover, FailoverOptions, FailoverState, HealthOptions, RetryOptions,
};
use staunch::prelude::*;
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

const CYCLES: usize = 20;
const WRITERS: usize = 6;

#[derive(Default)]
struct Log {
    incr_acked: i64,
    incr_ambiguous: i64,
    acked: HashMap<&'static str, Vec<String>>,
    ambiguous: HashMap<&'static str, Vec<String>>,
    ttl_deadlines: Vec<(String, i64)>,
    errors: usize,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn options() -> FailoverOptions {
    FailoverOptions::new()
        .breaker(
            BreakerOptions::new()
                .failure_threshold(3)
                .open_timeout(Duration::from_millis(300))
                .success_threshold(2),
        )
        .retry(RetryOptions::new().backoff(Duration::from_millis(5), Duration::from_millis(50)))
        .health(HealthOptions::default())
        .probe_intervals(Duration::from_millis(200), Duration::from_millis(50))
        .call_timeout(Duration::from_millis(800))
}

async fn writer(id: usize, store: Failover, stop: Arc<AtomicBool>) -> Log {
    let mut log = Log::default();
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let tag = format!("w{id}-{i}");
        let (kind, result): (&'static str, staunch::Result<()>) = match i % 6 {
            0 => {
                let delta = (i % 5 + 1) as i64;
                let r = store.incrby("kill:counter", delta).await.map(|_| ());
                match &r {
                    Ok(()) => log.incr_acked += delta,
                    Err(_) => log.incr_ambiguous += delta,
                }
                ("counter", r)
            }
            1 => (
                "set",
                store
                    .sadd_multiple("kill:set", [tag.clone()])
                    .await
                    .map(|_| ()),
            ),
            2 => (
                "list",
                store
                    .rpush_multiple("kill:list", [tag.clone()])
                    .await
                    .map(|_| ()),
            ),
            3 => (
                "hash",
                store.hset("kill:hash", &tag, tag.clone()).await.map(|_| ()),
            ),
            4 => {
                let deadline = now_ms() + 3_600_000;
                let key = format!("kill:ttl:{tag}");
                let r = store
                    .execute(Command::Set {
                        key: key.clone().into(),
                        value: Bytes::from(tag.clone()),
                        options: SetOptions::new().expiry(SetExpiry::Ex(3600)),
                    })
                    .await
                    .map(|_| ());
                if r.is_ok() {
                    log.ttl_deadlines.push((key, now_ms() + 3_600_000));
                } else {
                    let _ = deadline;
                }
                ("ttl", r)
            }
            _ => (
                "zset",
                store
                    .execute(Command::ZAdd {
                        key: "kill:zq".into(),
                        members: vec![(i as f64, Bytes::from(tag.clone()))],
                        options: ZAddOptions::default(),
                    })
                    .await
                    .map(|_| ()),
            ),
        };
        if kind != "counter" {
            let target = if result.is_ok() {
                &mut log.acked
            } else {
                &mut log.ambiguous
            };
            target.entry(kind).or_default().push(tag);
        }
        if let Err(e) = result {
            assert!(e.is_outage(), "only outage errors are expected, got {e}");
            log.errors += 1;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    log
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_under_load_loses_nothing() {
    let Some(mut server) = test_redis_server(
        "failover kill under load",
        RedisServerOptions::new()
            .appendonly(true)
            .appendfsync("always"),
    )
    .await
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let redis = RedisStore::lazy(
        RedisOptions::new(server.url())
            .response_timeout(Duration::from_millis(500))
            .connect_timeout(Duration::from_millis(300)),
    )
    .expect("redis options");
    let store = failover_support::failover(redis)
        .local_file(dir.path())
        .options(options())
        .open()
        .await
        .expect("open failover");

    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|id| tokio::spawn(writer(id, store.clone(), stop.clone())))
        .collect();

    let started = Instant::now();
    let mut degraded_cycles = 0;
    for cycle in 0..CYCLES {
        tokio::time::sleep(Duration::from_millis(250 + (cycle as u64 % 3) * 100)).await;
        server.kill();
        let killed = Instant::now();
        // Writes keep succeeding: wait until the store serves locally.
        failover_support::wait_for_state(&store, FailoverState::Degraded, Duration::from_secs(5))
            .await;
        degraded_cycles += 1;
        let to_degraded = killed.elapsed();
        tokio::time::sleep(Duration::from_millis(400)).await;
        server.restart().await.expect("restart redis-server");
        failover_support::wait_for_state(&store, FailoverState::Healthy, Duration::from_secs(20))
            .await;
        println!(
            "cycle {cycle}: degraded after {to_degraded:?}, healthy again {:?} after restart, replayed so far {}",
            killed.elapsed(),
            store.stats().replayed
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let mut logs = Vec::new();
    for w in writers {
        logs.push(w.await.expect("writer task"));
    }
    failover_support::wait_for_state(&store, FailoverState::Healthy, Duration::from_secs(20)).await;
    assert_eq!(store.journal_len(), 0);

    // Check Redis directly.
    let direct = RedisStore::connect(&server.url()).await.expect("connect");
    let incr_acked: i64 = logs.iter().map(|l| l.incr_acked).sum();
    let incr_ambiguous: i64 = logs.iter().map(|l| l.incr_ambiguous).sum();
    let counter: i64 = direct
        .get("kill:counter")
        .await
        .expect("GET counter")
        .map(|b| String::from_utf8_lossy(&b).parse().unwrap_or(-1))
        .unwrap_or(0);
    assert!(
        counter >= incr_acked && counter <= incr_acked + incr_ambiguous,
        "counter {counter}: acknowledged {incr_acked}, ambiguous {incr_ambiguous}"
    );

    let members = |kind: &'static str| -> (HashSet<String>, HashSet<String>) {
        let acked = logs
            .iter()
            .flat_map(|l| l.acked.get(kind).into_iter().flatten().cloned())
            .collect();
        let ambiguous = logs
            .iter()
            .flat_map(|l| l.ambiguous.get(kind).into_iter().flatten().cloned())
            .collect();
        (acked, ambiguous)
    };
    let check = |kind: &'static str, found: Vec<String>| {
        let (acked, ambiguous) = members(kind);
        let set: HashSet<String> = found.iter().cloned().collect();
        assert_eq!(set.len(), found.len(), "{kind}: an element appears twice");
        for a in &acked {
            assert!(set.contains(a), "{kind}: acknowledged {a} is missing");
        }
        for f in &set {
            assert!(
                acked.contains(f) || ambiguous.contains(f),
                "{kind}: {f} was never written"
            );
        }
        println!(
            "{kind}: {} acknowledged, {} ambiguous, {} in Redis",
            acked.len(),
            ambiguous.len(),
            found.len()
        );
    };
    let strings = |v: Vec<Bytes>| -> Vec<String> {
        v.into_iter()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect()
    };
    check(
        "set",
        strings(direct.smembers("kill:set").await.expect("SMEMBERS")),
    );
    check(
        "list",
        strings(direct.lrange("kill:list", 0, -1).await.expect("LRANGE")),
    );
    let fields = direct
        .execute(Command::HKeys {
            key: "kill:hash".into(),
        })
        .await
        .and_then(Reply::into_string_vec)
        .expect("HKEYS");
    check("hash", fields);
    let zmembers = direct
        .execute(Command::ZRange {
            key: "kill:zq".into(),
            by: ZRangeBy::Rank { start: 0, stop: -1 },
            options: ZRangeOptions::default(),
        })
        .await
        .and_then(Reply::into_string_vec)
        .expect("ZRANGE");
    check("zset", zmembers);
    let mut ttl_checked = 0;
    for log in &logs {
        for (key, deadline) in &log.ttl_deadlines {
            // Read the clock *before* asking: Redis computes the PTTL later, so `before +
            // pttl` can only under-estimate its deadline, however slow the round trip is on
            // a loaded machine.
            let before = now_ms();
            let pttl = direct.pttl(key).await.expect("PTTL");
            assert!(
                pttl > 0,
                "{key}: acknowledged SET EX is missing (pttl {pttl})"
            );
            assert!(
                before + pttl <= deadline + 50,
                "{key}: TTL extended beyond the acknowledged deadline"
            );
            ttl_checked += 1;
        }
    }
    let errors: usize = logs.iter().map(|l| l.errors).sum();
    let stats = store.stats();
    println!(
        "kill under load: {CYCLES} kill/restart cycles ({degraded_cycles} degraded) in {:?}; counter {counter} \
         (acked {incr_acked}, ambiguous {incr_ambiguous}); {ttl_checked} TTL keys checked; \
         {errors} outage errors returned; served locally {}, journaled {}, replayed {} (+ {} skipped by the watermark: applied by a transaction whose reply was lost), breaker trips {}",
        started.elapsed(),
        stats.served_locally,
        stats.journaled,
        stats.replayed,
        stats.replay_skipped,
        stats.breaker_trips
    );
    assert!(stats.replayed > 0, "nothing was replayed");
    assert_eq!(stats.journaled, stats.replayed + stats.replay_skipped);
    store.close().await.expect("close");
}
