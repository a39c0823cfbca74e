//! Torn and damaged files: a torn tail is cut and reported, any other damage is detected
//! (`Corrupt`, or with repair the valid prefix and a report), and no bytes at all make the
//! store panic.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use staunch_core::prelude::*;
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

/// Copies the data files of `from` into a fresh temporary directory.
fn copy_dir(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(from).expect("list") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name != "LOCK" {
            std::fs::copy(entry.path(), to.path().join(&name)).expect("copy");
        }
    }
    to
}

fn options(repair: bool) -> FileOptions {
    FileOptions::new().fsync(FsyncPolicy::No).repair(repair)
}

/// The list `l`, which every history here builds as `RPUSH l 1`, `RPUSH l 2`, ...
async fn list(store: &FileStore) -> Vec<u64> {
    store
        .lrange("l", 0, -1)
        .await
        .expect("lrange")
        .iter()
        .map(|b| {
            std::str::from_utf8(b)
                .expect("utf-8")
                .parse()
                .expect("number")
        })
        .collect()
}

/// A store of `records` pushes in `dir`, one log generation; returns the log's path and the
/// offset each record starts at (plus the end).
///
/// The offsets are file lengths after a clean close, which cuts off the space a log is sized
/// ahead by (an open store's log is longer than its records).
async fn build_log(dir: &Path, records: u64) -> (PathBuf, Vec<u64>) {
    let log = dir.join("data.log.1");
    let store = FileStore::open_with(dir, options(false))
        .await
        .expect("open");
    store.close().await.expect("close");
    let mut bounds = vec![std::fs::metadata(&log).expect("stat").len()];
    for i in 1..=records {
        let store = FileStore::open_with(dir, options(false))
            .await
            .expect("open");
        store
            .rpush_multiple("l", [i.to_string()])
            .await
            .expect("rpush");
        store.close().await.expect("close");
        bounds.push(std::fs::metadata(&log).expect("stat").len());
    }
    (log, bounds)
}

