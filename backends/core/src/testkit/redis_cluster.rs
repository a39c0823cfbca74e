//! Real distributed Redis deployments for tests: a Redis Cluster ([`RedisCluster`]) and a
//! Sentinel set ([`RedisSentinels`]), started on free loopback ports from [`RedisServer`]s and
//! killed (with their directories) on drop.
//!
//! - [`RedisCluster::start`] starts `primaries × (1 + replicas)` servers with
//!   `cluster-enabled yes` in parallel, joins them with
//!   `redis-cli --cluster create ... --cluster-replicas N --cluster-yes` and waits until every
//!   node reports `cluster_state:ok` and every replica is in sync. The cluster bus port is
//!   chosen free too (`cluster-port`), so a data port above 55535 is no problem. A short
//!   `cluster-node-timeout` (1 s) keeps fault tests (a primary killed, its replica promoted)
//!   quick.
//! - [`RedisSentinels::start`] starts one primary, one replica and three Sentinels (quorum 2,
//!   `down-after-milliseconds` 1000) monitoring the service `staunch`, and waits until every
//!   Sentinel knows the replica and the other Sentinels, so a failover can be elected.
//!
//! With a [`ServerTls`] in [`ClusterOptions::tls`] or [`SentinelOptions::tls`] every server
//! speaks TLS only (`port 0`), and so do the links between them: the cluster bus
//! (`tls-cluster yes`), replication and the Sentinels' links (`tls-replication yes`); the URLs
//! are then `rediss-cluster://` and `rediss-sentinel://`.
//!
//! Administration goes through `redis-cli` (from `PATH`, or `STAUNCH_REDIS_CLI_BIN`; with
//! `--tls` and the certificates for a TLS deployment), so the testkit needs no Redis client
//! library. [`test_redis_cluster`] and [`test_redis_sentinels`]
//! honour `STAUNCH_SKIP_REDIS=1` like [`super::redis_server::test_redis`], and panic with
//! instructions otherwise when the servers cannot be had: never a silent pass.

use std::io;
use std::time::{Duration, Instant};

use super::redis_server::{RedisServer, RedisServerOptions, skip_redis};
use super::redis_tls::ServerTls;

/// Environment variable naming the `redis-cli` binary (default: `redis-cli` on `PATH`).
pub const CLI_ENV: &str = "STAUNCH_REDIS_CLI_BIN";

/// The Sentinel service name [`RedisSentinels`] monitors.
pub const SERVICE: &str = "staunch";

/// How long a deployment may take to form (cluster join, replica sync, Sentinel discovery).
const FORM_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `redis-cli -p <port> <args>` and returns its standard output.
pub async fn redis_cli(port: u16, args: &[&str]) -> io::Result<String> {
    redis_cli_with(port, None, args).await
}

/// [`redis_cli`] over TLS with `tls`'s CA and client certificate (plain with `None`).
pub async fn redis_cli_with(
    port: u16,
    tls: Option<&ServerTls>,
    args: &[&str],
) -> io::Result<String> {
    let bin = std::env::var(CLI_ENV).unwrap_or_else(|_| "redis-cli".to_owned());
    let output = tokio::process::Command::new(&bin)
        .arg("-h")
        .arg("127.0.0.1")
        .arg("-p")
        .arg(port.to_string())
        .args(tls.map(ServerTls::cli_args).unwrap_or_default())
        .args(args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("could not run `{bin}`: {e}")))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(text)
    } else {
        Err(io::Error::other(format!(
            "`{bin} -p {port} {}` failed ({}): {text}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )))
    }
}

/// The value of `field` in an `INFO`-style `field:value` text.
fn info_field<'a>(text: &'a str, field: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.trim().strip_prefix(field)?.strip_prefix(':'))
}

/// Polls `check` every 50 ms until it is true or `timeout` passes (then says `what` failed).
async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F) -> io::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("{what} within {timeout:?}"),
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Options of [`RedisCluster::start`].
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Primaries (default 3, the minimum Redis Cluster accepts).
    pub primaries: usize,
    /// Replicas of each primary (default 1).
    pub replicas: usize,
    /// `cluster-node-timeout` (default 1 s: a killed primary is replaced within seconds).
    pub node_timeout: Duration,
    /// TLS only, on the cluster bus too (default `None`: plain TCP). See the module docs.
    pub tls: Option<ServerTls>,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            primaries: 3,
            replicas: 1,
            node_timeout: Duration::from_secs(1),
            tls: None,
        }
    }
}

