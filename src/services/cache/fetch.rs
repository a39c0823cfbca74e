//! Get-or-fetch: single flight, outages survived, stale-while-revalidate inline or in the
//! background (see the module docs of [`super`]).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use staunch_core::prelude::*;

use super::flight::{self, Role};
use super::stats::bump;
use super::{Cache, CacheKey, FetchError, Found, decode, encode};

impl Cache {
    /// The cached value of `key`, or the result of `fetch` (stored with the type's TTL). See
    /// the module docs for single flight, outages and stale-while-revalidate.
    pub async fn get_or_fetch<T, F, Fut, E>(
        &self,
        key: &CacheKey,
        fetch: F,
    ) -> std::result::Result<T, FetchError<E>>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = std::result::Result<T, E>>,
        E: Send + Sync + 'static,
    {
        let ttl = self.ttl_of(&key.cache_type);
        self.get_or_fetch_with_ttl(key, ttl, fetch).await
    }

    /// [`Cache::get_or_fetch`] with an explicit TTL.
    pub async fn get_or_fetch_with_ttl<T, F, Fut, E>(
        &self,
        key: &CacheKey,
        ttl: Duration,
        fetch: F,
    ) -> std::result::Result<T, FetchError<E>>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = std::result::Result<T, E>>,
        E: Send + Sync + 'static,
    {
        let store_key = self.key(key).map_err(FetchError::Cache)?;
        let mut fetch = Some(fetch);
        let mut checked_after_join = false;
        loop {
            // Whether this read counted a miss: a follower served by the leader's fetch moves
            // it to `coalesced` (it waited, it did not miss).
            let mut counted_miss = false;
            let found = match self.read(&store_key).await {
                Ok(found) => {
                    self.count_found(&found);
                    counted_miss = matches!(found, Found::Missing);
                    found
                }
                Err(e) => {
                    self.store_error(&e, "read", &store_key);
                    checked_after_join = true; // the store is not there: do not read again
                    Found::Missing
                }
            };
            let stale = match found {
                Found::Fresh(raw) => match decode(&raw) {
                    Ok(value) => return Ok(value),
                    Err(e) => {
                        self.store_error(&e, "decode", &store_key);
                        None
                    }
                },
                Found::Stale(raw) => Some(raw),
                Found::Missing => None,
            };
            match self.inner.flights.join(&store_key) {
                Role::Follower(slot) => {
                    if let Some(raw) = stale {
                        // Someone is refreshing: serve the stale value now.
                        if let Ok(value) = decode(&raw) {
                            return Ok(value);
                        }
                    }
                    match flight::wait(slot).await {
                        Some(Ok(raw)) => {
                            bump(&self.inner.counters.coalesced, 1);
                            crate::observe::record::cache("coalesced", 1);
                            if counted_miss {
                                self.inner.counters.misses.fetch_sub(1, Ordering::Relaxed);
                                // A counter cannot go down: the metric counts the miss and
                                // the coalesced wait both; `miss - coalesced` is the misses.
                            }
                            return decode(&raw).map_err(FetchError::Cache);
                        }
                        Some(Err(shared)) => match shared.downcast::<E>() {
                            Ok(e) => return Err(FetchError::Fetch(e)),
                            Err(_) => continue, // a fetch of another error type: try ourselves
                        },
                        None => continue, // the leader gave up: start over
                    }
                }
                Role::Leader(leader) => {
                    // A flight may have finished between our read and our join; its value is
                    // in the store by now, so read once more before fetching.
                    if !checked_after_join
                        && stale.is_none()
                        && let Ok(Found::Fresh(raw)) = self.read(&store_key).await
                        && let Ok(value) = decode::<T>(&raw)
                    {
                        leader.finish(Ok(raw));
                        return Ok(value);
                    }
                    let Some(fetch) = fetch.take() else {
                        return Err(FetchError::Cache(Error::new(
                            ErrorKind::Internal,
                            "fetch already used",
                        )));
                    };
                    bump(&self.inner.counters.fetches, 1);
                    match fetch().await {
                        Ok(value) => {
                            let raw = encode(&value).map_err(FetchError::Cache)?;
                            let write_ttl = self.write_ttl(ttl);
                            if let Err(e) = self
                                .inner
                                .store
                                .setex(&store_key, raw.clone(), write_ttl)
                                .await
                            {
                                self.store_error(&e, "write", &store_key);
                            }
                            leader.finish(Ok(raw));
                            return Ok(value);
                        }
                        Err(e) => {
                            bump(&self.inner.counters.fetch_errors, 1);
                            let shared = Arc::new(e);
                            leader.finish(Err(shared.clone()));
                            // A failed refresh still has the stale value to serve.
                            if let Some(raw) = &stale
                                && let Ok(value) = decode(raw)
                            {
                                return Ok(value);
                            }
                            return Err(FetchError::Fetch(shared));
                        }
                    }
                }
            }
        }
    }

    /// Like [`Cache::get_or_fetch`], but with stale-while-revalidate on, a stale entry is
    /// served to *every* caller, the refreshing one included, and the refresh runs in a
    /// background task (single flight still holds). The fetch must therefore be `'static`.
    /// Misses fetch inline, as `get_or_fetch` does.
    pub async fn get_or_fetch_background<T, F, Fut, E>(
        &self,
        key: &CacheKey,
        fetch: F,
    ) -> std::result::Result<T, FetchError<E>>
    where
        T: Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = std::result::Result<T, E>> + Send + 'static,
        E: Send + Sync + 'static,
    {
        if self.inner.config.stale_while_revalidate.is_none() {
            return self.get_or_fetch(key, fetch).await;
        }
        let store_key = self.key(key).map_err(FetchError::Cache)?;
        let found = self.read(&store_key).await;
        let (raw, stale) = match &found {
            Ok(Found::Fresh(raw)) => (Some(raw), false),
            Ok(Found::Stale(raw)) => (Some(raw), true),
            _ => (None, false),
        };
        if let Some(raw) = raw
            && let Ok(value) = decode::<T>(raw)
        {
            if let Ok(found) = &found {
                self.count_found(found);
            }
            if stale && let Role::Leader(leader) = self.inner.flights.join(&store_key) {
                let cache = self.clone();
                let ttl = self.ttl_of(&key.cache_type);
                tokio::spawn(async move {
                    bump(&cache.inner.counters.fetches, 1);
                    match fetch().await {
                        Ok(value) => match encode(&value) {
                            Ok(raw) => {
                                let write_ttl = cache.write_ttl(ttl);
                                if let Err(e) = cache
                                    .inner
                                    .store
                                    .setex(&store_key, raw.clone(), write_ttl)
                                    .await
                                {
                                    cache.store_error(&e, "write", &store_key);
                                }
                                leader.finish(Ok(raw));
                            }
                            Err(e) => cache.store_error(&e, "encode", &store_key),
                        },
                        Err(e) => {
                            bump(&cache.inner.counters.fetch_errors, 1);
                            leader.finish(Err(Arc::new(e)));
                        }
                    }
                });
            }
            return Ok(value);
        }
        self.get_or_fetch(key, fetch).await
    }
}
