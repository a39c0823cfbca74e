//! The contract on a Redis Cluster, over the `redis` crate's async cluster client
//! (`redis::cluster_async::ClusterConnection`): it keeps the slot map, follows `MOVED`/`ASK`
//! (resharding), reconnects, retries and picks up promoted replicas. This module decides
//! *where* each call goes and keeps the contract's meaning on a sharded keyspace:
//!
//! - **One-slot commands** go to the primary of their keys' slot. A command's keys come from
//!   the command table ([`Command::keys`]), and a command whose keys span slots is refused
//!   *before* it is sent with an `InvalidInput` error that names every key and its slot
//!   ([`staunch_core::slots::common_slot`]), except the commands Redis Cluster clients split:
//!   `MGET`, `DEL`, `EXISTS`, `UNLINK`, `TOUCH` go to every slot involved and the replies are
//!   merged (counts added, `MGET` values in key order) by the `redis` crate. A split command
//!   is not atomic across slots.
//! - **Scripts** (the compound operations) run on their keys' slot, as `EVALSHA`, falling back
//!   to `EVAL` when a node has not cached the script yet.
//! - **Batches** run as pipelines on one node. An atomic batch (`MULTI`/`EXEC`) must keep all
//!   its keys in one slot (else the error names them). A plain batch is cut into runs of
//!   consecutive commands on one slot, sent one run after the other, so the commands still
//!   run in order; a split command in it runs alone.
//! - **`SCAN`** walks the primaries one after another, ordered by their lowest slot: the
//!   cursor carries the primary's index in its top 16 bits and that primary's own cursor in
//!   the other 48. A failover in the middle of a scan continues on the promoted replica (it
//!   serves the same slots); a resharding may make keys repeat or be missed, as a rehash does.
//!   **`DBSIZE`** adds up and **`FLUSHDB`** runs on every primary.
//! - **Blocking commands** run on a dedicated cluster connection taken from a small pool
//!   (never on the shared one, where they would stall every caller of that node).
//! - **Pub/sub**: Redis Cluster forwards every `PUBLISH` to all nodes, so a subscriber
//!   anywhere hears everything, but `PUBLISH` only counts the subscribers of the node that
//!   received it. So one primary is the hub, the one serving slot 0: every subscription
//!   connects to it and every `PUBLISH` is sent to it, and the count is exact (channel and
//!   pattern subscribers), as on one server. After a failover a subscription reconnects to the
//!   slot's new primary and reports a gap, as on one server. (Sharded pub/sub, `SSUBSCRIBE`,
//!   is not used: the contract's pattern subscriptions have no sharded form.)
//!
//! A cluster has only database 0. Time limits: connecting to the cluster is bounded by the
//! connect timeout; each call, retries and redirections included, by the response timeout.
//!
//! TLS (`rediss-cluster://`): every node, the ones discovered later included, is reached with
//! the certificates of [`RedisOptions::tls`] (the `redis` crate's `ClusterClientBuilder::certs`,
//! rustls only) and the seed URL's `#insecure`; the pub/sub hub connection uses the same.

mod pubsub;
mod scan;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use redis::{Cmd, Pipeline, ProtocolVersion, Value};
use staunch_core::slots::common_slot;
use staunch_core::{Command, Error, ErrorKind, Name, Reply, Result, Subscription};

use crate::batch::{self, Conn};
use crate::connection::Aborted;
use crate::decode::{redis_error, server_error, timeout, to_reply};
use crate::encode::{Plan, plan};
use crate::options::RedisOptions;
use crate::scripts::Script;
use crate::topology::ClusterSpec;

/// The commands the `redis` crate splits per slot and merges (see the module docs).
const SPLIT: &[&str] = &["MGET", "DEL", "EXISTS", "UNLINK", "TOUCH"];

/// Where a call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The primary of this slot.
    Slot(u16),
    /// Wherever the `redis` crate routes the command (keyless commands, split commands).
    Auto,
}

