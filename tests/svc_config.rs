//! Configuration: settings from code, environment and TOML; named databases on embedded file
//! stores, in memory and on real Redis logical databases; health, stats, close; secrets never
//! printed.
//!
//! `cargo test -p staunch --features redis --test svc_config`

use std::time::Duration;

use staunch::config::{DEFAULT_DATABASES, Embedded, Mapping, Mode, Settings, Staunch};
use staunch_core::prelude::*;

fn env(pairs: &[(&str, &str)]) -> staunch::Result<Settings> {
    Settings::new().merge_env_vars(pairs.iter().copied())
}

#[test]
fn defaults_are_seed_002s_databases() {
    let s = Settings::new();
    assert!(s.redis.is_none());
    assert_eq!(s.embedded, Embedded::File);
    assert_eq!(s.databases.len(), 10);
    for (name, db) in DEFAULT_DATABASES {
        assert_eq!(s.databases[name], db);
    }
    s.validate().unwrap();
}

#[test]
fn environment_variables_of_seed_004() {
    let s = env(&[
        ("REDIS_URL", "redis://localhost:6379/0"),
        ("REDIS_PASSWORD", "your-secure-password"),
        ("REDIS_MAX_CONNECTIONS", "50"),
        ("REDIS_SOCKET_TIMEOUT", "5.0"),
        ("REDIS_SOCKET_CONNECT_TIMEOUT", "2.5"),
        ("REDIS_RETRY_ON_TIMEOUT", "true"),
        ("REDIS_SSL", "false"),
        ("STAUNCH_DATA_DIR", "/tmp/somewhere"),
        ("PATH", "/usr/bin"),
    ])
    .unwrap();
    let redis = s.redis.clone().unwrap();
    assert_eq!(redis.max_connections, 50);
    assert_eq!(redis.socket_timeout, Duration::from_secs(5));
    assert_eq!(redis.connect_timeout, Duration::from_millis(2500));
    assert!(redis.retry_on_timeout && !redis.ssl);
    assert_eq!(
        redis.password.as_ref().unwrap().expose(),
        "your-secure-password"
    );
    assert_eq!(s.data_dir, std::path::PathBuf::from("/tmp/somewhere"));
    s.validate().unwrap();
    let prefixed = env(&[
        ("STAUNCH_DB_MAPPING", "prefixes"),
        ("STAUNCH_FAILOVER", "mirror"),
    ])
    .unwrap();
    assert_eq!(prefixed.mapping, Mapping::Prefixes);
    assert_eq!(
        prefixed.failover_policy("cache"),
        Some(staunch::failover::Policy::Mirror)
    );
    // Under prefixes the numbers are unused, so sharing one is no error.
    prefixed.database("copy", 1).validate().unwrap();
    let off = env(&[("STAUNCH_FAILOVER", "off")])
        .unwrap()
        .failover_for("main", Some(staunch::failover::Policy::FailFast));
    assert_eq!(off.failover_policy("cache"), None);
    assert_eq!(
        off.failover_policy("main"),
        Some(staunch::failover::Policy::FailFast)
    );
    // Empty variables change nothing.
    assert!(env(&[("REDIS_URL", "")]).unwrap().redis.is_none());
}

