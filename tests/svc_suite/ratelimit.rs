//! Rate limit cases.

use std::sync::Arc;
use std::time::Duration;

use staunch::ratelimit::{FixedWindow, Gcra};
use staunch_core::prelude::*;

use crate::Env;
use crate::env::unique;

pub async fn fixed_window_admits_at_most_the_limit(env: &Env) {
    let limiter = Arc::new(FixedWindow::new(
        env.store.clone(),
        5,
        Duration::from_secs(3600),
    ));
    let subject = format!("{}:/api/chat/send", unique("user_"));
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (limiter, subject) = (limiter.clone(), subject.clone());
        tasks.push(tokio::spawn(async move {
            limiter.check(&subject).await.unwrap()
        }));
    }
    let mut allowed = 0;
    for task in tasks {
        let d = task.await.unwrap();
        if d.allowed {
            allowed += 1;
        } else {
            assert!(
                d.retry_after > Duration::from_secs(3500),
                "{:?}",
                d.retry_after
            );
            assert_eq!(d.remaining, 0);
        }
    }
    assert_eq!(allowed, 5, "{}", env.name);
    // The AutoBot configuration's key, with a TTL set on the first hit.
    let key = format!("api:ratelimit:{subject}");
    assert_eq!(
        env.store.get_string(&key).await.unwrap().as_deref(),
        Some("40")
    );
    assert!(env.store.ttl(&key).await.unwrap() > 3500);
    limiter.reset(&subject).await.unwrap();
    let d = limiter.check(&subject).await.unwrap();
    assert!(d.allowed && d.remaining == 4);
}

pub async fn gcra_admits_at_most_the_limit(env: &Env) {
    let limiter = Arc::new(Gcra::new(env.store.clone(), 5, Duration::from_secs(60)));
    let subject = unique("user_");
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let (limiter, subject) = (limiter.clone(), subject.clone());
        tasks.push(tokio::spawn(async move {
            limiter.check(&subject).await.unwrap()
        }));
    }
    let mut allowed = 0;
    for task in tasks {
        let d = task.await.unwrap();
        if d.allowed {
            allowed += 1;
        } else {
            // One request every 12 s on average: the next one is at most 12 s away.
            assert!(d.retry_after <= Duration::from_secs(12) && d.retry_after > Duration::ZERO);
        }
    }
    assert_eq!(allowed, 5, "{}", env.name);
    // A fast limiter recovers one slot per interval.
    let fast = Gcra::new(env.store.clone(), 2, Duration::from_millis(400));
    let s = unique("fast");
    assert!(fast.check(&s).await.unwrap().allowed);
    let second = fast.check(&s).await.unwrap();
    assert!(second.allowed && second.remaining == 0);
    let denied = fast.check(&s).await.unwrap();
    assert!(!denied.allowed);
    tokio::time::sleep(denied.retry_after + Duration::from_millis(30)).await;
    assert!(fast.check(&s).await.unwrap().allowed);
}
