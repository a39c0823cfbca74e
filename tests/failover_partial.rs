//! Partial failures against a real `redis-server`: Redis is up but refuses some commands
//! (`OOM`, `READONLY`, `MISCONF`, `LOADING`, `BUSY`, `NOPERM`). None of them opens the breaker
//! or serves a call locally (Redis still holds the data), a refused call is an error that names
//! the cause, and a replay that Redis refuses stays visible (health, stats) with the journal
//! kept. An outage that ends in a restart still loading its dataset keeps traffic local
//! (a `-LOADING` probe is no proof of health) and replays only once the dataset is loaded.
//!
//! How each refusal is staged, as root (permission bits do not stop root, so nothing here
//! relies on them):
//!
//! - `OOM`: `maxmemory 1` with `noeviction`.
//! - `READONLY`: `REPLICAOF` a port nobody listens on.
//! - `MISCONF`: save points on, `CONFIG SET dir` to a directory that is then deleted, and a
//!   `BGSAVE` whose child cannot create its temp file there (`rdb_last_bgsave_status:err`).
//! - `LOADING`: a restart on an RDB of many keys with `key-load-delay` (µs per key) and
//!   `loading-process-events-interval-bytes 1024`, so the server answers `-LOADING` for
//!   seconds; the test server harness returns as soon as it answers
//!   (`RedisServerOptions::ready_when_loading`).
//! - `BUSY`: an endless Lua script past `busy-reply-threshold`.
//! - `NOPERM`: an ACL user limited to `app:*`.
//!
//! The `MISCONF` and `LOADING` servers need Redis 7 (`enable-protected-configs`,
//! `enable-debug-command`); an older server fails to start and the test says so with its log.

mod failover_support;

use std::time::{Duration, Instant};

use staunch::failover::{
    BreakerOptions, BreakerState, Failover, FailoverOptions, FailoverState, Policy, RetryOptions,
};
use staunch::prelude::*;
use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

fn options() -> FailoverOptions {
    FailoverOptions::new()
        .policy(Policy::Divert)
        .breaker(
            BreakerOptions::new()
                .failure_threshold(2)
                .open_timeout(Duration::from_millis(200)),
        )
        .retry(RetryOptions::new().backoff(Duration::from_millis(50), Duration::from_millis(100)))
        .probe_intervals(Duration::from_millis(100), Duration::from_millis(50))
        .node_id("partial")
}

fn redis(url: &str) -> RedisStore {
    RedisStore::lazy(
        RedisOptions::new(url)
            .response_timeout(Duration::from_secs(2))
            .connect_timeout(Duration::from_secs(2)),
    )
    .expect("redis options")
}

async fn open(url: &str) -> Failover {
    open_with(url, options()).await
}

async fn open_with(url: &str, options: FailoverOptions) -> Failover {
    failover_support::failover(redis(url))
        .local_memory()
        .options(options)
        .open()
        .await
        .expect("open")
}

/// An admin connection as the default user, for `CONFIG`, `REPLICAOF`, `ACL`.
async fn admin(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("admin connection")
}

async fn admin_cmd(conn: &mut redis::aio::MultiplexedConnection, args: &[&str]) {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    let _: redis::Value = cmd.query_async(conn).await.expect("admin command");
}

/// One field of `INFO <section>`, e.g. `rdb_last_bgsave_status`.
async fn info_field(
    conn: &mut redis::aio::MultiplexedConnection,
    section: &str,
    field: &str,
) -> Option<String> {
    let info: String = redis::cmd("INFO")
        .arg(section)
        .query_async(conn)
        .await
        .expect("INFO");
    info.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .map(str::to_owned)
}

