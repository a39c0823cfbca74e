//! A real `redis-server` for tests: started on a free loopback port in a temporary directory,
//! killed on drop, and able to be killed, paused and restarted to inject faults.
//!
//! staunch tests run against real Redis, never a mock (see DESIGN.md "Testing"). This module
//! is the one place that knows how to get such a server:
//!
//! - [`RedisServer::start`] / [`RedisServer::start_with`] spawn
//!   `redis-server --port <free> --bind 127.0.0.1 --save "" --appendonly no --dir <tempdir>`
//!   (options override or extend that) and wait until it answers `PING` (with
//!   [`RedisServerOptions::ready_when_loading`], until it answers at all, `-LOADING` included).
//!   With [`RedisServerOptions::tls`] it listens with TLS only (see [`super::redis_tls`]).
//! - [`RedisServer::kill`] (SIGKILL), [`RedisServer::pause`] (SIGSTOP),
//!   [`RedisServer::resume`] (SIGCONT) and [`RedisServer::restart`] (same port, same directory)
//!   are the fault injections; they send signals with the `kill` program so no `libc`
//!   dependency is needed.
//! - [`test_redis`] and [`test_redis_server`] are what a test calls: they honour
//!   `STAUNCH_SKIP_REDIS=1` (print a `SKIPPED` line and return `None`) and
//!   `STAUNCH_TEST_REDIS_URL` (use that server instead of starting one), and otherwise panic
//!   with instructions when `redis-server` is not installed, so a missing server is never a
//!   silent pass.
//!
//! The server never uses port 6379, so a Redis already running on the machine is never touched.
//! The binary is `redis-server` from `PATH`, or the path in `STAUNCH_REDIS_SERVER_BIN`.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::redis_tls::ServerTls;

/// Environment variable that skips every test needing Redis (value `1`).
pub const SKIP_ENV: &str = "STAUNCH_SKIP_REDIS";
/// Environment variable naming an external Redis to test against instead of starting one.
pub const URL_ENV: &str = "STAUNCH_TEST_REDIS_URL";
/// Environment variable naming the `redis-server` binary (default: `redis-server` on `PATH`).
pub const BIN_ENV: &str = "STAUNCH_REDIS_SERVER_BIN";

/// How to get a server, printed when none can be had.
const HOW_TO_GET_ONE: &str = "install one (`apt-get install redis-server`, `brew install redis`), \
     or set STAUNCH_TEST_REDIS_URL=redis://host:port to use a running server, \
     or set STAUNCH_SKIP_REDIS=1 to skip the tests that need Redis";

/// Options of [`RedisServer::start_with`]. The default is the plain test server: no
/// persistence at all.
#[derive(Debug, Clone)]
pub struct RedisServerOptions {
    /// `--appendonly yes` instead of `no`.
    pub appendonly: bool,
    /// `--appendfsync <value>` (`always`, `everysec`, `no`); `None` keeps Redis's default.
    pub appendfsync: Option<String>,
    /// More arguments appended last, so they override the defaults
    /// (e.g. `["--requirepass", "secret"]`).
    pub extra_args: Vec<String>,
    /// How long to wait for the server to answer `PING` (default 10 s).
    pub startup_timeout: Duration,
    /// A configuration file's contents, written to `redis.conf` in the server's directory and
    /// passed first (a Sentinel needs a writable file it can rewrite). `None`: no file.
    pub config: Option<String>,
    /// Run as a Sentinel (`--sentinel`; needs [`RedisServerOptions::config`]).
    pub sentinel: bool,
    /// Count the server as started (by [`RedisServer::start_with`] and
    /// [`RedisServer::restart`]) as soon as it answers, even if only with `-LOADING`
    /// (default false: wait until its dataset is loaded). For tests of a server that is
    /// still loading a large dataset; see [`RedisServer::wait_until_loaded`].
    pub ready_when_loading: bool,
    /// Speak TLS only, with these certificates (see [`super::redis_tls`]): the port is then
    /// the TLS port, and the server is checked and administered through `redis-cli --tls`.
    pub tls: Option<ServerTls>,
    /// Run as a Redis Cluster node: `cluster-enabled yes` with its state in `nodes.conf`
    /// and a cluster bus port chosen free at each start attempt, like the data port (a bus
    /// port picked once would be retried even when someone else holds it). Kept across
    /// [`RedisServer::restart`].
    pub cluster_node: bool,
}

impl Default for RedisServerOptions {
    fn default() -> Self {
        RedisServerOptions {
            appendonly: false,
            appendfsync: None,
            extra_args: Vec::new(),
            startup_timeout: Duration::from_secs(10),
            config: None,
            sentinel: false,
            ready_when_loading: false,
            tls: None,
            cluster_node: false,
        }
    }
}

