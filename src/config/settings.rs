//! [`Settings`]: what the application configured, from a builder, the environment and a TOML
//! file, checked so that a bad value is an error naming the setting and the problem.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use staunch_core::{Error, Result};

use super::url::{bad, parse_url};
use crate::failover::{FailoverOptions, Policy};

/// A secret string (a password). `Debug` and `Display` print `[redacted]`; read it with
/// [`Secret::expose`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The secret itself: only to hand it to the connection.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where data lives when no Redis is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Embedded {
    /// The embedded file store, one per named database under the data directory (default).
    File,
    /// In memory: gone when the process exits (tests, throwaway runs).
    Memory,
}

/// How named databases map onto Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mapping {
    /// Each name is its own logical database (`SELECT n`), numbered by
    /// [`Settings::databases`] (the default; the AutoBot configuration and standard).
    #[default]
    LogicalDatabases,
    /// All names share the URL's logical database (0 if it names none), each name's keys
    /// under `{name}:` (for Redis Cluster, which has only database 0).
    Prefixes,
}

/// The AutoBot standard's named databases and their Redis logical database numbers.
pub const DEFAULT_DATABASES: [(&str, u32); 10] = [
    ("main", 0),
    ("cache", 1),
    ("sessions", 2),
    ("tasks", 3),
    ("metrics", 4),
    ("logs", 5),
    ("knowledge", 6),
    ("vectors", 7),
    ("analytics", 8),
    ("temp", 9),
];

/// Redis connection settings (the Transform Army guide's environment variables in brackets).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct RedisSettings {
    /// `redis://[user[:password]@]host[:port][/db]` or `rediss://` (`REDIS_URL`). A database
    /// number in the URL is ignored: each named database picks its own. A Redis Cluster is
    /// `redis-cluster://host:port,host:port` (needs [`Mapping::Prefixes`]); a Sentinel-managed
    /// primary is `redis-sentinel://host:port,host:port/service` (Sentinel credentials as
    /// `?sentinelUsername=..&sentinelPassword=..`).
    pub url: String,
    /// Password, overriding one in the URL (`REDIS_PASSWORD`).
    pub password: Option<Secret>,
    /// Response timeout (`REDIS_SOCKET_TIMEOUT`, seconds; default 5).
    pub socket_timeout: Duration,
    /// Connect timeout (`REDIS_SOCKET_CONNECT_TIMEOUT`, seconds; default 5).
    pub connect_timeout: Duration,
    /// Connections for blocking commands per database (`REDIS_MAX_CONNECTIONS`; default 8).
    /// Other commands share one multiplexed connection per database.
    pub max_connections: usize,
    /// Retry timed-out calls that are safe to repeat (`REDIS_RETRY_ON_TIMEOUT`; default true).
    /// Applied by `Failover` (see the module docs).
    pub retry_on_timeout: bool,
    /// Use TLS (`REDIS_SSL`): turns `redis://` into `rediss://` (and `redis-cluster://`,
    /// `redis-sentinel://` into `rediss-cluster://`, `rediss-sentinel://`).
    pub ssl: bool,
    /// CA bundle (`REDIS_SSL_CA_CERTS`), for every node of a cluster and the Sentinels too.
    pub ssl_ca_certs: Option<PathBuf>,
    /// Client certificate (`REDIS_SSL_CERTFILE`), presented to every node and Sentinel.
    pub ssl_certfile: Option<PathBuf>,
    /// Client key (`REDIS_SSL_KEYFILE`).
    pub ssl_keyfile: Option<PathBuf>,
}

impl RedisSettings {
    /// Defaults with this URL.
    pub fn new(url: impl Into<String>) -> RedisSettings {
        RedisSettings {
            url: url.into(),
            password: None,
            socket_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            max_connections: 8,
            retry_on_timeout: true,
            ssl: false,
            ssl_ca_certs: None,
            ssl_certfile: None,
            ssl_keyfile: None,
        }
    }

