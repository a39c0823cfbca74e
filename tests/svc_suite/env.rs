//! The stores every service case runs on: memory, file (in a temp dir) and a real
//! `redis-server` started for the test (skipped only with `STAUNCH_SKIP_REDIS=1`).

use std::any::Any;
use std::sync::Arc;

use staunch_core::Store;

/// A store under test and what must live as long as it.
pub struct Env {
    pub store: Arc<dyn Store>,
    pub name: &'static str,
    /// `redis-cli` connection arguments when the store is Redis.
    pub redis_url: Option<String>,
    _keep: Box<dyn Any + Send + Sync>,
}

impl Env {
    pub fn memory() -> Env {
        Env {
            store: Arc::new(staunch_memory::MemoryStore::new()),
            name: "memory",
            redis_url: None,
            _keep: Box::new(()),
        }
    }

    pub async fn file() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = staunch_file::FileStore::open(dir.path())
            .await
            .expect("open file store");
        Env {
            store: Arc::new(store),
            name: "file",
            redis_url: None,
            _keep: Box::new(dir),
        }
    }

    pub async fn redis(what: &str) -> Option<Env> {
        let target = staunch_core::testkit::redis_server::test_redis(what).await?;
        let store = staunch_redis::RedisStore::connect(target.url())
            .await
            .expect("connect to redis");
        Some(Env {
            store: Arc::new(store),
            name: "redis",
            redis_url: Some(target.url().to_owned()),
            _keep: Box::new(target),
        })
    }
}

impl Env {
    /// A store on a shared local Redis Cluster, emptied first (the cases run one at a time).
    pub async fn cluster(url: &str) -> Env {
        let store = staunch_redis::RedisStore::connect(url)
            .await
            .expect("connect to the cluster");
        staunch_core::prelude::Keyspace::flushdb(&store)
            .await
            .expect("FLUSHDB");
        Env {
            store: Arc::new(store),
            name: "cluster",
            redis_url: None, // redis-cli would need -c and a node; the bot case skips it
            _keep: Box::new(()),
        }
    }

    /// Redis behind `Failover` (local file store and journal in a temp dir): healthy, so calls go
    /// to Redis through the breaker and timeouts.
    pub async fn failover(what: &str) -> Option<Env> {
        let target = staunch_core::testkit::redis_server::test_redis(what).await?;
        let redis = staunch_redis::RedisStore::connect(target.url())
            .await
            .expect("connect to redis");
        let dir = tempfile::tempdir().expect("tempdir");
        let store = staunch::failover::Failover::builder(Arc::new(redis))
            .local_file(dir.path())
            .open()
            .await
            .expect("open failover");
        Some(Env {
            store: Arc::new(store),
            name: "failover",
            redis_url: Some(target.url().to_owned()),
            _keep: Box::new((target, dir)),
        })
    }
}

#[cfg(feature = "redis")]
impl Env {
    /// Named database `main` of a [`staunch::config::Staunch`] with the key-prefix mapping:
    /// every key under `main:` in Redis database 0, behind `Failover`.
    pub async fn prefixed(what: &str) -> Option<Env> {
        use staunch::config::{Mapping, Settings, Staunch};
        let target = staunch_core::testkit::redis_server::test_redis(what).await?;
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = Settings::new()
            .redis_url(target.url())
            .mapping(Mapping::Prefixes)
            .data_dir(dir.path())
            .only_databases(&["main", "cache"]);
        let app = Staunch::open(settings).await.expect("open staunch");
        Some(Env {
            store: app.db("main").expect("main"),
            name: "prefixed",
            redis_url: None, // keys are under `main:`, not where the bot dashboard's commands look
            _keep: Box::new((target, dir, app)),
        })
    }
}

/// A random suffix so cases never share keys.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{:08x}", rand::random::<u32>())
}
