//! Helpers shared by the test binaries of staunch-redis.
#![allow(dead_code)]

use bytes::Bytes;
use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisTarget, test_redis};
use staunch_redis::RedisStore;

pub fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

pub fn bulk(s: &str) -> Reply {
    Reply::Bulk(b(s))
}

/// Tests of one binary may share one external server (`STAUNCH_TEST_REDIS_URL`) and each
/// starts with `FLUSHDB`, so they run one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Keeps the server (and the turn) for the length of a test.
pub struct Fixture {
    _serial: tokio::sync::MutexGuard<'static, ()>,
    pub target: RedisTarget,
}

pub async fn store(what: &str) -> Option<(Fixture, RedisStore)> {
    let serial = SERIAL.lock().await;
    let target = test_redis(what).await?;
    let store = RedisStore::connect(target.url()).await.expect("connect");
    store.flushdb().await.expect("flushdb");
    let fixture = Fixture {
        _serial: serial,
        target,
    };
    Some((fixture, store))
}

pub async fn run(store: &RedisStore, command: Command) -> Reply {
    let name = command.name();
    store
        .execute(command)
        .await
        .unwrap_or_else(|e| panic!("{name} failed: {e}"))
}
