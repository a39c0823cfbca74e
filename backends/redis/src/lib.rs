//! `staunch-redis`: the storage contract of staunch over a real Redis server.
//!
//! [`RedisStore`] implements [`staunch_core::Store`] with the `redis` crate (1.x) speaking
//! RESP3, so every reply already has the shape the contract documents (maps, sets, doubles,
//! nulls) and is converted generically. What this crate adds over the raw client is what a
//! store that must survive Redis needs:
//!
//! - **Time limits everywhere.** A connection attempt is bounded by
//!   [`RedisOptions::connect_timeout`] and every reply by [`RedisOptions::response_timeout`]
//!   (5 s each by default; zero is refused). A server that stopped answering (SIGSTOP, a
//!   partition) yields `ErrorKind::Timeout`, a refused or reset connection `Unavailable`; an
//!   outage is never reported as a `Nil`.
//! - **Reconnection without waiting.** One multiplexed connection carries ordinary commands and
//!   is replaced on the next call after it broke (see `connection.rs` for why not the crate's
//!   `ConnectionManager`).
//! - **Blocking commands on their own connections**, so a `BLPOP` never stalls other callers.
//! - **Atomic compound operations as Lua scripts** invoked by SHA (`scripts.rs`).
//! - **Pub/sub that survives restarts**: a dedicated connection per subscription that
//!   resubscribes and tells the subscriber it may have missed messages (`pubsub.rs`).
//!
//! # Layout
//!
//! - `options.rs`: [`RedisOptions`], the URL and the time limits.
//! - `connection.rs`: the shared reconnecting connection and the pool for blocking commands.
//! - `encode.rs`: each [`Command`] as the Redis command (or script) that carries it out.
//! - `decode.rs`: replies to [`Reply`], `redis` errors to [`ErrorKind`]s.
//! - `scripts.rs`: the Lua scripts.
//! - `pubsub.rs`: subscriptions.
//!
//! # URL
//!
//! `redis://[user[:password]@]host[:port][/db]`: the logical database, ACL user and password come
//! from the URL. `rediss://` (TLS) needs the cargo feature `tls`; without it connecting is an
//! `ErrorKind::Unsupported` error that says so.
//!
//! # Batches
//!
//! [`Store::batch`] sends all commands in one round trip. With `atomic: true` they are wrapped
//! in `MULTI`/`EXEC`. In a plain pipeline each blocking command is wrapped in its own
//! `MULTI`/`EXEC`, which is how Redis runs a blocking command without blocking (as if its timeout
//! had already passed), so a batch never stalls the shared connection. Compound operations are
//! sent as `EVAL` (a pipeline cannot react to `NOSCRIPT` half-way). A command error (`WrongType`,
//! ...) is that command's result; inside `MULTI` a command Redis rejects before running it
//! (wrong arguments) aborts the whole transaction, and every other command's result is then an
//! `InvalidInput` error naming `EXECABORT`.
//!
//! ```no_run
//! use staunch_core::prelude::*;
//! use staunch_redis::{RedisOptions, RedisStore};
//! use std::time::Duration;
//!
//! # async fn demo() -> staunch_core::Result<()> {
//! let store = RedisStore::connect_with(
//!     RedisOptions::new("redis://127.0.0.1:6379/2").response_timeout(Duration::from_secs(1)),
//! )
//! .await?;
//! store.set("greeting", "hello").await?;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod connection;
mod decode;
mod encode;
mod options;
mod pubsub;
mod scripts;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::{Client, IntoConnectionInfo, ProtocolVersion, Value};
use staunch_core::{
    Capabilities, Command, Error, ErrorKind, Eviction, Persistence, PubSubReach, Reply, Result,
    Store, Subscription, async_trait,
};

use crate::connection::{BlockingPool, Connector, SharedConnection};
use crate::decode::{redis_error, server_error, to_reply};
use crate::encode::{Plan, plan};

pub use crate::options::RedisOptions;