/// One node as `CLUSTER NODES` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterNode {
    /// The node id.
    pub id: String,
    /// Its data port on 127.0.0.1.
    pub port: u16,
    /// True for a primary.
    pub primary: bool,
    /// True when the cluster considers it failed (`fail` flag).
    pub failed: bool,
    /// Its slot ranges (primaries only), inclusive.
    pub slots: Vec<(u16, u16)>,
}

/// A Redis Cluster of real servers on loopback ports. See the module docs.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
    tls: Option<ServerTls>,
}

impl RedisCluster {
    /// Starts and forms a cluster; waits until it is usable (`cluster_state:ok` everywhere,
    /// replicas in sync).
    pub async fn start(options: ClusterOptions) -> io::Result<RedisCluster> {
        let count = options.primaries * (1 + options.replicas);
        let timeout_ms = options.node_timeout.as_millis().max(100).to_string();
        let starts = (0..count).map(|_| {
            let timeout_ms = timeout_ms.clone();
            let tls = options.tls.clone();
            async move {
                let mut server_options = RedisServerOptions::new()
                    .cluster_node(true)
                    .arg("--cluster-node-timeout")
                    .arg(timeout_ms);
                if let Some(tls) = tls {
                    server_options = server_options.tls(tls).arg("--tls-cluster").arg("yes");
                }
                RedisServer::start_with(server_options).await
            }
        });
        let started = futures_util::future::join_all(starts).await;
        let mut nodes = Vec::with_capacity(count);
        for server in started {
            nodes.push(server?);
        }
        let cluster = RedisCluster {
            nodes,
            tls: options.tls,
        };
        let addresses: Vec<String> = cluster
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port()))
            .collect();
        let mut args: Vec<&str> = vec!["--cluster", "create"];
        args.extend(addresses.iter().map(String::as_str));
        let replicas = options.replicas.to_string();
        args.extend(["--cluster-replicas", &replicas, "--cluster-yes"]);
        cluster.cli(cluster.nodes[0].port(), &args).await?;
        cluster.wait_healthy(FORM_TIMEOUT).await?;
        Ok(cluster)
    }

    /// `redis-cluster://127.0.0.1:<port>,...` (`rediss-cluster://` with TLS) with every node
    /// as a seed (the URL form `staunch-redis` reads).
    pub fn url(&self) -> String {
        let seeds = seed_list(&self.nodes);
        let scheme = if self.tls.is_some() {
            "rediss-cluster"
        } else {
            "redis-cluster"
        };
        format!("{scheme}://{seeds}")
    }

    /// The certificates of a TLS cluster.
    pub fn tls(&self) -> Option<&ServerTls> {
        self.tls.as_ref()
    }

    /// [`redis_cli`] against node `port` of this cluster (over TLS for a TLS cluster).
    pub async fn cli(&self, port: u16, args: &[&str]) -> io::Result<String> {
        redis_cli_with(port, self.tls.as_ref(), args).await
    }

    /// The servers, in start order.
    pub fn servers(&self) -> &[RedisServer] {
        &self.nodes
    }

    /// The server on `port`, to kill, pause or restart it.
    pub fn server_mut(&mut self, port: u16) -> Option<&mut RedisServer> {
        self.nodes.iter_mut().find(|n| n.port() == port)
    }

    /// Ports of the servers still running.
    fn live_ports(&self) -> Vec<u16> {
        self.nodes
            .iter()
            .filter(|n| n.pid().is_some())
            .map(RedisServer::port)
            .collect()
    }

    /// The cluster's view of its nodes (`CLUSTER NODES` from the first live node that answers).
    pub async fn topology(&self) -> io::Result<Vec<ClusterNode>> {
        let mut last = io::Error::other("no live node");
        for port in self.live_ports() {
            match self.cli(port, &["cluster", "nodes"]).await {
                Ok(text) => return Ok(parse_nodes(&text)),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The live primaries (not failed), by the cluster's view.
    pub async fn primaries(&self) -> io::Result<Vec<ClusterNode>> {
        Ok(self
            .topology()
            .await?
            .into_iter()
            .filter(|n| n.primary && !n.failed && !n.slots.is_empty())
            .collect())
    }

    /// Waits until every live node says `cluster_state:ok` and knows the same primaries, and
    /// every live replica's link to its primary is up.
    pub async fn wait_healthy(&self, timeout: Duration) -> io::Result<()> {
        let ports = self.live_ports();
        wait_until("the cluster did not become healthy", timeout, || {
            let ports = ports.clone();
            async move {
                for &port in &ports {
                    let Ok(info) = self.cli(port, &["cluster", "info"]).await else {
                        return false;
                    };
                    if info_field(&info, "cluster_state") != Some("ok") {
                        return false;
                    }
                    let Ok(replication) = self.cli(port, &["info", "replication"]).await else {
                        return false;
                    };
                    if info_field(&replication, "role") == Some("slave")
                        && info_field(&replication, "master_link_status") != Some("up")
                    {
                        return false;
                    }
                }
                true
            }
        })
        .await
    }

    /// Waits until the cluster has promoted a replica of `failed_port` (a killed primary):
    /// a live primary serves each of its slots again and the cluster state is `ok`.
    pub async fn wait_failover(&self, failed_port: u16, timeout: Duration) -> io::Result<()> {
        let ports: Vec<u16> = self
            .live_ports()
            .into_iter()
            .filter(|&p| p != failed_port)
            .collect();
        wait_until("no replica was promoted", timeout, || {
            let ports = ports.clone();
            async move {
                for &port in &ports {
                    let Ok(info) = self.cli(port, &["cluster", "info"]).await else {
                        return false;
                    };
                    if info_field(&info, "cluster_state") != Some("ok") {
                        return false;
                    }
                }
                match ports.first() {
                    Some(&port) => match self.cli(port, &["cluster", "nodes"]).await {
                        Ok(text) => parse_nodes(&text)
                            .iter()
                            .all(|n| !(n.port == failed_port && n.primary && !n.slots.is_empty())),
                        Err(_) => false,
                    },
                    None => false,
                }
            }
        })
        .await
    }

    /// Moves `slots` slots from the primary on `from` to the primary on `to` with
    /// `redis-cli --cluster reshard` (keys migrate with `MIGRATE`; clients see `ASK`/`MOVED`).
    pub async fn reshard(
        &self,
        from: &ClusterNode,
        to: &ClusterNode,
        slots: u16,
    ) -> io::Result<()> {
        let seed = format!("127.0.0.1:{}", to.port);
        let count = slots.to_string();
        self.cli(
            to.port,
            &[
                "--cluster",
                "reshard",
                &seed,
                "--cluster-from",
                &from.id,
                "--cluster-to",
                &to.id,
                "--cluster-slots",
                &count,
                "--cluster-yes",
                "--cluster-pipeline",
                "100",
            ],
        )
        .await
        .map(drop)
    }
}

/// Parses `CLUSTER NODES` output.
pub fn parse_nodes(text: &str) -> Vec<ClusterNode> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let id = fields.first()?.to_string();
            // `127.0.0.1:7000@17000[,hostname]`
            let address = fields.get(1)?;
            let port = address
                .split('@')
                .next()?
                .rsplit(':')
                .next()?
                .parse()
                .ok()?;
            let flags = fields.get(2)?;
            let primary = flags.split(',').any(|f| f == "master");
            let failed = flags.split(',').any(|f| f == "fail" || f == "noaddr");
            let slots = fields
                .iter()
                .skip(8)
                .filter(|f| !f.starts_with('['))
                .filter_map(|range| {
                    let (start, end) = range.split_once('-').unwrap_or((range, range));
                    Some((start.parse().ok()?, end.parse().ok()?))
                })
                .collect();
            Some(ClusterNode {
                id,
                port,
                primary,
                failed,
                slots,
            })
        })
        .collect()
}

