//! Connections: the shared multiplexed connection for ordinary commands, a small pool of
//! dedicated connections for blocking commands, and the one place that opens connections.
//!
//! # Why not `redis::aio::ConnectionManager`
//!
//! The manager retries reconnection in the background with its own backoff, and a call made
//! while it reconnects waits for that whole retry sequence. A store that must report an outage
//! quickly wants the opposite: a call either finds a live connection, or makes one attempt
//! bounded by `connect_timeout` (shared with every call waiting at the same moment), and fails
//! with `Unavailable`/`Timeout` otherwise. [`SharedConnection`] does exactly that:
//!
//! - the live connection sits behind a read-mostly lock, so the hot path is a cheap clone;
//! - the connection's driver reports a disconnect (RESP3 push channel) the moment the socket
//!   closes, which marks the connection dead, so the first call after a restart reconnects
//!   instead of failing on a closed socket;
//! - a reply that times out does *not* close the connection: its answer may still come (a
//!   SIGSTOPped server resumes) and the multiplexer discards it in order;
//! - concurrent callers never stampede: one connects, the others wait for its outcome.
//!
//! # Blocking commands
//!
//! `BLPOP` and friends hold a connection until data arrives, which would stall every other
//! command queued behind them on a multiplexed connection. They run on a connection of their
//! own taken from [`BlockingPool`], with a response timeout of the block timeout plus the
//! configured response timeout (none for a zero block timeout, which waits forever). A
//! connection is put back only after a complete reply; a call that fails, times out or is
//! dropped closes its connection, so Redis unblocks that client instead of later popping an
//! element for a reader that is gone.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{
    AsyncConnectionConfig, Client, Cmd, Pipeline, PushInfo, PushKind, ServerError, ServerErrorKind,
    Value,
};
use staunch_core::{Error, Result};

use crate::decode::{redis_error, timeout};
use crate::scripts::Script;

/// Opens connections with the configured client and timeouts.
pub(crate) struct Connector {
    source: Source,
    connect_timeout: Duration,
    response_timeout: Duration,
}

/// Where a new connection goes.
pub(crate) enum Source {
    /// Always this server.
    Fixed(Client),
    /// Whichever server the Sentinels name as the service's primary at connection time (the
    /// `redis` crate asks them and checks the server's `ROLE`), so a reconnection after a
    /// failover reaches the promoted replica.
    Sentinel(tokio::sync::Mutex<redis::sentinel::SentinelClient>),
    /// Decided at connection time by other code (a Redis Cluster node for a subscription).
    Resolve(Arc<dyn Resolve>),
}

/// Finds the server a new connection should go to.
#[async_trait::async_trait]
pub(crate) trait Resolve: Send + Sync {
    /// The client for the server to connect to now.
    async fn client(&self) -> Result<Client>;
}

/// A connection plus the flag its driver sets when the socket closes.
#[derive(Clone)]
pub(crate) struct Live {
    pub(crate) conn: MultiplexedConnection,
    dead: Arc<AtomicBool>,
    /// The scripts the server behind this connection is known to have cached (see
    /// [`Handle::knows`]). Per connection, so a reconnect (a restarted server has an empty
    /// script cache) starts from nothing.
    scripts: Arc<AtomicU32>,
}

/// The shared connection as one call uses it: the connection, its generation and what its
/// server is known to have cached. A batch plans and sends on one handle, so what it assumed
/// about the script cache holds for the connection it actually uses.
#[derive(Clone)]
pub(crate) struct Handle {
    generation: u64,
    conn: MultiplexedConnection,
    scripts: Arc<AtomicU32>,
}

impl Handle {
    /// True when the server is known to have `script` cached: an `EVAL` of it on this
    /// connection succeeded, or an `EVALSHA` did. Only a `SCRIPT FLUSH` makes this stale.
    pub(crate) fn knows(&self, script: Script) -> bool {
        self.scripts.load(Ordering::Acquire) & script.bit() != 0
    }

    /// Records that the server has `script` cached (or, with `known: false`, that it answered
    /// `NOSCRIPT`, so the next use sends the source again).
    pub(crate) fn learn(&self, script: Script, known: bool) {
        if known {
            self.scripts.fetch_or(script.bit(), Ordering::AcqRel);
        } else {
            self.scripts.fetch_and(!script.bit(), Ordering::AcqRel);
        }
    }
}

impl Live {
    /// True once the server closed the connection (or it broke).
    pub(crate) fn is_dead(&self) -> bool {
        self.dead.load(Ordering::Acquire)
    }
}

impl Connector {
    pub(crate) fn new(
        source: Source,
        connect_timeout: Duration,
        response_timeout: Duration,
    ) -> Self {
        Connector {
            source,
            connect_timeout,
            response_timeout,
        }
    }

