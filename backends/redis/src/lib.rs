//! `staunch-redis`: the storage contract of staunch over a real Redis server.
//!
//! [`RedisStore`] implements [`staunch_core::Store`] with the `redis` crate (1.x) speaking
//! RESP3, so every reply already has the shape the contract documents (maps, sets, doubles,
//! nulls) and is converted generically. What this crate adds over the raw client is what a
//! store that must survive Redis needs.
//!
//! # Time limits and errors
//!
//! The `redis` crate waits forever by default; this crate never does. A connection attempt is
//! bounded by [`RedisOptions::connect_timeout`] and every reply by
//! [`RedisOptions::response_timeout`] (5 s each by default; zero is refused). Failures map onto
//! [`ErrorKind`] so a caller (or `Failover`) can tell data errors from outages:
//!
//! | Redis says | `ErrorKind` |
//! | --- | --- |
//! | `WRONGTYPE` | `WrongType` |
//! | `ERR no such key` | `NotFound` |
//! | other `ERR ...` (not an integer, out of range, syntax), `EXECABORT`, bad credentials | `InvalidInput` |
//! | `OOM`, `MISCONF`, `READONLY`, `LOADING`, `BUSY`, `NOPERM` (up, but refusing in its present state) | `Refused` |
//! | refused, reset or closed connection, `MASTERDOWN`, `TRYAGAIN`, `CLUSTERDOWN` | `Unavailable` |
//! | no reply within the response timeout (a hung or SIGSTOPped server) | `Timeout` |
//!
//! An outage is never reported as a `Nil`. An error that proves the command never reached
//! Redis (the connection could not be made, or Redis rejected the command unexecuted with one
//! of the codes above) is marked [`Error::is_not_sent`](staunch_core::Error::is_not_sent).
//!
//! # Connections
//!
//! - Ordinary commands share **one multiplexed connection**. After it breaks (the server
//!   restarted, the network reset it) the next call opens a new one, one attempt bounded by the
//!   connect timeout and shared by every caller waiting at that moment: no background retry loop
//!   a call could get stuck behind. A reply that times out does not close the connection (a
//!   stopped server that resumes answers in order). On Linux a black-holed connection is dropped
//!   by the kernel after [`RedisOptions::tcp_user_timeout`].
//! - **Blocking commands** (`BLPOP`, `BRPOP`, `BLMOVE`, `BZPOPMIN`, `BZPOPMAX`) run on dedicated
//!   connections from a small pool, so they never stall other callers. They may wait their own
//!   timeout plus the response timeout; a zero timeout waits forever, as in Redis (bound it with
//!   your own `tokio::time::timeout` if you must). A blocking call that is dropped or times out
//!   closes its connection, so Redis stops waiting for it rather than handing a popped element
//!   to nobody.
//! - **Pub/sub**: each [`Store::subscribe`] opens a dedicated connection and returns once Redis
//!   acknowledged the subscriptions. If the connection drops (restart) or stops answering `PING`,
//!   it reconnects with exponential backoff, subscribes again and yields
//!   `SubscriptionEvent::Gap(GapReason::Reconnected)`; a subscriber that falls more than
//!   [`RedisOptions::subscription_buffer`] messages behind gets `Gap(GapReason::Lagged(n))`.
//!   Dropping the [`Subscription`] closes the connection.
//!
//! # Atomic compound operations
//!
//! `ZMoveByScore`, the compare-and-set/-delete operations and `IncrByEx` are Lua scripts, so
//! no other client's command can run in between. The first use on a connection sends the
//! source (`EVAL`, which caches it); later ones only its SHA1 (`EVALSHA`, falling back to
//! `EVAL` if the cache was flushed). Keys used together must share a hash tag (`{queue}:due`,
//! `{queue}:running`) to keep working on Redis Cluster.
//!
//! # Batches
//!
//! [`Store::batch`] sends all commands in one round trip. With `atomic: true` they run inside
//! `MULTI`/`EXEC`; in a plain pipeline each blocking command is wrapped in its own
//! `MULTI`/`EXEC`, which is how Redis runs it without blocking (as if its timeout had passed).
//! Compound operations go as `EVAL` inside `MULTI` and as `EVALSHA` in a plain pipeline once
//! the connection has seen the server cache them (details in `batch.rs`). A command's error
//! (`WrongType`, ...) is its own result; inside `MULTI` a command Redis rejects while queueing
//! (wrong arguments) aborts the transaction, and every other command's result is then an
//! `InvalidInput` naming `EXECABORT`.
//!
//! # URL
//!
//! `redis://[user[:password]@]host[:port][/db]`: the logical database, ACL user and password
//! come from the URL (percent-encode special characters). `rediss://` (TLS; append
//! `#insecure` to skip certificate checks) needs the cargo feature `tls`; without it,
//! connecting is an `ErrorKind::Unsupported` error that says so. `tls` is rustls (with the
//! `ring` provider); `tls-native` uses native-tls (OpenSSL on Linux) instead. A custom CA and
//! client certificates: [`TlsOptions`] in [`RedisOptions::tls`]. The connection always speaks
//! RESP3, so Redis 6 or later is required.
//!
//! Redis Cluster (`redis-cluster://host:port,host:port`) and Sentinel
//! (`redis-sentinel://host:port,host:port/service[/db]`) have their own forms (the `topology`
//! module documents them). Their TLS forms, `rediss-cluster://` and `rediss-sentinel://`
//! (with `#insecure` too), speak TLS to every node, the Sentinels included, with the same
//! [`TlsOptions`] for all of them; custom certificates there need `tls` (rustls: the `redis`
//! crate's cluster and Sentinel clients take certificates only with rustls), and an attempt
//! with `tls-native` alone is an `ErrorKind::Unsupported` error that says so.
//!
//! # Layout
//!
//! - `options.rs`: [`RedisOptions`].
//! - `connection.rs`: the shared reconnecting connection and the blocking pool.
//! - `encode/`: each [`Command`] as the Redis command (or script) that carries it out (`mod.rs`,
//!   the match; `args.rs`, the argument writers it shares).
//! - `decode.rs`: replies to [`Reply`], `redis` errors to [`ErrorKind`]s.
//! - `scripts.rs`: the Lua scripts. `batch.rs`: pipelines and transactions.
//! - `pubsub.rs`: subscriptions. [`ServerInfo`] (from `INFO`) lives in `staunch-core`.
//! - `topology.rs`: which deployment a URL names; `cluster/`: the contract on a Redis Cluster.
//! - `tls.rs`: [`TlsOptions`] and how they reach each kind of deployment.
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

