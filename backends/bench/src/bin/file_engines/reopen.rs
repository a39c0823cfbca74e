//! The reopen rows: how long opening a store of 5M keys takes, from its log and from a
//! snapshot, against redis-server loading an RDB of the same keys.
//!
//! Both sides hold `key:<n>` for n below the key count with 64-byte values. redis-server gets
//! them from `DEBUG POPULATE` and writes them with `SAVE`; it is then restarted on the same
//! directory and the load time is the one it logs ("DB loaded from disk: `<s>` seconds"), so
//! process start-up is not counted against it. staunch's time is `FileStore::open_with`,
//! start to finish (directory lock, reading, decoding, building the keyspace).

use std::time::{Duration, Instant};

use staunch_bench::table::Better;
use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions};
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

use crate::{Round, Settings, print_row};

const VALUE: [u8; 64] = [b'v'; 64];

fn options() -> FileOptions {
    FileOptions::new()
        .fsync(FsyncPolicy::No)
        .auto_compact(false)
}

/// Writes `keys` keys to a fresh file store (one log, no snapshot) and closes it.
async fn fill(dir: &std::path::Path, keys: u64) {
    let store = FileStore::open_with(dir, options()).await.expect("open");
    let writers = 2u64;
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut i = w;
                while i < keys {
                    store.set(&format!("key:{i}"), &VALUE).await.expect("SET");
                    i += writers;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("writer");
    }
    store.close().await.expect("close");
}

/// Opens the store in `dir`, checks it holds `keys` keys, closes it; returns the open time.
async fn time_open(dir: &std::path::Path, keys: u64) -> Duration {
    let started = Instant::now();
    let store = FileStore::open_with(dir, options()).await.expect("reopen");
    let took = started.elapsed();
    assert_eq!(
        store.dbsize().await.expect("dbsize"),
        keys,
        "every key is back"
    );
    store.close().await.expect("close");
    took
}

/// redis-server's own figure for its last RDB load, from its log.
fn redis_load_time(server: &RedisServer) -> Option<Duration> {
    let log = std::fs::read_to_string(server.log_path()).ok()?;
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains("DB loaded from disk"))?;
    let secs = line
        .split("DB loaded from disk:")
        .nth(1)?
        .trim()
        .strip_suffix("seconds")?
        .trim()
        .parse::<f64>()
        .ok()?;
    Some(Duration::from_secs_f64(secs))
}

async fn redis_cmd(url: &str, args: &[&str]) -> redis::RedisResult<redis::Value> {
    let client = redis::Client::open(url)?;
    // DEBUG POPULATE and SAVE of millions of keys take a while, more on a busy machine.
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(10)))
        .set_response_timeout(Some(Duration::from_secs(900)));
    let mut connection = client
        .get_multiplexed_async_connection_with_config(&config)
        .await?;
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    cmd.query_async(&mut connection).await
}

/// Starts redis-server with `keys` keys saved in its RDB; returns it (running).
async fn redis_with_rdb(keys: u64) -> Option<RedisServer> {
    let mut options = RedisServerOptions::new()
        .arg("--enable-debug-command")
        .arg("yes");
    // A restart answers PING only once the RDB is loaded: seconds for millions of keys.
    options.startup_timeout = Duration::from_secs(900);
    let server = match RedisServer::start_with(options).await {
        Ok(server) => server,
        Err(e) => {
            println!("redis-server did not start, reopen rows skipped: {e}");
            return None;
        }
    };
    let url = server.url();
    let populate = redis_cmd(&url, &["DEBUG", "POPULATE", &keys.to_string(), "key", "64"]).await;
    let saved = redis_cmd(&url, &["SAVE"]).await;
    if let Err(e) = populate.and(saved) {
        println!("redis-server could not populate and save, reopen rows skipped: {e}");
        return None;
    }
    Some(server)
}

/// Restarts `server` on its RDB; returns its logged load time and whether INFO says it
/// loaded `keys` keys and is no longer loading.
async fn redis_reload(server: &mut RedisServer, keys: u64) -> Option<Duration> {
    if let Err(e) = server.restart().await {
        println!("redis-server did not restart: {e}");
        return None;
    }
    let info = redis_cmd(&server.url(), &["INFO", "keyspace"]).await.ok()?;
    let text = match info {
        redis::Value::BulkString(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        redis::Value::VerbatimString { text, .. } => text,
        other => format!("{other:?}"),
    };
    assert!(
        text.contains(&format!("keys={keys},")),
        "redis-server loaded every key: {text}"
    );
    let persistence = redis_cmd(&server.url(), &["INFO", "persistence"])
        .await
        .ok()?;
    let loading = match persistence {
        redis::Value::BulkString(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        redis::Value::VerbatimString { text, .. } => text,
        other => format!("{other:?}"),
    };
    assert!(
        loading.contains("loading:0"),
        "redis-server finished loading"
    );
    redis_load_time(server)
}

/// Alternately opens the store in `dir` and restarts `server` on its RDB, `settings.rounds`
/// times; the rounds as rates (keys per second, so higher is better like every other row).
/// `None` when redis-server could not restart.
async fn open_rounds(
    settings: &Settings,
    dir: &std::path::Path,
    server: &mut RedisServer,
) -> Option<Vec<Round>> {
    let keys = settings.reopen_keys;
    let mut rounds = Vec::new();
    for _ in 0..settings.rounds {
        let ours = time_open(dir, keys).await;
        let theirs = redis_reload(server, keys).await?;
        rounds.push(Round {
            ours: keys as f64 / ours.as_secs_f64(),
            theirs: keys as f64 / theirs.as_secs_f64(),
        });
    }
    Some(rounds)
}

pub(crate) async fn reopen(settings: &Settings) {
    let keys = settings.reopen_keys;
    let Some(mut server) = redis_with_rdb(keys).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let filled = Instant::now();
    fill(dir.path(), keys).await;
    let log_bytes: u64 = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "  (filled {keys} keys in {:.1?}; log {:.0} MiB; redis RDB {:.0} MiB)",
        filled.elapsed(),
        log_bytes as f64 / f64::from(1 << 20),
        std::fs::metadata(server.dir().join("dump.rdb"))
            .map(|m| m.len() as f64 / f64::from(1 << 20))
            .unwrap_or(0.0)
    );
    let Some(from_log) = open_rounds(settings, dir.path(), &mut server).await else {
        return;
    };
    let store = FileStore::open_with(dir.path(), options())
        .await
        .expect("open");
    let compaction = store.compact().await.expect("compact");
    store.close().await.expect("close");
    let Some(from_snapshot) = open_rounds(settings, dir.path(), &mut server).await else {
        return;
    };
    let peer = "redis-server RDB";
    let figure = format!("reopen {keys} keys from the log");
    print_row(
        &figure,
        peer,
        Some(1.0),
        Better::Higher,
        "keys/s",
        &from_log,
        "",
    );
    let figure = format!("reopen {keys} keys from a snapshot");
    let note = format!(
        "snapshot {:.0} MiB",
        compaction.snapshot_bytes as f64 / f64::from(1 << 20)
    );
    print_row(
        &figure,
        peer,
        Some(1.0),
        Better::Higher,
        "keys/s",
        &from_snapshot,
        &note,
    );
}
