//! Cache properties: pattern invalidation never crosses tenants, whatever the tenant ids and
//! identifiers hold; and an outage is an error (not a miss) that get-or-fetch survives with one
//! fetch per key.
//!
//! `cargo test -p staunch --test svc_cache_props`

use staunch_core::Execute;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use staunch::cache::{Cache, CacheConfig, CacheKey};
use staunch_core::{
    Call, Capabilities, Command, Error, ErrorKind, Eviction, Execution, Persistence, PubSubReach,
    Reply, Result, Store, Subscription, async_trait,
};

/// Text made mostly of glob metacharacters and separators.
fn nasty() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('*'),
            Just('?'),
            Just('['),
            Just(']'),
            Just('\\'),
            Just(':'),
            Just('%'),
            Just('^'),
            Just('-'),
            Just('a'),
            Just('b'),
        ],
        1..6,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// One generated case.
#[derive(Debug, Clone)]
struct Case {
    tenants: Vec<String>,
    identifiers: Vec<String>,
    types: Vec<&'static str>,
    glob: String,
    victim: String,
    whole_tenant: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::hash_set(nasty(), 2..6),
        proptest::collection::vec(nasty(), 1..5),
        proptest::collection::vec(
            prop_oneof![Just("workflow_def"), Just("a:b"), Just("*")],
            1..3,
        ),
        nasty(),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(
            |(tenants, identifiers, types, glob, victim, whole_tenant)| {
                let tenants: Vec<String> = tenants.into_iter().collect();
                let victim = victim.get(&tenants).clone();
                Case {
                    tenants,
                    identifiers,
                    types,
                    glob,
                    victim,
                    whole_tenant,
                }
            },
        )
}

/// Writes every tenant's keys, invalidates the victim's, checks that no other tenant (and no
/// global key) lost anything.
async fn check(store: Arc<dyn Store>, case: &Case) -> std::result::Result<(), TestCaseError> {
    let cache = Cache::with_config(store.clone(), CacheConfig::new().jitter(0.0));
    let mut keys = Vec::new();
    for tenant in &case.tenants {
        for cache_type in &case.types {
            for id in &case.identifiers {
                let key = CacheKey::tenant(tenant, cache_type, id);
                cache.set(&key, &1).await.unwrap();
                keys.push((tenant.clone(), key));
            }
        }
    }
    for id in &case.identifiers {
        cache
            .set(&CacheKey::global("workflow_def", id), &1)
            .await
            .unwrap();
    }
    if case.whole_tenant {
        cache.invalidate_tenant(&case.victim).await.unwrap();
    } else {
        cache
            .invalidate_pattern(Some(&case.victim), case.types[0], &case.glob)
            .await
            .unwrap();
    }
    for (tenant, key) in &keys {
        let present = cache.get::<i32>(key).await.unwrap().is_some();
        if tenant != &case.victim {
            prop_assert!(
                present,
                "tenant {tenant:?} lost {key:?} when {:?} was invalidated",
                case.victim
            );
        } else if case.whole_tenant {
            prop_assert!(!present, "{key:?} survived invalidating its tenant");
        }
    }
    for id in &case.identifiers {
        prop_assert!(
            cache
                .get::<i32>(&CacheKey::global("workflow_def", id))
                .await
                .unwrap()
                .is_some()
        );
    }
    Ok(())
}

fn run(cases: u32, store: impl Fn() -> Arc<dyn Store>, rt: &tokio::runtime::Runtime) {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases));
    let result = runner.run(&case(), |case| rt.block_on(check(store(), &case)));
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn invalidating_one_tenant_never_touches_another_on_memory() {
    run(
        300,
        || Arc::new(staunch_memory::MemoryStore::new()),
        &runtime(),
    );
}

/// The same property where `SCAN MATCH` is Redis's own matcher.
#[test]
fn invalidating_one_tenant_never_touches_another_on_redis() {
    let rt = runtime();
    let Some(target) = rt.block_on(staunch_core::testkit::redis_server::test_redis(
        "cache tenant property",
    )) else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(
        rt.block_on(staunch_redis::RedisStore::connect(target.url()))
            .unwrap(),
    );
    run(
        100,
        || {
            rt.block_on(async { store.execute(Command::FlushDb).await.unwrap() });
            store.clone()
        },
        &rt,
    );
}

/// A store that is never there.
struct Down;

#[async_trait]
impl Store for Down {
    fn call(&self, _: Call<'_>) -> Execution<'_> {
        Execution::ready(Err(Error::new(
            ErrorKind::Unavailable,
            "connection refused",
        )))
    }
    async fn batch(&self, _: Vec<Command>, _: bool) -> Result<Vec<Result<Reply>>> {
        Err(Error::new(ErrorKind::Unavailable, "connection refused"))
    }
    async fn subscribe(
        &self,
        _: Vec<staunch_core::Name>,
        _: Vec<staunch_core::Name>,
    ) -> Result<Subscription> {
        Err(Error::new(ErrorKind::Unavailable, "connection refused"))
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(Persistence::None, PubSubReach::Process, Eviction::None)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_outage_is_an_error_and_get_or_fetch_still_fetches_once() {
    for swr in [false, true] {
        let mut config = CacheConfig::new();
        if swr {
            config = config.stale_while_revalidate(Duration::from_secs(10));
        }
        let cache = Cache::with_config(Arc::new(Down), config);
        let key = CacheKey::tenant("t1", "api_response", "x");
        let err = cache.get::<String>(&key).await.unwrap_err();
        assert!(err.is_outage(), "an outage is not a miss: {err}");
        let calls = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..30 {
            let (cache, key, calls) = (cache.clone(), key.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_fetch(&key, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(150)).await;
                        Ok::<_, std::io::Error>("fresh".to_owned())
                    })
                    .await
                    .unwrap()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), "fresh");
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "one fetch during the outage, no stampede"
        );
        let stats = cache.stats();
        assert!(stats.errors >= 30, "{stats:?}");
        assert_eq!(stats.fetches, 1);
    }
}
