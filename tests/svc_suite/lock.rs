//! Lock cases.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use staunch::lock::Locks;

use crate::Env;
use crate::env::unique;

pub async fn only_the_holder_releases_or_extends(env: &Env) {
    let locks = Locks::with_prefix(env.store.clone(), unique("lock"));
    let first = locks
        .acquire("job", Duration::from_millis(300))
        .await
        .unwrap()
        .expect("free");
    assert!(
        locks
            .acquire("job", Duration::from_secs(5))
            .await
            .unwrap()
            .is_none()
    );
    assert!(first.extend(Duration::from_millis(300)).await.unwrap());
    assert!(first.is_held().await.unwrap());
    // Let it expire; someone else takes it; the old holder can neither extend nor release.
    tokio::time::sleep(Duration::from_millis(450)).await;
    let second = locks
        .acquire("job", Duration::from_secs(5))
        .await
        .unwrap()
        .expect("expired");
    assert!(!first.extend(Duration::from_secs(5)).await.unwrap());
    assert!(!first.release().await.unwrap());
    assert!(second.is_held().await.unwrap());
    assert!(second.release().await.unwrap());
    assert!(!locks.is_locked("job").await.unwrap());
    // Dropping a guard releases it in the background.
    {
        let _guard = locks
            .acquire("job", Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
    }
    let waited = locks
        .acquire_wait(
            "job",
            Duration::from_secs(5),
            Duration::from_secs(2),
            Duration::from_millis(10),
        )
        .await
        .unwrap();
    assert!(waited.is_some());
}

pub async fn contention_keeps_mutual_exclusion(env: &Env) {
    let locks = Locks::with_prefix(env.store.clone(), unique("lock"));
    let inside = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (locks, inside, done) = (locks.clone(), inside.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                let guard = locks
                    .acquire_wait(
                        "shared",
                        Duration::from_secs(10),
                        Duration::from_secs(30),
                        Duration::from_millis(2),
                    )
                    .await
                    .unwrap()
                    .expect("eventually acquired");
                assert_eq!(
                    inside.fetch_add(1, Ordering::SeqCst),
                    0,
                    "two holders at once"
                );
                tokio::time::sleep(Duration::from_millis(2)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
                assert!(guard.release().await.unwrap());
                done.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(done.load(Ordering::SeqCst), 80);
}