#[test]
fn invalid_settings_name_the_setting_and_the_problem() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("REDIS_URL", "redis://h"), ("REDIS_SOCKET_TIMEOUT", "abc")],
            "REDIS_SOCKET_TIMEOUT",
        ),
        (
            &[
                ("REDIS_URL", "redis://h"),
                ("REDIS_SOCKET_CONNECT_TIMEOUT", "0"),
            ],
            "REDIS_SOCKET_CONNECT_TIMEOUT",
        ),
        (
            &[("REDIS_URL", "redis://h"), ("REDIS_MAX_CONNECTIONS", "0")],
            "REDIS_MAX_CONNECTIONS",
        ),
        (
            &[
                ("REDIS_URL", "redis://h"),
                ("REDIS_MAX_CONNECTIONS", "many"),
            ],
            "REDIS_MAX_CONNECTIONS",
        ),
        (
            &[("REDIS_URL", "redis://h"), ("REDIS_SSL", "maybe")],
            "REDIS_SSL",
        ),
        (&[("REDIS_PASSWORD", "x")], "REDIS_PASSWORD"),
        (&[("STAUNCH_EMBEDDED", "floppy")], "STAUNCH_EMBEDDED"),
    ];
    for (vars, setting) in cases {
        let err = env(vars).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            err.to_string().contains(setting),
            "{err} should name {setting}"
        );
    }
    for (url, problem) in [
        ("http://h", "scheme"),
        ("redis://", "host"),
        ("redis://h:99999", "port"),
        ("localhost", "expected"),
    ] {
        let err = env(&[("REDIS_URL", url)]).unwrap().validate().unwrap_err();
        assert!(
            err.to_string().contains("REDIS_URL") && err.to_string().contains(problem),
            "{err}"
        );
    }
    let err = Settings::new()
        .database("cache_copy", 1)
        .validate()
        .unwrap_err();
    assert!(
        err.to_string().contains("databases.cache_copy")
            && err.to_string().contains("already used"),
        "{err}"
    );
    let err = Settings::new()
        .database("bad/name", 12)
        .validate()
        .unwrap_err();
    assert!(err.to_string().contains("databases.bad/name"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "x").unwrap();
    let ca = ca.to_string_lossy().into_owned();
    let result = env(&[("REDIS_URL", "rediss://h"), ("REDIS_SSL_CA_CERTS", &ca)])
        .unwrap()
        .validate();
    if cfg!(any(feature = "tls", feature = "native-tls")) {
        // The file exists; its content is checked when the database opens (tests/config_tls.rs).
        result.unwrap();
    } else {
        let err = result.unwrap_err();
        assert!(
            err.to_string().contains("REDIS_SSL_CA_CERTS") && err.to_string().contains("`tls`"),
            "{err}"
        );
    }
    let err = env(&[
        ("REDIS_URL", "rediss://h"),
        ("REDIS_SSL_KEYFILE", "/no/such/file"),
    ])
    .unwrap()
    .validate()
    .unwrap_err();
    assert!(
        err.to_string().contains("REDIS_SSL_KEYFILE")
            && err.to_string().contains("not a readable file"),
        "{err}"
    );
}

#[test]
fn toml_file_settings() {
    let text = r#"
data_dir = "/var/lib/app"
embedded = "memory"

[redis]
url = "redis://redis:6379"
password = "hunter2"
socket_timeout = 1.5
max_connections = 20

[databases]
main = 0
cache = 11
extra = 12
"#;
    let s = Settings::new().merge_toml_str(text).unwrap();
    assert_eq!(s.embedded, Embedded::Memory);
    assert_eq!(s.databases["cache"], 11);
    assert_eq!(s.databases["extra"], 12);
    let redis = s.redis.clone().unwrap();
    assert_eq!(redis.socket_timeout, Duration::from_millis(1500));
    assert_eq!(redis.max_connections, 20);
    s.validate().unwrap();
    // A file on disk, then the environment on top.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("staunch.toml");
    std::fs::write(&path, text).unwrap();
    let s = Settings::from_toml_file(&path)
        .unwrap()
        .merge_env_vars([("REDIS_SOCKET_TIMEOUT", "3")])
        .unwrap();
    assert_eq!(s.redis.unwrap().socket_timeout, Duration::from_secs(3));
    for (bad, setting) in [
        (
            "[redis]\nurl = \"redis://h\"\nsocket_timout = 1.0\n",
            "socket_timout",
        ),
        (
            "[redis]\nurl = \"redis://h\"\nsocket_timeout = -1.0\n",
            "redis.socket_timeout",
        ),
        ("[databases]\ncache = -1\n", "databases.cache"),
        ("[redis]\npassword = \"x\"\n", "redis.url"),
        ("embedded = \"tape\"\n", "embedded"),
        ("failover = \"sometimes\"\n", "failover"),
    ] {
        let err = Settings::new().merge_toml_str(bad).unwrap_err();
        assert!(
            err.to_string().contains(setting),
            "{err} should name {setting}"
        );
    }
}

