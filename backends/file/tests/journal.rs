//! Journaling: the log doubling as a `Failover`'s replay journal (see the crate's `journal`
//! module). Every test reopens a real directory: the journal must survive a restart.

use staunch_core::prelude::*;
use staunch_core::{Command, ErrorKind, Store};
use staunch_file::{FileStore, JournaledWrite};

async fn open(dir: &std::path::Path) -> FileStore {
    FileStore::open(dir).await.expect("open")
}

fn effects(journal: &[JournaledWrite]) -> Vec<Command> {
    journal.iter().flat_map(|w| w.effects.clone()).collect()
}

/// Writes made while journaling are queued in replayable form (pops as removals of what they
/// took, no-op conditional writes not at all); writes before it are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journaled_writes_are_queued_in_replayable_form() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    store.rpush_multiple("q", ["a", "b"]).await.expect("rpush");
    store.set("taken", "x").await.expect("set");
    assert_eq!(store.journaled_len(), 0);

    store.start_journaling().expect("start");
    assert!(store.is_journaling());
    store.incrby("n", 5).await.expect("incr");
    assert_eq!(
        store.lpop("q").await.expect("lpop"),
        Some(Bytes::from_static(b"a"))
    );
    assert!(
        !store
            .setnx("taken", "y")
            .await
            .expect("set nx that does nothing")
    );
    let journal = store.journaled(usize::MAX).expect("read back");
    assert_eq!(journal.len(), 2, "{journal:?}");
    assert!(journal[0].seq < journal[1].seq);
    assert_eq!(
        effects(&journal),
        vec![
            Command::IncrBy {
                key: "n".into(),
                delta: 5
            },
            Command::LRem {
                key: "q".into(),
                count: 1,
                value: Bytes::from_static(b"a")
            },
        ]
    );
    assert!(store.journaled_oldest_ms().is_some());
    store.close().await.expect("close");
}

/// A crash (here: a close without ending the journal) leaves the queue in the log: the next
/// open offers the same entries, with the same sequence numbers, and the data replays too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_survives_a_reopen_until_the_journal_ends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    store.start_journaling().expect("start");
    for i in 0..10 {
        store.incrby("n", i).await.expect("incr");
    }
    store
        .batch(
            vec![
                Command::SAdd {
                    key: "s".into(),
                    members: vec![Bytes::from_static(b"m")],
                },
                Command::IncrBy {
                    key: "n".into(),
                    delta: 100,
                },
            ],
            true,
        )
        .await
        .expect("batch");
    let before = store.journaled(usize::MAX).expect("read back");
    assert_eq!(before.len(), 11, "a batch is one entry");
    assert_eq!(before[10].effects.len(), 2);
    store.close().await.expect("close");

    let store = open(dir.path()).await;
    assert_eq!(store.journaled(usize::MAX).expect("read back"), before);
    assert!(
        !store.is_journaling(),
        "journaling itself is not remembered"
    );
    assert_eq!(store.get("n").await.expect("get"), Some(Bytes::from("145")));

    // Forgetting is memory-only: a restart before the end offers the entries again.
    assert_eq!(store.forget_journaled_through(before[4].seq), 5);
    assert_eq!(store.journaled_len(), 6);
    store.close().await.expect("close");
    let store = open(dir.path()).await;
    assert_eq!(store.journaled_len(), 11);

    store.stop_journaling().await.expect("stop");
    assert_eq!(store.journaled_len(), 0);
    store.incr("n").await.expect("a plain write");
    store.close().await.expect("close");
    let store = open(dir.path()).await;
    assert_eq!(store.journaled_len(), 0, "the journal end is in the log");
    assert_eq!(store.get("n").await.expect("get"), Some(Bytes::from("146")));
    store.close().await.expect("close");
}

/// Compaction would fold journaled records into the snapshot: it waits while a journal is
/// open or entries wait, and runs again once the journal ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_goes_on_and_keeps_the_journal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let logs = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .expect("list")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".log"))
            .count()
    };
    let store = open(dir.path()).await;
    store.set("before", "x").await.expect("set");
    store.start_journaling().expect("start");
    store.sadd_multiple("s", ["a", "b"]).await.expect("sadd");
    let report = store.compact().await.expect("compact");
    assert!(!report.deferred_for_journal, "compaction no longer waits");
    assert_eq!(report.keys, 2);
    // Journaled writes after the compaction land in the new log.
    store.incrby("n", 3).await.expect("incr");
    let report = store.compact().await.expect("compact again");
    assert_eq!(report.keys, 3);
    assert_eq!(store.journaled_len(), 2);
    assert!(
        logs(dir.path()) >= 2,
        "the log holding journaled records is kept"
    );
    let journal = store.journaled(10).expect("read back across generations");
    assert_eq!(journal.len(), 2);
    store.close().await.expect("close");

    // Reopened: the kept log is scanned for its journal records, not applied again.
    let store = open(dir.path()).await;
    assert_eq!(store.journaled_len(), 2);
    assert_eq!(store.scard("s").await.expect("scard"), 2);
    assert_eq!(
        store.get("n").await.expect("get"),
        Some(Bytes::from_static(b"3"))
    );
    let journal = store.journaled(10).expect("read back");
    assert_eq!(effects(&journal).len(), 2);
    // Replay the first record only: its log stays needed until the journal ends.
    store.forget_journaled_through(journal[0].seq);
    assert_eq!(store.journaled_len(), 1);
    store.stop_journaling().await.expect("stop");
    let report = store.compact().await.expect("compact");
    assert_eq!(report.keys, 3);
    assert_eq!(
        logs(dir.path()),
        1,
        "nothing waits: the kept logs are deleted"
    );
    store.close().await.expect("close");
    let store = open(dir.path()).await;
    assert_eq!(store.journaled_len(), 0);
    assert_eq!(store.scard("s").await.expect("scard"), 2);
    assert_eq!(
        store.get("before").await.expect("get"),
        Some(Bytes::from_static(b"x"))
    );
    store.close().await.expect("close");
}

