//! Fuzz target: arbitrary bytes as the files of a `staunch-file` data directory, then open it.
//!
//! The property is the file backend's promise about its input files: never a panic and never
//! a hang, always either a working store or a clear `Corrupt` / `InvalidInput` error. When the
//! store opens, it must also serve a read and a write and close cleanly (so whatever recovery
//! truncated or repaired is a consistent directory).
//!
//! Input layout: byte 0 holds flags (bit 0: open with `repair`; bit 1: write a snapshot file;
//! bit 2: write a second log generation; bits 4..8: the first log's generation), then up to
//! three files separated by the two-byte marker `0xFF 0x00` (snapshot, first log, second log).
//! Seed it with real directories for a head start, e.g. by copying `data.snapshot` and
//! `data.log.N` from a test's temp dir joined with that marker.
//!
//! ```text
//! RUSTC_BOOTSTRAP=1 TMPDIR=/dev/shm cargo fuzz run file_open   # tmpfs: fsyncs cost nothing
//! ```

#![no_main]

use libfuzzer_sys::fuzz_target;
use staunch_core::prelude::*;
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut parts = split(rest);
    let snapshot = parts.next().unwrap_or_default();
    let first_log = parts.next().unwrap_or_default();
    let second_log = parts.next().unwrap_or_default();
    let generation = u64::from(flags >> 4);

    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let write = |name: String, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).is_ok();
    if flags & 2 != 0 && !write("data.snapshot".into(), snapshot) {
        return;
    }
    if !write(format!("data.log.{generation}"), first_log) {
        return;
    }
    if flags & 4 != 0 && !write(format!("data.log.{}", generation + 1), second_log) {
        return;
    }

    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        let options = FileOptions::new()
            .fsync(FsyncPolicy::No)
            .repair(flags & 1 != 0);
        match FileStore::open_with(dir.path(), options).await {
            Ok(store) => {
                store.dbsize().await.expect("a read on a store that opened");
                store
                    .set("fuzz", "ok")
                    .await
                    .expect("a write on a store that opened");
                store.close().await.expect("closing a store that opened");
            }
            Err(e) => assert!(
                matches!(e.kind(), ErrorKind::Corrupt | ErrorKind::InvalidInput),
                "opening bad files must give Corrupt or InvalidInput, not {e}"
            ),
        }
    });
});

/// The input's files, separated by `0xFF 0x00`.
fn split(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(bytes);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.windows(2).position(|w| w == [0xFF, 0x00]) {
            Some(at) => {
                rest = Some(&current[at + 2..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}
