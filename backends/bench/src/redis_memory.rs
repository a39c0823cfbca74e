//! redis-server's memory per key for the same data sets, loaded through a real server started
//! by the testkit harness (never a server already running on the machine).

use redis::aio::MultiplexedConnection;
use staunch_core::testkit::redis_server::test_redis;

use crate::dataset::{Kind, MEMBERS, collection_key, hash_field, member, string_value};

/// Commands per pipeline while loading.
const PIPELINE: usize = 1_000;

/// What redis-server needed per key, for each kind.
#[derive(Debug, Clone)]
pub struct RedisMemory {
    /// `redis_version` from `INFO server`.
    pub version: String,
    /// Per kind: (`used_memory` delta, `used_memory_rss` delta) per key.
    per_kind: Vec<(Kind, f64, f64)>,
}

impl RedisMemory {
    /// `used_memory` growth per key of `kind`.
    pub fn used_memory_per_key(&self, kind: Kind) -> f64 {
        self.per_kind
            .iter()
            .find(|(k, ..)| *k == kind)
            .map_or(f64::NAN, |(_, used, _)| *used)
    }

    /// `used_memory_rss` growth per key of `kind`.
    pub fn rss_per_key(&self, kind: Kind) -> f64 {
        self.per_kind
            .iter()
            .find(|(k, ..)| *k == kind)
            .map_or(f64::NAN, |(_, _, rss)| *rss)
    }
}

/// Loads `n` keys of every kind into a fresh redis-server (flushed between kinds) and returns
/// the memory growth per key; `None` when `STAUNCH_SKIP_REDIS=1` (the harness prints that).
pub async fn per_key(n: usize) -> Option<RedisMemory> {
    let target = test_redis("engines benchmark: redis-server memory per key").await?;
    let client = match redis::Client::open(target.url()) {
        Ok(client) => client,
        Err(e) => panic!("redis client for {}: {e}", target.url()),
    };
    // Loading a million keys per pipeline round trip on a busy machine can take far longer
    // than the crate's default response timeout.
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(std::time::Duration::from_secs(10)))
        .set_response_timeout(Some(std::time::Duration::from_secs(300)));
    let mut connection = match client
        .get_multiplexed_async_connection_with_config(&config)
        .await
    {
        Ok(c) => c,
        Err(e) => panic!("connecting to {}: {e}", target.url()),
    };
    let version = info_field(&mut connection, "server", "redis_version")
        .await
        .unwrap_or_else(|| "?".into());
    let mut per_kind = Vec::new();
    for kind in Kind::ALL {
        let _: () = redis::cmd("FLUSHALL")
            .query_async(&mut connection)
            .await
            .expect("FLUSHALL");
        let used_before = memory_figure(&mut connection, "used_memory").await;
        let rss_before = memory_figure(&mut connection, "used_memory_rss").await;
        load(&mut connection, kind, n).await;
        let used_after = memory_figure(&mut connection, "used_memory").await;
        let rss_after = memory_figure(&mut connection, "used_memory_rss").await;
        per_kind.push((
            kind,
            (used_after - used_before) / n as f64,
            (rss_after - rss_before) / n as f64,
        ));
    }
    Some(RedisMemory { version, per_kind })
}

async fn load(connection: &mut MultiplexedConnection, kind: Kind, n: usize) {
    let mut start = 0;
    while start < n {
        let end = (start + PIPELINE).min(n);
        let mut pipe = redis::pipe();
        for i in start..end {
            let key = collection_key(kind, i);
            match kind {
                Kind::Strings => {
                    pipe.cmd("SET").arg(&key).arg(string_value(i)).ignore();
                }
                Kind::Hashes => {
                    let cmd = pipe.cmd("HSET").arg(&key);
                    for j in 0..MEMBERS {
                        let (field, value) = hash_field(i, j);
                        cmd.arg(field).arg(value);
                    }
                    cmd.ignore();
                }
                Kind::Sets => {
                    let cmd = pipe.cmd("SADD").arg(&key);
                    for j in 0..MEMBERS {
                        cmd.arg(member(j));
                    }
                    cmd.ignore();
                }
                Kind::SortedSets => {
                    let cmd = pipe.cmd("ZADD").arg(&key);
                    for j in 0..MEMBERS {
                        cmd.arg(j as f64).arg(member(j));
                    }
                    cmd.ignore();
                }
            }
        }
        let _: () = pipe
            .query_async(connection)
            .await
            .expect("loading redis-server");
        start = end;
    }
}

async fn info_field(
    connection: &mut MultiplexedConnection,
    section: &str,
    field: &str,
) -> Option<String> {
    let info: String = redis::cmd("INFO")
        .arg(section)
        .query_async(connection)
        .await
        .ok()?;
    info.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .map(|v| v.trim().to_owned())
}

async fn memory_figure(connection: &mut MultiplexedConnection, field: &str) -> f64 {
    info_field(connection, "memory", field)
        .await
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("INFO memory has no {field}"))
}