    /// The URL with any password replaced by `***`, for logs.
    pub fn redacted_url(&self) -> String {
        match parse_url(&self.url) {
            Ok(url) => url.render(url.password.as_ref().map(|_| "***"), None),
            Err(_) => "<invalid url>".to_owned(),
        }
    }
}

impl fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSettings")
            .field("url", &self.redacted_url())
            .field("password", &self.password)
            .field("socket_timeout", &self.socket_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_connections", &self.max_connections)
            .field("retry_on_timeout", &self.retry_on_timeout)
            .field("ssl", &self.ssl)
            .field("ssl_ca_certs", &self.ssl_ca_certs)
            .field("ssl_certfile", &self.ssl_certfile)
            .field("ssl_keyfile", &self.ssl_keyfile)
            .finish()
    }
}

/// Everything [`super::Staunch::open`] needs. Build with the methods, [`Settings::from_env`],
/// [`Settings::from_toml_file`] or [`Settings::load`].
///
/// Not `PartialEq`: the failover options hold a clock, which has no equality.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Redis, or `None` for embedded storage.
    pub redis: Option<RedisSettings>,
    /// Directory of the embedded file stores (`STAUNCH_DATA_DIR`; default `./staunch-data`).
    pub data_dir: PathBuf,
    /// Embedded backend without Redis (`STAUNCH_EMBEDDED=file|memory`; default file).
    pub embedded: Embedded,
    /// Named databases and their Redis logical database numbers (default: the AutoBot standard's ten).
    pub databases: BTreeMap<String, u32>,
    /// Logical databases or key prefixes (`STAUNCH_DB_MAPPING=databases|prefixes`).
    pub mapping: Mapping,
    /// With Redis: wrap each database in `Failover` with this policy (`STAUNCH_FAILOVER=divert|
    /// mirror|fail_fast|off`; default divert). `None` uses Redis directly.
    pub failover: Option<Policy>,
    /// Per-database exceptions to [`Settings::failover`] (`[failover_overrides]` in the file).
    pub failover_overrides: BTreeMap<String, Option<Policy>>,
    /// With Redis: the options of every database's `Failover` (breaker, retries, health
    /// monitor, timeouts; default [`FailoverOptions::default`], seed 003's figures). Its
    /// `policy` is not used: each database gets [`Settings::failover_policy`], and
    /// `REDIS_RETRY_ON_TIMEOUT=false` still turns retries off. Set from code only.
    pub failover_options: FailoverOptions,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            redis: None,
            data_dir: PathBuf::from("./staunch-data"),
            embedded: Embedded::File,
            databases: DEFAULT_DATABASES
                .iter()
                .map(|(name, db)| ((*name).to_owned(), *db))
                .collect(),
            mapping: Mapping::LogicalDatabases,
            failover: Some(Policy::Divert),
            failover_overrides: BTreeMap::new(),
            failover_options: FailoverOptions::default(),
        }
    }
}

fn seconds(setting: &str, text: &str) -> Result<Duration> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| bad(setting, format!("{text:?} is not a number of seconds")))?;
    duration(setting, value)
}

fn duration(setting: &str, value: f64) -> Result<Duration> {
    if !value.is_finite() || value <= 0.0 || value > 86_400.0 {
        return Err(bad(
            setting,
            format!("{value} must be more than 0 and at most 86400 seconds"),
        ));
    }
    Ok(Duration::from_secs_f64(value))
}

fn boolean(setting: &str, text: &str) -> Result<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(bad(
            setting,
            format!("{text:?} is not a boolean (true/false)"),
        )),
    }
}