impl Target {
    fn routing(self) -> Option<RoutingInfo> {
        match self {
            Target::Slot(slot) => Some(RoutingInfo::SingleNode(
                SingleNodeRoutingInfo::SpecificNode(Route::new(slot, SlotAddr::Master)),
            )),
            Target::Auto => None,
        }
    }

    fn single(self) -> SingleNodeRoutingInfo {
        match self {
            Target::Slot(slot) => {
                SingleNodeRoutingInfo::SpecificNode(Route::new(slot, SlotAddr::Master))
            }
            Target::Auto => SingleNodeRoutingInfo::RandomPrimary,
        }
    }
}

/// Where `command` goes: the slot of its keys, or anywhere for keyless and split commands.
fn target(command: &Command) -> Result<Target> {
    // Every subscription lives on the hub, so publishing and the `PUBSUB` introspection
    // (`NUMSUB`, `CHANNELS`, `NUMPAT`) go there and count exactly.
    if matches!(command.name(), "PUBLISH" | "PUBSUB") {
        return Ok(Target::Slot(pubsub::HUB_SLOT));
    }
    let keys = command.keys();
    match common_slot(command.name(), keys.iter().copied()) {
        Ok(Some(slot)) => Ok(Target::Slot(slot)),
        Ok(None) => Ok(Target::Auto),
        Err(_) if SPLIT.contains(&command.name()) => Ok(Target::Auto),
        Err(e) => Err(e),
    }
}

/// A Redis Cluster behind the contract. See the module docs.
pub(crate) struct ClusterBackend {
    options: RedisOptions,
    spec: ClusterSpec,
    client: ClusterClient,
    /// For blocking commands: no response timeout (the caller bounds the wait).
    blocking_client: ClusterClient,
    /// Set once: the cluster connection reconnects to nodes and follows the topology by itself,
    /// so it is never replaced, and reading it is one atomic load.
    current: OnceLock<ClusterConnection>,
    connecting: tokio::sync::Mutex<()>,
    idle_blocking: Mutex<Vec<ClusterConnection>>,
}

fn builder(spec: &ClusterSpec, options: &RedisOptions) -> Result<ClusterClientBuilder> {
    let tcp = redis::io::tcp::TcpSettings::default();
    #[cfg(target_os = "linux")]
    let tcp = tcp.set_user_timeout(options.tcp_user_timeout);
    let builder = ClusterClientBuilder::new(spec.node_urls.clone())
        .use_protocol(ProtocolVersion::RESP3)
        .connection_timeout(options.connect_timeout)
        .tcp_settings(tcp);
    crate::tls::cluster_certificates(builder, &options.tls, spec.insecure)
}

/// Builds the client; with certificates set, a failure is theirs (the seed URLs were checked
/// when parsed), and the error says so.
fn build(builder: ClusterClientBuilder, options: &RedisOptions) -> Result<ClusterClient> {
    builder.build().map_err(|e| {
        if options.tls.is_empty() {
            redis_error(e)
        } else {
            crate::tls::invalid_certificates(e)
        }
    })
}

