//! A named database opened on first use: [`Staunch::open`](super::Staunch::open) creates one
//! [`LazyDatabase`] per configured name without touching its backend, and the first command
//! (or [`Staunch::failover`](super::Staunch::failover), or a `close`) decides whether the file
//! store, the `Failover` with its local store, journal and health monitor, or the Redis
//! connection pool is ever built. An application that uses three of the ten default names
//! pays for three.
//!
//! Decision: opening errors (a locked or unwritable directory) surface on the first command
//! rather than at `Staunch::open`, and are not remembered: the next command tries again, so a
//! directory fixed while the process runs is picked up. `Staunch::open` still checks the
//! settings and creates the data directory, so the common mistakes fail at startup.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use staunch_core::{
    Call, Capabilities, Command, Error, ErrorKind, Eviction, Execution, Name, Persistence,
    PubSubReach, Reply, Result, Store, Subscription, async_trait,
};
use tokio::sync::OnceCell;

use super::{Backend, Mode, Settings};

/// An opened database: the store the services call and what it is underneath (to close and
/// probe it).
pub(super) struct Opened {
    pub(super) store: Arc<dyn Store>,
    pub(super) backend: Backend,
}

/// One named database, opened when first needed.
pub(super) struct LazyDatabase {
    name: String,
    number: u32,
    settings: Arc<Settings>,
    mode: Mode,
    cell: OnceCell<Opened>,
    closed: AtomicBool,
}

impl LazyDatabase {
    pub(super) fn new(name: String, number: u32, settings: Arc<Settings>, mode: Mode) -> Self {
        LazyDatabase {
            name,
            number,
            settings,
            mode,
            cell: OnceCell::new(),
            closed: AtomicBool::new(false),
        }
    }

    /// The opened database, opening it now if needed (concurrent first callers wait for one
    /// opening).
    pub(super) async fn open_now(&self) -> Result<&Opened> {
        if let Some(opened) = self.cell.get() {
            return Ok(opened);
        }
        if self.closed.load(Ordering::Acquire) {
            return Err(self.closed_error());
        }
        self.cell
            .get_or_try_init(|| async {
                let (store, backend) = match &self.mode {
                    Mode::Redis { .. } => {
                        super::remote_store(&self.settings, &self.name, self.number).await?
                    }
                    Mode::File { dir } => super::file_store(&dir.join(&self.name)).await?,
                    Mode::Memory => super::memory_store()?,
                };
                tracing::debug!(database = %self.name, "named database opened");
                Ok(Opened { store, backend })
            })
            .await
    }

    /// The opened database, if it has been opened.
    pub(super) fn opened(&self) -> Option<&Opened> {
        self.cell.get()
    }

    /// Marks it closed: a database never opened stays so (later commands fail).
    pub(super) fn mark_closed(&self) {
        self.closed.store(true, Ordering::Release);
    }

    fn closed_error(&self) -> Error {
        Error::new(
            ErrorKind::Unavailable,
            format!("database `{}` is closed (Staunch::close)", self.name),
        )
    }
}

#[async_trait]
impl Store for LazyDatabase {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        if let Some(opened) = self.cell.get() {
            return opened.store.call(call);
        }
        // First use: the borrowed command cannot outlive this call, so it is made owned
        // (once per database; every later call takes the branch above).
        let command = call.into_owned();
        Execution::pending(async move {
            self.open_now()
                .await?
                .store
                .call(Call::Owned(command))
                .await
        })
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        self.open_now().await?.store.batch(commands, atomic).await
    }

    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription> {
        self.open_now()
            .await?
            .store
            .subscribe(channels, patterns)
            .await
    }

    fn capabilities(&self) -> Capabilities {
        match self.cell.get() {
            Some(opened) => opened.store.capabilities(),
            None => expected_capabilities(&self.mode),
        }
    }
}

/// What the backend of `mode` declares, known before opening it (checked against the opened
/// stores by a test): Redis (alone or under `Failover`, whose local stores support blocking
/// pops and transactions too), the file store, or the unbounded memory store.
fn expected_capabilities(mode: &Mode) -> Capabilities {
    match mode {
        Mode::Redis { .. } => Capabilities::new(
            Persistence::Remote,
            PubSubReach::CrossProcess,
            Eviction::ServerPolicy,
        ),
        Mode::File { .. } => {
            Capabilities::new(Persistence::Local, PubSubReach::Process, Eviction::None)
        }
        Mode::Memory => Capabilities::new(Persistence::None, PubSubReach::Process, Eviction::None),
    }
}