fn prefix(k: u64) -> Vec<u64> {
    (1..=k).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncating_the_last_record_anywhere_keeps_exactly_the_ones_before() {
    let base = tempfile::tempdir().expect("temp dir");
    let (log, bounds) = build_log(base.path(), 6).await;
    let (last_start, end) = (bounds[5], bounds[6]);
    assert!(
        end - last_start > 12,
        "a record is longer than its frame header"
    );
    for cut in last_start..end {
        let dir = copy_dir(base.path());
        let path = dir.path().join(log.file_name().expect("name"));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open");
        file.set_len(cut).expect("truncate");
        drop(file);
        let store = FileStore::open_with(dir.path(), options(false))
            .await
            .unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert_eq!(list(&store).await, prefix(5), "cut at {cut}");
        let report = store.open_report().clone();
        assert_eq!(
            report.torn_bytes_truncated,
            cut - last_start,
            "cut at {cut}"
        );
        assert_eq!(report.records_replayed, 5);
        // The store goes on appending after the cut, and that reopens cleanly too.
        store.rpush_multiple("l", ["6"]).await.expect("rpush");
        store.close().await.expect("close");
        let store = FileStore::open_with(dir.path(), options(false))
            .await
            .expect("reopen");
        assert_eq!(list(&store).await, prefix(6));
        assert_eq!(store.open_report().torn_bytes_truncated, 0);
        store.close().await.expect("close");
    }
    // A zero-filled tail is free space (a log is sized ahead of its records), not a torn
    // record: nothing is reported, and the next record goes right after the last one.
    let dir = copy_dir(base.path());
    let path = dir.path().join("data.log.1");
    let mut bytes = std::fs::read(&path).expect("read");
    bytes.extend_from_slice(&[0u8; 100]);
    std::fs::write(&path, bytes).expect("write");
    let store = FileStore::open(dir.path()).await.expect("open");
    assert_eq!(list(&store).await, prefix(6));
    assert_eq!(store.open_report().torn_bytes_truncated, 0);
    store.rpush("l", "7").await.expect("rpush");
    store.close().await.expect("close");
    let store = FileStore::open(dir.path()).await.expect("reopen");
    assert_eq!(list(&store).await, prefix(7));
    store.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_single_bit_flip_in_the_log_is_detected() {
    let base = tempfile::tempdir().expect("temp dir");
    let (log, bounds) = build_log(base.path(), 4).await;
    let original = std::fs::read(&log).expect("read");
    let name = log.file_name().expect("name").to_owned();
    for bit in 0..original.len() * 8 {
        let byte = bit / 8;
        let dir = copy_dir(base.path());
        let path = dir.path().join(&name);
        let mut bytes = original.clone();
        bytes[byte] ^= 1 << (bit % 8);
        std::fs::write(&path, &bytes).expect("write");

        let err = FileStore::open_with(dir.path(), options(false))
            .await
            .expect_err("a flipped bit must not open silently");
        assert_eq!(err.kind(), ErrorKind::Corrupt, "bit {bit}: {err}");
        assert!(err.message().contains("data.log.1"), "bit {bit}: {err}");

        // Repair keeps exactly the records before the damaged one.
        let store = FileStore::open_with(dir.path(), options(true))
            .await
            .unwrap_or_else(|e| panic!("bit {bit}: repair failed: {e}"));
        let damaged = bounds.iter().rposition(|&b| b <= byte as u64).unwrap_or(0);
        // A flip in the file header (before the first record) loses every record.
        let kept = if (byte as u64) < bounds[0] {
            0
        } else {
            damaged as u64
        };
        assert_eq!(list(&store).await, prefix(kept), "bit {bit}");
        let report = store.open_report().clone();
        let from = if (byte as u64) < bounds[0] {
            0
        } else {
            bounds[damaged]
        };
        assert_eq!(
            report.repaired_bytes_dropped,
            original.len() as u64 - from,
            "bit {bit}"
        );
        assert_eq!(report.set_aside.len(), 1, "bit {bit}");
        store.close().await.expect("close");
        // Repair left a clean directory behind.
        let store = FileStore::open_with(dir.path(), options(false))
            .await
            .unwrap_or_else(|e| panic!("bit {bit}: reopen after repair: {e}"));
        assert_eq!(list(&store).await, prefix(kept), "bit {bit}");
        store.close().await.expect("close");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_single_bit_flip_in_the_snapshot_is_detected() {
    let base = tempfile::tempdir().expect("temp dir");
    let store = FileStore::open_with(base.path(), options(false))
        .await
        .expect("open");
    for i in 1..=3u64 {
        store
            .rpush_multiple("l", [i.to_string()])
            .await
            .expect("rpush");
    }
    store.set("s", "value").await.expect("set");
    store.compact().await.expect("compact");
    store.close().await.expect("close");
    let snapshot = std::fs::read(base.path().join("data.snapshot")).expect("read");
    for bit in 0..snapshot.len() * 8 {
        let dir = copy_dir(base.path());
        let mut bytes = snapshot.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        std::fs::write(dir.path().join("data.snapshot"), &bytes).expect("write");
        let err = FileStore::open_with(dir.path(), options(false))
            .await
            .expect_err("a flipped bit must not open silently");
        assert_eq!(err.kind(), ErrorKind::Corrupt, "bit {bit}: {err}");
        assert!(err.message().contains("data.snapshot"), "bit {bit}: {err}");
        // Repair keeps the entries before the damage; none of them is ever altered.
        if let Ok(store) = FileStore::open_with(dir.path(), options(true)).await {
            let l = list(&store).await;
            assert!(l.is_empty() || l == prefix(3), "bit {bit}: {l:?}");
            let s = store.get_string("s").await.expect("get");
            assert!(s.is_none() || s.as_deref() == Some("value"), "bit {bit}");
            assert!(store.open_report().repaired_bytes_dropped > 0, "bit {bit}");
            store.close().await.expect("close");
        }
    }
}

/// One corruption of one file.
#[derive(Debug, Clone)]
enum Damage {
    Flip { at: usize, mask: u8 },
    Truncate { at: usize },
    Append { bytes: Vec<u8> },
    Overwrite { at: usize, bytes: Vec<u8> },
    Remove,
}

fn damage() -> impl Strategy<Value = (bool, Damage)> {
    let d = prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Damage::Flip { at, mask }),
        any::<usize>().prop_map(|at| Damage::Truncate { at }),
        proptest::collection::vec(any::<u8>(), 1..64).prop_map(|bytes| Damage::Append { bytes }),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, bytes)| Damage::Overwrite { at, bytes }),
        Just(Damage::Remove),
    ];
    (any::<bool>(), d)
}