impl ClusterBackend {
    /// A backend for `spec`; no I/O (the first call connects).
    pub(crate) fn new(spec: ClusterSpec, options: RedisOptions) -> Result<ClusterBackend> {
        if spec.tls && !cfg!(any(feature = "tls-rustls", feature = "tls-native")) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "rediss-cluster:// (TLS) needs the `tls` cargo feature of staunch-redis",
            ));
        }
        if !options.tls.is_empty() && !spec.tls {
            return Err(Error::invalid(
                "TLS certificates are set but the URL is redis-cluster://, not rediss-cluster://",
            ));
        }
        let client = build(
            builder(&spec, &options)?.response_timeout(options.response_timeout),
            &options,
        )?;
        let blocking_client = build(builder(&spec, &options)?, &options)?;
        Ok(ClusterBackend {
            options,
            spec,
            client,
            blocking_client,
            current: OnceLock::new(),
            connecting: tokio::sync::Mutex::new(()),
            idle_blocking: Mutex::new(Vec::new()),
        })
    }

    /// The shared cluster connection, connecting on first use (bounded by the connect
    /// timeout; concurrent callers wait for one attempt).
    pub(crate) async fn conn(&self) -> Result<ClusterConnection> {
        if let Some(conn) = self.current.get() {
            return Ok(conn.clone());
        }
        let wait = self.options.connect_timeout;
        let _turn = tokio::time::timeout(wait, self.connecting.lock())
            .await
            .map_err(|_| timeout("a connection attempt", wait))?;
        if let Some(conn) = self.current.get() {
            return Ok(conn.clone());
        }
        let conn = tokio::time::timeout(wait, self.client.get_async_connection())
            .await
            .map_err(|_| timeout("connecting to the cluster", wait))?
            .map_err(redis_error)?;
        Ok(self.current.get_or_init(|| conn).clone())
    }

    /// Sends `cmd` to `target` and returns its reply (an error reply as an `Err`).
    async fn send(&self, cmd: Cmd, target: Target) -> Result<Value> {
        let mut conn = self.conn().await?;
        let result = match target.routing() {
            Some(routing) => conn.route_command(cmd, routing).await,
            None => conn.req_packed_command(&cmd).await,
        };
        match result.map_err(redis_error)? {
            Value::ServerError(e) => Err(server_error(&e)),
            value => Ok(value),
        }
    }

    /// `PING` on every primary.
    pub(crate) async fn ping(&self) -> Result<()> {
        self.send(redis::cmd("PING"), Target::Auto).await.map(drop)
    }

    /// `INFO` of one primary.
    pub(crate) async fn info(&self) -> Result<String> {
        let mut conn = self.conn().await?;
        let value = conn
            .route_command(
                redis::cmd("INFO"),
                RoutingInfo::SingleNode(SingleNodeRoutingInfo::RandomPrimary),
            )
            .await
            .map_err(redis_error)?;
        to_reply(value)?.into_string()
    }

    /// Runs one command. See the module docs.
    pub(crate) async fn call(&self, command: Command) -> Result<Reply> {
        if let Command::Scan { cursor, options } = &command {
            return Box::pin(scan::scan(self, *cursor, options)).await;
        }
        let target = target(&command)?;
        match plan(&command)? {
            Plan::Plain(cmd) => to_reply(self.send(cmd, target).await?),
            Plan::Blocking { cmd, block } => Box::pin(self.blocking(cmd, block)).await,
            Plan::Script { script, keys, args } => {
                let first = self.send(Plan::evalsha(script, &keys, &args), target).await;
                let value = match first {
                    Err(e) if e.message().starts_with("NOSCRIPT") => {
                        self.send(Plan::eval(script, &keys, &args), target).await?
                    }
                    other => other?,
                };
                script.finish(to_reply(value)?)
            }
        }
    }

    /// A blocking command on a dedicated cluster connection (see the module docs).
    async fn blocking(&self, cmd: Cmd, block: Duration) -> Result<Reply> {
        let idle = self
            .idle_blocking
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => {
                let wait = self.options.connect_timeout;
                tokio::time::timeout(wait, self.blocking_client.get_async_connection())
                    .await
                    .map_err(|_| timeout("connecting to the cluster", wait))?
                    .map_err(redis_error)?
            }
        };
        let send = conn.req_packed_command(&cmd);
        let result = if block.is_zero() {
            send.await
        } else {
            let limit = block.saturating_add(self.options.response_timeout);
            match tokio::time::timeout(limit, send).await {
                Ok(result) => result,
                // Dropping the connection closes it, so Redis stops waiting for us.
                Err(_) => return Err(timeout("a blocking command", limit)),
            }
        };
        let value = result.map_err(redis_error)?;
        {
            let mut idle = self.idle_blocking.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < self.options.blocking_pool_size {
                idle.push(conn);
            }
        }
        to_reply(value)
    }

    /// Runs a batch. See the module docs.
    pub(crate) async fn batch(
        &self,
        commands: Vec<Command>,
        atomic: bool,
    ) -> Result<Vec<Result<Reply>>> {
        if atomic {
            let keys: Vec<&[u8]> = commands.iter().flat_map(|c| c.keys()).collect();
            let slot = common_slot("MULTI", keys.iter().copied())?;
            let target = slot.map_or(Target::Auto, Target::Slot);
            return batch::run_on(&mut self.node(target), &commands, true).await;
        }
        let mut results = Vec::with_capacity(commands.len());
        let mut run: Vec<Command> = Vec::new();
        let mut run_target = Target::Auto;
        for command in commands {
            let target = match target(&command) {
                Ok(target) => target,
                Err(e) => {
                    self.flush_run(&mut run, run_target, &mut results).await?;
                    results.push(Err(e));
                    continue;
                }
            };
            let split = target == Target::Auto && command.keys().len() > 1;
            if split {
                self.flush_run(&mut run, run_target, &mut results).await?;
                results.push(self.call(command).await);
                continue;
            }
            match (run_target, target) {
                (_, Target::Auto) => {}
                (Target::Auto, slot) => run_target = slot,
                (current, slot) if current == slot => {}
                (_, slot) => {
                    self.flush_run(&mut run, run_target, &mut results).await?;
                    run_target = slot;
                }
            }
            run.push(command);
        }
        self.flush_run(&mut run, run_target, &mut results).await?;
        Ok(results)
    }

    async fn flush_run(
        &self,
        run: &mut Vec<Command>,
        target: Target,
        results: &mut Vec<Result<Reply>>,
    ) -> Result<()> {
        if run.is_empty() {
            return Ok(());
        }
        let commands = std::mem::take(run);
        results.extend(batch::run_on(&mut self.node(target), &commands, false).await?);
        Ok(())
    }

    fn node(&self, target: Target) -> NodeConn<'_> {
        NodeConn {
            backend: self,
            target,
        }
    }

    /// Subscribes (see the module docs).
    pub(crate) async fn subscribe(
        self: &Arc<Self>,
        channels: Vec<Name>,
        patterns: Vec<Name>,
    ) -> Result<Subscription> {
        pubsub::subscribe(self.clone(), channels, patterns).await
    }

    pub(crate) fn options(&self) -> &RedisOptions {
        &self.options
    }

    pub(crate) fn spec(&self) -> &ClusterSpec {
        &self.spec
    }
}