#[tokio::test]
async fn secrets_never_printed() {
    let s = env(&[
        ("REDIS_URL", "redis://app:url-secret@127.0.0.1:1/0"),
        ("REDIS_PASSWORD", "env-secret"),
    ])
    .unwrap();
    let shown = format!("{s:?} {:?}", s.redis);
    assert!(
        !shown.contains("url-secret") && !shown.contains("env-secret"),
        "{shown}"
    );
    assert!(shown.contains("***") && shown.contains("[redacted]"));
    let dir = tempfile::tempdir().unwrap();
    let app = Staunch::open(s.data_dir(dir.path()).failover(None).redis(Some({
        let mut r = staunch::config::RedisSettings::new("redis://app:url-secret@127.0.0.1:1/0");
        r.password = Some(staunch::config::Secret::new("env-secret"));
        r.connect_timeout = Duration::from_millis(200);
        r
    })))
    .await;
    // Built without the redis feature this is an error; with it, a lazy handle.
    if let Ok(app) = app {
        let shown = format!("{app:?} {:?}", app.mode());
        assert!(
            !shown.contains("url-secret") && !shown.contains("env-secret"),
            "{shown}"
        );
        let health = app.health().await;
        assert!(!health.healthy, "nothing listens on port 1");
        let shown = format!("{health:?}");
        assert!(
            !shown.contains("url-secret") && !shown.contains("env-secret"),
            "{shown}"
        );
        let err = app.db("main").unwrap().get("k").await.unwrap_err();
        assert!(err.is_outage(), "a down Redis is an outage: {err}");
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}

#[tokio::test]
async fn embedded_file_stores_per_database() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::new().data_dir(dir.path());
    let app = Staunch::open(settings.clone()).await.unwrap();
    assert_eq!(
        app.mode(),
        &Mode::File {
            dir: dir.path().to_path_buf()
        }
    );
    assert_eq!(app.names().len(), 10);
    app.db("cache").unwrap().set("k", "in cache").await.unwrap();
    app.db("main").unwrap().set("k", "in main").await.unwrap();
    assert_eq!(
        app.db("sessions").unwrap().get("k").await.unwrap(),
        None,
        "databases are separate"
    );
    let Err(err) = app.db("nope") else {
        panic!("no such database")
    };
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("nope") && err.to_string().contains("cache"));
    let health = app.health().await;
    assert!(health.healthy);
    assert_eq!(health.databases["cache"].keys, Some(1));
    assert_eq!(health.databases["cache"].number, 1);
    let stats = app.stats();
    assert!(stats["cache"].successful_operations >= 1);
    assert_eq!(stats["cache"].failed_operations, 0);
    // Opened on first use: the touched names have stores, the others nothing on disk.
    assert!(dir.path().join("cache").is_dir() && dir.path().join("sessions").is_dir());
    assert!(!dir.path().join("temp").exists());
    app.close().await.unwrap();
    drop(app);
    // Durable: reopen and read back.
    let app = Staunch::open(settings).await.unwrap();
    assert_eq!(
        app.db("cache")
            .unwrap()
            .get_string("k")
            .await
            .unwrap()
            .as_deref(),
        Some("in cache")
    );
    assert_eq!(
        app.db("main")
            .unwrap()
            .get_string("k")
            .await
            .unwrap()
            .as_deref(),
        Some("in main")
    );
    app.close().await.unwrap();
}

