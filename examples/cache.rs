//! The Transform Army guide's cache: tenant-scoped keys with the TTL table, get-or-fetch with stampede
//! protection, the `@cached` decorator as `Cache::memoize`, pattern invalidation.
//!
//! ```text
//! cargo run --example cache
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use staunch::cache::{Cache, CacheConfig, CacheKey, cache_type};
use staunch::config::{Settings, Staunch};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Staunch::open(Settings::load()?.only_databases(&["cache"])).await?;
    let cache = Cache::with_config(
        app.db("cache")?,
        CacheConfig::new().stale_while_revalidate(Duration::from_secs(60)),
    );

    // Stampede protection: 100 concurrent misses, one call to the database.
    let db_calls = Arc::new(AtomicU32::new(0));
    let key = CacheKey::tenant("tenant-1", cache_type::API_RESPONSE, "contacts_list");
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (cache, key, db_calls) = (cache.clone(), key.clone(), db_calls.clone());
        tasks.push(tokio::spawn(async move {
            cache
                .get_or_fetch(&key, || async {
                    db_calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(200)).await; // a slow query
                    Ok::<_, std::io::Error>(vec!["alice".to_owned(), "bob".to_owned()])
                })
                .await
        }));
    }
    for task in tasks {
        task.await??;
    }
    println!(
        "100 concurrent requests, {} database call(s); key {}",
        db_calls.load(Ordering::SeqCst),
        cache.key(&key)?
    );

    // The @cached decorator.
    let get_workflow = cache.memoize(
        cache_type::WORKFLOW_DEF,
        "get_workflow",
        |id: String| async move {
            println!("  loading workflow {id} from the database");
            Ok::<_, std::io::Error>(
                serde_json::json!({"id": id, "steps": ["fetch", "enrich", "send"]}),
            )
        },
    );
    for _ in 0..2 {
        let workflow: serde_json::Value = get_workflow
            .call(Some("tenant-1"), "123".to_owned())
            .await?;
        println!("workflow 123: {workflow}");
    }

    // Event-based invalidation: the workflow changed.
    let removed = cache
        .invalidate_prefix(Some("tenant-1"), cache_type::WORKFLOW_DEF, "get_workflow:")
        .await?;
    println!("invalidated {removed} workflow entr(y/ies) of tenant-1");
    // Pattern invalidation never reaches another tenant, whatever its id holds.
    cache
        .set(
            &CacheKey::tenant("tenant-1:evil*", cache_type::API_RESPONSE, "x"),
            &1,
        )
        .await?;
    let removed = cache
        .invalidate_pattern(Some("tenant-1"), cache_type::API_RESPONSE, "*")
        .await?;
    println!("invalidated {removed} api_response entr(y/ies) of tenant-1 (not tenant-1:evil*)");

    let stats = cache.stats();
    println!(
        "hits {} misses {} coalesced {} (waited for another caller's fetch) fetches {} \
         answered without a fetch of their own {:.0}%",
        stats.hits,
        stats.misses,
        stats.coalesced,
        stats.fetches,
        stats.hit_rate() * 100.0
    );
    app.close().await?;
    Ok(())
}