fn text(v: Option<Bytes>) -> Option<String> {
    v.map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Several refused writes in a row (more than the breaker's threshold) leave it closed.
async fn assert_writes_refused(store: &Failover, code: &str) {
    for i in 0..5 {
        let err = store
            .set(&format!("p:new:{i}"), "v")
            .await
            .expect_err("a refused write");
        assert_eq!(err.kind(), ErrorKind::Refused, "{code}: {err}");
        assert!(err.to_string().contains(code), "{code}: {err}");
        assert!(err.is_retryable() && !err.is_outage(), "{code}: {err}");
        let err = store.incrby("p:n", 1).await.expect_err("a refused incr");
        assert_eq!(
            err.kind(),
            ErrorKind::Refused,
            "{code}: a refusal is not an unknown outcome: {err}"
        );
    }
    assert_eq!(store.state(), FailoverState::Healthy, "{code}");
    assert_eq!(store.breaker().state(), BreakerState::Closed, "{code}");
    assert_eq!(store.stats().served_locally, 0, "{code}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oom_refuses_writes_and_keeps_serving_reads() {
    let Some(server) = test_redis_server("failover OOM", RedisServerOptions::new()).await else {
        return;
    };
    let store = open(&server.url()).await;
    store.set("p:held", "redis has it").await.expect("set");
    let mut admin = admin(&server).await;
    admin_cmd(
        &mut admin,
        &["CONFIG", "SET", "maxmemory-policy", "noeviction"],
    )
    .await;
    admin_cmd(&mut admin, &["CONFIG", "SET", "maxmemory", "1"]).await;
    assert_writes_refused(&store, "OOM").await;
    // Reads still come from Redis: a Divert store must not answer from its empty local store.
    assert_eq!(
        text(store.get("p:held").await.expect("read under OOM")).as_deref(),
        Some("redis has it")
    );
    admin_cmd(&mut admin, &["CONFIG", "SET", "maxmemory", "0"]).await;
    store.set("p:after", "v").await.expect("write after OOM");
    assert_eq!(store.state(), FailoverState::Healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readonly_refuses_writes_and_keeps_serving_reads() {
    let Some(server) = test_redis_server("failover READONLY", RedisServerOptions::new()).await
    else {
        return;
    };
    let store = open(&server.url()).await;
    store.set("p:held", "redis has it").await.expect("set");
    let mut admin = admin(&server).await;
    // A replica of a master nobody runs: it keeps its data, serves it, refuses writes.
    let nowhere = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
        .to_string();
    admin_cmd(&mut admin, &["REPLICAOF", "127.0.0.1", &nowhere]).await;
    assert_writes_refused(&store, "READONLY").await;
    assert_eq!(
        text(store.get("p:held").await.expect("read on a replica")).as_deref(),
        Some("redis has it")
    );
    admin_cmd(&mut admin, &["REPLICAOF", "NO", "ONE"]).await;
    store
        .set("p:after", "v")
        .await
        .expect("write after promotion");
}

/// Runs `BGSAVE` and waits until it has finished with `rdb_last_bgsave_status:<status>`.
async fn bgsave(conn: &mut redis::aio::MultiplexedConnection, status: &str) {
    admin_cmd(conn, &["BGSAVE"]).await;
    let started = Instant::now();
    loop {
        let running = info_field(conn, "persistence", "rdb_bgsave_in_progress").await;
        let last = info_field(conn, "persistence", "rdb_last_bgsave_status").await;
        if running.as_deref() == Some("0") && last.as_deref() == Some(status) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "BGSAVE never ended with status {status} (in progress {running:?}, last {last:?})"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misconf_refuses_writes_and_keeps_serving_reads() {
    // `dir` is a protected config since Redis 7: only settable when protected configs are.
    let options = RedisServerOptions::new()
        .arg("--enable-protected-configs")
        .arg("local");
    let Some(server) = test_redis_server("failover MISCONF", options).await else {
        return;
    };
    let store = open(&server.url()).await;
    store.set("p:held", "redis has it").await.expect("set");
    let mut admin = admin(&server).await;
    // Without save points (`--save ""`, the test default) Redis ignores a failed BGSAVE.
    admin_cmd(&mut admin, &["CONFIG", "SET", "save", "3600 1"]).await;
    admin_cmd(
        &mut admin,
        &["CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"],
    )
    .await;
    // The server's working directory, deleted under it: the BGSAVE child cannot create its
    // temp file there (as root, a read-only directory would not stop it).
    let gone = server.dir().join("gone");
    std::fs::create_dir(&gone).expect("create the save directory");
    let gone_path = gone.to_str().expect("a UTF-8 temp path");
    admin_cmd(&mut admin, &["CONFIG", "SET", "dir", gone_path]).await;
    std::fs::remove_dir(&gone).expect("delete the save directory");
    bgsave(&mut admin, "err").await;

    assert_writes_refused(&store, "MISCONF").await;
    assert_eq!(
        text(store.get("p:held").await.expect("read under MISCONF")).as_deref(),
        Some("redis has it"),
        "reads are served by Redis, not by the empty local store"
    );
    assert_eq!(store.stats().served_locally, 0);
    assert_eq!(store.journal_len(), 0, "a refused write is not journaled");
    assert_eq!(store.stats().journaled, 0);
    assert_eq!(store.stats().outages, 0);
    // Redis refuses PING too while it cannot persist: the health report says why.
    let health = store.health().await;
    assert!(
        health
            .error
            .as_deref()
            .is_some_and(|e| e.contains("MISCONF")),
        "{:?}",
        health.error
    );
    assert_eq!(health.state, FailoverState::Healthy);

    // The server keeps the deleted directory open as its working directory: a directory made
    // again at the same path is a different one, so `dir` must be set to it again.
    std::fs::create_dir(&gone).expect("recreate the save directory");
    admin_cmd(&mut admin, &["CONFIG", "SET", "dir", gone_path]).await;
    bgsave(&mut admin, "ok").await;
    store
        .set("p:after", "v")
        .await
        .expect("write after MISCONF");
    assert_eq!(
        text(store.get("p:after").await.expect("read")).as_deref(),
        Some("v")
    );
    assert_eq!(store.state(), FailoverState::Healthy);
    assert_eq!(store.stats().served_locally, 0);
    assert_eq!(store.journal_len(), 0);
}

/// Keys in the RDB of the `LOADING` test and the delay per key while loading it: the server
/// answers `-LOADING` for at least their product (5 s), usually twice that.
const LOADING_KEYS: u32 = 50_000;
const KEY_LOAD_DELAY_US: u32 = 100;

/// A test server that, once restarted on a saved dataset, answers `-LOADING` for seconds
/// (see [`LOADING_KEYS`]); its start and restart return as soon as it answers.
async fn loading_server(what: &str) -> Option<RedisServer> {
    let options = RedisServerOptions::new()
        .ready_when_loading(true)
        .arg("--enable-debug-command")
        .arg("local")
        .arg("--key-load-delay")
        .arg(KEY_LOAD_DELAY_US.to_string())
        // Answer other clients (with `-LOADING`) every KiB loaded, not every 2 MiB.
        .arg("--loading-process-events-interval-bytes")
        .arg("1024");
    test_redis_server(what, options).await
}

/// Adds [`LOADING_KEYS`] keys `p:pop:<n>` = `value:<n>` and saves the RDB a restart loads.
async fn populate_and_save(server: &RedisServer) {
    let mut admin = admin(server).await;
    let keys = LOADING_KEYS.to_string();
    admin_cmd(&mut admin, &["DEBUG", "POPULATE", &keys, "p:pop"]).await;
    admin_cmd(&mut admin, &["SAVE"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loading_is_retried_then_refused_never_served_locally() {
    let Some(mut server) = loading_server("failover LOADING").await else {
        return;
    };
    // No health probe while healthy: the counts of calls to the primary below are the test's.
    let options = options().probe_intervals(Duration::from_secs(3600), Duration::from_millis(50));
    let max_attempts = options.retry.max_attempts;
    let store = open_with(&server.url(), options).await;
    store.set("p:held", "redis has it").await.expect("set");
    populate_and_save(&server).await;

    // A quick restart while the application is idle: its connection is gone, and the next
    // call reconnects to a server that answers but is loading.
    server.kill();
    server.restart().await.expect("restart");
    let before = store.stats();
    let started = Instant::now();
    let err = store
        .get("p:held")
        .await
        .expect_err("a read while Redis loads (raise LOADING_KEYS if it loaded already)");
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    assert!(err.to_string().contains("LOADING"), "{err}");
    assert!(err.is_retryable() && !err.is_outage(), "{err}");
    assert_eq!(
        store.stats().operations - before.operations,
        u64::from(max_attempts),
        "every attempt reached Redis"
    );
    // Two backoffs of at least half of 50 ms and 100 ms (full jitter) passed between them.
    assert!(took >= Duration::from_millis(75), "no backoff: {took:?}");
    let err = store
        .set("p:new", "v")
        .await
        .expect_err("a write while Redis loads");
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    assert!(err.to_string().contains("LOADING"), "{err}");
    let err = store
        .incrby("p:n", 1)
        .await
        .expect_err("an INCRBY while Redis loads");
    assert_eq!(
        err.kind(),
        ErrorKind::Refused,
        "LOADING proves the command did not run: not an unknown outcome: {err}"
    );
    assert_eq!(store.state(), FailoverState::Healthy);
    assert_eq!(store.breaker().state(), BreakerState::Closed);
    let stats = store.stats();
    assert_eq!(stats.served_locally, 0, "never served locally");
    assert_eq!(stats.outages, 0, "never an outage");
    assert_eq!(stats.failures, 0, "a refusal is not an outage error");
    assert_eq!(store.journal_len(), 0, "a refused write is not journaled");

    // Once loaded, the same calls are served by Redis, with the data it held.
    server
        .wait_until_loaded(Duration::from_secs(180))
        .await
        .expect("loaded");
    assert_eq!(
        text(store.get("p:held").await.expect("read after loading")).as_deref(),
        Some("redis has it")
    );
    assert_eq!(
        text(store.get("p:pop:7").await.expect("read after loading")).as_deref(),
        Some("value:7")
    );
    store.set("p:new", "v").await.expect("write after loading");
    assert_eq!(store.incrby("p:n", 1).await.expect("incr after loading"), 1);
    assert_eq!(store.state(), FailoverState::Healthy);
    assert_eq!(store.stats().served_locally, 0);
}

/// An outage first (Redis killed), then a restart that loads for seconds: the store stays
/// degraded while Redis answers `-LOADING` (a refused probe is no proof of health), keeps the
/// outage's write in the journal, and replays it once the dataset is loaded, next to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_ending_in_loading_replays_only_once_loaded() {
    let Some(mut server) = loading_server("failover outage then LOADING").await else {
        return;
    };
    let store = open(&server.url()).await;
    store.set("p:held", "redis has it").await.expect("set");
    populate_and_save(&server).await;
    server.kill();
    store
        .set("p:during", "outage")
        .await
        .expect("a write during the outage, served locally");
    assert_ne!(store.state(), FailoverState::Healthy);
    assert_eq!(store.journal_len(), 1);
    server.restart().await.expect("restart");
    // While it loads: probes are refused, traffic stays local, nothing is replayed.
    let mut checks = 0;
    let mut direct = admin(&server).await;
    loop {
        let pong: redis::RedisResult<String> = redis::cmd("PING").query_async(&mut direct).await;
        match pong {
            Ok(_) => break,
            // The `redis` crate names it `BusyLoading`.
            Err(e) => assert!(e.to_string().to_lowercase().contains("loading"), "{e}"),
        }
        assert_ne!(
            store.state(),
            FailoverState::Healthy,
            "back on Redis while it loads"
        );
        assert_eq!(store.journal_len(), 1, "replayed while Redis loads");
        assert_eq!(
            text(store.get("p:during").await.expect("local read")).as_deref(),
            Some("outage")
        );
        checks += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(checks > 0, "Redis had loaded before the first check");
    let started = Instant::now();
    while store.state() != FailoverState::Healthy || store.journal_len() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never healthy after loading ({:?}, journal {})",
            store.state(),
            store.journal_len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let direct = RedisStore::connect(&server.url()).await.expect("connect");
    for (key, value) in [
        ("p:during", "outage"),
        ("p:held", "redis has it"),
        ("p:pop:7", "value:7"),
    ] {
        assert_eq!(
            text(direct.get(key).await.expect("get")).as_deref(),
            Some(value),
            "{key}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_is_retried_then_refused_never_served_locally() {
    let Some(server) = test_redis_server("failover BUSY", RedisServerOptions::new()).await else {
        return;
    };
    let store = open(&server.url()).await;
    store.set("p:held", "redis has it").await.expect("set");
    let mut admin = admin(&server).await;
    admin_cmd(&mut admin, &["CONFIG", "SET", "busy-reply-threshold", "50"]).await;
    let mut runner = admin.clone();
    let script = tokio::spawn(async move {
        let r: redis::RedisResult<redis::Value> = redis::cmd("EVAL")
            .arg("while true do end")
            .arg(0)
            .query_async(&mut runner)
            .await;
        r
    });
    // A second connection: the first one is busy with the script.
    let mut killer = redis::Client::open(server.url())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("connection");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let err = store.get("p:held").await.expect_err("BUSY");
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    assert!(err.to_string().contains("BUSY"), "{err}");
    assert_eq!(store.state(), FailoverState::Healthy);
    assert_eq!(store.breaker().state(), BreakerState::Closed);
    assert_eq!(store.stats().served_locally, 0);
    admin_cmd(&mut killer, &["SCRIPT", "KILL"]).await;
    let _ = script.await;
    assert_eq!(
        text(store.get("p:held").await.expect("read after the script")).as_deref(),
        Some("redis has it")
    );
}

/// `user limited` may touch `app:*` only, and not the replay watermark.
fn limited_user() -> RedisServerOptions {
    RedisServerOptions::new()
        .appendonly(true)
        .arg("--user")
        .arg("limited")
        .arg("on")
        .arg(">secret")
        .arg("~app:*")
        .arg("+@all")
}

fn limited_url(server: &RedisServer) -> String {
    format!("redis://limited:secret@127.0.0.1:{}", server.port())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noperm_is_refused_for_those_keys_only() {
    let Some(server) = test_redis_server("failover NOPERM", limited_user()).await else {
        return;
    };
    let store = open(&limited_url(&server)).await;
    store.set("app:ok", "v").await.expect("allowed key");
    for _ in 0..5 {
        let err = store.get("secret:x").await.expect_err("NOPERM read");
        assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
        assert!(err.to_string().contains("NOPERM"), "{err}");
        let err = store.set("secret:x", "v").await.expect_err("NOPERM write");
        assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    }
    assert_eq!(store.state(), FailoverState::Healthy);
    assert_eq!(store.breaker().state(), BreakerState::Closed);
    assert_eq!(
        text(store.get("app:ok").await.expect("allowed read")).as_deref(),
        Some("v")
    );
}

/// The ACL user may not write the watermark: replay cannot proceed, says so in health and
/// stats, keeps the journal, and resumes once the ACL allows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_replay_is_visible_and_keeps_the_journal() {
    let Some(mut server) = test_redis_server("failover refused replay", limited_user()).await
    else {
        return;
    };
    let store = open(&limited_url(&server)).await;
    store.set("app:warm", "x").await.expect("healthy set");
    server.kill();
    store
        .set("app:during", "outage")
        .await
        .expect("local write");
    assert_eq!(store.journal_len(), 1);
    server.restart().await.expect("restart");
    let started = Instant::now();
    let health = loop {
        let health = store.health().await;
        if health.replay_error.is_some() {
            break health;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no replay error"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let reason = health.replay_error.as_deref().unwrap_or_default();
    assert!(reason.contains("NOPERM"), "{reason}");
    assert_eq!(health.state, FailoverState::Recovering);
    assert_eq!(health.journal_len, 1, "the entry is kept");
    assert!(health.stats.replay_failures >= 1);
    // Still served locally meanwhile: the outage's write is readable.
    assert_eq!(
        text(store.get("app:during").await.expect("local read")).as_deref(),
        Some("outage")
    );
    let mut admin = admin(&server).await;
    admin_cmd(&mut admin, &["ACL", "SETUSER", "limited", "~staunch:*"]).await;
    let started = Instant::now();
    while store.state() != FailoverState::Healthy {
        assert!(started.elapsed() < Duration::from_secs(30), "never healthy");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(store.health().await.replay_error, None);
    let direct = RedisStore::connect(&server.url()).await.expect("connect");
    assert_eq!(
        text(direct.get("app:during").await.expect("get")).as_deref(),
        Some("outage")
    );
}
