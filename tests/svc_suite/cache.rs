//! Cache cases.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use staunch::cache::{Cache, CacheConfig, CacheKey, FetchError, cache_type};
use staunch_core::prelude::*;

use crate::Env;
use crate::env::unique;

fn cache(env: &Env) -> Cache {
    Cache::with_config(
        env.store.clone(),
        CacheConfig::new().prefix(unique("cache")).jitter(0.0),
    )
}

pub async fn set_get_and_key_layout(env: &Env) {
    let store = env.store.clone();
    let cache = Cache::with_config(store.clone(), CacheConfig::new().jitter(0.1));
    let tenant = unique("t");
    let key = CacheKey::tenant(&tenant, cache_type::WORKFLOW_DEF, "abc-456");
    assert_eq!(cache.get::<serde_json::Value>(&key).await.unwrap(), None);
    cache
        .set(&key, &serde_json::json!({"steps": 3}))
        .await
        .unwrap();
    let got: serde_json::Value = cache.get(&key).await.unwrap().unwrap();
    assert_eq!(got["steps"], 3);
    // The Transform Army guide's layout, plain JSON, TTL from the table (2 h) shortened by at most 10 %.
    let raw_key = format!("cache:tenant:{tenant}:workflow_def:abc-456");
    assert_eq!(cache.key(&key).unwrap(), raw_key);
    assert_eq!(
        store.get(&raw_key).await.unwrap().unwrap(),
        &b"{\"steps\":3}"[..]
    );
    let ttl = store.pttl(&raw_key).await.unwrap();
    assert!(ttl <= 7_200_000 && ttl > 6_400_000, "ttl {ttl}");
    // Global form.
    let global = CacheKey::global(cache_type::HEALTH_CHECK, "redis");
    cache.set(&global, "ok").await.unwrap();
    assert!(
        store
            .get("cache:health_check:redis")
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.pttl("cache:health_check:redis").await.unwrap() <= 30_000);
    // Tenant ids with separators are encoded; `tenant` as a type is refused.
    let odd = CacheKey::tenant("a:b%", "t", "x");
    assert_eq!(cache.key(&odd).unwrap(), "cache:tenant:a%3Ab%25:t:x");
    assert!(cache.key(&CacheKey::global("tenant", "x")).is_err());
    assert!(cache.invalidate(&key).await.unwrap());
    assert!(!cache.invalidate(&key).await.unwrap());
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (1, 1));
    assert!((stats.hit_rate() - 0.5).abs() < 1e-9);
    store
        .del_multiple(&["cache:health_check:redis"])
        .await
        .unwrap();
}

pub async fn get_or_fetch_runs_one_fetch_for_concurrent_misses(env: &Env) {
    let cache = cache(env);
    let key = CacheKey::tenant("t1", cache_type::API_RESPONSE, "contacts_list");
    let calls = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (cache, key, calls) = (cache.clone(), key.clone(), calls.clone());
        tasks.push(tokio::spawn(async move {
            cache
                .get_or_fetch(&key, || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    Ok::<_, std::io::Error>(vec![1, 2, 3])
                })
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), vec![1, 2, 3]);
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "{}: one fetch for 50 misses",
        env.name
    );
    let stats = cache.stats();
    assert_eq!(stats.fetches, 1);
    // Every read is one of: a miss (the leader, or a reader that joined after the fetch), a
    // coalesced wait for the leader's fetch, or a hit after it.
    assert!(stats.misses >= 1, "{}: {stats:?}", env.name);
    assert_eq!(
        stats.misses + stats.coalesced + stats.hits + stats.stale_hits,
        50,
        "{}: {stats:?}",
        env.name
    );
    assert_eq!(cache.fetches_in_flight(), 0);
    // Now cached: no more fetches.
    let again: Vec<i32> = cache
        .get_or_fetch(&key, || async {
            Err::<Vec<i32>, _>(std::io::Error::other("must not run"))
        })
        .await
        .unwrap();
    assert_eq!(again, vec![1, 2, 3]);
}

pub async fn fetch_errors_are_shared_not_repeated(env: &Env) {
    let cache = cache(env);
    let key = CacheKey::global(cache_type::PROVIDER_CONFIG, "p1");
    let calls = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (cache, key, calls) = (cache.clone(), key.clone(), calls.clone());
        tasks.push(tokio::spawn(async move {
            cache
                .get_or_fetch(&key, || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Err::<String, _>(std::io::Error::other("upstream down"))
                })
                .await
        }));
    }
    for task in tasks {
        match task.await.unwrap() {
            Err(FetchError::Fetch(e)) => assert_eq!(e.to_string(), "upstream down"),
            other => panic!("expected the shared fetch error, got {other:?}"),
        }
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        cache.get::<String>(&key).await.unwrap(),
        None,
        "errors are not cached"
    );
}

