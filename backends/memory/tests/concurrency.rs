//! The sharded engine under concurrent callers: multi-key commands and batches that span
//! shards stay atomic and linearizable, `SCAN` returns every key that exists throughout while
//! others come and go, and `DBSIZE` counts right while keys move between shards.
//!
//! Each test runs writers and observers as tasks on a multi-threaded runtime, so they really
//! run at the same time, and checks an invariant every observation must see. The counts are
//! fixed (no timing), so a slow machine only makes them take longer.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use staunch_core::{Bytes, Command, ListEnd, Reply, ScanOptions, SetOptions};
use staunch_memory::Engine;

/// More keys than shards, so that they spread over (nearly) all of them.
const ACCOUNTS: usize = 200;
const START_BALANCE: i64 = 1_000;

fn account(i: usize) -> String {
    format!("account:{i}")
}

fn set(key: &str, value: &str) -> Command {
    Command::Set {
        key: key.to_owned().into(),
        value: Bytes::copy_from_slice(value.as_bytes()),
        options: SetOptions::default(),
    }
}

fn int(reply: &Reply) -> i64 {
    match reply {
        Reply::Int(n) => *n,
        Reply::Bulk(b) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not a number: {reply:?}")),
        other => panic!("not a number: {other:?}"),
    }
}