mod batch;
mod cluster;
mod connection;
mod decode;
mod encode;
mod options;
mod pubsub;
mod scripts;
mod tls;
mod topology;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{Client, IntoConnectionInfo, ProtocolVersion};
use staunch_core::{
    Call, Capabilities, Command, Error, ErrorKind, Eviction, Execution, Name, Persistence,
    PubSubReach, Reply, Result, Store, Subscription, async_trait,
};

use crate::cluster::ClusterBackend;
use crate::connection::{BlockingPool, Connector, SharedConnection, Source};
use crate::decode::{redis_error, to_reply};
use crate::encode::{Plan, plan};
use crate::topology::{SentinelSpec, Topology};

pub use crate::options::RedisOptions;
pub use crate::tls::TlsOptions;
pub use staunch_core::ServerInfo;
pub use staunch_core::slots;

/// A [`Store`] backed by a Redis server (6.0 or later; RESP3). Cheap to clone: clones share
/// the connections.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    options: RedisOptions,
    kind: Kind,
}

/// One server (given, or named by the Sentinels), or a cluster.
// One per store, inside its `Arc`: boxing the larger variant would only add a pointer hop to
// every single-server call.
#[allow(clippy::large_enum_variant)]
enum Kind {
    Single(Single),
    Cluster(Arc<ClusterBackend>),
}