    /// The client for the server a new connection goes to now.
    async fn client(&self) -> Result<Client> {
        match &self.source {
            Source::Fixed(client) => Ok(client.clone()),
            Source::Sentinel(sentinel) => {
                sentinel.lock().await.async_get_client().await.map_err(|e| {
                    let error = redis_error(e);
                    Error::new(
                        error.kind(),
                        format!("no primary from the Sentinels: {}", error.message()),
                    )
                })
            }
            Source::Resolve(resolve) => resolve.client().await,
        }
    }

    /// The configured response timeout.
    pub(crate) fn response_timeout(&self) -> Duration {
        self.response_timeout
    }

    /// Opens a connection whose replies time out after `response_timeout` (`None`: never, for
    /// blocking commands the caller bounds itself). `on_push` receives RESP3 push messages
    /// (published messages on a subscriber connection).
    pub(crate) async fn connect(
        &self,
        response_timeout: Option<Duration>,
        on_push: Option<Box<dyn Fn(PushInfo) + Send + Sync>>,
    ) -> Result<Live> {
        let dead = Arc::new(AtomicBool::new(false));
        let flag = dead.clone();
        let sender = move |info: PushInfo| -> std::result::Result<(), ()> {
            if info.kind == PushKind::Disconnection {
                flag.store(true, Ordering::Release);
            }
            if let Some(on_push) = &on_push {
                on_push(info);
            }
            Ok(())
        };
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(response_timeout)
            .set_push_sender(sender);
        // Finding the server (asking the Sentinels) counts against the connect timeout too.
        let attempt = async {
            // Boxed: the Sentinel lookup is a deep future, and every connecting call embeds
            // this one.
            let client = Box::pin(self.client()).await?;
            client
                .get_multiplexed_async_connection_with_config(&config)
                .await
                .map_err(redis_error)
        };
        match tokio::time::timeout(self.connect_timeout, attempt).await {
            Ok(Ok(conn)) => Ok(Live {
                conn,
                dead,
                scripts: Arc::new(AtomicU32::new(0)),
            }),
            // Commands are written only on an established connection: nothing was sent.
            Ok(Err(e)) => Err(e.not_sent()),
            Err(_) => Err(timeout("the connection handshake", self.connect_timeout).not_sent()),
        }
    }
}

#[derive(Default)]
struct Attempts {
    /// Outcome of the latest connection attempt, handed to callers that waited for it.
    last_error: Option<Error>,
}

/// The shared multiplexed connection, reconnected on demand. See the module docs.
pub(crate) struct SharedConnection {
    connector: Arc<Connector>,
    current: RwLock<Option<(u64, Live)>>,
    connecting: tokio::sync::Mutex<Attempts>,
    attempts: AtomicU64,
}

impl SharedConnection {
    pub(crate) fn new(connector: Arc<Connector>) -> Self {
        SharedConnection {
            connector,
            current: RwLock::new(None),
            connecting: tokio::sync::Mutex::new(Attempts::default()),
            attempts: AtomicU64::new(0),
        }
    }