/// The TOML file's shape, also what `Deserialize for Settings` reads (from any serde format).
/// Unknown keys are errors (a typo must not be silently ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    data_dir: Option<PathBuf>,
    embedded: Option<String>,
    mapping: Option<String>,
    failover: Option<String>,
    failover_overrides: Option<BTreeMap<String, String>>,
    redis: Option<FileRedis>,
    databases: Option<BTreeMap<String, i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRedis {
    url: Option<String>,
    password: Option<String>,
    socket_timeout: Option<f64>,
    connect_timeout: Option<f64>,
    max_connections: Option<i64>,
    retry_on_timeout: Option<bool>,
    ssl: Option<bool>,
    ssl_ca_certs: Option<PathBuf>,
    ssl_certfile: Option<PathBuf>,
    ssl_keyfile: Option<PathBuf>,
}

impl Settings {
    /// The defaults: no Redis, embedded file stores in `./staunch-data`, the AutoBot standard's databases.
    pub fn new() -> Settings {
        Settings::default()
    }

    /// Uses Redis at `url` (defaults for the rest).
    pub fn redis_url(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        match &mut self.redis {
            Some(redis) => redis.url = url,
            None => self.redis = Some(RedisSettings::new(url)),
        }
        self
    }

    /// Sets the Redis settings wholesale (`None`: embedded storage).
    pub fn redis(mut self, redis: Option<RedisSettings>) -> Self {
        self.redis = redis;
        self
    }