/// The connections to one server at a time.
struct Single {
    connector: Arc<Connector>,
    shared: SharedConnection,
    blocking: BlockingPool,
}

/// The deployment a [`RedisStore`] talks to, from its URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deployment {
    /// One server (`redis://`, `rediss://`).
    Standalone,
    /// The primary the Sentinels name (`redis-sentinel://`), followed across failovers.
    Sentinel,
    /// A Redis Cluster (`redis-cluster://`).
    Cluster,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: show only where the server is.
        let info = self.inner.options.url.as_str().into_connection_info().ok();
        f.debug_struct("RedisStore")
            .field("deployment", &self.deployment())
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
        match &store.inner.kind {
            Kind::Single(single) => drop(single.shared.get().await?),
            Kind::Cluster(cluster) => drop(Box::pin(cluster.conn()).await?),
        }
        Ok(store)
    }

    /// A store that connects on first use: no I/O here, only the URL and options are checked.
    /// Useful when the application must start while Redis is down (`Failover`).
    pub fn lazy(options: RedisOptions) -> Result<RedisStore> {
        options.validate()?;
        let kind = match topology::parse(&options.url)? {
            Topology::Standalone => single(
                Source::Fixed(client(
                    &options.url,
                    options.tcp_user_timeout,
                    &options.tls,
                )?),
                &options,
            ),
            Topology::Sentinel(spec) => single(
                Source::Sentinel(tokio::sync::Mutex::new(sentinel_client(&spec, &options)?)),
                &options,
            ),
            Topology::Cluster(spec) => {
                Kind::Cluster(Arc::new(ClusterBackend::new(spec, options.clone())?))
            }
        };
        Ok(RedisStore {
            inner: Arc::new(Inner { options, kind }),
        })
    }

    /// The deployment this store talks to.
    pub fn deployment(&self) -> Deployment {
        match &self.inner.kind {
            Kind::Cluster(_) => Deployment::Cluster,
            Kind::Single(_) if self.inner.options.url.contains("sentinel://") => {
                Deployment::Sentinel
            }
            Kind::Single(_) => Deployment::Standalone,
        }
    }

    fn single(&self) -> Result<&Single> {
        match &self.inner.kind {
            Kind::Single(single) => Ok(single),
            Kind::Cluster(_) => Err(Error::new(ErrorKind::Internal, "not a single server")),
        }
    }

    /// The options in use.
    pub fn options(&self) -> &RedisOptions {
        &self.inner.options
    }

    /// Sends `PING` and returns the round-trip time: the health probe `Failover` uses.
    pub async fn ping(&self) -> Result<Duration> {
        let started = Instant::now();
        match &self.inner.kind {
            Kind::Single(single) => drop(single.shared.query(&redis::cmd("PING")).await?),
            // Every primary must answer.
            Kind::Cluster(cluster) => Box::pin(cluster.ping()).await?,
        }
        Ok(started.elapsed())
    }

    /// Sends `INFO` and returns the server's report as text (`# Server`, `redis_version:...`):
    /// the figures `Failover`'s health report shows (version, memory, clients, uptime).
    /// On a cluster, the report of one primary.
    pub async fn info(&self) -> Result<String> {
        match &self.inner.kind {
            Kind::Single(single) => {
                let value = single.shared.query(&redis::cmd("INFO")).await?;
                to_reply(value)?.into_string()
            }
            Kind::Cluster(cluster) => Box::pin(cluster.info()).await,
        }
    }

    /// [`RedisStore::info`] parsed: version, memory, clients, uptime, role and every other
    /// field.
    pub async fn server_info(&self) -> Result<ServerInfo> {
        Ok(ServerInfo::parse(&self.info().await?))
    }

    async fn run_plan(&self, plan: Result<Plan>) -> Result<Reply> {
        let single = self.single()?;
        match plan? {
            Plan::Plain(cmd) => to_reply(single.shared.query(&cmd).await?),
            // The rarer paths are boxed so their larger futures do not grow every call's future
            // (the hot path is the plain command above).
            Plan::Blocking { cmd, block } => {
                to_reply(Box::pin(single.blocking.query(&cmd, block)).await?)
            }
            script @ Plan::Script { .. } => Box::pin(self.run_script(script)).await,
        }
    }

    async fn run_script(&self, plan: Plan) -> Result<Reply> {
        let Plan::Script { script, keys, args } = plan else {
            return Err(Error::new(ErrorKind::Internal, "not a script"));
        };
        let shared = &self.single()?.shared;
        let mut handle = shared.get().await?;
        // A script this connection's server has not cached yet goes with its source at once,
        // rather than an `EVALSHA` that is sure to come back `NOSCRIPT`.
        let first = if handle.knows(script) {
            shared
                .query_on(&mut handle, &Plan::evalsha(script, &keys, &args))
                .await
        } else {
            shared
                .query_on(&mut handle, &Plan::eval(script, &keys, &args))
                .await
        };
        let reply = match first {
            Err(e) if is_noscript(&e) => {
                handle.learn(script, false);
                shared
                    .query_on(&mut handle, &Plan::eval(script, &keys, &args))
                    .await
            }
            other => other,
        };
        if reply.is_ok() {
            handle.learn(script, true);
        }
        script.finish(to_reply(reply?)?)
    }
}

