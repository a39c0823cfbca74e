//! Distributed locks: a key holding a random token with a TTL, released or extended only by
//! the holder.
//!
//! ```no_run
//! use std::{sync::Arc, time::Duration};
//! use staunch::lock::Locks;
//!
//! # async fn demo(store: Arc<dyn staunch::Store>) -> staunch::Result<()> {
//! let locks = Locks::new(store);
//! if let Some(guard) = locks.acquire("report:daily", Duration::from_secs(30)).await? {
//!     // ... do the work, extending if it runs long ...
//!     guard.extend(Duration::from_secs(30)).await?;
//!     guard.release().await?;
//! }
//! # Ok(()) }
//! ```
//!
//! # How it works
//!
//! - The lock is the string key `lock:{name}` holding a 128-bit random token. Acquiring is
//!   `CompareAndSet(expected: none)` with a `PX` expiry, i.e. `SET NX PX`: exactly one caller
//!   wins while the key exists.
//! - Release is `CompareAndDelete(token)`: a holder whose lock expired and was taken by someone
//!   else deletes nothing (it gets `false`).
//! - Extend is `CompareAndSet(expected: token, value: token)` with a new expiry, so only the
//!   current holder can push the deadline out.
//!
//! # Decisions
//!
//! - The TTL is the safety net, not the protocol: a holder that stalls longer than its TTL
//!   loses the lock. Work that must not overlap should also check a fencing value (the queue's
//!   tokens do this) or extend well before the deadline.
//! - Dropping a [`LockGuard`] without calling [`LockGuard::release`] releases it in a
//!   background task when a tokio runtime is running; otherwise the TTL frees it.
//! - One store: this is a single-instance lock (not Redlock). With `Failover`, a lock taken on
//!   the local store during an outage is only local.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use staunch_core::Result;
use staunch_core::prelude::*;

use crate::events::stamp::new_token;

/// Takes and checks locks on a store.
#[derive(Clone)]
pub struct Locks {
    store: Arc<dyn Store>,
    prefix: String,
}

impl std::fmt::Debug for Locks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Locks")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn ttl_ms(ttl: Duration) -> Result<u64> {
    let ms = ttl.as_millis();
    if ms == 0 {
        return Err(Error::invalid("lock ttl must be at least 1 ms"));
    }
    Ok(ms.min(u64::MAX as u128) as u64)
}

impl Locks {
    /// Locks under the key prefix `lock:`.
    pub fn new(store: Arc<dyn Store>) -> Locks {
        Locks::with_prefix(store, "lock")
    }

    /// Locks under `{prefix}:`.
    pub fn with_prefix(store: Arc<dyn Store>, prefix: impl Into<String>) -> Locks {
        Locks {
            store,
            prefix: prefix.into(),
        }
    }

    /// The key of lock `name`.
    pub fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    /// Tries once to take lock `name` for `ttl`. `None` when someone else holds it.
    pub async fn acquire(&self, name: &str, ttl: Duration) -> Result<Option<LockGuard>> {
        let key = self.key(name);
        let token = new_token();
        let won = self
            .store
            .compare_and_set(
                &key,
                None,
                token.as_str(),
                Some(SetExpiry::Px(ttl_ms(ttl)?)),
            )
            .await?;
        Ok(won.then(|| LockGuard {
            store: self.store.clone(),
            key,
            token,
            released: AtomicBool::new(false),
        }))
    }

    /// Takes lock `name`, retrying every `retry` until `wait` has passed. `None` on timeout.
    pub async fn acquire_wait(
        &self,
        name: &str,
        ttl: Duration,
        wait: Duration,
        retry: Duration,
    ) -> Result<Option<LockGuard>> {
        let retry = retry.max(Duration::from_millis(1));
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(guard) = self.acquire(name, ttl).await? {
                return Ok(Some(guard));
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            // A little jitter so waiters do not retry in lockstep.
            let jitter =
                Duration::from_millis(rand::random::<u64>() % (retry.as_millis() as u64 / 4 + 1));
            tokio::time::sleep((retry + jitter).min(deadline - now)).await;
        }
    }

    /// True when lock `name` is held by anyone.
    pub async fn is_locked(&self, name: &str) -> Result<bool> {
        Ok(self.store.exists_multiple(&[&self.key(name)]).await? > 0)
    }
}

/// A held lock. Release it with [`LockGuard::release`]; see the module docs for drop.
pub struct LockGuard {
    store: Arc<dyn Store>,
    key: String,
    token: String,
    released: AtomicBool,
}

impl std::fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is the proof of ownership: never printed.
        f.debug_struct("LockGuard")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl LockGuard {
    /// The lock's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Releases the lock if this guard still holds it; `false` when it had expired (and maybe
    /// been taken by someone else, whose lock is left alone).
    pub async fn release(self) -> Result<bool> {
        self.released.store(true, Ordering::SeqCst);
        self.store
            .compare_and_delete(&self.key, self.token.as_str())
            .await
    }

    /// Sets the lock's remaining time to `ttl` if this guard still holds it; `false` otherwise.
    pub async fn extend(&self, ttl: Duration) -> Result<bool> {
        let token = Bytes::from(self.token.clone());
        self.store
            .compare_and_set(
                &self.key,
                Some(token.clone()),
                token,
                Some(SetExpiry::Px(ttl_ms(ttl)?)),
            )
            .await
    }

    /// True when this guard still holds the lock.
    pub async fn is_held(&self) -> Result<bool> {
        Ok(self.store.get(&self.key).await?.as_deref() == Some(self.token.as_bytes()))
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if self.released.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let store = self.store.clone();
            let key = std::mem::take(&mut self.key);
            let token = std::mem::take(&mut self.token);
            handle.spawn(async move {
                if let Err(e) = store.compare_and_delete(&key, token.as_str()).await {
                    tracing::warn!(key = %key, error = %e, "releasing a dropped lock failed; its TTL will free it");
                }
            });
        }
    }
}