/// A small deterministic generator, so the tests need no seed handling.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Transfers between accounts in different shards, each an atomic batch of a `DECRBY` and an
/// `INCRBY`; meanwhile `MGET` of every account (one command over many shards) and read-only
/// batches must always see the same total, and never a half-done transfer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batches_and_multi_key_reads_across_shards_are_atomic() {
    let engine = Engine::default();
    for i in 0..ACCOUNTS {
        engine
            .execute(set(&account(i), &START_BALANCE.to_string()))
            .await
            .unwrap();
    }
    let total = START_BALANCE * ACCOUNTS as i64;
    let done = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for seed in 0..4u64 {
        let engine = engine.clone();
        writers.push(tokio::spawn(async move {
            let mut rng = Lcg(seed + 1);
            for _ in 0..3_000 {
                let from = account(rng.below(ACCOUNTS));
                let to = account(rng.below(ACCOUNTS));
                let amount = rng.below(50) as i64 + 1;
                let replies = engine
                    .batch(vec![
                        Command::DecrBy {
                            key: from.into(),
                            delta: amount,
                        },
                        Command::IncrBy {
                            key: to.into(),
                            delta: amount,
                        },
                    ])
                    .await
                    .unwrap();
                assert!(replies.iter().all(Result::is_ok), "{replies:?}");
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut observers = Vec::new();
    for by_batch in [false, true] {
        let engine = engine.clone();
        let done = done.clone();
        observers.push(tokio::spawn(async move {
            let keys: Vec<staunch_core::Name> = (0..ACCOUNTS).map(|i| account(i).into()).collect();
            let mut seen = 0u32;
            while !done.load(Ordering::Acquire) || seen < 10 {
                let sum: i64 = if by_batch {
                    let reads = keys
                        .iter()
                        .map(|k| Command::Get { key: k.clone() })
                        .collect();
                    engine
                        .batch(reads)
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| int(r.as_ref().unwrap()))
                        .sum()
                } else {
                    match engine.execute(Command::MGet { keys: keys.clone() }).await {
                        Ok(Reply::Array(values)) => values.iter().map(int).sum(),
                        other => panic!("MGET: {other:?}"),
                    }
                };
                assert_eq!(sum, total, "an observer saw a half-done transfer");
                seen += 1;
                tokio::task::yield_now().await;
            }
            seen
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::Release);
    for observer in observers {
        assert!(observer.await.unwrap() >= 10);
    }
}

/// One value is renamed back and forth between two keys in different shards (and a list
/// element moved between two lists with `LMOVE`); `EXISTS` of both keys and `LLEN`s read in one
/// batch must always find exactly one, never zero or two.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rename_and_lmove_between_shards_are_never_seen_half_done() {
    let engine = Engine::default();
    // Pick pairs of keys whose shards differ: with 64 shards, two names rarely share one, and
    // the test uses several pairs so that at least some certainly differ.
    let pairs: Vec<(String, String)> = (0..8)
        .map(|i| (format!("left:{i}"), format!("right:{i}")))
        .collect();
    for (left, _) in &pairs {
        engine.execute(set(left, "v")).await.unwrap();
        engine
            .execute(Command::RPush {
                key: format!("list:{left}").into(),
                values: vec![Bytes::from_static(b"x")],
            })
            .await
            .unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let mut movers = Vec::new();
    for (left, right) in pairs.clone() {
        let engine = engine.clone();
        movers.push(tokio::spawn(async move {
            let (list_left, list_right) = (format!("list:{left}"), format!("list:{right}"));
            for round in 0..1_000 {
                let (from, to) = if round % 2 == 0 {
                    (&left, &right)
                } else {
                    (&right, &left)
                };
                engine
                    .execute(Command::Rename {
                        key: from.clone().into(),
                        new_key: to.clone().into(),
                    })
                    .await
                    .unwrap();
                let (from, to) = if round % 2 == 0 {
                    (&list_left, &list_right)
                } else {
                    (&list_right, &list_left)
                };
                engine
                    .execute(Command::LMove {
                        source: from.clone().into(),
                        destination: to.clone().into(),
                        from: ListEnd::Left,
                        to: ListEnd::Right,
                    })
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
            }
        }));
    }
    let observer = {
        let engine = engine.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut checks = 0u32;
            while !done.load(Ordering::Acquire) || checks < 10 {
                for (left, right) in &pairs {
                    let exists = engine
                        .execute(Command::Exists {
                            keys: vec![left.clone().into(), right.clone().into()],
                        })
                        .await
                        .unwrap();
                    assert_eq!(exists, Reply::Int(1), "{left}/{right} seen mid-rename");
                    let lens = engine
                        .batch(vec![
                            Command::LLen {
                                key: format!("list:{left}").into(),
                            },
                            Command::LLen {
                                key: format!("list:{right}").into(),
                            },
                        ])
                        .await
                        .unwrap();
                    let total: i64 = lens.iter().map(|r| int(r.as_ref().unwrap())).sum();
                    assert_eq!(total, 1, "list:{left}/list:{right} seen mid-LMOVE");
                }
                checks += 1;
                tokio::task::yield_now().await;
            }
            checks
        })
    };
    for mover in movers {
        mover.await.unwrap();
    }
    done.store(true, Ordering::Release);
    assert!(observer.await.unwrap() >= 10);
}

/// Full `SCAN` iterations while other keys are created and deleted in every shard: each
/// iteration returns every key that existed throughout it, and `DBSIZE` (one command over
/// every shard) never counts a key that is only moving.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scan_and_dbsize_stay_right_under_concurrent_writes() {
    let engine = Engine::default();
    const STABLE: usize = 2_000;
    for i in 0..STABLE {
        engine
            .execute(set(&format!("stable:{i}"), "v"))
            .await
            .unwrap();
    }
    // Keys that move between names (and so between shards) but always number MOVING.
    const MOVING: usize = 50;
    for i in 0..MOVING {
        engine
            .execute(set(&format!("moving:{i}:0"), "v"))
            .await
            .unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let churn = {
        let engine = engine.clone();
        tokio::spawn(async move {
            for round in 0..2_000usize {
                let key = format!("churn:{round}");
                engine.execute(set(&key, "v")).await.unwrap();
                if round % 3 != 0 {
                    engine
                        .execute(Command::Del {
                            keys: vec![key.into()],
                        })
                        .await
                        .unwrap();
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let movers = {
        let engine = engine.clone();
        tokio::spawn(async move {
            for round in 0..2_000usize {
                let i = round % MOVING;
                let step = round / MOVING;
                engine
                    .execute(Command::Rename {
                        key: format!("moving:{i}:{step}").into(),
                        new_key: format!("moving:{i}:{}", step + 1).into(),
                    })
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let counter = {
        let engine = engine.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut checks = 0u32;
            while !done.load(Ordering::Acquire) || checks < 10 {
                // The moving keys, counted by one EXISTS over every name they can have: a
                // RENAME locks both of its names' shards, so one is always exactly there.
                let names: Vec<staunch_core::Name> = (0..MOVING)
                    .flat_map(|i| {
                        (0..=2_000 / MOVING + 1).map(move |s| format!("moving:{i}:{s}").into())
                    })
                    .collect();
                let exists = engine
                    .execute(Command::Exists { keys: names })
                    .await
                    .unwrap();
                assert_eq!(
                    exists,
                    Reply::Int(MOVING as i64),
                    "a moving key was seen twice or not at all"
                );
                checks += 1;
                tokio::task::yield_now().await;
            }
            checks
        })
    };
    let mut iterations = 0;
    while !churn.is_finished() || iterations < 3 {
        let mut seen = HashSet::new();
        let mut cursor = 0u64;
        loop {
            let reply = engine
                .execute(Command::Scan {
                    cursor,
                    options: ScanOptions::default().count(7),
                })
                .await
                .unwrap();
            let Reply::Array(parts) = reply else {
                panic!("SCAN reply: {reply:?}")
            };
            cursor = match &parts[0] {
                Reply::Bulk(b) => std::str::from_utf8(b).unwrap().parse().unwrap(),
                other => panic!("SCAN cursor: {other:?}"),
            };
            let Reply::Array(keys) = &parts[1] else {
                panic!("SCAN keys: {parts:?}")
            };
            for key in keys {
                if let Reply::Bulk(b) = key {
                    seen.insert(String::from_utf8(b.to_vec()).unwrap());
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..STABLE {
            assert!(
                seen.contains(&format!("stable:{i}")),
                "SCAN missed stable:{i}"
            );
        }
        iterations += 1;
    }
    churn.await.unwrap();
    movers.await.unwrap();
    done.store(true, Ordering::Release);
    assert!(counter.await.unwrap() >= 10);
    // Once the writers stop, DBSIZE is exact: the stable keys, the moving keys and the churn
    // keys that were kept (every third one).
    let kept = (0..2_000).filter(|r| r % 3 == 0).count();
    let dbsize = engine.execute(Command::DbSize).await.unwrap();
    assert_eq!(dbsize, Reply::Int((STABLE + MOVING + kept) as i64));
}

/// `DBSIZE` while keys are renamed between shards: the count is always the same, because
/// `DBSIZE` locks every shard and a `RENAME` both of its keys' shards.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dbsize_is_exact_while_keys_move_between_shards() {
    let engine = Engine::default();
    const KEYS: usize = 100;
    for i in 0..KEYS {
        engine.execute(set(&format!("k:{i}:0"), "v")).await.unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let mut movers = Vec::new();
    for half in 0..2usize {
        let engine = engine.clone();
        movers.push(tokio::spawn(async move {
            for step in 0..40usize {
                for i in (half..KEYS).step_by(2) {
                    engine
                        .execute(Command::Rename {
                            key: format!("k:{i}:{step}").into(),
                            new_key: format!("k:{i}:{}", step + 1).into(),
                        })
                        .await
                        .unwrap();
                }
                tokio::task::yield_now().await;
            }
        }));
    }
    let counter = {
        let engine = engine.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut checks = 0u32;
            while !done.load(Ordering::Acquire) || checks < 10 {
                let size = engine.execute(Command::DbSize).await.unwrap();
                assert_eq!(size, Reply::Int(KEYS as i64));
                checks += 1;
                tokio::task::yield_now().await;
            }
            checks
        })
    };
    for mover in movers {
        mover.await.unwrap();
    }
    done.store(true, Ordering::Release);
    assert!(counter.await.unwrap() >= 10);
}

/// Blocking pops over several keys in different shards, served by pushes from other tasks:
/// every pushed element is popped exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn blocking_pops_across_shards_take_each_element_once() {
    let engine = Engine::default();
    let lists: Vec<staunch_core::Name> = (0..6).map(|i| format!("queue:{i}").into()).collect();
    const PER_PUSHER: usize = 300;
    const PUSHERS: usize = 2;
    let mut poppers = Vec::new();
    for _ in 0..3 {
        let engine = engine.clone();
        let lists = lists.clone();
        poppers.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let reply = engine
                    .execute(Command::BLPop {
                        keys: lists.clone(),
                        timeout: std::time::Duration::from_millis(500),
                    })
                    .await
                    .unwrap();
                match reply {
                    Reply::Nil => return got,
                    Reply::Array(parts) => match &parts[1] {
                        Reply::Bulk(b) => got.push(String::from_utf8(b.to_vec()).unwrap()),
                        other => panic!("BLPOP value: {other:?}"),
                    },
                    other => panic!("BLPOP: {other:?}"),
                }
            }
        }));
    }
    let mut pushers = Vec::new();
    for p in 0..PUSHERS {
        let engine = engine.clone();
        let lists = lists.clone();
        pushers.push(tokio::spawn(async move {
            for i in 0..PER_PUSHER {
                engine
                    .execute(Command::RPush {
                        key: lists[(i + p) % lists.len()].clone(),
                        values: vec![Bytes::from(format!("{p}:{i}"))],
                    })
                    .await
                    .unwrap();
                if i % 16 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        }));
    }
    for pusher in pushers {
        pusher.await.unwrap();
    }
    let mut all = Vec::new();
    for popper in poppers {
        all.extend(popper.await.unwrap());
    }
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), PUSHERS * PER_PUSHER, "every element popped");
    assert_eq!(distinct.len(), all.len(), "no element popped twice");
}