/// Blocking pops and sorted-set pops are journaled as removals of exactly what they took.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_and_zset_pops_journal_what_they_took() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    store.rpush_multiple("l", ["x", "y"]).await.expect("rpush");
    store.zadd("z", 1.0, "low").await.expect("zadd");
    store.zadd("z", 2.0, "high").await.expect("zadd");
    store.start_journaling().expect("start");
    store
        .execute(Command::BRPop {
            keys: vec!["l".into()],
            timeout: std::time::Duration::from_millis(10),
        })
        .await
        .expect("brpop");
    store
        .execute(Command::ZPopMin {
            key: "z".into(),
            count: None,
        })
        .await
        .expect("zpopmin");
    // Nothing to pop: nothing journaled.
    store
        .execute(Command::BLPop {
            keys: vec!["empty".into()],
            timeout: std::time::Duration::from_millis(10),
        })
        .await
        .expect("blpop times out");
    assert_eq!(
        effects(&store.journaled(usize::MAX).expect("read back")),
        vec![
            Command::LRem {
                key: "l".into(),
                count: -1,
                value: Bytes::from_static(b"y")
            },
            Command::ZRem {
                key: "z".into(),
                members: vec![Bytes::from_static(b"low")]
            },
        ]
    );
    store.close().await.expect("close");
}

/// Only the positions of journaled writes stay in memory; the writes are read back from the
/// log. A record damaged on disk after it was written is an error naming it, never a
/// silently shorter journal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_damaged_after_writing_is_reported_not_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    store.start_journaling().expect("start");
    store.incrby("n", 7).await.expect("incr");
    store.incrby("n", 8).await.expect("incr");
    assert_eq!(store.journaled(usize::MAX).expect("read back").len(), 2);

    let log = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").path())
        .find(|p| p.to_string_lossy().contains("data.log."))
        .expect("a log file");
    let mut bytes = std::fs::read(&log).expect("read");
    // The log of an open store is sized ahead: its last record ends at its last non-zero byte.
    let last = bytes.iter().rposition(|&b| b != 0).expect("records");
    bytes[last] ^= 0x40;
    std::fs::write(&log, &bytes).expect("damage the last record");

    let err = store.journaled(usize::MAX).expect_err("damage is reported");
    assert_eq!(err.kind(), ErrorKind::Corrupt, "{err}");
    assert!(err.message().contains("journaled record"), "{err}");
    // The first record is intact and still readable on its own.
    assert_eq!(store.journaled(1).expect("first record").len(), 1);
}

/// The queue costs memory per run of adjacent records, not per write: many journaled writes
/// are one run, replayed in groups (a run dropped in part is walked in the file), across a
/// reopen, with the oldest write's time known after each partial drop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_is_bounded_and_drains_in_groups() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(dir.path()).await;
    store.start_journaling().expect("journal");
    const N: i64 = 5_000;
    for i in 0..N {
        store.incrby("n", 1).await.expect("incr");
        if i % 1000 == 0 {
            store.set(&format!("k{i}"), "v").await.expect("set");
        }
    }
    let total = store.journaled_len();
    assert_eq!(total as i64, N + N / 1000);
    assert_eq!(store.journaled_runs(), 1, "adjacent records are one run");
    let oldest = store.journaled_oldest_ms().expect("an oldest write");
    let mut seen = 0usize;
    let mut last_seq = 0;
    for round in 0.. {
        let group = store.journaled(64).expect("read back");
        if group.is_empty() {
            break;
        }
        for w in &group {
            assert!(w.seq > last_seq, "in order");
            last_seq = w.seq;
        }
        seen += group.len();
        assert_eq!(store.forget_journaled_through(last_seq), group.len());
        if let Some(at) = store.journaled_oldest_ms() {
            assert!(at >= oldest);
        }
        if round == 10 {
            // Reopen halfway: the queue is rebuilt from the log, what was dropped stays
            // dropped only if the journal ended, so everything not yet forgotten comes back.
            store.close().await.expect("close");
            let again = open(dir.path()).await;
            assert_eq!(
                again.journaled_len(),
                total,
                "a reopen offers the whole journal"
            );
            assert_eq!(again.journaled_runs(), 1);
            again.forget_journaled_through(last_seq);
            assert_eq!(again.journaled_len(), total - seen);
            again.close().await.expect("close");
            return drain(dir.path(), total - seen).await;
        }
    }
    unreachable!("the reopen happens at round 10");
}

/// Reopens, drops the first `total - expected` records again (a reopen offers the whole
/// journal), then drains the rest in groups and ends the journal.
async fn drain(dir: &std::path::Path, expected: usize) {
    let store = open(dir).await;
    let skip = store.journaled_len() - expected;
    if skip > 0 {
        let first = store.journaled(skip).expect("read");
        assert_eq!(store.forget_journaled_through(first[skip - 1].seq), skip);
    }
    assert_eq!(store.journaled_len(), expected);
    loop {
        let group = store.journaled(100).expect("read back");
        let Some(last) = group.last() else { break };
        let left = store.journaled_len();
        assert_eq!(store.forget_journaled_through(last.seq), group.len());
        assert_eq!(store.journaled_len(), left - group.len());
    }
    assert_eq!(store.journaled_len(), 0);
    store.stop_journaling().await.expect("end the journal");
    store.close().await.expect("close");
}
