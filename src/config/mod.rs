//! Configuration and named databases (the AutoBot and Transform Army documents): one shared handle,
//! [`Staunch`], that opens a store per named database and hands them to the services.
//!
//! ```no_run
//! use staunch::config::{Settings, Staunch};
//! use staunch::cache::Cache;
//!
//! # async fn demo() -> staunch::Result<()> {
//! // REDIS_URL set: Redis logical databases; unset: embedded file stores in ./staunch-data.
//! let app = Staunch::open(Settings::load()?).await?;
//! let cache = Cache::new(app.db("cache")?);
//! let health = app.health().await;
//! println!("{}", if health.healthy { "ok" } else { "degraded" });
//! app.close().await?;
//! # let _ = cache; Ok(()) }
//! ```
//!
//! # Named databases
//!
//! The AutoBot standard's ten names, `main` 0, `cache` 1, `sessions` 2, `tasks` 3, `metrics` 4, `logs` 5,
//! `knowledge` 6, `vectors` 7, `analytics` 8, `temp` 9, are the default; names can be added,
//! renumbered or dropped ([`Settings::database`], [`Settings::only_databases`], the
//! `[databases]` table of the file). Two names may not share a number.
//!
//! - **With Redis** each name is a Redis logical database (`SELECT n`, i.e. the URL's `/n`),
//!   as the AutoBot configuration and standard do, so `redis-cli -n 1 dbsize` counts the cache. Connections are
//!   opened lazily: the application starts while Redis is down and calls fail with
//!   `Unavailable` until it is back.
//! - **Without Redis** each name is its own embedded file store in `{data_dir}/{name}/`
//!   (decision: separate stores rather than one store with key prefixes, so a name's `FLUSHDB`,
//!   `DBSIZE` and `SCAN` mean what they mean on Redis, and one database's compaction never
//!   stalls another's writes). [`Embedded::Memory`] keeps them in memory instead.
//!
//! - **With Redis and [`Mapping::Prefixes`]** (`STAUNCH_DB_MAPPING=prefixes`) all names share
//!   the URL's logical database (0 by default, the only one Redis Cluster has) and each name's
//!   keys live under `{name}:` (`cache:cache:tenant:…`): a wrapper prefixes every key and strips
//!   it from replies, so the services see the same keyspace either way. `DBSIZE`/`FLUSHDB`
//!   become `SCAN`s of the prefix. The embedded stores are separate per name in both mappings.
//!
//! Each named database is opened on first use (its first command, [`Staunch::failover`] or
//! [`Staunch::open_database`]), not by [`Staunch::open`]: an application that uses three of
//! the ten default names gets three file stores, or three `Failover`s with their local stores,
//! journals and health monitors, not ten. [`Staunch::opened`] lists them; [`Staunch::health`]
//! reports the others without opening them.
//!
//! # Redis Cluster and Sentinel
//!
//! `REDIS_URL` also names Redis's distributed deployments (the forms redis-rs and fred users
//! know; the `staunch-redis` crate documents them in full):
//!
//! - `redis-cluster://[user:password@]host:port,host:port` (or `redis+cluster://`, `?node=`
//!   for more seeds): a Redis Cluster. It has only database 0, so it needs
//!   `STAUNCH_DB_MAPPING=prefixes` (anything else is an error saying so). The services keep
//!   each multi-key step in one hash slot by themselves.
//! - `redis-sentinel://[user:password@]host:port,host:port/service[/db]` (or
//!   `redis+sentinel://`): the primary the Sentinels name for `service`, followed across
//!   failovers. The credentials (and `REDIS_PASSWORD`) are the data nodes'; Sentinels with a
//!   password of their own take `?sentinelUsername=...&sentinelPassword=...`. Named databases
//!   are logical databases of the primary, as with one server.
//!
//! `REDIS_SSL=true` turns either into its TLS form (`rediss-cluster://`, `rediss-sentinel://`),
//! and the TLS settings below apply to every node, the Sentinels included (custom
//! certificates there need the `tls` feature, rustls; `#insecure` works on every form).
//!
//! # Failover
//!
//! With Redis, each named database is wrapped in [`crate::failover::Failover`] (policy
//! [`Settings::failover`], default `Divert`, per database with [`Settings::failover_for`]):
//! during an outage its calls are served by a local store, `{data_dir}/{name}/local` (a file
//! store; in memory with [`Embedded::Memory`]), its writes journaled in `{data_dir}/{name}/journal`
//! and replayed into Redis when it is back. `STAUNCH_FAILOVER=off` uses Redis directly.
//! `REDIS_RETRY_ON_TIMEOUT=false` turns off Failover's retries.
//!
//! # Sources of settings
//!
//! [`Settings::load`]: defaults, then the TOML file named by `STAUNCH_CONFIG`, then the
//! environment. [`Settings`] is also `Deserialize`, with the file's keys, so it can sit inside
//! an application's own configuration (TOML, JSON, YAML, ...; see its `Deserialize` impl).
//! Environment variables (the Transform Army guide's names): `REDIS_URL`, `REDIS_PASSWORD`,
//! `REDIS_SOCKET_TIMEOUT`, `REDIS_SOCKET_CONNECT_TIMEOUT` (seconds), `REDIS_MAX_CONNECTIONS`,
//! `REDIS_RETRY_ON_TIMEOUT`, `REDIS_SSL`, `REDIS_SSL_CA_CERTS`, `REDIS_SSL_CERTFILE`,
//! `REDIS_SSL_KEYFILE`, plus `STAUNCH_DATA_DIR`, `STAUNCH_EMBEDDED` (`file`/`memory`) and
//! `STAUNCH_FAILOVER` (`divert`/`mirror`/`fail_fast`/`off`) and `STAUNCH_DB_MAPPING`
//! (`databases`/`prefixes`). The file:
//!
//! ```toml
//! data_dir = "/var/lib/app/staunch"
//! embedded = "file"
//! failover = "divert"
//! mapping = "databases"
//!
//! [failover_overrides]
//! temp = "off"
//!
//! [redis]
//! url = "redis://redis:6379"
//! password = "from-a-secret-store"
//! socket_timeout = 5.0
//! connect_timeout = 5.0
//! max_connections = 50
//! retry_on_timeout = true
//! ssl = false
//!
//! [databases]
//! main = 0
//! cache = 1
//! ```
//!
//! Unknown keys, malformed numbers, durations that are not positive, duplicate database
//! numbers and bad URLs are errors that name the setting and say what is wrong.
//!
//! TLS (staunch's `tls` feature, rustls; or `native-tls`): `REDIS_SSL=true` or a `rediss://`
//! URL (`rediss-cluster://`, `rediss-sentinel://`); a custom CA and client certificates from
//! `REDIS_SSL_CA_CERTS`, `REDIS_SSL_CERTFILE`, `REDIS_SSL_KEYFILE` (the `[redis]` keys
//! `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`) or the same names as URL parameters
//! (`rediss://host:6380?ssl_ca_certs=/etc/redis/ca.pem`), for one server, every cluster node
//! and the Sentinels with their data nodes alike (on Cluster and Sentinel with `tls` only:
//! `native-tls` alone refuses them, saying so); `#insecure` at the end of the URL skips
//! verification. Without the feature, certificate settings are an error saying which feature
//! to enable.
//!
//! Passwords never reach `Debug`, `Display` or logs: [`Secret`] prints `[redacted]` and URLs
//! are shown with `***` in place of a password.