    fn live(&self) -> Option<Handle> {
        let guard = self.current.read().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some((generation, live)) if !live.is_dead() => Some(Handle {
                generation: *generation,
                conn: live.conn.clone(),
                scripts: live.scripts.clone(),
            }),
            _ => None,
        }
    }

    /// The live connection and its generation, without the script cache of [`Handle`].
    fn live_conn(&self) -> Option<(u64, MultiplexedConnection)> {
        let guard = self.current.read().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some((generation, live)) if !live.is_dead() => Some((*generation, live.conn.clone())),
            _ => None,
        }
    }

    /// A live connection, connecting if there is none.
    pub(crate) async fn get(&self) -> Result<Handle> {
        if let Some(live) = self.live() {
            return Ok(live);
        }
        let seen = self.attempts.load(Ordering::Acquire);
        let wait = self.connector.connect_timeout;
        let mut attempts = match tokio::time::timeout(wait, self.connecting.lock()).await {
            Ok(guard) => guard,
            Err(_) => return Err(timeout("a connection attempt", wait).not_sent()),
        };
        if let Some(live) = self.live() {
            return Ok(live);
        }
        if self.attempts.load(Ordering::Acquire) != seen
            && let Some(error) = &attempts.last_error
        {
            // Someone tried while we waited and failed: report that instead of trying again.
            return Err(error.clone());
        }
        // Cleared first: if this caller is cancelled mid-attempt, waiters must not mistake an
        // older failure for the outcome of this attempt.
        attempts.last_error = None;
        let generation = self.attempts.fetch_add(1, Ordering::AcqRel) + 1;
        match self
            .connector
            .connect(Some(self.connector.response_timeout), None)
            .await
        {
            Ok(live) => {
                attempts.last_error = None;
                let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
                let handle = Handle {
                    generation,
                    conn: live.conn.clone(),
                    scripts: live.scripts.clone(),
                };
                *current = Some((generation, live));
                Ok(handle)
            }
            Err(error) => {
                attempts.last_error = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Forgets connection `generation` after an error that broke it.
    fn invalidate(&self, generation: u64) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if current.as_ref().is_some_and(|(g, _)| *g == generation) {
            *current = None;
        }
    }

    fn check(&self, generation: u64, result: redis::RedisResult<Value>) -> Result<Value> {
        result.map_err(|e| {
            if e.is_unrecoverable_error() {
                self.invalidate(generation);
            }
            redis_error(e)
        })
    }

    /// Sends one command and returns its raw reply (`Value::ServerError` for an error reply is
    /// returned as an `Err`).
    pub(crate) async fn query(&self, cmd: &Cmd) -> Result<Value> {
        // The hot path takes only the connection: a plain command never looks at the script
        // cache, and every shared counter a call touches is a cache line the worker threads
        // pass back and forth at high concurrency.
        let (generation, mut conn) = match self.live_conn() {
            Some(live) => live,
            None => {
                let handle = self.get().await?;
                (handle.generation, handle.conn)
            }
        };
        let result = conn.send_packed_command(cmd).await;
        match self.check(generation, result)? {
            Value::ServerError(e) => Err(self.server_error(generation, &e)),
            value => Ok(value),
        }
    }

    /// A command's error reply as an [`Error`]. `READONLY` means the server was demoted to a
    /// replica (a Sentinel failover): the connection is dropped so the next call finds the
    /// promoted primary.
    fn server_error(&self, generation: u64, error: &ServerError) -> Error {
        if error.code() == "READONLY" {
            self.invalidate(generation);
        }
        crate::decode::server_error(error)
    }

    /// [`SharedConnection::query`] on a connection the caller already holds.
    pub(crate) async fn query_on(&self, handle: &mut Handle, cmd: &Cmd) -> Result<Value> {
        let result = handle.conn.send_packed_command(cmd).await;
        match self.check(handle.generation, result)? {
            Value::ServerError(e) => Err(self.server_error(handle.generation, &e)),
            value => Ok(value),
        }
    }

    /// Sends a pipeline on `handle` and returns the `count` replies after skipping `offset` of
    /// them (an error reply of a command is its `Value::ServerError`). A transaction that Redis
    /// aborted (`EXECABORT`) comes back as the errors of the commands it rejected, by index.
    pub(crate) async fn query_pipeline(
        &self,
        handle: &mut Handle,
        pipeline: &Pipeline,
        offset: usize,
        count: usize,
    ) -> Result<std::result::Result<Vec<Value>, Aborted>> {
        let generation = handle.generation;
        match handle
            .conn
            .send_packed_commands(pipeline, offset, count)
            .await
        {
            Ok(values) => Ok(Ok(values)),
            Err(e) if e.kind() == redis::ErrorKind::Server(ServerErrorKind::ExecAbort) => {
                match e.clone().into_server_errors() {
                    Some(errors) => Ok(Err(errors)),
                    None => Err(redis_error(e)),
                }
            }
            Err(e) => {
                if e.is_unrecoverable_error() {
                    self.invalidate(generation);
                }
                Err(redis_error(e))
            }
        }
    }
}

/// The commands a transaction's queueing rejected, by index.
pub(crate) type Aborted = Arc<[(usize, ServerError)]>;

/// Idle dedicated connections for blocking commands. See the module docs.
pub(crate) struct BlockingPool {
    connector: Arc<Connector>,
    idle: Mutex<Vec<Live>>,
    max_idle: usize,
}

impl BlockingPool {
    pub(crate) fn new(connector: Arc<Connector>, max_idle: usize) -> Self {
        BlockingPool {
            connector,
            idle: Mutex::new(Vec::new()),
            max_idle,
        }
    }

    fn take_idle(&self) -> Option<Live> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(live) = idle.pop() {
            if !live.is_dead() {
                return Some(live);
            }
        }
        None
    }

    fn put_back(&self, live: Live) {
        if live.is_dead() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.max_idle {
            idle.push(live);
        }
    }

    /// Runs a blocking command that waits up to `block` (zero: forever) on a dedicated
    /// connection.
    pub(crate) async fn query(&self, cmd: &Cmd, block: Duration) -> Result<Value> {
        let mut live = match self.take_idle() {
            Some(live) => live,
            None => self.connector.connect(None, None).await?,
        };
        let limit = if block.is_zero() {
            None
        } else {
            Some(block.saturating_add(self.connector.response_timeout))
        };
        let send = live.conn.send_packed_command(cmd);
        let result = match limit {
            Some(limit) => match tokio::time::timeout(limit, send).await {
                Ok(result) => result,
                // The connection is dropped here, which closes it: Redis unblocks the client.
                Err(_) => return Err(timeout("a blocking command", limit)),
            },
            None => send.await,
        };
        match result {
            Ok(Value::ServerError(e)) => {
                self.put_back(live);
                Err(crate::decode::server_error(&e))
            }
            Ok(value) => {
                self.put_back(live);
                Ok(value)
            }
            Err(e) => Err(redis_error(e)),
        }
    }
}
