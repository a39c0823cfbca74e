//! The log sized ahead of its records: the zeros after the last record are free space, a write
//! that did not fully land (some of its sectors still read as zeros) is a torn tail, and a
//! crash that stops the last write at any sector reopens to exactly the records before it.

use std::path::Path;

use staunch_core::prelude::*;
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

const SECTOR: usize = 512;

/// Copies the data files of `from` into a fresh temporary directory: what a machine crash
/// leaves of a store that was not closed (without its lock).
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

/// A value long enough that its record spans several sectors.
fn value(i: usize) -> String {
    format!("{i}:{}", "abcdefghij".repeat(300))
}

async fn list(store: &FileStore) -> Vec<String> {
    store
        .lrange("l", 0, -1)
        .await
        .expect("lrange")
        .iter()
        .map(|b| String::from_utf8(b.to_vec()).expect("utf-8"))
        .collect()
}

fn values(n: usize) -> Vec<String> {
    (1..=n).map(value).collect()
}

fn log_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("data.log.1"))
        .expect("stat")
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unclosed_log_has_free_space_that_reopens_cleanly() {
    let live = tempfile::tempdir().expect("temp dir");
    let store = FileStore::open_with(live.path(), FileOptions::new().fsync(FsyncPolicy::Always))
        .await
        .expect("open");
    for i in 1..=5 {
        store.rpush("l", value(i)).await.expect("rpush");
    }
    // The file is sized well ahead of its five records.
    assert!(log_len(live.path()) >= 1 << 20, "{}", log_len(live.path()));
    let crashed = copy_dir(live.path());
    store.close().await.expect("close");
    // A clean close cuts the free space off.
    assert!(log_len(live.path()) < 16 << 10, "{}", log_len(live.path()));

    let store = FileStore::open(crashed.path()).await.expect("open");
    assert_eq!(list(&store).await, values(5));
    let report = store.open_report().clone();
    assert_eq!(report.records_replayed, 5);
    assert_eq!(report.torn_bytes_truncated, 0);
    store.rpush("l", value(6)).await.expect("rpush");
    store.close().await.expect("close");
    let store = FileStore::open(crashed.path()).await.expect("reopen");
    assert_eq!(list(&store).await, values(6));
    store.close().await.expect("close");
}

/// Three records, each written and the store closed, so the file's length after each close
/// is a record boundary. Returns the log's bytes and the boundaries (header end, then the end
/// of each record).
async fn three_records() -> (Vec<u8>, Vec<usize>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bounds = Vec::new();
    for i in 1..=3 {
        let store = FileStore::open_with(dir.path(), FileOptions::new().fsync(FsyncPolicy::No))
            .await
            .expect("open");
        if i == 1 {
            store.close().await.expect("close");
            bounds.push(log_len(dir.path()) as usize);
            continue;
        }
        store.rpush("l", value(i - 1)).await.expect("rpush");
        store.close().await.expect("close");
        bounds.push(log_len(dir.path()) as usize);
    }
    let store = FileStore::open_with(dir.path(), FileOptions::new().fsync(FsyncPolicy::No))
        .await
        .expect("open");
    store.rpush("l", value(3)).await.expect("rpush");
    store.close().await.expect("close");
    bounds.push(log_len(dir.path()) as usize);
    let bytes = std::fs::read(dir.path().join("data.log.1")).expect("read");
    (bytes, bounds)
}

/// Writes `image` as the only log of a fresh directory, opens it and checks it holds the first
/// two values and reports `torn` bytes; then appends and reopens, so no stale byte of the lost
/// write comes back after the cut.
async fn reopens_to_two(image: &[u8], torn: u64, case: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("data.log.1"), image).expect("write");
    let store = FileStore::open(dir.path())
        .await
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    assert_eq!(list(&store).await, values(2), "{case}");
    assert_eq!(store.open_report().torn_bytes_truncated, torn, "{case}");
    store.rpush("l", "after").await.expect("rpush");
    store.close().await.expect("close");
    let store = FileStore::open(dir.path()).await.expect("reopen");
    let mut expected = values(2);
    expected.push("after".into());
    assert_eq!(list(&store).await, expected, "{case}");
    store.close().await.expect("close");
}

/// The end of the last non-zero byte of `bytes` from `from` on, minus `from`.
fn nonzero_from(bytes: &[u8], from: usize) -> u64 {
    bytes[from..]
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |i| i as u64 + 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_at_every_sector_of_the_last_write() {
    let (bytes, bounds) = three_records().await;
    let (start, end) = (bounds[2], bounds[3]);
    assert!(end - start > 3 * SECTOR, "the last record spans sectors");
    // What a crash leaves: the records, then the zeros of the space sized ahead.
    let mut presized = bytes.clone();
    presized.resize(1 << 20, 0);
    let boundaries: Vec<usize> = (start + 1..end).filter(|b| b % SECTOR == 0).collect();
    assert!(boundaries.len() >= 3);

    // Nothing of the last write landed: free space, nothing torn.
    let mut image = presized.clone();
    image[start..end].fill(0);
    reopens_to_two(&image, 0, "nothing landed").await;

    for &b in &boundaries {
        // The sectors before `b` landed, the rest did not.
        let mut image = presized.clone();
        image[b..end].fill(0);
        let torn = nonzero_from(&image, start);
        reopens_to_two(&image, torn, &format!("landed up to {b}")).await;

        // The sectors from `b` on landed, the ones before (with the frame header) did not.
        let mut image = presized.clone();
        image[start..b].fill(0);
        let torn = nonzero_from(&image, start);
        reopens_to_two(&image, torn, &format!("landed from {b}")).await;

        // One sector in the middle did not land.
        let mut image = presized.clone();
        image[b..(b + SECTOR).min(end)].fill(0);
        let torn = nonzero_from(&image, start);
        reopens_to_two(&image, torn, &format!("lost the sector at {b}")).await;
    }
}

/// A lost sector *followed by a whole record* cannot be told from a damaged disk: it is
/// refused as damage, and repair keeps the records before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_sector_before_a_landed_record_is_damage() {
    let (bytes, bounds) = three_records().await;
    let (start, end) = (bounds[1], bounds[2]);
    let b = (start + 1..end)
        .find(|b| b % SECTOR == 0)
        .expect("a sector boundary inside the second record");
    let mut image = bytes.clone();
    image.resize(1 << 20, 0);
    image[b..(b + SECTOR).min(end)].fill(0);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("data.log.1"), &image).expect("write");
    let err = FileStore::open(dir.path())
        .await
        .expect_err("damage before a valid record");
    assert_eq!(err.kind(), ErrorKind::Corrupt, "{err}");
    assert!(err.message().contains(&format!("offset {start}")), "{err}");
    let store = FileStore::open_with(dir.path(), FileOptions::new().repair(true))
        .await
        .expect("repair");
    assert_eq!(list(&store).await, values(1));
    store.close().await.expect("close");
}
