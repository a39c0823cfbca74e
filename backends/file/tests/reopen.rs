//! Closing and reopening: data, absolute TTLs, compaction, the directory lock and format
//! versions.

use std::sync::Arc;
use std::time::Duration;

use staunch_core::prelude::*;
use staunch_core::{ManualClock, Store};
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

async fn open(dir: &std::path::Path) -> FileStore {
    FileStore::open(dir).await.expect("open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_and_reopen_keeps_every_type() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    store.set("s", "v").await.expect("set");
    store.incrby("n", 41).await.expect("incr");
    store.incr("n").await.expect("incr");
    store
        .rpush_multiple("l", ["a", "b", "c"])
        .await
        .expect("rpush");
    store.lpop("l").await.expect("lpop");
    store
        .execute(Command::HSet {
            key: "h".into(),
            fields: vec![("f".into(), Bytes::from_static(b"1"))],
        })
        .await
        .expect("hset");
    store
        .execute(Command::SAdd {
            key: "set".into(),
            members: vec![Bytes::from_static(b"x"), Bytes::from_static(b"y")],
        })
        .await
        .expect("sadd");
    store
        .execute(Command::ZAdd {
            key: "z".into(),
            members: vec![
                (2.5, Bytes::from_static(b"m")),
                (-1.0, Bytes::from_static(b"k")),
            ],
            options: ZAddOptions::default(),
        })
        .await
        .expect("zadd");
    store.close().await.expect("close");
    assert!(
        store.get("s").await.is_err(),
        "a closed store refuses calls"
    );

    let store = open(dir.path()).await;
    assert_eq!(store.open_report().records_replayed, 8);
    check_contents(&store).await;
    // Compact, then reopen from the snapshot alone and from snapshot + log.
    let compacted = store.compact().await.expect("compact");
    assert_eq!(compacted.keys, 6);
    store.close().await.expect("close");
    let store = open(dir.path()).await;
    assert_eq!(store.open_report().snapshot_keys, 6);
    assert_eq!(store.open_report().records_replayed, 0);
    check_contents(&store).await;
    store.set("after", "snapshot").await.expect("set");
    drop(store);
    // Dropping the last handle flushes and unlocks as close does.
    let store = open(dir.path()).await;
    assert_eq!(store.open_report().records_replayed, 1);
    check_contents(&store).await;
    assert_eq!(
        store.get_string("after").await.expect("get").as_deref(),
        Some("snapshot")
    );
    store.close().await.expect("close");
}

async fn check_contents(store: &FileStore) {
    assert_eq!(
        store.get_string("s").await.expect("get").as_deref(),
        Some("v")
    );
    assert_eq!(
        store.get_string("n").await.expect("get").as_deref(),
        Some("42")
    );
    assert_eq!(
        store.lrange("l", 0, -1).await.expect("lrange"),
        vec![Bytes::from_static(b"b"), Bytes::from_static(b"c")]
    );
    let reply = store
        .execute(Command::HGet {
            key: "h".into(),
            field: "f".into(),
        })
        .await
        .expect("hget");
    assert_eq!(reply, Reply::Bulk(Bytes::from_static(b"1")));
    let reply = store
        .execute(Command::SCard { key: "set".into() })
        .await
        .expect("scard");
    assert_eq!(reply, Reply::Int(2));
    let reply = store
        .execute(Command::ZScore {
            key: "z".into(),
            member: Bytes::from_static(b"m"),
        })
        .await
        .expect("zscore");
    assert_eq!(reply, Reply::Double(2.5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ttls_are_absolute_across_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = ManualClock::new(1_000_000);
    let options = FileOptions::new().clock(Arc::new(clock.clone()));
    let store = FileStore::open_with(dir.path(), options.clone())
        .await
        .expect("open");
    store
        .setex("short", "x", Duration::from_secs(1))
        .await
        .expect("set");
    store
        .setex("long", "y", Duration::from_secs(100))
        .await
        .expect("set");
    store.set("forever", "z").await.expect("set");
    store.pexpire("forever", 50_000).await.expect("pexpire");
    store.persist("forever").await.expect("persist");
    store.close().await.expect("close");

    // Five seconds pass while the store is closed.
    clock.set(1_005_000);
    let store = FileStore::open_with(dir.path(), options.clone())
        .await
        .expect("reopen");
    assert_eq!(
        store.get("short").await.expect("get"),
        None,
        "expired while closed"
    );
    assert_eq!(store.pttl("long").await.expect("pttl"), 95_000);
    assert_eq!(store.pttl("forever").await.expect("pttl"), -1);
    // A snapshot keeps absolute deadlines too.
    store.compact().await.expect("compact");
    store.close().await.expect("close");
    clock.set(1_101_000);
    let store = FileStore::open_with(dir.path(), options)
        .await
        .expect("reopen");
    assert_eq!(store.get("long").await.expect("get"), None);
    assert_eq!(store.dbsize().await.expect("dbsize"), 1);
    store.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_open_in_this_process_is_locked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    let err = FileStore::open(dir.path()).await.expect_err("second open");
    assert_eq!(err.kind(), ErrorKind::Locked);
    assert!(
        err.message()
            .contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
    store.close().await.expect("close");
    let store = open(dir.path()).await;
    store.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_compaction_keeps_the_log_small() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = FileOptions::new()
        .fsync(FsyncPolicy::No)
        .compact_min_bytes(16 << 10)
        .compact_ratio(2.0);
    let store = FileStore::open_with(dir.path(), options.clone())
        .await
        .expect("open");
    for i in 0..5_000u64 {
        store
            .set(&format!("k{}", i % 50), i.to_string())
            .await
            .expect("set");
    }
    // Compaction runs in the background; give it a moment. It rotates the log before it
    // writes the snapshot, so wait for both.
    let snapshot = dir.path().join("data.snapshot");
    let mut waited = 0;
    while (store.log_bytes() > 64 << 10 || !snapshot.exists()) && waited < 1500 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += 1;
    }
    assert!(
        store.log_bytes() <= 64 << 10,
        "log still {} bytes",
        store.log_bytes()
    );
    assert!(snapshot.exists(), "no snapshot after compaction");
    store.close().await.expect("close");
    let logs = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("data.log."))
        .count();
    assert_eq!(logs, 1, "old log generations are removed");
    let store = FileStore::open_with(dir.path(), options)
        .await
        .expect("reopen");
    assert_eq!(store.dbsize().await.expect("dbsize"), 50);
    for k in 0..50u64 {
        let expected = 4_950 + k;
        assert_eq!(
            store.get_string(&format!("k{k}")).await.expect("get"),
            Some(expected.to_string())
        );
    }
    store.close().await.expect("close");
}

/// Rewrites the version field of a file header (bytes 8..12) and its checksum.
fn set_version(path: &std::path::Path, version: u32) {
    let mut bytes = std::fs::read(path).expect("read");
    bytes[8..12].copy_from_slice(&version.to_le_bytes());
    let crc = crc32(&bytes[..28]);
    bytes[28..32].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(path, bytes).expect("write");
}

/// CRC-32 (IEEE), as the format uses; written out here so the test does not trust the code
/// under test for it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_format_version_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    store.set("k", "v").await.expect("set");
    store.compact().await.expect("compact");
    store.set("k2", "v").await.expect("set");
    store.close().await.expect("close");

    for file in ["data.log.2", "data.snapshot"] {
        let path = dir.path().join(file);
        let original = std::fs::read(&path).expect("read");
        // One past the version this build writes (3).
        set_version(&path, 4);
        for repair in [false, true] {
            let err = FileStore::open_with(dir.path(), FileOptions::new().repair(repair))
                .await
                .expect_err("newer version");
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
            assert!(
                err.message().contains("version 4") && err.message().contains(file),
                "{err}"
            );
        }
        std::fs::write(&path, original).expect("restore");
    }
    let store = open(dir.path()).await;
    assert_eq!(store.dbsize().await.expect("dbsize"), 2);
    store.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn always_acknowledges_concurrent_writers_and_survives_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = FileOptions::new().fsync(FsyncPolicy::Always);
    let store = FileStore::open_with(dir.path(), options.clone())
        .await
        .expect("open");
    let mut tasks = Vec::new();
    for t in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..50 {
                store
                    .rpush_multiple(&format!("w{t}"), [format!("{i}")])
                    .await
                    .expect("rpush");
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
    // Group commit: concurrent writers share fsyncs.
    let stats = store.log_stats();
    assert_eq!(stats.records, 16 * 50);
    assert!(
        stats.fsyncs * 2 <= stats.records,
        "{} fsyncs for {} records: writers did not share fsyncs",
        stats.fsyncs,
        stats.records
    );
    let replies = store
        .batch(
            vec![
                Command::IncrBy {
                    key: "b".into(),
                    delta: 1,
                },
                Command::IncrBy {
                    key: "b".into(),
                    delta: 2,
                },
            ],
            true,
        )
        .await
        .expect("batch");
    assert_eq!(replies.len(), 2);
    store.close().await.expect("close");
    let store = FileStore::open_with(dir.path(), options)
        .await
        .expect("reopen");
    for t in 0..16 {
        assert_eq!(store.llen(&format!("w{t}")).await.expect("llen"), 50);
    }
    assert_eq!(
        store.get_string("b").await.expect("get").as_deref(),
        Some("3")
    );
    // A batch is logged as one record, so a crash can never keep half of it.
    assert_eq!(store.open_report().records_replayed, 16 * 50 + 1);
    assert_eq!(
        store.capabilities().persistence,
        staunch_core::Persistence::Local
    );
    store.close().await.expect("close");
}

/// Every policy works on a current-thread runtime too (the flusher and the waiting writer
/// share the one thread).
#[tokio::test]
async fn works_on_a_current_thread_runtime() {
    for policy in [FsyncPolicy::Always, FsyncPolicy::EverySec, FsyncPolicy::No] {
        let dir = tempfile::tempdir().expect("temp dir");
        let options = FileOptions::new().fsync(policy);
        let store = FileStore::open_with(dir.path(), options.clone())
            .await
            .expect("open");
        for i in 0..20 {
            store.incr("n").await.expect("incr");
            store
                .rpush_multiple("l", [format!("{i}")])
                .await
                .expect("rpush");
        }
        store.compact().await.expect("compact");
        store.incr("n").await.expect("incr");
        store.close().await.expect("close");
        let store = FileStore::open_with(dir.path(), options)
            .await
            .expect("reopen");
        assert_eq!(
            store.get_string("n").await.expect("get").as_deref(),
            Some("21")
        );
        assert_eq!(store.llen("l").await.expect("llen"), 20);
        store.close().await.expect("close");
    }
}

/// A log file of an older format version is read as it is and never appended to: records of
/// this build go to a new generation, and everything survives the next open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_log_is_continued_in_a_new_generation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    store.set("k", "v").await.expect("set");
    store.compact().await.expect("compact");
    store.close().await.expect("close");
    // data.log.2 holds only its header now: make it a version 1 file.
    let old = dir.path().join("data.log.2");
    set_version(&old, 1);
    let header = std::fs::read(&old).expect("read");

    let store = open(dir.path()).await;
    store.set("k2", "v2").await.expect("set");
    store.close().await.expect("close");
    assert_eq!(
        std::fs::read(&old).expect("read"),
        header,
        "the old file is untouched"
    );
    assert!(dir.path().join("data.log.3").exists(), "a new generation");

    let store = open(dir.path()).await;
    assert_eq!(
        store.get("k").await.expect("get"),
        Some(Bytes::from_static(b"v"))
    );
    assert_eq!(
        store.get("k2").await.expect("get"),
        Some(Bytes::from_static(b"v2"))
    );
    store.close().await.expect("close");
}

/// `INCRBYFLOAT`/`HINCRBYFLOAT` are logged as the operation with its `f64` increment, and
/// replaying one on the state it met gives the same `long double` sum and the same text, so
/// a reopen (from the log, and from a snapshot) gives back exactly the bytes that were
/// acknowledged, including results `f64` cannot produce.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn float_increments_replay_to_the_same_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    store.set("hex", "0x10").await.expect("set");
    store.set("big", "1e308").await.expect("set");
    let hincr = |delta: f64| Command::HIncrByFloat {
        key: "h".into(),
        field: "f".into(),
        delta,
    };
    let mut replied = Vec::new();
    for (key, delta) in [
        ("tenths", 0.1),
        ("tenths", 0.2),
        ("tenths", 0.1),
        ("hex", 1.0),
        ("big", 1e308),
        ("tiny", 1e-7),
        ("tiny", 0.30000000000000004),
    ] {
        let reply = store
            .execute(Command::IncrByFloat {
                key: key.into(),
                delta,
            })
            .await
            .expect("incrbyfloat");
        replied.push((key, reply));
    }
    for delta in [0.1, 0.2, -0.7] {
        store.execute(hincr(delta)).await.expect("hincrbyfloat");
    }
    let hash_field = store.execute(hincr(0.0)).await.expect("hincrbyfloat 0");
    assert_eq!(
        store.get("tenths").await.expect("get"),
        Some(Bytes::from_static(b"0.4")),
        "the sum Redis gives, not f64's"
    );
    let expected: Vec<(&str, Option<Bytes>)> = {
        let mut last = std::collections::BTreeMap::new();
        for (key, reply) in &replied {
            last.insert(*key, reply.clone().into_bytes().ok());
        }
        last.into_iter().collect()
    };
    store.close().await.expect("close");

    for round in ["log", "snapshot"] {
        let store = open(dir.path()).await;
        for (key, bytes) in &expected {
            assert_eq!(
                &store.get(key).await.expect("get"),
                bytes,
                "{key} after reopening from the {round}"
            );
        }
        assert_eq!(
            store.hget("h", "f").await.expect("hget"),
            hash_field.clone().into_bytes().ok(),
            "the hash field after reopening from the {round}"
        );
        if round == "log" {
            store.compact().await.expect("compact");
        }
        store.close().await.expect("close");
    }
}