/// A [`Store`] backed by a Redis server (6.0 or later; RESP3). Cheap to clone: clones share
/// the connections.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    options: RedisOptions,
    connector: Arc<Connector>,
    shared: SharedConnection,
    blocking: BlockingPool,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: show only where the server is.
        let info = self.inner.options.url.as_str().into_connection_info().ok();
        f.debug_struct("RedisStore")
            .field("addr", &info.as_ref().map(|i| i.addr().to_string()))
            .field("connect_timeout", &self.inner.options.connect_timeout)
            .field("response_timeout", &self.inner.options.response_timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to `url` with default options. Fails when the server cannot be reached.
    pub async fn connect(url: &str) -> Result<RedisStore> {
        Self::connect_with(RedisOptions::new(url)).await
    }

    /// Connects with `options`. Fails when the server cannot be reached or refuses the
    /// credentials; use [`RedisStore::lazy`] to start without a server.
    pub async fn connect_with(options: RedisOptions) -> Result<RedisStore> {
        let store = Self::lazy(options)?;
        store.inner.shared.get().await?;
        Ok(store)
    }

    /// A store that connects on first use: no I/O here, only the URL and options are checked.
    /// Useful when the application must start while Redis is down (`Failover`).
    pub fn lazy(options: RedisOptions) -> Result<RedisStore> {
        options.validate()?;
        let client = client(&options.url, options.tcp_user_timeout)?;
        let connector = Arc::new(Connector::new(
            client,
            options.connect_timeout,
            options.response_timeout,
        ));
        let inner = Inner {
            shared: SharedConnection::new(connector.clone()),
            blocking: BlockingPool::new(connector.clone(), options.blocking_pool_size),
            connector,
            options,
        };
        Ok(RedisStore {
            inner: Arc::new(inner),
        })
    }

    /// The options in use.
    pub fn options(&self) -> &RedisOptions {
        &self.inner.options
    }

    /// Sends `PING` and returns the round-trip time: the health probe `Failover` uses.
    pub async fn ping(&self) -> Result<Duration> {
        let started = Instant::now();
        self.inner.shared.query(&redis::cmd("PING")).await?;
        Ok(started.elapsed())
    }

    /// Sends `INFO` and returns the server's report as text (`# Server`, `redis_version:...`):
    /// the figures `Failover`'s health report shows (version, memory, clients, uptime).
    pub async fn info(&self) -> Result<String> {
        let value = self.inner.shared.query(&redis::cmd("INFO")).await?;
        to_reply(value)?.into_string()
    }

    async fn run_script(&self, plan: Plan) -> Result<Reply> {
        let Plan::Script { script, keys, args } = plan else {
            return Err(Error::new(ErrorKind::Internal, "not a script"));
        };
        let shared = &self.inner.shared;
        let reply = match shared.query(&Plan::evalsha(script, &keys, &args)).await {
            Err(e) if is_noscript(&e) => shared.query(&Plan::eval(script, &keys, &args)).await,
            other => other,
        }?;
        script.finish(to_reply(reply)?)
    }
}

fn is_noscript(error: &Error) -> bool {
    error.message().starts_with("NOSCRIPT") || error.message().contains("NoScript")
}

/// A client for `url`, always speaking RESP3.
fn client(url: &str, tcp_user_timeout: Duration) -> Result<Client> {
    let secure = url.starts_with("rediss://") || url.starts_with("valkeys://");
    if secure && !cfg!(feature = "tls") {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "rediss:// (TLS) needs the `tls` cargo feature of staunch-redis",
        ));
    }
    let info = url.into_connection_info().map_err(|e| {
        Error::new(ErrorKind::InvalidInput, format!("invalid Redis URL: {e}")).with_source(e)
    })?;
    let settings = info
        .redis_settings()
        .clone()
        .set_protocol(ProtocolVersion::RESP3);
    // On Linux, a connection whose sent data stays unacknowledged (a black-holed peer, not a
    // merely slow or stopped one) is dropped by the kernel, so it is replaced instead of timing
    // out call after call. Nagle stays on (the `redis` crate's default): with many callers on one
    // multiplexed connection it coalesces small writes, which measured faster than TCP_NODELAY.
    let tcp = redis::io::tcp::TcpSettings::default();
    #[cfg(target_os = "linux")]
    let tcp = tcp.set_user_timeout(tcp_user_timeout);
    #[cfg(not(target_os = "linux"))]
    let _ = tcp_user_timeout;
    let info = info.set_redis_settings(settings).set_tcp_settings(tcp);
    Client::open(info).map_err(redis_error)
}

/// Where one command of a batch went.
enum Slot {
    /// Not sent: planning failed.
    Failed(Error),
    /// Sent as the pipeline command at `index`; `wrapped` when inside its own MULTI/EXEC.
    Sent {
        index: usize,
        wrapped: bool,
        script: Option<scripts::Script>,
    },
}