impl RedisServerOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `appendonly`.
    pub fn appendonly(mut self, on: bool) -> Self {
        self.appendonly = on;
        self
    }
    /// Sets `appendfsync`.
    pub fn appendfsync(mut self, policy: impl Into<String>) -> Self {
        self.appendfsync = Some(policy.into());
        self
    }
    /// Appends one extra argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.extra_args.push(arg.into());
        self
    }
    /// Sets [`RedisServerOptions::config`].
    pub fn config(mut self, contents: impl Into<String>) -> Self {
        self.config = Some(contents.into());
        self
    }
    /// Sets [`RedisServerOptions::sentinel`].
    pub fn sentinel(mut self, on: bool) -> Self {
        self.sentinel = on;
        self
    }
    /// Sets [`RedisServerOptions::ready_when_loading`].
    pub fn ready_when_loading(mut self, on: bool) -> Self {
        self.ready_when_loading = on;
        self
    }
    /// Sets [`RedisServerOptions::tls`].
    pub fn tls(mut self, tls: ServerTls) -> Self {
        self.tls = Some(tls);
        self
    }
    /// Sets [`RedisServerOptions::cluster_node`].
    pub fn cluster_node(mut self, on: bool) -> Self {
        self.cluster_node = on;
        self
    }
}

/// A `redis-server` child process owned by a test. Killed (SIGKILL) when dropped; its
/// temporary directory is removed then too.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    args: Vec<String>,
    options: RedisServerOptions,
}

impl RedisServer {
    /// Starts a server with the default options and waits until it answers `PING`.
    ///
    /// Fails with `io::ErrorKind::NotFound` when `redis-server` is not installed.
    pub async fn start() -> io::Result<RedisServer> {
        Self::start_with(RedisServerOptions::default()).await
    }