/// A batch's view of the cluster: everything goes to one node.
struct NodeConn<'a> {
    backend: &'a ClusterBackend,
    target: Target,
}

#[async_trait::async_trait]
impl Conn for NodeConn<'_> {
    async fn knows(&mut self, _script: Script) -> Result<bool> {
        // Scripts go with their source (`EVAL`): which nodes cached which script is not
        // tracked, and an `EVAL` never meets `NOSCRIPT`.
        Ok(false)
    }

    fn learn(&mut self, _script: Script, _known: bool) {}

    async fn pipeline(
        &mut self,
        pipeline: &Pipeline,
        offset: usize,
        count: usize,
    ) -> Result<std::result::Result<Vec<Value>, Aborted>> {
        let mut conn = self.backend.conn().await?;
        match conn
            .route_pipeline(pipeline.clone(), offset, count, self.target.single())
            .await
        {
            Ok(values) => Ok(Ok(values)),
            Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::ExecAbort) => {
                match e.clone().into_server_errors() {
                    Some(errors) => Ok(Err(errors)),
                    None => Err(redis_error(e)),
                }
            }
            Err(e) => Err(redis_error(e)),
        }
    }

    async fn query(&mut self, cmd: &Cmd) -> Result<Value> {
        self.backend.send(cmd.clone(), self.target).await
    }
}
