//! The file store at its edges: a data directory deleted or replaced while the store is open,
//! and writes too large for the log.

use std::time::{Duration, Instant};

use staunch_core::prelude::*;
use staunch_file::{DEFAULT_MAX_WRITE_BYTES, FileOptions, FileStore, FsyncPolicy};

const POLICIES: [FsyncPolicy; 3] = [FsyncPolicy::Always, FsyncPolicy::EverySec, FsyncPolicy::No];

/// Deleted: the next write is refused (never acknowledged into the unlinked log) under every
/// policy, reads keep working, and `close` reports the loss.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_directory_refuses_writes() {
    for policy in POLICIES {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("data");
        let store = FileStore::open_with(&dir, FileOptions::new().fsync(policy))
            .await
            .expect("open");
        store.set("before", "1").await.expect("set");
        std::fs::remove_dir_all(&dir).expect("delete the data directory");
        let err = store
            .set("after", "2")
            .await
            .expect_err("a write into a deleted log");
        assert_eq!(err.kind(), ErrorKind::Io, "{policy:?}: {err}");
        assert!(err.to_string().contains("deleted"), "{policy:?}: {err}");
        let again = store
            .set("later", "3")
            .await
            .expect_err("the log stays failed");
        assert_eq!(again.kind(), ErrorKind::Io, "{policy:?}: {again}");
        assert!(store.get("before").await.expect("reads work").is_some());
        assert!(
            store.close().await.is_err(),
            "{policy:?}: close must not say Ok"
        );
    }
}

/// Replaced (renamed away, a new directory in its place): under `Always` the next write is
/// refused at once; under `EverySec` within about a second (its next fsync).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_directory_refuses_writes() {
    for policy in [FsyncPolicy::Always, FsyncPolicy::EverySec] {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("data");
        let store = FileStore::open_with(&dir, FileOptions::new().fsync(policy))
            .await
            .expect("open");
        store.set("before", "1").await.expect("set");
        std::fs::rename(&dir, root.path().join("moved")).expect("move the directory away");
        std::fs::create_dir(&dir).expect("a new directory in its place");
        let started = Instant::now();
        let err = loop {
            match store.set("after", "2").await {
                Err(e) => break e,
                Ok(()) => {
                    assert_eq!(policy, FsyncPolicy::EverySec, "Always must refuse at once");
                    assert!(
                        started.elapsed() < Duration::from_secs(30),
                        "the replaced directory was never noticed"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        assert_eq!(err.kind(), ErrorKind::Io, "{policy:?}: {err}");
        assert!(err.to_string().contains("replaced"), "{policy:?}: {err}");
        assert!(store.close().await.is_err());
    }
}

/// A write over the limit is refused before it is applied: no phantom value, and the log
/// goes on taking writes. The limit is configurable and defaults to Redis's 512 MiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_writes_are_refused_up_front() {
    assert_eq!(DEFAULT_MAX_WRITE_BYTES, 512 << 20);
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("data");
    let options = FileOptions::new().max_write_bytes(64 << 10);
    let store = FileStore::open_with(&dir, options.clone())
        .await
        .expect("open");
    let big = Bytes::from(vec![b'x'; 100 << 10]);
    let err = store
        .set("big", big.clone())
        .await
        .expect_err("over the limit");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("max_write_bytes"), "{err}");
    // Many elements that together pass the limit count as one write.
    let chunk = Bytes::from(vec![b'y'; 10 << 10]);
    let err = store
        .rpush_multiple("list", vec![chunk.clone(); 10])
        .await
        .expect_err("over the limit in total");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = store
        .batch(
            vec![
                Command::Set {
                    key: "a".into(),
                    value: Bytes::from(vec![b'z'; 40 << 10]),
                    options: SetOptions::default(),
                },
                Command::Set {
                    key: "b".into(),
                    value: Bytes::from(vec![b'z'; 40 << 10]),
                    options: SetOptions::default(),
                },
            ],
            true,
        )
        .await
        .expect_err("a batch is one record");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    // Nothing of it shows, and the log still works.
    assert_eq!(store.get("big").await.expect("get"), None);
    assert_eq!(store.llen("list").await.expect("llen"), 0);
    assert_eq!(store.get("a").await.expect("get"), None);
    store
        .set("small", chunk.clone())
        .await
        .expect("a write under the limit");
    store.close().await.expect("close");
    let reopened = FileStore::open_with(&dir, options).await.expect("reopen");
    assert_eq!(reopened.get("big").await.expect("get"), None);
    assert_eq!(reopened.get("small").await.expect("get"), Some(chunk));
}