    /// Starts a server with `options` and waits until it answers `PING`.
    pub async fn start_with(options: RedisServerOptions) -> io::Result<RedisServer> {
        let dir = tempfile::Builder::new()
            .prefix("staunch-redis-")
            .tempdir()?;
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
            args: Vec::new(),
            options,
        };
        let mut last_error = None;
        // A free port found by binding port 0 can be taken by someone else before the server
        // binds it (another test's server, a client's ephemeral port); try a few ports
        // before giving up, a new bus port each time too.
        for _ in 0..5 {
            server.port = free_port()?;
            let bus = if server.options.cluster_node {
                Some(free_port_besides(server.port)?)
            } else {
                None
            };
            server.args = server_args(server.port, bus, server.dir.path(), &server.options);
            match server.spawn_and_wait().await {
                Ok(()) => return Ok(server),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(e),
                Err(e) => {
                    server.kill_quietly();
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    /// `redis://127.0.0.1:<port>` (`rediss://` with TLS; no password or database: add them
    /// yourself).
    pub fn url(&self) -> String {
        let scheme = if self.options.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The TCP port the server listens on (its TLS port with [`RedisServerOptions::tls`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The TLS certificates it was started with, if any.
    pub fn tls(&self) -> Option<&ServerTls> {
        self.options.tls.as_ref()
    }

    /// The process id, or `None` after [`RedisServer::kill`].
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The server's working directory (where an append-only file would be written).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's log file (useful in a failing test's message).
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }

    /// Kills the server with SIGKILL, as a crash would, and reaps it. Connections see a reset
    /// or EOF; the port refuses connections until [`RedisServer::restart`].
    pub fn kill(&mut self) {
        self.kill_quietly();
    }

    /// Stops the server with SIGSTOP: connections stay open but nothing is answered, the way
    /// a hung or partitioned server behaves.
    pub fn pause(&self) -> io::Result<()> {
        self.signal("-STOP")
    }

    /// Resumes a paused server with SIGCONT.
    pub fn resume(&self) -> io::Result<()> {
        self.signal("-CONT")
    }

    /// Kills the server (if running) and starts it again on the same port with the same
    /// directory and arguments, waiting until it answers `PING`. With `appendonly` the data
    /// written before comes back from the append-only file.
    pub async fn restart(&mut self) -> io::Result<()> {
        self.kill_quietly();
        let deadline = Instant::now() + self.options.startup_timeout;
        // The old process's socket may linger for a moment; retry the bind until the deadline.
        loop {
            match self.spawn_and_wait().await {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(e),
                Err(e) if Instant::now() >= deadline => return Err(e),
                Err(_) => {
                    self.kill_quietly();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn signal(&self, signal: &str) -> io::Result<()> {
        let pid = self
            .pid()
            .ok_or_else(|| io::Error::other("redis-server is not running"))?;
        let status = Command::new("kill")
            .arg(signal)
            .arg(pid.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "kill {signal} {pid} failed: {status}"
            )))
        }
    }

    fn kill_quietly(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGKILL also ends a stopped (SIGSTOPped) process.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    async fn spawn_and_wait(&mut self) -> io::Result<()> {
        let bin = std::env::var(BIN_ENV).unwrap_or_else(|_| "redis-server".to_owned());
        if let Some(config) = &self.options.config
            && !self.dir.path().join("redis.conf").exists()
        {
            // Written once: a restart keeps what the server rewrote (a Sentinel's state).
            std::fs::write(self.dir.path().join("redis.conf"), config)?;
        }
        let ready_lines_before = self.ready_lines();
        // Configuration errors are printed on stderr before the log file is opened.
        let stderr = std::fs::File::create(self.dir.path().join("stderr.log"))?;
        let child = Command::new(&bin)
            .args(&self.args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(stderr))
            .spawn()
            .map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("`{bin}` was not found: {HOW_TO_GET_ONE}"),
                    )
                } else {
                    io::Error::new(e.kind(), format!("could not run `{bin}`: {e}"))
                }
            })?;
        self.child = Some(child);
        // The server's own log proves that *this* process is the one answering on the port
        // (another test could have grabbed the same free port); a restart appends to the same
        // log, so wait for one more "ready" line than before.
        let ready_before = ready_lines_before;
        let deadline = Instant::now() + self.options.startup_timeout;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                self.child = None;
                return Err(io::Error::other(format!(
                    "redis-server exited during startup ({status}); log:\n{}",
                    self.log_tail()
                )));
            }
            if self.ready_lines() > ready_before
                && ping(self.port, self.tls(), self.options.ready_when_loading).await
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "redis-server on port {} did not answer PING within {:?}; log:\n{}",
                        self.port,
                        self.options.startup_timeout,
                        self.log_tail()
                    ),
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the server answers `PING` with `+PONG` (its dataset loaded), for a server
    /// started with [`RedisServerOptions::ready_when_loading`]; `timeout` bounds the wait.
    pub async fn wait_until_loaded(&self, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        while !ping(self.port, self.tls(), false).await {
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "redis-server on port {} was still loading after {timeout:?}; log:\n{}",
                        self.port,
                        self.log_tail()
                    ),
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    fn ready_lines(&self) -> usize {
        // A Sentinel never logs "Ready to accept connections"; it logs its id once it runs.
        // "Ready" comes only after the dataset is loaded; "Server initialized" before loading
        // starts (the port already listens then).
        let marker = if self.options.sentinel {
            "Sentinel ID is"
        } else if self.options.ready_when_loading {
            "Server initialized"
        } else {
            "Ready to accept connections"
        };
        std::fs::read_to_string(self.log_path())
            .map(|log| log.matches(marker).count())
            .unwrap_or(0)
    }

    fn log_tail(&self) -> String {
        let mut text =
            std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default();
        text.push_str(&std::fs::read_to_string(self.log_path()).unwrap_or_default());
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill_quietly();
    }
}

fn server_args(
    port: u16,
    bus: Option<u16>,
    dir: &Path,
    options: &RedisServerOptions,
) -> Vec<String> {
    let mut args: Vec<String> = Vec::new();
    if options.config.is_some() {
        args.push(dir.join("redis.conf").display().to_string());
    }
    if options.sentinel {
        args.push("--sentinel".into());
    }
    args.extend::<[String; 14]>([
        "--port".into(),
        port.to_string(),
        "--bind".into(),
        "127.0.0.1".into(),
        "--save".into(),
        String::new(),
        "--appendonly".into(),
        if options.appendonly { "yes" } else { "no" }.into(),
        "--dir".into(),
        dir.display().to_string(),
        "--logfile".into(),
        dir.join("redis.log").display().to_string(),
        "--daemonize".into(),
        "no".into(),
    ]);
    if let Some(policy) = &options.appendfsync {
        args.push("--appendfsync".into());
        args.push(policy.clone());
    }
    if let Some(tls) = &options.tls {
        args.extend(tls.server_args(port));
    }
    if let Some(bus) = bus {
        args.extend([
            "--cluster-enabled".into(),
            "yes".into(),
            "--cluster-config-file".into(),
            "nodes.conf".into(),
            "--cluster-port".into(),
            bus.to_string(),
        ]);
    }
    args.extend(options.extra_args.iter().cloned());
    args
}

/// A free loopback port other than `taken` (see [`free_port`]).
fn free_port_besides(taken: u16) -> io::Result<u16> {
    loop {
        let port = free_port()?;
        if port != taken {
            return Ok(port);
        }
    }
}

/// A loopback port nobody listens on right now (never 6379).
pub fn free_port() -> io::Result<u16> {
    loop {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        let port = listener.local_addr()?.port();
        if port != 6379 {
            return Ok(port);
        }
    }
}

/// True when something on `port` answers a RESP `PING` as a ready Redis does (`+PONG`, or an
/// auth error when `requirepass` is set; `-LOADING` means not ready yet, unless `loading_ok`).
/// A TLS server is asked through `redis-cli --tls` (the testkit has no TLS library).
async fn ping(port: u16, tls: Option<&ServerTls>, loading_ok: bool) -> bool {
    if let Some(tls) = tls {
        let attempt = super::redis_cluster::redis_cli_with(port, Some(tls), &["ping"]);
        return tokio::time::timeout(Duration::from_secs(5), attempt)
            .await
            .is_ok_and(|reply| {
                reply.is_ok_and(|text| {
                    text.starts_with("PONG")
                        || text.contains("NOAUTH")
                        || (loading_ok && text.starts_with("LOADING"))
                })
            });
    }
    let attempt = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        stream.write_all(b"*1\r\n$4\r\nPING\r\n").await.ok()?;
        let mut buf = [0u8; 64];
        let n = stream.read(&mut buf).await.ok()?;
        let reply = &buf[..n];
        Some(
            reply.starts_with(b"+PONG")
                || reply.starts_with(b"-NOAUTH")
                || (loading_ok && reply.starts_with(b"-LOADING")),
        )
    };
    tokio::time::timeout(Duration::from_millis(500), attempt)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// A Redis for a test: a server this process started, or an external one from
/// `STAUNCH_TEST_REDIS_URL`.
#[derive(Debug)]
pub struct RedisTarget {
    url: String,
    server: Option<RedisServer>,
}

impl RedisTarget {
    /// The URL to connect to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The server, when this process started it (`None` for an external URL).
    pub fn server(&self) -> Option<&RedisServer> {
        self.server.as_ref()
    }

    /// Mutable access to the server, for kill/restart (`None` for an external URL).
    pub fn server_mut(&mut self) -> Option<&mut RedisServer> {
        self.server.as_mut()
    }
}

/// True (after printing a `SKIPPED` line naming `what`) when `STAUNCH_SKIP_REDIS=1`.
pub fn skip_redis(what: &str) -> bool {
    if std::env::var(SKIP_ENV).is_ok_and(|v| v == "1") {
        println!("SKIPPED ({SKIP_ENV}=1): {what}");
        true
    } else {
        false
    }
}

/// The Redis a test named `what` should use:
///
/// - `None` after printing `SKIPPED (STAUNCH_SKIP_REDIS=1): <what>` when that variable is `1`;
/// - the server at `STAUNCH_TEST_REDIS_URL` when it is set (the test may `FLUSHDB` it!);
/// - otherwise a fresh `redis-server` started for the test.
///
/// # Panics
///
/// When `redis-server` is missing or does not start, with a message saying how to get one.
pub async fn test_redis(what: &str) -> Option<RedisTarget> {
    if skip_redis(what) {
        return None;
    }
    if let Ok(url) = std::env::var(URL_ENV)
        && !url.is_empty()
    {
        return Some(RedisTarget { url, server: None });
    }
    let server = start_or_panic(what, RedisServerOptions::default()).await;
    Some(RedisTarget {
        url: server.url(),
        server: Some(server),
    })
}

/// A server this process owns, for tests that kill, pause or restart it (so
/// `STAUNCH_TEST_REDIS_URL` is not used). `None` after printing a `SKIPPED` line when
/// `STAUNCH_SKIP_REDIS=1`.
///
/// # Panics
///
/// When `redis-server` is missing or does not start, with a message saying how to get one.
pub async fn test_redis_server(what: &str, options: RedisServerOptions) -> Option<RedisServer> {
    if skip_redis(what) {
        return None;
    }
    Some(start_or_panic(what, options).await)
}

async fn start_or_panic(what: &str, options: RedisServerOptions) -> RedisServer {
    match RedisServer::start_with(options).await {
        Ok(server) => server,
        Err(e) if e.kind() == io::ErrorKind::NotFound => panic!(
            "{what} needs a real redis-server, and none was found: {e}\n\
             (this test never passes silently without Redis)"
        ),
        Err(e) => panic!(
            "{what} needs a real redis-server, and it did not start: {e}\n\
             To get one: {HOW_TO_GET_ONE}"
        ),
    }
}