mod lazy;
mod settings;
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
mod tls;
mod url;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use staunch_core::Result;
use staunch_core::prelude::*;

pub use crate::wrappers::instrumented::DatabaseStats;
pub use settings::{DEFAULT_DATABASES, Embedded, Mapping, RedisSettings, Secret, Settings};

use crate::wrappers::instrumented::{Counters, Instrumented};

/// What backs the databases.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// Redis logical databases; the URL is shown without its password.
    Redis {
        /// Redacted URL.
        url: String,
    },
    /// Embedded file stores under this directory.
    File {
        /// The data directory.
        dir: PathBuf,
    },
    /// In memory.
    Memory,
}

/// What a named database's store is underneath, for closing it.
enum Backend {
    #[cfg(feature = "file")]
    File(Arc<staunch_file::FileStore>),
    #[cfg(feature = "redis")]
    Redis(staunch_redis::RedisStore),
    #[cfg(feature = "redis")]
    Failover(crate::failover::Failover),
    /// In memory: nothing to close or probe. (Unused when built without `memory`.)
    #[cfg_attr(not(feature = "memory"), allow(dead_code))]
    Memory,
}

struct Database {
    number: u32,
    /// The counting wrapper over `lazy`: what [`Staunch::db`] hands out.
    store: Arc<dyn Store>,
    lazy: Arc<lazy::LazyDatabase>,
    counters: Arc<Counters>,
}