/// The connections to one server reached through `source`.
fn single(source: Source, options: &RedisOptions) -> Kind {
    let connector = Arc::new(Connector::new(
        source,
        options.connect_timeout,
        options.response_timeout,
    ));
    Kind::Single(Single {
        shared: SharedConnection::new(connector.clone()),
        blocking: BlockingPool::new(connector.clone(), options.blocking_pool_size),
        connector,
    })
}

/// The `redis` crate's Sentinel client for `spec`: it asks the Sentinels for the primary of
/// the service and checks its `ROLE` at each connection. With TLS, both the Sentinels and the
/// data nodes are reached over TLS with the same certificates.
fn sentinel_client(spec: &SentinelSpec, options: &RedisOptions) -> Result<SentinelClient> {
    if spec.tls && !cfg!(any(feature = "tls-rustls", feature = "tls-native")) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "rediss-sentinel:// (TLS) needs the `tls` cargo feature of staunch-redis (staunch: \
             `tls`)",
        ));
    }
    if !options.tls.is_empty() && !spec.tls {
        return Err(Error::invalid(
            "TLS certificates are set but the URL is redis-sentinel://, not rediss-sentinel://",
        ));
    }
    let tcp = redis::io::tcp::TcpSettings::default();
    #[cfg(target_os = "linux")]
    let tcp = tcp.set_user_timeout(options.tcp_user_timeout);
    #[cfg(not(target_os = "linux"))]
    let _ = options;
    let addresses = spec.sentinels.iter().map(|(host, port)| {
        if spec.tls {
            redis::ConnectionAddr::TcpTls {
                host: host.clone(),
                port: *port,
                insecure: spec.insecure,
                tls_params: None,
            }
        } else {
            redis::ConnectionAddr::Tcp(host.clone(), *port)
        }
    });
    let mut builder =
        SentinelClientBuilder::new(addresses, &spec.service, SentinelServerType::Master)
            .map_err(redis_error)?
            .set_client_to_redis_protocol(ProtocolVersion::RESP3)
            .set_client_to_redis_db(spec.db)
            .set_client_to_redis_tcp_settings(tcp.clone())
            .set_client_to_sentinel_tcp_settings(tcp);
    if let Some(user) = &spec.username {
        builder = builder.set_client_to_redis_username(user);
    }
    if let Some(password) = &spec.password {
        builder = builder.set_client_to_redis_password(password);
    }
    if let Some(user) = &spec.sentinel_username {
        builder = builder.set_client_to_sentinel_username(user);
    }
    if let Some(password) = &spec.sentinel_password {
        builder = builder.set_client_to_sentinel_password(password);
    }
    if spec.tls {
        let mode = if spec.insecure {
            redis::TlsMode::Insecure
        } else {
            redis::TlsMode::Secure
        };
        builder = tls::sentinel_certificates(
            builder.set_client_to_redis_tls_mode(mode),
            &options.tls,
            spec.insecure,
        )?;
    }
    builder.build().map_err(|e| {
        if options.tls.is_empty() {
            redis_error(e)
        } else {
            tls::invalid_certificates(e)
        }
    })
}