pub async fn pattern_invalidation_stays_in_its_tenant(env: &Env) {
    let cache = cache(env);
    let tenants = ["a", "a:workflow_def", "a*", "a\\", "[a]", "b"];
    for t in tenants {
        for id in ["x", "x:1", "y*", "z?"] {
            cache
                .set(&CacheKey::tenant(t, "workflow_def", id), &id)
                .await
                .unwrap();
        }
    }
    cache
        .set(&CacheKey::global("workflow_def", "x"), "g")
        .await
        .unwrap();
    // Only tenant `a`, identifiers starting with `x`.
    let removed = cache
        .invalidate_pattern(Some("a"), "workflow_def", "x*")
        .await
        .unwrap();
    assert_eq!(removed, 2);
    // A literal prefix with glob characters.
    assert_eq!(
        cache
            .invalidate_prefix(Some("a*"), "workflow_def", "y*")
            .await
            .unwrap(),
        1
    );
    for t in tenants {
        for id in ["x", "x:1", "y*", "z?"] {
            let present = cache
                .get::<String>(&CacheKey::tenant(t, "workflow_def", id))
                .await
                .unwrap()
                .is_some();
            let gone = (t == "a" && id.starts_with('x')) || (t == "a*" && id == "y*");
            assert_eq!(present, !gone, "tenant {t:?} id {id:?}");
        }
    }
    assert!(
        cache
            .get::<String>(&CacheKey::global("workflow_def", "x"))
            .await
            .unwrap()
            .is_some()
    );
    // A whole tenant.
    assert_eq!(cache.invalidate_tenant("[a]").await.unwrap(), 4);
    assert!(
        cache
            .get::<String>(&CacheKey::tenant("a\\", "workflow_def", "x"))
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn stale_while_revalidate_serves_stale_during_refresh(env: &Env) {
    let config = CacheConfig::new()
        .prefix(unique("cache"))
        .jitter(0.0)
        .stale_while_revalidate(Duration::from_secs(30));
    let cache = Cache::with_config(env.store.clone(), config);
    let key = CacheKey::global("api_response", "slow");
    cache
        .set_with_ttl(&key, &1u32, Duration::from_millis(300))
        .await
        .unwrap();
    let fresh: u32 = cache
        .get_or_fetch(&key, || async { Ok::<_, std::io::Error>(99) })
        .await
        .unwrap();
    assert_eq!(fresh, 1, "fresh value served");
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Stale now: one caller refreshes (slowly); the others get the stale value at once.
    let refresher = {
        let (cache, key) = (cache.clone(), key.clone());
        tokio::spawn(async move {
            cache
                .get_or_fetch(&key, || async {
                    tokio::time::sleep(Duration::from_millis(400)).await;
                    Ok::<_, std::io::Error>(2u32)
                })
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let stale: u32 = cache
        .get_or_fetch(&key, || async { Ok::<_, std::io::Error>(3) })
        .await
        .unwrap();
    assert_eq!(stale, 1);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "stale served without waiting"
    );
    assert_eq!(refresher.await.unwrap(), 2);
    let now: u32 = cache.get(&key).await.unwrap().unwrap();
    assert_eq!(now, 2);
    assert!(cache.stats().stale_hits >= 2);
}

pub async fn background_refresh_serves_stale_to_everyone(env: &Env) {
    let config = CacheConfig::new()
        .prefix(unique("cache"))
        .jitter(0.0)
        .stale_while_revalidate(Duration::from_secs(30));
    let cache = Cache::with_config(env.store.clone(), config);
    let key = CacheKey::tenant("t1", "api_response", "bg");
    cache
        .set_with_ttl(&key, &1u32, Duration::from_millis(300))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let calls = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (cache, key, calls) = (cache.clone(), key.clone(), calls.clone());
        tasks.push(tokio::spawn(async move {
            cache
                .get_or_fetch_background(&key, move || async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    Ok::<_, std::io::Error>(2u32)
                })
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 1, "stale served");
    }
    assert!(
        started.elapsed() < Duration::from_millis(280),
        "nobody waited for the refresh"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while cache.get::<u32>(&key).await.unwrap() != Some(2) {
        assert!(Instant::now() < deadline, "refreshed in the background");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one refresh for ten stale reads"
    );
    // A miss still fetches inline.
    let missing = CacheKey::tenant("t1", "api_response", "missing");
    let v: u32 = cache
        .get_or_fetch_background(&missing, || async { Ok::<_, std::io::Error>(7u32) })
        .await
        .unwrap();
    assert_eq!(v, 7);
}

pub async fn memoize_caches_per_argument(env: &Env) {
    let cache = cache(env);
    let calls = Arc::new(AtomicU64::new(0));
    let counter = calls.clone();
    let get_workflow = cache.memoize("workflow_def", "get_workflow", move |id: String| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>(format!("workflow {id}"))
        }
    });
    for _ in 0..3 {
        let w: String = get_workflow
            .call(Some("tenant-1"), "123".to_owned())
            .await
            .unwrap();
        assert_eq!(w, "workflow 123");
    }
    let _: String = get_workflow
        .call(Some("tenant-2"), "123".to_owned())
        .await
        .unwrap();
    let _: String = get_workflow
        .call(Some("tenant-1"), "456".to_owned())
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let key = get_workflow.key(Some("tenant-1"), &"123").unwrap();
    assert!(
        cache
            .key(&key)
            .unwrap()
            .ends_with(":tenant:tenant-1:workflow_def:get_workflow:\"123\"")
    );
    assert_eq!(
        cache
            .invalidate_prefix(Some("tenant-1"), "workflow_def", "get_workflow:")
            .await
            .unwrap(),
        2
    );
}