/// A Sentinel-managed primary with one replica and three Sentinels. See the module docs.
#[derive(Debug)]
pub struct RedisSentinels {
    /// The servers holding data: the initial primary first, then the replica.
    data: Vec<RedisServer>,
    sentinels: Vec<RedisServer>,
    tls: Option<ServerTls>,
}

/// Options of [`RedisSentinels::start_with`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SentinelOptions {
    /// TLS only, on replication and the Sentinels' links too (default `None`: plain TCP).
    /// See the module docs.
    pub tls: Option<ServerTls>,
}

impl SentinelOptions {
    /// Plain TCP.
    pub fn new() -> SentinelOptions {
        SentinelOptions::default()
    }

    /// Sets [`SentinelOptions::tls`].
    pub fn tls(mut self, tls: ServerTls) -> Self {
        self.tls = Some(tls);
        self
    }
}

impl RedisSentinels {
    /// Starts the set and waits until the Sentinels know each other and the replica.
    pub async fn start() -> io::Result<RedisSentinels> {
        Self::start_with(SentinelOptions::default()).await
    }

    /// [`RedisSentinels::start`] with `options`.
    pub async fn start_with(options: SentinelOptions) -> io::Result<RedisSentinels> {
        let tls = options.tls;
        let server = || match &tls {
            Some(tls) => RedisServerOptions::new().tls(tls.clone()),
            None => RedisServerOptions::new(),
        };
        let primary = RedisServer::start_with(server()).await?;
        let replica = RedisServer::start_with(
            server()
                .arg("--replicaof")
                .arg("127.0.0.1")
                .arg(primary.port().to_string()),
        )
        .await?;
        let config = format!(
            "sentinel monitor {SERVICE} 127.0.0.1 {port} 2\n\
             sentinel down-after-milliseconds {SERVICE} 1000\n\
             sentinel failover-timeout {SERVICE} 10000\n\
             sentinel parallel-syncs {SERVICE} 1\n",
            port = primary.port()
        );
        let starts =
            (0..3).map(|_| RedisServer::start_with(server().config(config.clone()).sentinel(true)));
        let mut sentinels = Vec::new();
        for sentinel in futures_util::future::join_all(starts).await {
            sentinels.push(sentinel?);
        }
        let set = RedisSentinels {
            data: vec![primary, replica],
            sentinels,
            tls,
        };
        let replica_port = set.data[1].port();
        // Borrowed by the checks below, which are `async move` blocks.
        let this = &set;
        wait_until("the replica did not sync", FORM_TIMEOUT, || async move {
            this.cli(replica_port, &["info", "replication"])
                .await
                .is_ok_and(|info| info_field(&info, "master_link_status") == Some("up"))
        })
        .await?;
        let ports: Vec<u16> = set.sentinels.iter().map(RedisServer::port).collect();
        wait_until(
            "the Sentinels did not discover each other",
            FORM_TIMEOUT,
            || {
                let ports = ports.clone();
                async move {
                    for port in ports {
                        let Ok(info) = this.cli(port, &["info", "sentinel"]).await else {
                            return false;
                        };
                        // master0:name=staunch,status=ok,address=...,slaves=1,sentinels=3
                        let Some(master) = info_field(&info, "master0") else {
                            return false;
                        };
                        if !(master.contains("slaves=1") && master.contains("sentinels=3")) {
                            return false;
                        }
                    }
                    true
                }
            },
        )
        .await?;
        Ok(set)
    }

