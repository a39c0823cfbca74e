//! The services' behaviour suite (issue 6): every case runs on memory, file, a real
//! `redis-server`, and that server behind `Failover`; racing cases included.
//!
//! `cargo test -p staunch --test svc_suite` (Redis cases start their own `redis-server`;
//! `STAUNCH_SKIP_REDIS=1` skips them with a printed notice). With `--features redis` every case
//! also runs on a named database of `staunch::config` under the key-prefix mapping.

#[path = "svc_suite/bot.rs"]
mod bot;
#[path = "svc_suite/cache.rs"]
mod cache;
#[path = "svc_suite/env.rs"]
mod env;
#[path = "svc_suite/events.rs"]
mod events;
#[path = "svc_suite/lock.rs"]
mod lock;
#[path = "svc_suite/ratelimit.rs"]
mod ratelimit;
#[path = "svc_suite/session.rs"]
mod session;

pub use env::Env;

macro_rules! suite {
    ($($module:ident :: $case:ident),* $(,)?) => {
        mod on_memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    crate::$module::$case(&crate::Env::memory()).await;
                }
            )*
        }
        mod on_file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    crate::$module::$case(&crate::Env::file().await).await;
                }
            )*
        }
        mod on_redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    if let Some(env) = crate::Env::redis(stringify!($case)).await {
                        crate::$module::$case(&env).await;
                    }
                }
            )*
        }
        #[cfg(feature = "redis")]
        mod on_prefixed {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    if let Some(env) = crate::Env::prefixed(stringify!($case)).await {
                        crate::$module::$case(&env).await;
                    }
                }
            )*
        }
        /// Every case on one local Redis Cluster, one after the other (a cluster per case
        /// would cost seconds each); the printed line names the case that failed.
        mod on_cluster {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn every_case() {
                use staunch_core::testkit::redis_cluster::{ClusterOptions, test_redis_cluster};
                let Some(cluster) =
                    test_redis_cluster("service suite on a cluster", ClusterOptions::default())
                        .await
                else {
                    return;
                };
                $(
                    println!("service suite on a cluster: {}::{}", stringify!($module), stringify!($case));
                    crate::$module::$case(&crate::Env::cluster(&cluster.url()).await).await;
                )*
            }
        }
        mod on_failover {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    if let Some(env) = crate::Env::failover(stringify!($case)).await {
                        crate::$module::$case(&env).await;
                    }
                }
            )*
        }
    };
}

suite!(
    bot::lifecycle_follows_the_seed_schema,
    bot::concurrent_starts_have_one_winner,
    bot::invalid_transitions_are_refused,
    bot::live_events_reach_subscribers,
    bot::counters_are_atomic,
    bot::monitoring_commands_show_live_state,
    cache::set_get_and_key_layout,
    cache::get_or_fetch_runs_one_fetch_for_concurrent_misses,
    cache::fetch_errors_are_shared_not_repeated,
    cache::pattern_invalidation_stays_in_its_tenant,
    cache::stale_while_revalidate_serves_stale_during_refresh,
    cache::background_refresh_serves_stale_to_everyone,
    cache::memoize_caches_per_argument,
    events::emit_reaches_global_and_tenant_subscribers,
    events::log_is_capped_newest_first,
    lock::only_the_holder_releases_or_extends,
    lock::contention_keeps_mutual_exclusion,
    ratelimit::fixed_window_admits_at_most_the_limit,
    ratelimit::gcra_admits_at_most_the_limit,
    session::lifecycle_with_sliding_expiry,
    session::concurrent_updates_are_not_lost,
    session::chat_history_is_capped_newest_first,
    session::connection_routing,
);