fn is_noscript(error: &Error) -> bool {
    error.message().starts_with("NOSCRIPT") || error.message().contains("NoScript")
}

/// The error for a URL the `redis` crate cannot use. It names the URL redacted, and quotes the
/// parser's reason only when that does not contain any of the userinfo (the parser may echo
/// parts of the URL); no source is attached for the same reason.
fn invalid_url(url: &str, reason: &str) -> Error {
    let userinfo = url
        .split_once("://")
        .and_then(|(_, rest)| rest.rsplit_once('@'))
        .map(|(info, _)| info)
        .unwrap_or("");
    let leaks = !userinfo.is_empty()
        && (reason.contains(userinfo)
            || userinfo
                .split(':')
                .filter(|part| !part.is_empty())
                .any(|part| reason.contains(part)));
    let hint = if userinfo.contains(['?', '#', '/', '@', '%']) {
        " (a password with ?, #, /, @ or % must be percent-encoded in the URL)"
    } else {
        ""
    };
    let redacted = staunch_core::redact_url(url);
    if leaks {
        Error::invalid(format!("invalid Redis URL {redacted}{hint}"))
    } else {
        Error::invalid(format!("invalid Redis URL {redacted}: {reason}{hint}"))
    }
}

/// A client for `url`, always speaking RESP3.
fn client(url: &str, tcp_user_timeout: Duration, tls_options: &tls::TlsOptions) -> Result<Client> {
    let secure = url.starts_with("rediss://") || url.starts_with("valkeys://");
    if secure && !cfg!(any(feature = "tls-rustls", feature = "tls-native")) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "rediss:// (TLS) needs the `tls` cargo feature of staunch-redis (staunch: `tls`)",
        ));
    }
    if !tls_options.is_empty() && !secure {
        return Err(Error::invalid(
            "TLS certificates are set but the URL is redis://, not rediss://",
        ));
    }
    let info = url
        .into_connection_info()
        .map_err(|e| invalid_url(url, &e.to_string()))?;
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
    if !tls_options.is_empty() {
        return tls::client_with_tls(info, tls_options);
    }
    Client::open(info).map_err(redis_error)
}

#[async_trait]
impl Store for RedisStore {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        if let Kind::Cluster(cluster) = &self.inner.kind {
            // Boxed: the cluster's future is deep (routing, scan, scripts), and a caller's
            // future that embeds it would otherwise grow with it.
            let future: std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<Reply>> + Send + '_>,
            > = Box::pin(cluster.call(call.into_owned()));
            return Execution::pending(future);
        }
        // Encoded before the future is made, so the future holds the encoded command only.
        let plan = plan(&call.into_owned());
        Execution::pending(self.run_plan(plan))
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        match &self.inner.kind {
            Kind::Single(single) => batch::run(&single.shared, &commands, atomic).await,
            Kind::Cluster(cluster) => Box::pin(cluster.batch(commands, atomic)).await,
        }
    }

    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription> {
        match &self.inner.kind {
            Kind::Single(single) => {
                pubsub::subscribe(
                    single.connector.clone(),
                    &self.inner.options,
                    channels,
                    patterns,
                )
                .await
            }
            Kind::Cluster(cluster) => Box::pin(cluster.subscribe(channels, patterns)).await,
        }
    }

    fn capabilities(&self) -> Capabilities {
        let mut capabilities = Capabilities::new(
            Persistence::Remote,
            PubSubReach::CrossProcess,
            Eviction::ServerPolicy,
        );
        capabilities.cross_slot = !matches!(self.inner.kind, Kind::Cluster(_));
        capabilities
    }
}