#[async_trait]
impl Store for RedisStore {
    async fn execute(&self, command: Command) -> Result<Reply> {
        match plan(&command)? {
            Plan::Plain(cmd) => to_reply(self.inner.shared.query(&cmd).await?),
            Plan::Blocking { cmd, block } => {
                to_reply(self.inner.blocking.query(&cmd, block).await?)
            }
            script @ Plan::Script { .. } => self.run_script(script).await,
        }
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        let mut pipe = redis::pipe();
        let mut slots = Vec::with_capacity(commands.len());
        let mut sent = 0;
        for command in &commands {
            let (cmd, wrapped, script) = match plan(command) {
                Err(e) => {
                    slots.push(Slot::Failed(e));
                    continue;
                }
                Ok(Plan::Plain(cmd)) => (cmd, false, None),
                Ok(Plan::Blocking { cmd, .. }) => (cmd, !atomic, None),
                Ok(Plan::Script { script, keys, args }) => {
                    (Plan::eval(script, &keys, &args), false, Some(script))
                }
            };
            if wrapped {
                pipe.cmd("MULTI");
                sent += 1;
            }
            slots.push(Slot::Sent {
                index: sent,
                wrapped,
                script,
            });
            pipe.add_command(cmd);
            sent += 1;
            if wrapped {
                pipe.cmd("EXEC");
                sent += 1;
            }
        }
        let mut values: Vec<Option<Result<Value>>> = if sent == 0 {
            Vec::new()
        } else if atomic {
            pipe.atomic();
            exec_transaction(&self.inner.shared, &pipe, sent).await?
        } else {
            self.inner
                .shared
                .query_pipeline(&pipe, 0, sent)
                .await?
                .into_iter()
                .map(|v| Some(Ok(v)))
                .collect()
        };
        let mut results = Vec::with_capacity(slots.len());
        for slot in slots {
            results.push(match slot {
                Slot::Failed(e) => Err(e),
                Slot::Sent {
                    index,
                    wrapped,
                    script,
                } => {
                    let value = values
                        .get_mut(index)
                        .and_then(Option::take)
                        .unwrap_or_else(|| {
                            Err(Error::new(ErrorKind::Protocol, "batch reply missing"))
                        });
                    let value = if wrapped {
                        // [MULTI: OK] [cmd: QUEUED or its error] [EXEC: [reply] or EXECABORT]
                        match value {
                            Ok(Value::ServerError(e)) => Err(server_error(&e)),
                            _ => values
                                .get_mut(index + 1)
                                .and_then(Option::take)
                                .unwrap_or_else(|| {
                                    Err(Error::new(ErrorKind::Protocol, "EXEC reply missing"))
                                })
                                .and_then(first_of_exec),
                        }
                    } else {
                        value
                    };
                    value.and_then(to_reply).and_then(|reply| match script {
                        Some(script) => script.finish(reply),
                        None => Ok(reply),
                    })
                }
            });
        }
        Ok(results)
    }

    async fn subscribe(
        &self,
        channels: Vec<String>,
        patterns: Vec<String>,
    ) -> Result<Subscription> {
        pubsub::subscribe(
            self.inner.connector.clone(),
            &self.inner.options,
            channels,
            patterns,
        )
        .await
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(
            Persistence::Remote,
            PubSubReach::CrossProcess,
            Eviction::ServerPolicy,
        )
    }
}

/// The only reply inside the `EXEC` of a single wrapped command.
fn first_of_exec(value: Value) -> Result<Value> {
    match value {
        Value::Array(mut items) if items.len() == 1 => Ok(items.remove(0)),
        Value::ServerError(e) => Err(server_error(&e)),
        other => Err(Error::new(
            ErrorKind::Protocol,
            format!("unexpected EXEC reply: {other:?}"),
        )),
    }
}

/// Runs an atomic pipeline of `count` commands and returns one result per command.
async fn exec_transaction(
    shared: &SharedConnection,
    pipe: &redis::Pipeline,
    count: usize,
) -> Result<Vec<Option<Result<Value>>>> {
    match shared.query_pipeline_raw(pipe, count + 1, 1).await? {
        Ok(mut replies) => match replies.pop() {
            Some(Value::Array(items)) if items.len() == count => {
                Ok(items.into_iter().map(|v| Some(Ok(v))).collect())
            }
            Some(Value::ServerError(e)) => {
                let error = server_error(&e);
                Ok((0..count).map(|_| Some(Err(error.clone()))).collect())
            }
            other => Err(Error::new(
                ErrorKind::Protocol,
                format!("unexpected EXEC reply: {other:?}"),
            )),
        },
        Err(aborted) => {
            // Redis rejected some commands while queueing them, so nothing ran.
            let mut results: Vec<Option<Result<Value>>> = (0..count)
                .map(|_| {
                    Some(Err(Error::new(
                        ErrorKind::InvalidInput,
                        "EXECABORT Transaction discarded because of previous errors.",
                    )))
                })
                .collect();
            for (index, error) in aborted.iter() {
                if let Some(slot) = results.get_mut(*index) {
                    *slot = Some(Err(server_error(error)));
                }
            }
            Ok(results)
        }
    }
}