    /// `redis-sentinel://127.0.0.1:<port>,.../staunch` (`rediss-sentinel://` with TLS; the
    /// URL form `staunch-redis` reads).
    pub fn url(&self) -> String {
        let seeds = seed_list(&self.sentinels);
        let scheme = if self.tls.is_some() {
            "rediss-sentinel"
        } else {
            "redis-sentinel"
        };
        format!("{scheme}://{seeds}/{SERVICE}")
    }

    /// The certificates of a TLS set.
    pub fn tls(&self) -> Option<&ServerTls> {
        self.tls.as_ref()
    }

    /// [`redis_cli`] against the server or Sentinel on `port` (over TLS for a TLS set).
    pub async fn cli(&self, port: u16, args: &[&str]) -> io::Result<String> {
        redis_cli_with(port, self.tls.as_ref(), args).await
    }

    /// The data servers: the initial primary first, then the replica.
    pub fn data_servers(&mut self) -> &mut [RedisServer] {
        &mut self.data
    }

    /// The Sentinels.
    pub fn sentinels(&self) -> &[RedisServer] {
        &self.sentinels
    }

    /// The port of the primary the Sentinels currently name.
    pub async fn primary_port(&self) -> io::Result<u16> {
        let mut last = io::Error::other("no Sentinel answered");
        for sentinel in &self.sentinels {
            match self
                .cli(
                    sentinel.port(),
                    &["sentinel", "get-master-addr-by-name", SERVICE],
                )
                .await
            {
                Ok(text) => {
                    if let Some(port) = text.lines().nth(1).and_then(|p| p.trim().parse().ok()) {
                        return Ok(port);
                    }
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Waits until the Sentinels name a primary other than `old_port` and it answers as one.
    pub async fn wait_promotion(&self, old_port: u16, timeout: Duration) -> io::Result<u16> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(port) = self.primary_port().await
                && port != old_port
                && self
                    .cli(port, &["role"])
                    .await
                    .is_ok_and(|role| role.lines().next() == Some("master"))
            {
                return Ok(port);
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("the Sentinels promoted no replica within {timeout:?}"),
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A cluster for a test named `what`; `None` after printing a `SKIPPED` line when
/// `STAUNCH_SKIP_REDIS=1`.
///
/// # Panics
///
/// When `redis-server`/`redis-cli` are missing or the cluster does not form.
pub async fn test_redis_cluster(what: &str, options: ClusterOptions) -> Option<RedisCluster> {
    if skip_redis(what) {
        return None;
    }
    match RedisCluster::start(options).await {
        Ok(cluster) => Some(cluster),
        Err(e) => panic!(
            "{what} needs a real Redis Cluster (redis-server and redis-cli 7 on PATH), and it \
             did not form: {e}\n(set STAUNCH_SKIP_REDIS=1 to skip the tests that need Redis)"
        ),
    }
}

/// A Sentinel set for a test named `what`; `None` after printing a `SKIPPED` line when
/// `STAUNCH_SKIP_REDIS=1`.
///
/// # Panics
///
/// When `redis-server`/`redis-cli` are missing or the set does not form.
pub async fn test_redis_sentinels(what: &str) -> Option<RedisSentinels> {
    test_redis_sentinels_with(what, SentinelOptions::default()).await
}

/// [`test_redis_sentinels`] with `options` (a TLS set).
///
/// # Panics
///
/// When `redis-server`/`redis-cli` are missing or the set does not form.
pub async fn test_redis_sentinels_with(
    what: &str,
    options: SentinelOptions,
) -> Option<RedisSentinels> {
    if skip_redis(what) {
        return None;
    }
    match RedisSentinels::start_with(options).await {
        Ok(set) => Some(set),
        Err(e) => panic!(
            "{what} needs a real Sentinel set (redis-server and redis-cli on PATH), and it did \
             not form: {e}\n(set STAUNCH_SKIP_REDIS=1 to skip the tests that need Redis)"
        ),
    }
}

/// `127.0.0.1:<port>,...` of `servers`: the seed list of a cluster or Sentinel URL.
fn seed_list(servers: &[RedisServer]) -> String {
    servers
        .iter()
        .map(|n| format!("127.0.0.1:{}", n.port()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cluster_nodes() {
        let text = "a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460 7000\n\
                    b2 127.0.0.1:7001@17001 slave a1 0 0 1 connected\n\
                    c3 127.0.0.1:7002@17002 master,fail - 0 0 2 connected\n";
        let nodes = parse_nodes(text);
        assert_eq!(nodes.len(), 3);
        assert_eq!(nodes[0].port, 7000);
        assert!(nodes[0].primary);
        assert_eq!(nodes[0].slots, vec![(0, 5460), (7000, 7000)]);
        assert!(!nodes[1].primary);
        assert!(nodes[2].failed);
    }
}