#[tokio::test]
async fn embedded_memory() {
    let app = Staunch::open(
        Settings::new()
            .embedded(Embedded::Memory)
            .only_databases(&["main", "cache"]),
    )
    .await
    .unwrap();
    assert_eq!(app.mode(), &Mode::Memory);
    assert_eq!(app.names(), ["cache", "main"]);
    app.db("main").unwrap().incr("n").await.unwrap();
    assert!(app.db("tasks").is_err());
    assert!(app.health().await.healthy);
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn redis_logical_databases() {
    let Some(target) = staunch_core::testkit::redis_server::test_redis("config on Redis").await
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let app = Staunch::open(
        Settings::new()
            .redis_url(target.url())
            .data_dir(dir.path())
            .failover_for("temp", None),
    )
    .await
    .unwrap();
    assert!(matches!(app.mode(), Mode::Redis { .. }));
    app.db("cache")
        .unwrap()
        .set("cache:health_check:x", "1")
        .await
        .unwrap();
    app.db("metrics").unwrap().set("m", "4").await.unwrap();
    // The cache is Redis database 1, metrics database 4, as the AutoBot standard numbers them.
    let base = target.url().trim_end_matches('/').to_owned();
    let base = match base.rsplit_once('/') {
        Some((head, tail))
            if tail.parse::<u32>().is_ok()
                && head.contains("//")
                && head.len() > "redis://".len() =>
        {
            head.to_owned()
        }
        _ => base,
    };
    let db1 = staunch_redis::RedisStore::connect(&format!("{base}/1"))
        .await
        .unwrap();
    assert_eq!(
        db1.get_string("cache:health_check:x")
            .await
            .unwrap()
            .as_deref(),
        Some("1")
    );
    let db4 = staunch_redis::RedisStore::connect(&format!("{base}/4"))
        .await
        .unwrap();
    assert_eq!(db4.get_string("m").await.unwrap().as_deref(), Some("4"));
    let db0 = staunch_redis::RedisStore::connect(&format!("{base}/0"))
        .await
        .unwrap();
    assert_eq!(db0.get("m").await.unwrap(), None);
    // Opened now (named databases open on first use) so that health probes it.
    app.open_database("temp").await.unwrap();
    let health = app.health().await;
    assert!(health.healthy, "{health:?}");
    assert_eq!(health.databases["cache"].keys, Some(1));
    assert!(app.stats()["cache"].successful_operations >= 1);
    // Every database but `temp` goes through Failover, its local store under the data dir.
    assert_eq!(
        health.databases["cache"].failover_state,
        Some(staunch::failover::FailoverState::Healthy)
    );
    assert_eq!(health.databases["temp"].failover_state, None);
    // The Transform Army guide's health fields, from Redis's INFO, through Failover and without it.
    for name in ["cache", "temp"] {
        let server = health.databases[name].server.clone().expect("INFO figures");
        assert!(
            server.version.is_some() && server.used_memory.is_some(),
            "{name}: {server:?}"
        );
        assert!(server.connected_clients.unwrap_or(0) >= 1);
    }
    // The file store under cache/local is also the journal; the node id sits beside it.
    assert!(dir.path().join("cache").join("local").is_dir());
    assert!(dir.path().join("cache").join("NODE").is_file());
    app.close().await.unwrap();
}

/// With Redis down, a Failover-wrapped database keeps answering from its local store.
#[cfg(feature = "redis")]
#[tokio::test]
async fn failover_keeps_serving_when_redis_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::new()
        .redis_url("redis://127.0.0.1:1")
        .data_dir(dir.path())
        .only_databases(&["main", "cache"]);
    let app = Staunch::open(settings).await.unwrap();
    let cache = staunch::cache::Cache::new(app.db("cache").unwrap());
    let key = staunch::cache::CacheKey::tenant("t1", "api_response", "x");
    // The first call of the outage is served locally: a refused connection proves the write
    // never reached Redis.
    cache
        .set(&key, "v")
        .await
        .expect("the local store takes over at once");
    assert_eq!(
        cache.get::<String>(&key).await.unwrap().as_deref(),
        Some("v")
    );
    let health = app.health().await;
    assert!(!health.healthy);
    assert_eq!(
        health.databases["cache"].failover_state,
        Some(staunch::failover::FailoverState::Degraded)
    );
    assert!(health.databases["cache"].journal_len.unwrap_or(0) >= 1);
    let error = health.databases["cache"].error.clone().unwrap_or_default();
    assert!(
        !error.contains("unavailable: unavailable"),
        "no doubled prefix: {error}"
    );
    let stats = app.stats();
    assert_eq!(
        stats["cache"].outages, 1,
        "one outage: {:?}",
        stats["cache"]
    );
    assert_eq!(stats["cache"].failed_operations, 0);
    app.close().await.unwrap();
}