/// The application's handle on its named databases. Cheap to clone; share it.
#[derive(Clone)]
pub struct Staunch {
    inner: Arc<Inner>,
}

struct Inner {
    mode: Mode,
    databases: BTreeMap<String, Database>,
    /// With Redis: one connection that answers `PING` for the databases not opened yet, so
    /// [`Staunch::health`] tells whether Redis is reachable without opening them.
    #[cfg(feature = "redis")]
    probe: Option<staunch_redis::RedisStore>,
}

impl std::fmt::Debug for Staunch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staunch")
            .field("mode", &self.inner.mode)
            .field("databases", &self.names())
            .finish()
    }
}

/// One database's health.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DatabaseHealth {
    /// Whether it answered. A database not opened yet (see [`DatabaseHealth::opened`]) is
    /// healthy when Redis answers a `PING` (with Redis) and always otherwise: nothing has
    /// failed, and probing it would open it.
    pub healthy: bool,
    /// Whether it has been opened: named databases open on first use (see [`Staunch::open`]);
    /// the other fields but `healthy`, `latency` and `error` are empty until then.
    pub opened: bool,
    /// Its Redis logical database number.
    pub number: u32,
    /// Round trip of the probe (`PING` on Redis, `DBSIZE` elsewhere).
    pub latency: Option<Duration>,
    /// Number of keys, when it answered.
    pub keys: Option<u64>,
    /// Why not, when it did not.
    pub error: Option<String>,
    /// With `Failover`: `Healthy`, `Degraded` (served locally) or `Recovering` (replaying).
    pub failover_state: Option<crate::failover::FailoverState>,
    /// With `Failover`: writes waiting to be replayed into Redis.
    pub journal_len: Option<usize>,
    /// Redis's own figures from `INFO` (the Transform Army guide's health fields: version, used memory,
    /// connected clients, uptime), when Redis answered.
    pub server: Option<staunch_core::ServerInfo>,
}

/// [`Staunch::health`]'s answer (the async Redis manager: `overall_healthy` plus per-database status).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HealthReport {
    /// All databases answered.
    pub healthy: bool,
    /// What backs them.
    pub mode: Mode,
    /// Per database.
    pub databases: BTreeMap<String, DatabaseHealth>,
}

