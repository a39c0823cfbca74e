//! The queue's behaviour suite, one list of cases run on every backend: memory and file (with a
//! `ManualClock`, so time is deterministic), a real `redis-server` and `Failover` over a healthy
//! one (real time, short waits).
//!
//! `cargo test -p staunch --test queue_suite` (the Redis cases start their own `redis-server`;
//! `STAUNCH_SKIP_REDIS=1` skips them with a printed notice).

#[path = "queue_suite/cases.rs"]
mod cases;
mod failover_support;

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use staunch::queue::{Backoff, Queue, QueueConfig};
use staunch_core::{Clock, ManualClock, Store, SystemClock};

/// A store under test plus control of its time.
pub struct Env {
    pub store: Arc<dyn Store>,
    manual: Option<ManualClock>,
    clock: Arc<dyn Clock>,
    _keep: Box<dyn Any + Send>,
}

/// The unit of time the cases use: long enough that a few round trips to Redis never cross a
/// deadline, short enough that the real-time runs stay quick.
pub const U: u64 = 250;

impl Env {
    pub fn memory() -> Env {
        let clock = ManualClock::new(1_800_000_000_000);
        let store = staunch_memory::MemoryStore::with_options(
            staunch_memory::MemoryOptions::new().clock(Arc::new(clock.clone())),
        );
        Env {
            store: Arc::new(store),
            clock: Arc::new(clock.clone()),
            manual: Some(clock),
            _keep: Box::new(()),
        }
    }

    pub async fn file() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = ManualClock::new(1_800_000_000_000);
        let options = staunch_file::FileOptions::new().clock(Arc::new(clock.clone()));
        let store = staunch_file::FileStore::open_with(dir.path(), options)
            .await
            .expect("open file store");
        Env {
            store: Arc::new(store),
            clock: Arc::new(clock.clone()),
            manual: Some(clock),
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
            clock: Arc::new(SystemClock),
            manual: None,
            _keep: Box::new(target),
        })
    }

    /// `Failover` over a healthy Redis with a local memory store: the suite must pass through
    /// the wrapper unchanged.
    pub async fn failover(what: &str) -> Option<Env> {
        let target = staunch_core::testkit::redis_server::test_redis(what).await?;
        let redis = staunch_redis::RedisStore::connect(target.url())
            .await
            .expect("connect to redis");
        let store = failover_support::failover(redis)
            .local_memory()
            .open()
            .await
            .expect("open failover");
        Some(Env {
            store: Arc::new(store),
            clock: Arc::new(SystemClock),
            manual: None,
            _keep: Box::new(target),
        })
    }

    /// A store on a shared local Redis Cluster (3 primaries, 3 replicas), emptied first.
    pub async fn cluster(url: &str) -> Env {
        let store = staunch_redis::RedisStore::connect(url)
            .await
            .expect("connect to the cluster");
        staunch_core::prelude::Keyspace::flushdb(&store)
            .await
            .expect("FLUSHDB");
        Env {
            store: Arc::new(store),
            clock: Arc::new(SystemClock),
            manual: None,
            _keep: Box::new(()),
        }
    }

    /// A fresh queue (own prefix) with small timings: lease 2U, backoff U·2^(n-1), no jitter.
    pub fn config(&self) -> QueueConfig {
        QueueConfig::new()
            .prefix(format!("t{:08x}", rand::random::<u32>()))
            .clock(self.clock.clone())
            .lease(Duration::from_millis(2 * U))
            .backoff(Backoff::exponential(
                Duration::from_millis(U),
                2.0,
                Duration::from_secs(60),
            ))
    }

    pub fn queue(&self, config: QueueConfig) -> Queue {
        Queue::with_config(self.store.clone(), config).expect("queue config")
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Lets `ms` milliseconds pass: instantly on a manual clock, really on Redis.
    pub async fn advance(&self, ms: u64) {
        match &self.manual {
            Some(clock) => clock.advance(ms as i64),
            None => tokio::time::sleep(Duration::from_millis(ms)).await,
        }
    }
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::cases::$case(&super::Env::memory()).await;
                }
            )*
        }
        mod file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::cases::$case(&super::Env::file().await).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(env) = super::Env::redis(concat!("queue suite: ", stringify!($case))).await else {
                        return;
                    };
                    super::cases::$case(&env).await;
                }
            )*
        }
        /// Every case on one local Redis Cluster, one after the other (a cluster per case
        /// would cost seconds each); the panic names the case that failed.
        mod cluster {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn every_case() {
                use staunch_core::testkit::redis_cluster::{ClusterOptions, test_redis_cluster};
                let Some(cluster) =
                    test_redis_cluster("queue suite on a cluster", ClusterOptions::default()).await
                else {
                    return;
                };
                $(
                    println!("queue suite on a cluster: {}", stringify!($case));
                    super::cases::$case(&super::Env::cluster(&cluster.url()).await).await;
                )*
            }
        }
        mod failover {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let what = concat!("queue suite on failover: ", stringify!($case));
                    let Some(env) = super::Env::failover(what).await else {
                        return;
                    };
                    super::cases::$case(&env).await;
                }
            )*
        }
    };
}

suite!(
    seed_layout,
    strict_priority_order,
    fifo_within_priority,
    delayed_jobs_invisible_until_due,
    retries_backoff_and_dead_letters,
    dead_letter_requeue_and_purge,
    unique_keys,
    bulk_enqueue,
    pause_and_resume,
    stale_tokens_rejected,
    reaped_lease_counts_as_attempt,
    results_expire,
    cancel_pending,
    progress_heartbeat_and_release,
    sizes_and_counters,
    get_many_in_one_round_trip,
    events_published,
    hash_tagged_prefix,
    lean_hashes_and_explicit_older_ones,
    one_round_trip_per_job,
    jobs_by_state_with_paging,
    retry_promote_remove_clean,
    removal_policies_by_count_and_age,
    rate_limit_across_workers,
    flow_parent_waits_for_children,
    flow_child_failure_policies,
    flow_crash_points_reconciled,
    repeat_every_once_per_occurrence,
    repeat_upsert_list_and_validation,
    repeat_cron_in_time_zone,
    repeat_dead_owner_taken_over,
);