/// `Settings::failover_options` reaches every database's `Failover` (here: a breaker that
/// probes again after 200 ms instead of 60 s, so recovery is seen within the test), and
/// `Staunch::failover` hands out the live `Failover` of a database (none without one).
#[cfg(feature = "redis")]
#[tokio::test]
async fn failover_options_from_settings() {
    use staunch::failover::{BreakerOptions, FailoverOptions, FailoverState, HealthOptions};
    use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
    let Some(mut server) = test_redis_server(
        "failover options from settings",
        RedisServerOptions::new()
            .appendonly(true)
            .appendfsync("always"),
    )
    .await
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let options = FailoverOptions::new()
        .breaker(
            BreakerOptions::new()
                .failure_threshold(1)
                .open_timeout(Duration::from_millis(200))
                .success_threshold(1),
        )
        .health(HealthOptions::default())
        .probe_intervals(Duration::from_millis(100), Duration::from_millis(50));
    let app = Staunch::open(
        Settings::new()
            .redis_url(server.url())
            .data_dir(dir.path())
            .only_databases(&["main", "temp"])
            .failover_for("temp", None)
            .failover_options(options),
    )
    .await
    .unwrap();
    assert!(
        app.failover("temp").await.unwrap().is_none(),
        "temp has no Failover"
    );
    assert!(app.failover("nope").await.is_err(), "not configured");
    let failover = app
        .failover("main")
        .await
        .unwrap()
        .expect("main is wrapped in Failover");
    assert_eq!(failover.state(), FailoverState::Healthy);
    let main = app.db("main").unwrap();
    main.incr("n").await.unwrap();

    server.kill();
    let mut states = failover.watch_state();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while failover.state() == FailoverState::Healthy {
        assert!(std::time::Instant::now() < deadline, "never degraded");
        let _ = main.incr("n").await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    main.incr("n").await.unwrap();
    assert!(failover.journal_len() >= 1);

    server.restart().await.unwrap();
    // The health monitor's own probes bring it back; with the default 60 s open timeout this
    // would not happen within the deadline.
    tokio::time::timeout(
        Duration::from_secs(20),
        states.wait_for(|s| *s == FailoverState::Healthy),
    )
    .await
    .expect("recovered within 20 s")
    .unwrap();
    assert_eq!(failover.journal_len(), 0);
    assert!(failover.stats().replayed >= 1);
    let redis = staunch_redis::RedisStore::connect(&server.url())
        .await
        .unwrap();
    assert!(redis.get_string("n").await.unwrap().is_some());
    app.close().await.unwrap();
}

/// The key-prefix mapping: every name in Redis database 0 under `{name}:`, each seeing only
/// its own keys.
#[cfg(feature = "redis")]
#[tokio::test]
async fn redis_key_prefixes() {
    let Some(target) = staunch_core::testkit::redis_server::test_redis("config key prefixes").await
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::new()
        .redis_url(target.url())
        .data_dir(dir.path())
        .mapping(Mapping::Prefixes)
        .database("also_one", 1); // numbers are ignored under prefixes: no clash error
    let app = Staunch::open(settings).await.unwrap();
    let (cache, main) = (app.db("cache").unwrap(), app.db("main").unwrap());
    cache.set("k", "c").await.unwrap();
    cache.rpush_multiple("list", ["a"]).await.unwrap();
    main.set("k", "m").await.unwrap();
    let raw = staunch_redis::RedisStore::connect(target.url())
        .await
        .unwrap();
    assert_eq!(
        raw.get_string("cache:k").await.unwrap().as_deref(),
        Some("c")
    );
    assert_eq!(
        raw.get_string("main:k").await.unwrap().as_deref(),
        Some("m")
    );
    assert_eq!(cache.dbsize().await.unwrap(), 2);
    let mut keys = cache
        .scan_all(staunch_core::ScanOptions::new())
        .await
        .unwrap();
    keys.sort();
    assert_eq!(keys, ["k", "list"]);
    assert_eq!(
        cache
            .blpop_multiple(&["list"], Duration::from_millis(100))
            .await
            .unwrap(),
        Some(("list".into(), staunch_core::Bytes::from("a")))
    );
    // Multi-key sorted-set commands: every key prefixed, keys in replies stripped, members
    // (which are not keys) left whole even when they look prefixed.
    use staunch_core::{Bytes, ZCombineOptions, ZPopEnd};
    cache
        .zadd_multiple("z1", [(1.0, "cache:m"), (2.0, "n")])
        .await
        .unwrap();
    cache.zadd("z2", 5.0, "n").await.unwrap();
    assert_eq!(
        cache
            .zunionstore("zu", ["z1", "z2"], ZCombineOptions::new())
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        raw.zcard("cache:zu").await.unwrap(),
        2,
        "stored under the prefix"
    );
    assert_eq!(
        cache.zscan("zu", 0).await.unwrap(),
        (
            0,
            vec![(Bytes::from("cache:m"), 1.0), (Bytes::from("n"), 7.0)]
        ),
        "ZSCAN members are not keys: kept whole"
    );
    assert_eq!(
        cache.zmpop(["nothing", "zu"], ZPopEnd::Max).await.unwrap(),
        Some(("zu".into(), vec![(Bytes::from("n"), 7.0)])),
        "ZMPOP names the key without the prefix"
    );
    cache.flushdb().await.unwrap();
    assert_eq!(cache.dbsize().await.unwrap(), 0);
    assert_eq!(
        main.get_string("k").await.unwrap().as_deref(),
        Some("m"),
        "flushdb stays in its prefix"
    );
    assert!(
        Settings::new()
            .merge_env_vars([("STAUNCH_DB_MAPPING", "shards")])
            .is_err()
    );
    app.close().await.unwrap();
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AppConfig {
    name: String,
    #[serde(default)]
    staunch: Settings,
}

#[test]
fn settings_inside_an_applications_config_from_toml_and_json() {
    let from_toml: AppConfig = toml::from_str(
        r#"
name = "app"

[staunch]
data_dir = "/var/lib/app"
embedded = "memory"
failover = "mirror"

[staunch.redis]
url = "redis://redis:6379"
socket_timeout = 2

[staunch.databases]
jobs = 12
"#,
    )
    .unwrap();
    let from_json: AppConfig = serde_json::from_str(
        r#"{
            "name": "app",
            "staunch": {
                "data_dir": "/var/lib/app",
                "embedded": "memory",
                "failover": "mirror",
                "redis": { "url": "redis://redis:6379", "socket_timeout": 2.0 },
                "databases": { "jobs": 12 }
            }
        }"#,
    )
    .unwrap();
    for config in [&from_toml, &from_json] {
        assert_eq!(config.name, "app");
        let s = &config.staunch;
        assert_eq!(s.data_dir, std::path::PathBuf::from("/var/lib/app"));
        assert_eq!(s.embedded, Embedded::Memory);
        assert_eq!(
            s.failover_policy("cache"),
            Some(staunch::failover::Policy::Mirror)
        );
        let redis = s.redis.as_ref().unwrap();
        assert_eq!(redis.url, "redis://redis:6379");
        assert_eq!(redis.socket_timeout, Duration::from_secs(2));
        assert_eq!(s.databases["jobs"], 12, "added to the defaults");
        assert_eq!(s.databases["cache"], 1);
        s.validate().unwrap();
    }
    // Absent: the defaults, as `Settings::new()`.
    let bare: AppConfig = serde_json::from_str(r#"{"name": "bare"}"#).unwrap();
    assert!(bare.staunch.redis.is_none());
    assert_eq!(bare.staunch.databases.len(), 10);
    // The file's checks, naming the setting, through either format.
    let err = toml::from_str::<AppConfig>("name = \"x\"\n[staunch]\nfailover = \"sometimes\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("failover") && err.contains("sometimes"),
        "{err}"
    );
    let err = serde_json::from_str::<AppConfig>(
        r#"{"name": "x", "staunch": {"redis": {"url": "redis://h", "socket_timout": 1}}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("socket_timout"), "{err}");
    let err = serde_json::from_str::<AppConfig>(
        r#"{"name": "x", "staunch": {"databases": {"cache": -1}}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("databases.cache"), "{err}");
}

#[tokio::test]
async fn named_databases_open_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let app = Staunch::open(Settings::new().data_dir(dir.path()))
        .await
        .unwrap();
    assert!(app.opened().is_empty(), "nothing opened by Staunch::open");
    let on_disk = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert!(on_disk().is_empty(), "{:?}", on_disk());
    // Handing out a store opens nothing; its first command does.
    let cache = app.db("cache").unwrap();
    let main = app.db("main").unwrap();
    assert_eq!(
        cache.capabilities().persistence,
        staunch::Persistence::Local
    );
    assert!(app.opened().is_empty());
    cache.set("k", "v").await.unwrap();
    main.pipeline().incr("n").get("n").run().await.unwrap();
    app.db("tasks").unwrap().lpush("q", "job").await.unwrap();
    assert_eq!(app.opened(), ["cache", "main", "tasks"]);
    assert_eq!(on_disk(), ["cache", "main", "tasks"]);
    assert_eq!(
        cache.capabilities().persistence,
        staunch::Persistence::Local
    );
    // Health probes the opened three and reports the other seven without opening them.
    let health = app.health().await;
    assert!(health.healthy);
    assert_eq!(health.databases.len(), 10);
    assert!(health.databases["cache"].opened);
    assert_eq!(health.databases["cache"].keys, Some(1));
    assert!(!health.databases["temp"].opened);
    assert_eq!(health.databases["temp"].number, 9);
    assert_eq!(app.opened(), ["cache", "main", "tasks"]);
    // Explicitly opened ahead of its first command.
    app.open_database("logs").await.unwrap();
    assert_eq!(on_disk(), ["cache", "logs", "main", "tasks"]);
    app.close().await.unwrap();
    // A database never opened stays closed after `close`.
    let err = app.db("temp").unwrap().get("k").await.unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    assert!(!dir.path().join("temp").exists());
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn failover_databases_open_on_first_use() {
    // Nothing listens on the port: every database is served locally, so what is built is
    // visible on disk (a local store and a journal per opened database).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut redis = staunch::config::RedisSettings::new(format!("redis://127.0.0.1:{port}"));
    redis.connect_timeout = Duration::from_millis(200);
    redis.socket_timeout = Duration::from_millis(500);
    let app = Staunch::open(Settings::new().data_dir(dir.path()).redis(Some(redis)))
        .await
        .unwrap();
    assert!(app.opened().is_empty());
    assert!(!dir.path().join("main").exists());
    let cache = app.db("cache").unwrap();
    // The first calls may fail while the breaker learns that Redis is down.
    let mut served = false;
    for _ in 0..20 {
        if cache.set("k", "v").await.is_ok() {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "the local store takes over");
    assert_eq!(cache.get_string("k").await.unwrap().as_deref(), Some("v"));
    assert_eq!(app.opened(), ["cache"]);
    let failover = app.failover("cache").await.unwrap().expect("a Failover");
    assert_ne!(failover.state(), staunch::failover::FailoverState::Healthy);
    let mut on_disk: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, ["cache"], "one local store, one journal");
    assert_eq!(app.opened(), ["cache"], "one Failover, one health monitor");
    // Health says Redis is down for the unopened databases too, without opening them.
    let health = app.health().await;
    assert!(!health.healthy);
    assert!(!health.databases["temp"].opened && !health.databases["temp"].healthy);
    assert!(health.databases["temp"].error.is_some());
    assert_eq!(app.opened(), ["cache"]);
    app.close().await.unwrap();
}
