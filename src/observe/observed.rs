//! [`Observed`]: a store wrapper that opens a `staunch.command` span per command and records
//! the command metrics; every named database of [`crate::Staunch`] is one.

use std::sync::Arc;
use std::time::Instant;

use staunch_core::{
    Call, Capabilities, Command, Execution, Name, Reply, Result, Store, Subscription, async_trait,
};
use tracing::Instrument;

use super::record::CommandMetrics;

/// Wraps any store: a TRACE span `staunch.command` (`backend`, `command`, `database`) around
/// each command, `staunch.batch` around each batch, and with the `metrics` feature the
/// command counters and latency histogram (see [the module docs](super)).
///
/// ```
/// # #[cfg(feature = "memory")] {
/// use std::sync::Arc;
/// use staunch::observe::Observed;
/// use staunch::Store;
///
/// let store: Arc<dyn Store> = Arc::new(Observed::new(
///     Arc::new(staunch::memory::MemoryStore::new()),
///     "memory",
///     "main",
/// ));
/// # let _ = store; }
/// ```
pub struct Observed {
    inner: Arc<dyn Store>,
    backend: &'static str,
    database: Arc<str>,
    metrics: CommandMetrics,
}

impl std::fmt::Debug for Observed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observed")
            .field("backend", &self.backend)
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl Observed {
    /// Wraps `inner`, labelling its spans and metrics with `backend` (`memory`, `file`,
    /// `redis`, `failover`, or your own) and `database`.
    pub fn new(inner: Arc<dyn Store>, backend: &'static str, database: impl Into<String>) -> Self {
        let database: String = database.into();
        Observed {
            metrics: CommandMetrics::new(backend, &database),
            inner,
            backend,
            database: database.into(),
        }
    }

    fn finish(&self, started: Option<Instant>, commands: u64, result: &Result<Reply>) {
        if let Some(started) = started {
            self.metrics.round_trip(commands, started.elapsed());
            if let Err(e) = result {
                self.metrics.error(e.kind());
            }
        }
    }
}

#[async_trait]
impl Store for Observed {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        let span = tracing::trace_span!(
            "staunch.command",
            backend = self.backend,
            command = call.name(),
            database = &*self.database
        );
        if span.is_disabled() && !CommandMetrics::enabled() {
            return self.inner.call(call);
        }
        let started = CommandMetrics::enabled().then(Instant::now);
        let ready = {
            let _entered = span.enter();
            self.inner.call(call).into_ready()
        };
        match ready {
            Ok(result) => {
                self.finish(started, 1, &result);
                Execution::ready(result)
            }
            Err(pending) => Execution::pending(async move {
                let result = pending.instrument(span).await;
                self.finish(started, 1, &result);
                result
            }),
        }
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        let span = tracing::trace_span!(
            "staunch.batch",
            backend = self.backend,
            database = &*self.database,
            commands = commands.len(),
            atomic
        );
        let started = CommandMetrics::enabled().then(Instant::now);
        let n = commands.len() as u64;
        let result = self.inner.batch(commands, atomic).instrument(span).await;
        if let Some(started) = started {
            self.metrics.round_trip(n, started.elapsed());
            match &result {
                Ok(replies) => replies
                    .iter()
                    .filter_map(|r| r.as_ref().err())
                    .for_each(|e| self.metrics.error(e.kind())),
                Err(e) => self.metrics.error(e.kind()),
            }
        }
        result
    }

    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription> {
        self.inner.subscribe(channels, patterns).await
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}