    /// Sets the data directory.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = dir.into();
        self
    }

    /// Sets the embedded backend.
    pub fn embedded(mut self, embedded: Embedded) -> Self {
        self.embedded = embedded;
        self
    }

    /// Adds or renumbers a named database.
    pub fn database(mut self, name: impl Into<String>, redis_db: u32) -> Self {
        self.databases.insert(name.into(), redis_db);
        self
    }

    /// Sets how names map onto Redis.
    pub fn mapping(mut self, mapping: Mapping) -> Self {
        self.mapping = mapping;
        self
    }

    /// Sets the failover policy of every database (`None`: no `Failover`, Redis directly).
    pub fn failover(mut self, policy: Option<Policy>) -> Self {
        self.failover = policy;
        self
    }

    /// Sets the failover policy of one database.
    pub fn failover_for(mut self, name: impl Into<String>, policy: Option<Policy>) -> Self {
        self.failover_overrides.insert(name.into(), policy);
        self
    }

    /// Sets the options every database's `Failover` starts from (its policy is still the
    /// database's own: [`Settings::failover_policy`]). Tests use it to shorten the breaker's
    /// open timeout and the health probe intervals.
    pub fn failover_options(mut self, options: FailoverOptions) -> Self {
        self.failover_options = options;
        self
    }

    /// The failover policy of database `name`.
    pub fn failover_policy(&self, name: &str) -> Option<Policy> {
        self.failover_overrides
            .get(name)
            .copied()
            .unwrap_or(self.failover)
    }

    /// Keeps only the named databases listed.
    pub fn only_databases(mut self, names: &[&str]) -> Self {
        self.databases
            .retain(|name, _| names.contains(&name.as_str()));
        self
    }

    /// Defaults, then the TOML file named by `STAUNCH_CONFIG` (if set), then the environment.
    pub fn load() -> Result<Settings> {
        let mut settings = Settings::new();
        if let Ok(path) = std::env::var("STAUNCH_CONFIG")
            && !path.is_empty()
        {
            settings = settings.merge_toml_file(Path::new(&path))?;
        }
        settings.merge_env_vars(std::env::vars())
    }

    /// Defaults overridden by the process environment.
    pub fn from_env() -> Result<Settings> {
        Settings::new().merge_env_vars(std::env::vars())
    }

    /// Defaults overridden by a TOML file.
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Settings> {
        Settings::new().merge_toml_file(path.as_ref())
    }

    /// These settings overridden by a TOML file (see the module docs for its keys).
    pub fn merge_toml_file(self, path: &Path) -> Result<Settings> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            bad(
                "STAUNCH_CONFIG",
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        self.merge_toml_str(&text)
            .map_err(|e| Error::invalid(format!("{} ({})", e.message(), path.display())))
    }

    /// These settings overridden by TOML text.
    pub fn merge_toml_str(self, text: &str) -> Result<Settings> {
        let file: FileSettings = toml::from_str(text).map_err(|e| {
            Error::invalid(format!("invalid settings file: {}", e.to_string().trim()))
        })?;
        self.merge_file(file)
    }

    /// These settings overridden by the file's shape, however it was read (TOML text, or any
    /// serde format through `Deserialize for Settings`).
    fn merge_file(mut self, file: FileSettings) -> Result<Settings> {
        if let Some(dir) = file.data_dir {
            self.data_dir = dir;
        }
        if let Some(embedded) = file.embedded {
            self.embedded = parse_embedded("embedded", &embedded)?;
        }
        if let Some(mapping) = file.mapping {
            self.mapping = parse_mapping("mapping", &mapping)?;
        }
        if let Some(policy) = file.failover {
            self.failover = parse_policy("failover", &policy)?;
        }
        for (name, policy) in file.failover_overrides.unwrap_or_default() {
            let policy = parse_policy(&format!("failover_overrides.{name}"), &policy)?;
            self.failover_overrides.insert(name, policy);
        }
        if let Some(dbs) = file.databases {
            for (name, db) in dbs {
                let db = u32::try_from(db).map_err(|_| {
                    bad(
                        &format!("databases.{name}"),
                        format!("{db} is not a database number (0 or more)"),
                    )
                })?;
                self.databases.insert(name, db);
            }
        }
        if let Some(r) = file.redis {
            let mut redis = self.redis.take().unwrap_or_else(|| RedisSettings::new(""));
            if let Some(url) = r.url {
                redis.url = url;
            }
            if let Some(p) = r.password {
                redis.password = Some(Secret(p));
            }
            if let Some(t) = r.socket_timeout {
                redis.socket_timeout = duration("redis.socket_timeout", t)?;
            }
            if let Some(t) = r.connect_timeout {
                redis.connect_timeout = duration("redis.connect_timeout", t)?;
            }
            if let Some(n) = r.max_connections {
                redis.max_connections = positive("redis.max_connections", n)?;
            }
            if let Some(b) = r.retry_on_timeout {
                redis.retry_on_timeout = b;
            }
            if let Some(b) = r.ssl {
                redis.ssl = b;
            }
            redis.ssl_ca_certs = r.ssl_ca_certs.or(redis.ssl_ca_certs);
            redis.ssl_certfile = r.ssl_certfile.or(redis.ssl_certfile);
            redis.ssl_keyfile = r.ssl_keyfile.or(redis.ssl_keyfile);
            if redis.url.is_empty() {
                return Err(bad("redis.url", "a [redis] section needs a url"));
            }
            self.redis = Some(redis);
        }
        Ok(self)
    }

    /// These settings overridden by environment variables (given as pairs, so tests need not
    /// touch the process environment). Unset or empty variables change nothing.
    pub fn merge_env_vars<K, V>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Settings>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let vars: BTreeMap<String, String> = vars
            .into_iter()
            .filter(|(k, v)| {
                let k = k.as_ref();
                (k.starts_with("REDIS_") || k.starts_with("STAUNCH_")) && !v.as_ref().is_empty()
            })
            .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()))
            .collect();
        let get = |name: &str| vars.get(name).map(String::as_str);
        if let Some(dir) = get("STAUNCH_DATA_DIR") {
            self.data_dir = PathBuf::from(dir);
        }
        if let Some(embedded) = get("STAUNCH_EMBEDDED") {
            self.embedded = parse_embedded("STAUNCH_EMBEDDED", embedded)?;
        }
        if let Some(mapping) = get("STAUNCH_DB_MAPPING") {
            self.mapping = parse_mapping("STAUNCH_DB_MAPPING", mapping)?;
        }
        if let Some(policy) = get("STAUNCH_FAILOVER") {
            self.failover = parse_policy("STAUNCH_FAILOVER", policy)?;
        }
        if let Some(url) = get("REDIS_URL") {
            self = self.redis_url(url);
        }
        let redis_vars = [
            "REDIS_PASSWORD",
            "REDIS_SOCKET_TIMEOUT",
            "REDIS_SOCKET_CONNECT_TIMEOUT",
            "REDIS_MAX_CONNECTIONS",
            "REDIS_RETRY_ON_TIMEOUT",
            "REDIS_SSL",
            "REDIS_SSL_CA_CERTS",
            "REDIS_SSL_CERTFILE",
            "REDIS_SSL_KEYFILE",
        ];
        let Some(redis) = self.redis.as_mut() else {
            if let Some(name) = redis_vars.iter().find(|n| get(n).is_some()) {
                return Err(bad(
                    name,
                    "is set but REDIS_URL is not (set REDIS_URL to use Redis)",
                ));
            }
            return Ok(self);
        };
        if let Some(p) = get("REDIS_PASSWORD") {
            redis.password = Some(Secret(p.to_owned()));
        }
        if let Some(t) = get("REDIS_SOCKET_TIMEOUT") {
            redis.socket_timeout = seconds("REDIS_SOCKET_TIMEOUT", t)?;
        }
        if let Some(t) = get("REDIS_SOCKET_CONNECT_TIMEOUT") {
            redis.connect_timeout = seconds("REDIS_SOCKET_CONNECT_TIMEOUT", t)?;
        }
        if let Some(n) = get("REDIS_MAX_CONNECTIONS") {
            let parsed: i64 = n.trim().parse().map_err(|_| {
                bad(
                    "REDIS_MAX_CONNECTIONS",
                    format!("{n:?} is not a whole number"),
                )
            })?;
            redis.max_connections = positive("REDIS_MAX_CONNECTIONS", parsed)?;
        }
        if let Some(b) = get("REDIS_RETRY_ON_TIMEOUT") {
            redis.retry_on_timeout = boolean("REDIS_RETRY_ON_TIMEOUT", b)?;
        }
        if let Some(b) = get("REDIS_SSL") {
            redis.ssl = boolean("REDIS_SSL", b)?;
        }
        for (name, slot) in [
            ("REDIS_SSL_CA_CERTS", &mut redis.ssl_ca_certs),
            ("REDIS_SSL_CERTFILE", &mut redis.ssl_certfile),
            ("REDIS_SSL_KEYFILE", &mut redis.ssl_keyfile),
        ] {
            if let Some(path) = get(name) {
                *slot = Some(PathBuf::from(path));
            }
        }
        Ok(self)
    }

    /// Checks everything; the error names the first bad setting and its problem.
    pub fn validate(&self) -> Result<()> {
        if self.databases.is_empty() {
            return Err(bad("databases", "at least one named database is needed"));
        }
        let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
        for (name, db) in &self.databases {
            let ok = !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !ok {
                return Err(bad(
                    &format!("databases.{name}"),
                    "names are 1-64 characters of a-z, 0-9, _ and -",
                ));
            }
            if self.mapping == Mapping::Prefixes {
                continue; // numbers are not used
            }
            if let Some(other) = seen.insert(*db, name) {
                return Err(bad(
                    &format!("databases.{name}"),
                    format!("database {db} is already used by `{other}`"),
                ));
            }
        }
        if let Some(name) = self
            .failover_overrides
            .keys()
            .find(|n| !self.databases.contains_key(*n))
        {
            return Err(bad(
                &format!("failover_overrides.{name}"),
                "names no configured database",
            ));
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(bad("STAUNCH_DATA_DIR", "must not be empty"));
        }
        if let Some(redis) = &self.redis {
            let url = parse_url(&redis.url)?;
            if url.deployment == super::url::Deployment::Cluster
                && self.mapping != Mapping::Prefixes
            {
                return Err(bad(
                    "STAUNCH_DB_MAPPING",
                    "a Redis Cluster has only database 0, so named databases cannot be logical \
                     databases there: set STAUNCH_DB_MAPPING=prefixes",
                ));
            }
            for (name, path) in [
                ("REDIS_SSL_CA_CERTS", &redis.ssl_ca_certs),
                ("REDIS_SSL_CERTFILE", &redis.ssl_certfile),
                ("REDIS_SSL_KEYFILE", &redis.ssl_keyfile),
            ] {
                if let Some(path) = path {
                    if !path.is_file() {
                        return Err(bad(
                            name,
                            format!("{} is not a readable file", path.display()),
                        ));
                    }
                    if !cfg!(any(feature = "tls", feature = "native-tls")) {
                        return Err(bad(
                            name,
                            "custom TLS certificates need staunch's `tls` (or `native-tls`) feature",
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The URL of named database number `db`: scheme (TLS applied), credentials (the
    /// password setting applied), host, port and `/db`.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn url_for(&self, db: u32) -> Result<Option<String>> {
        let Some(redis) = &self.redis else {
            return Ok(None);
        };
        let mut url = parse_url(&redis.url)?;
        let db = match self.mapping {
            Mapping::Prefixes => url.db.unwrap_or(0),
            _ => db,
        };
        if redis.ssl {
            url.use_tls();
        }
        let password = redis
            .password
            .as_ref()
            .map(Secret::expose)
            .or(url.password.as_deref())
            .map(str::to_owned);
        Ok(Some(url.render(password.as_deref(), Some(db))))
    }
}

fn positive(setting: &str, n: i64) -> Result<usize> {
    if !(1..=10_000).contains(&n) {
        return Err(bad(setting, format!("{n} must be between 1 and 10000")));
    }
    Ok(n as usize)
}

fn parse_mapping(setting: &str, text: &str) -> Result<Mapping> {
    match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "databases" | "logical_databases" => Ok(Mapping::LogicalDatabases),
        "prefixes" | "key_prefixes" => Ok(Mapping::Prefixes),
        other => Err(bad(
            setting,
            format!("{other:?} is neither `databases` nor `prefixes`"),
        )),
    }
}

fn parse_policy(setting: &str, text: &str) -> Result<Option<Policy>> {
    match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "divert" => Ok(Some(Policy::Divert)),
        "mirror" => Ok(Some(Policy::Mirror)),
        "fail_fast" | "failfast" => Ok(Some(Policy::FailFast)),
        "off" | "none" => Ok(None),
        other => Err(bad(
            setting,
            format!("{other:?} is not divert, mirror, fail_fast or off"),
        )),
    }
}

fn parse_embedded(setting: &str, text: &str) -> Result<Embedded> {
    match text.trim().to_ascii_lowercase().as_str() {
        "file" => Ok(Embedded::File),
        "memory" => Ok(Embedded::Memory),
        other => Err(bad(
            setting,
            format!("{other:?} is neither `file` nor `memory`"),
        )),
    }
}

/// Settings inside an application's own configuration: the keys of the TOML file
/// (see [the module docs](super)), read by any serde format (TOML, JSON, YAML, ...), on top of
/// [`Settings::default`]. The same checks as the file apply, with the same messages: unknown
/// keys, bad numbers and durations, unknown policies are errors naming the setting. Layer the
/// environment on top with [`Settings::merge_env_vars`] when the application wants it.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct AppConfig {
///     name: String,
///     #[serde(default)]
///     staunch: staunch::config::Settings,
/// }
///
/// let config: AppConfig = toml::from_str(r#"
///     name = "app"
///     [staunch]
///     embedded = "memory"
///     [staunch.databases]
///     jobs = 12
/// "#).unwrap();
/// assert_eq!(config.staunch.databases["jobs"], 12);
/// ```
impl<'de> Deserialize<'de> for Settings {
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        let file = FileSettings::deserialize(deserializer)?;
        Settings::new()
            .merge_file(file)
            .map_err(|e| serde::de::Error::custom(e.message()))
    }
}