impl Staunch {
    /// Checks `settings` and prepares its named databases, each opened on first use: the
    /// first command on [`Staunch::db`]'s store (or [`Staunch::failover`]) builds its file
    /// store, or its `Failover` with local store, journal and health monitor, or its Redis
    /// connections. Names the application never uses cost nothing. The embedded data
    /// directory is created here, so an unwritable one fails now; errors opening one database
    /// (a store locked by another process) are returned by the commands on it.
    pub async fn open(settings: Settings) -> Result<Staunch> {
        settings.validate()?;
        let mode = match &settings.redis {
            Some(redis) => Mode::Redis {
                url: redis.redacted_url(),
            },
            None if settings.embedded == Embedded::Memory => Mode::Memory,
            None => Mode::File {
                dir: settings.data_dir.clone(),
            },
        };
        if let Mode::File { dir } = &mode {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::invalid(format!(
                    "invalid setting STAUNCH_DATA_DIR: cannot create {}: {e}",
                    dir.display()
                ))
            })?;
        }
        #[cfg(feature = "redis")]
        let probe = match &mode {
            Mode::Redis { .. } => Some(redis_probe(&settings)?),
            _ => None,
        };
        #[cfg(not(feature = "redis"))]
        if matches!(mode, Mode::Redis { .. }) {
            // Fails now, as opening every database did, rather than on the first command.
            let number = settings.databases.values().next().copied().unwrap_or(0);
            remote_store(&settings, "", number).await?;
        }
        let settings = Arc::new(settings);
        let mut databases = BTreeMap::new();
        for (name, number) in &settings.databases {
            let lazy = Arc::new(lazy::LazyDatabase::new(
                name.clone(),
                *number,
                settings.clone(),
                mode.clone(),
            ));
            let counters = Arc::new(Counters::default());
            let backend = match &mode {
                Mode::Redis { .. } if settings.failover_policy(name).is_some() => "failover",
                Mode::Redis { .. } => "redis",
                Mode::File { .. } => "file",
                Mode::Memory => "memory",
            };
            let observed = crate::observe::Observed::new(lazy.clone(), backend, name.clone());
            let store: Arc<dyn Store> = Arc::new(Instrumented {
                inner: Arc::new(observed),
                counters: counters.clone(),
            });
            databases.insert(
                name.clone(),
                Database {
                    number: *number,
                    store,
                    lazy,
                    counters,
                },
            );
        }
        tracing::info!(mode = ?mode, databases = databases.len(), "staunch opened (databases open on first use)");
        Ok(Staunch {
            inner: Arc::new(Inner {
                mode,
                databases,
                #[cfg(feature = "redis")]
                probe,
            }),
        })
    }

    /// The names of the databases opened so far (by a command, [`Staunch::failover`] or
    /// [`Staunch::open_database`]), sorted.
    pub fn opened(&self) -> Vec<String> {
        self.inner
            .databases
            .iter()
            .filter(|(_, db)| db.lazy.opened().is_some())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Opens named database `name` now rather than on its first command (to see an opening
    /// error at startup, or to have its `Failover` monitor Redis from the start).
    pub async fn open_database(&self, name: &str) -> Result<Arc<dyn Store>> {
        let store = self.db(name)?;
        self.database(name)?.lazy.open_now().await?;
        Ok(store)
    }

    fn database(&self, name: &str) -> Result<&Database> {
        self.inner.databases.get(name).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!(
                    "no database named `{name}` (configured: {})",
                    self.names().join(", ")
                ),
            )
        })
    }

    /// [`Settings::load`] then [`Staunch::open`]: the environment decides.
    pub async fn from_env() -> Result<Staunch> {
        Staunch::open(Settings::load()?).await
    }

    /// The store of named database `name`; `NotFound` naming it when it is not configured.
    /// No I/O: the database opens on the store's first command.
    pub fn db(&self, name: &str) -> Result<Arc<dyn Store>> {
        self.database(name).map(|db| db.store.clone())
    }

    /// The configured names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.inner.databases.keys().cloned().collect()
    }

    /// What backs the databases.
    pub fn mode(&self) -> &Mode {
        &self.inner.mode
    }

    /// The `Failover` of named database `name`, when it has one (Redis configured with a
    /// failover policy): its state, journal length, statistics and state changes, read without
    /// a round trip to Redis (for dashboards; [`Staunch::health`] probes). Opens the database
    /// if it is not open yet; `Ok(None)` when it has no `Failover`, an error when `name` is
    /// not configured or cannot be opened.
    pub async fn failover(&self, name: &str) -> Result<Option<crate::failover::Failover>> {
        match &self.database(name)?.lazy.open_now().await?.backend {
            #[cfg(feature = "redis")]
            Backend::Failover(failover) => Ok(Some(failover.clone())),
            _ => Ok(None),
        }
    }

    /// Probes every opened database now; the others are reported without opening them (see
    /// [`DatabaseHealth::healthy`]).
    pub async fn health(&self) -> HealthReport {
        let mut databases = BTreeMap::new();
        let mut unopened: Option<DatabaseHealth> = None;
        for (name, db) in &self.inner.databases {
            let health = match db.lazy.opened() {
                Some(opened) => probe(db, opened).await,
                None => {
                    if unopened.is_none() {
                        unopened = Some(self.probe_unopened().await);
                    }
                    let mut health = unopened.clone().unwrap_or_else(not_opened);
                    health.number = db.number;
                    health
                }
            };
            databases.insert(name.clone(), health);
        }
        HealthReport {
            healthy: databases.values().all(|d| d.healthy),
            mode: self.inner.mode.clone(),
            databases,
        }
    }

    /// Counters per database since opening.
    pub fn stats(&self) -> BTreeMap<String, DatabaseStats> {
        self.inner
            .databases
            .iter()
            .map(|(name, db)| {
                let stats = db.counters.snapshot();
                // Behind Failover calls keep succeeding through an outage: its own count of
                // outages (times traffic left Redis) is the one that means something.
                #[cfg(feature = "redis")]
                let stats = match db.lazy.opened().map(|opened| &opened.backend) {
                    Some(Backend::Failover(failover)) => DatabaseStats {
                        outages: failover.stats().outages,
                        ..stats
                    },
                    _ => stats,
                };
                (name.clone(), stats)
            })
            .collect()
    }

    /// The health of databases not opened yet: Redis's answer to a `PING` on the probe
    /// connection, or healthy without Redis.
    async fn probe_unopened(&self) -> DatabaseHealth {
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.inner.probe {
            let mut health = not_opened();
            match redis.ping().await {
                Ok(latency) => health.latency = Some(latency),
                Err(e) => {
                    health.healthy = false;
                    health.error = Some(e.to_string());
                }
            }
            return health;
        }
        not_opened()
    }

    /// Flushes and closes the opened embedded stores and `Failover`s (pending writes reach the
    /// disk). Redis connections close when the last handle is dropped. Using a store after
    /// `close` fails, and databases never opened stay closed.
    pub async fn close(&self) -> Result<()> {
        let mut first_error = None;
        for (name, db) in &self.inner.databases {
            db.lazy.mark_closed();
            let Some(opened) = db.lazy.opened() else {
                continue;
            };
            let result: Result<()> = match &opened.backend {
                #[cfg(feature = "file")]
                Backend::File(file) => file.close().await,
                #[cfg(feature = "redis")]
                Backend::Redis(_) => Ok(()),
                #[cfg(feature = "redis")]
                Backend::Failover(failover) => failover.close().await,
                Backend::Memory => Ok(()),
            };
            if let Err(e) = result {
                tracing::warn!(database = %name, error = %e, "closing a database failed");
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// The health of a database not opened yet, before any probe.
fn not_opened() -> DatabaseHealth {
    DatabaseHealth {
        healthy: true,
        opened: false,
        number: 0,
        latency: None,
        keys: None,
        error: None,
        failover_state: None,
        journal_len: None,
        server: None,
    }
}

/// The connection [`Staunch::health`] pings for the databases not opened yet: the first
/// database's URL, connecting on first use.
#[cfg(feature = "redis")]
fn redis_probe(settings: &Settings) -> Result<staunch_redis::RedisStore> {
    let number = settings.databases.values().next().copied().unwrap_or(0);
    let (Some(redis), Some(url)) = (&settings.redis, settings.url_for(number)?) else {
        return Err(Error::new(
            ErrorKind::Internal,
            "redis_probe without Redis settings",
        ));
    };
    let (url, tls_files) = tls::split(&url, redis);
    let options = staunch_redis::RedisOptions::new(url)
        .connect_timeout(redis.connect_timeout)
        .response_timeout(redis.socket_timeout)
        .blocking_pool_size(1)
        .tls(tls::options(&tls_files)?);
    staunch_redis::RedisStore::lazy(options)
        .map_err(|e| Error::invalid(format!("invalid setting REDIS_URL: {}", e.message())))
}

// Without the `redis` feature the Failover fields stay `None`.
#[cfg_attr(not(feature = "redis"), allow(unused_mut, unused_variables))]
async fn probe(db: &Database, opened: &lazy::Opened) -> DatabaseHealth {
    let started = Instant::now();
    let mut failover_state = None;
    let mut journal_len = None;
    let mut server = None;
    // An error already worded for the report (a Failover's own report says why).
    let mut reported: Option<String> = None;
    let ping: Result<()> = match &opened.backend {
        #[cfg(feature = "redis")]
        Backend::Redis(redis) => match redis.ping().await {
            Ok(_) => {
                server = redis
                    .info()
                    .await
                    .ok()
                    .map(|text| staunch_core::ServerInfo::parse(&text));
                Ok(())
            }
            Err(e) => Err(e),
        },
        #[cfg(feature = "redis")]
        Backend::Failover(failover) => {
            let report = failover.health().await;
            failover_state = Some(report.state);
            journal_len = Some(report.journal_len);
            server = report.server;
            match report.error {
                None => Ok(()),
                Some(e) => {
                    reported = Some(e);
                    Err(Error::new(
                        ErrorKind::Unavailable,
                        "the primary did not answer",
                    ))
                }
            }
        }
        _ => Ok(()),
    };
    let keys = match ping {
        Ok(()) => db.store.dbsize().await,
        Err(e) => Err(e),
    };
    match keys {
        Ok(keys) => DatabaseHealth {
            healthy: true,
            opened: true,
            number: db.number,
            latency: Some(started.elapsed()),
            keys: Some(keys),
            error: None,
            failover_state,
            journal_len,
            server,
        },
        Err(e) => DatabaseHealth {
            healthy: false,
            opened: true,
            number: db.number,
            latency: None,
            keys: None,
            error: Some(reported.unwrap_or_else(|| e.to_string())),
            failover_state,
            journal_len,
            server,
        },
    }
}

/// The store of one named database on Redis, wrapped in `Failover` unless its policy is off.
#[cfg(feature = "redis")]
async fn remote_store(
    settings: &Settings,
    name: &str,
    number: u32,
) -> Result<(Arc<dyn Store>, Backend)> {
    let (Some(redis), Some(url)) = (&settings.redis, settings.url_for(number)?) else {
        return Err(Error::new(
            ErrorKind::Internal,
            "remote_store without Redis settings",
        ));
    };
    let (url, tls_files) = tls::split(&url, redis);
    let options = staunch_redis::RedisOptions::new(url)
        .connect_timeout(redis.connect_timeout)
        .response_timeout(redis.socket_timeout)
        .blocking_pool_size(redis.max_connections)
        .tls(tls::options(&tls_files)?);
    let store = staunch_redis::RedisStore::lazy(options)
        .map_err(|e| Error::invalid(format!("invalid setting REDIS_URL: {}", e.message())))?;
    let prefix = |store: Arc<dyn Store>| -> Arc<dyn Store> {
        match settings.mapping {
            Mapping::Prefixes => Arc::new(crate::wrappers::prefixed::Prefixed::new(store, name)),
            _ => store,
        }
    };
    let Some(policy) = settings.failover_policy(name) else {
        return Ok((prefix(Arc::new(store.clone())), Backend::Redis(store)));
    };
    use crate::failover::{Failover, RetryOptions};
    let mut options = settings.failover_options.clone().policy(policy);
    if !redis.retry_on_timeout {
        options = options.retry(RetryOptions::none());
    }
    let builder = Failover::redis(store).options(options);
    let dir = settings.data_dir.join(name);
    let builder = with_local_store(builder, settings, &dir, name)?;
    let failover = builder.open().await?;
    Ok((
        prefix(Arc::new(failover.clone())),
        Backend::Failover(failover),
    ))
}

#[cfg(not(feature = "redis"))]
async fn remote_store(_: &Settings, _: &str, _: u32) -> Result<(Arc<dyn Store>, Backend)> {
    Err(Error::invalid(
        "invalid setting REDIS_URL: staunch was built without its `redis` feature",
    ))
}

#[cfg(feature = "file")]
async fn file_store(dir: &std::path::Path) -> Result<(Arc<dyn Store>, Backend)> {
    let store = Arc::new(staunch_file::FileStore::open(dir).await?);
    Ok((store.clone(), Backend::File(store)))
}

#[cfg(not(feature = "file"))]
async fn file_store(_: &std::path::Path) -> Result<(Arc<dyn Store>, Backend)> {
    Err(Error::invalid(
        "invalid setting STAUNCH_EMBEDDED: `file` needs staunch's `file` feature (or use `memory`)",
    ))
}

#[cfg(feature = "memory")]
fn memory_store() -> Result<(Arc<dyn Store>, Backend)> {
    Ok((
        Arc::new(staunch_memory::MemoryStore::new()),
        Backend::Memory,
    ))
}

#[cfg(not(feature = "memory"))]
fn memory_store() -> Result<(Arc<dyn Store>, Backend)> {
    Err(Error::invalid(
        "invalid setting STAUNCH_EMBEDDED: `memory` needs staunch's `memory` feature",
    ))
}

/// Gives a `Failover` its local store as the settings ask (an error when this build has no
/// local backend at all).
#[cfg(feature = "redis")]
fn with_local_store(
    builder: crate::failover::FailoverBuilder,
    settings: &Settings,
    dir: &std::path::Path,
    name: &str,
) -> Result<crate::failover::FailoverBuilder> {
    let _ = name; // named only by the error of a build without local backends
    match settings.embedded {
        #[cfg(feature = "memory")]
        Embedded::Memory => Ok(builder.local_memory()),
        #[cfg(feature = "file")]
        _ => Ok(builder.local_file(dir)),
        // Without the file store there is no durable journal: outage writes live in memory.
        #[cfg(all(not(feature = "file"), feature = "memory"))]
        _ => {
            let _ = dir;
            Ok(builder.local_memory())
        }
        #[cfg(not(any(feature = "file", feature = "memory")))]
        _ => {
            let _ = builder;
            Err(Error::invalid(format!(
                "invalid setting STAUNCH_FAILOVER: Failover needs staunch's `file` or `memory` \
                 feature for its local store (or set it to off); database {name} in {}",
                dir.display()
            )))
        }
    }
}
