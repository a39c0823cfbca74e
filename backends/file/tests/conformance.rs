//! The whole conformance testkit against the file store under each fsync policy, one test per
//! case and policy (`file-always::test_get_missing`, ...), with a fresh store in a fresh
//! temporary directory for every case.

use std::process::ExitCode;
use std::sync::Arc;

use staunch_core::testkit::TestStore;
use staunch_core::testkit::harness::{self, Backend};
use staunch_core::{Call, Capabilities, Command, Execution, Reply, Result, Store, Subscription};
use staunch_core::{Execute, async_trait};
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

/// A file store that owns its temporary directory (removed when the case drops the store).
struct TempFileStore {
    store: FileStore,
    _dir: tempfile::TempDir,
}

#[async_trait]
impl Store for TempFileStore {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        self.store.call(call)
    }
    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        self.store.batch(commands, atomic).await
    }
    async fn subscribe(
        &self,
        channels: Vec<staunch_core::Name>,
        patterns: Vec<staunch_core::Name>,
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
    // The store starts empty: a case never sees another's data.
    assert_eq!(
        store.execute(Command::DbSize).await.ok(),
        Some(Reply::Int(0))
    );
    Arc::new(TempFileStore { store, _dir: dir })
}

fn main() -> ExitCode {
    harness::run_with(|_| {
        let backends = vec![
            Backend::new("file-everysec", || fresh(FsyncPolicy::EverySec)),
            Backend::new("file-always", || fresh(FsyncPolicy::Always)),
            Backend::new("file-no", || fresh(FsyncPolicy::No)),
        ];
        (backends, ())
    })
}
