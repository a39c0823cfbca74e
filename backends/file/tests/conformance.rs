//! The whole conformance testkit against the file store, under each fsync policy, with a fresh
//! store in a fresh temporary directory for every case.

use std::sync::Arc;

use staunch_core::testkit::{self, TestStore};
use staunch_core::{Capabilities, Command, Reply, Result, Store, Subscription, async_trait};
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

/// A file store that owns its temporary directory (removed when the case drops the store).
struct TempFileStore {
    store: FileStore,
    _dir: tempfile::TempDir,
}

#[async_trait]
impl Store for TempFileStore {
    async fn execute(&self, command: Command) -> Result<Reply> {
        self.store.execute(command).await
    }
    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        self.store.batch(commands, atomic).await
    }
    async fn subscribe(
        &self,
        channels: Vec<String>,
        patterns: Vec<String>,
    ) -> Result<Subscription> {
        self.store.subscribe(channels, patterns).await
    }
    fn capabilities(&self) -> Capabilities {
        self.store.capabilities()
    }
}

async fn fresh(policy: FsyncPolicy) -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FileStore::open_with(dir.path(), FileOptions::new().fsync(policy))
        .await
        .expect("open a fresh file store");
    Arc::new(TempFileStore { store, _dir: dir })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_everysec_passes_the_testkit() {
    testkit::run_all("file (everysec)", || fresh(FsyncPolicy::EverySec)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_always_passes_the_testkit() {
    testkit::run_all("file (always)", || fresh(FsyncPolicy::Always)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_no_fsync_passes_the_testkit() {
    testkit::run_all("file (no)", || fresh(FsyncPolicy::No)).await;
}