fn apply(path: &Path, damage: &Damage) {
    let Ok(mut bytes) = std::fs::read(path) else {
        return;
    };
    let len = bytes.len().max(1);
    match damage {
        Damage::Flip { at, mask } => {
            if let Some(b) = bytes.get_mut(at % len) {
                *b ^= mask;
            }
        }
        Damage::Truncate { at } => bytes.truncate(at % len),
        Damage::Append { bytes: extra } => bytes.extend_from_slice(extra),
        Damage::Overwrite { at, bytes: over } => {
            for (i, b) in over.iter().enumerate() {
                if let Some(slot) = bytes.get_mut((at % len) + i) {
                    *slot = *b;
                }
            }
        }
        Damage::Remove => {
            let _ = std::fs::remove_file(path);
            return;
        }
    }
    std::fs::write(path, bytes).expect("write");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Random damage to the snapshot and the log: opening never panics and gives either a
    /// store or a Corrupt/InvalidInput error; when only the log was touched, the store holds a
    /// prefix of the history.
    #[test]
    fn random_damage_never_panics(
        damages in proptest::collection::vec(damage(), 1..4),
        repair in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = FileStore::open_with(dir.path(), options(false)).await.expect("open");
            for i in 1..=4u64 {
                store.rpush_multiple("l", [i.to_string()]).await.expect("rpush");
            }
            store.compact().await.expect("compact");
            for i in 5..=8u64 {
                store.rpush_multiple("l", [i.to_string()]).await.expect("rpush");
            }
            store.close().await.expect("close");
            let mut snapshot_touched = false;
            for (in_snapshot, d) in &damages {
                let file = if *in_snapshot { "data.snapshot" } else { "data.log.2" };
                snapshot_touched |= *in_snapshot;
                apply(&dir.path().join(file), d);
            }
            match FileStore::open_with(dir.path(), options(repair)).await {
                Ok(store) => {
                    if !snapshot_touched {
                        let l = list(&store).await;
                        let k = l.len() as u64;
                        assert!(k >= 4, "the intact snapshot holds 4: {l:?}");
                        assert_eq!(l, prefix(k));
                    }
                    store.close().await.expect("close");
                }
                Err(e) => assert!(
                    matches!(e.kind(), ErrorKind::Corrupt | ErrorKind::InvalidInput),
                    "unexpected error kind: {e}"
                ),
            }
        });
    }
}

/// The directory a crash leaves between rotating the log and renaming the new snapshot into
/// place: no snapshot yet, the old log and the new generation. It must replay as one history;
/// a missing generation or a torn older one is damage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_during_compaction_and_broken_generation_chains() {
    let base = tempfile::tempdir().expect("temp dir");
    let store = FileStore::open_with(base.path(), options(false))
        .await
        .expect("open");
    for i in 1..=3u64 {
        store
            .rpush_multiple("l", [i.to_string()])
            .await
            .expect("rpush");
    }
    store.close().await.expect("close");
    let first_log = std::fs::read(base.path().join("data.log.1")).expect("read");
    let store = FileStore::open_with(base.path(), options(false))
        .await
        .expect("open");
    store.compact().await.expect("compact");
    for i in 4..=5u64 {
        store
            .rpush_multiple("l", [i.to_string()])
            .await
            .expect("rpush");
    }
    store.close().await.expect("close");
    let second_log = std::fs::read(base.path().join("data.log.2")).expect("read");

    let mid_compaction = || {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("data.log.1"), &first_log).expect("write");
        std::fs::write(dir.path().join("data.log.2"), &second_log).expect("write");
        // An unfinished snapshot is ignored.
        std::fs::write(dir.path().join("data.snapshot.tmp"), b"half a snapshot").expect("write");
        dir
    };

    let dir = mid_compaction();
    let store = FileStore::open_with(dir.path(), options(false))
        .await
        .expect("open");
    assert_eq!(list(&store).await, prefix(5));
    assert_eq!(store.open_report().log_files, 2);
    store.close().await.expect("close");

    // Generation 1 missing: the history before log 2 is gone.
    let dir = mid_compaction();
    std::fs::remove_file(dir.path().join("data.log.1")).expect("remove");
    let err = FileStore::open_with(dir.path(), options(false))
        .await
        .expect_err("missing generation");
    assert_eq!(err.kind(), ErrorKind::Corrupt, "{err}");
    let store = FileStore::open_with(dir.path(), options(true))
        .await
        .expect("repair");
    assert_eq!(list(&store).await, prefix(0));
    assert_eq!(
        store.open_report().repaired_bytes_dropped,
        second_log.len() as u64
    );
    store.close().await.expect("close");

    // A torn record in a log that is not the last: damage, repaired to the prefix.
    let dir = mid_compaction();
    let cut = first_log.len() - 3;
    std::fs::write(dir.path().join("data.log.1"), &first_log[..cut]).expect("write");
    let err = FileStore::open_with(dir.path(), options(false))
        .await
        .expect_err("torn older generation");
    assert_eq!(err.kind(), ErrorKind::Corrupt, "{err}");
    assert!(err.message().contains("data.log.1"), "{err}");
    let store = FileStore::open_with(dir.path(), options(true))
        .await
        .expect("repair");
    assert_eq!(list(&store).await, prefix(2));
    assert_eq!(store.open_report().set_aside.len(), 2);
    store.close().await.expect("close");
    let store = FileStore::open_with(dir.path(), options(false))
        .await
        .expect("clean after repair");
    assert_eq!(list(&store).await, prefix(2));
    store.close().await.expect("close");
}
