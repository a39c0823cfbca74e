//! A tenant-scoped JSON cache (the Transform Army guide): per-type TTLs, get-or-fetch with single flight and
//! optional stale-while-revalidate, TTL jitter, invalidation by key and by pattern, a memoize
//! helper and hit/miss statistics.
//!
//! ```no_run
//! use std::sync::Arc;
//! use staunch::cache::{Cache, CacheKey, cache_type};
//!
//! # async fn load_workflow(id: &str) -> Result<serde_json::Value, std::io::Error> { Ok(serde_json::json!({})) }
//! # async fn demo(store: Arc<dyn staunch::Store>) -> Result<(), Box<dyn std::error::Error>> {
//! let cache = Cache::new(store);
//! let key = CacheKey::tenant("tenant-1", cache_type::WORKFLOW_DEF, "abc-456");
//! let workflow: serde_json::Value = cache.get_or_fetch(&key, || load_workflow("abc-456")).await?;
//! cache.invalidate_pattern(Some("tenant-1"), cache_type::WORKFLOW_DEF, "abc-*").await?;
//! # let _ = workflow; Ok(()) }
//! ```
//!
//! # Keys (the Transform Army guide) and why some characters are encoded
//!
//! `cache:tenant:{tenant_id}:{cache_type}:{identifier}` and, for data shared by all tenants,
//! `cache:{cache_type}:{identifier}`. Values are JSON strings with a TTL, readable with
//! `redis-cli GET`.
//!
//! Pattern invalidation builds a `SCAN MATCH` pattern from the tenant id, the type and a glob
//! for the identifier. Escaping the glob characters of the tenant id (`staunch_core::glob::escape`)
//! is necessary but not sufficient: a tenant id containing `:` could still reach another
//! tenant's keys (`a` with type `t` would match the keys of tenant `a:t`). So in keys, the
//! tenant id and the cache type have `%` and `:` percent-encoded (`%25`, `%3A`); ordinary ids
//! (`123`, `tenant-1`) are unchanged. A tenant segment then never contains `:`, a pattern for
//! tenant `a` pins the whole segment, and no pattern of one tenant can match another tenant's
//! key. The identifier is the last segment and kept as given (it may contain `:`). The cache
//! type `tenant` is refused, so global keys can never look like tenant keys.
//!
//! # Outages are not misses
//!
//! [`Cache::get`] returns the store's error on an outage (`Unavailable`, `Timeout`), never
//! `None`. [`Cache::get_or_fetch`] treats a failed read as "no cached value", fetches (still in
//! single flight, so an outage causes one fetch per key, not a stampede), tries to store the
//! result and returns it; store errors there are counted in [`CacheStats::errors`] and logged,
//! never returned.
//!
//! # Stale-while-revalidate
//!
//! With [`CacheConfig::stale_while_revalidate`] set to `w`, entries live `ttl + w` in the store.
//! An entry whose remaining TTL is at most `w` is stale: `get_or_fetch` serves it at once to
//! every caller except one, which refreshes it inline (single flight); with
//! [`Cache::get_or_fetch_background`] (a `'static` fetch) every caller gets the stale value and
//! the refresh runs in a background task. If a refresh fails, the stale value is still served
//! until the entry expires. Freshness is read from
//! the key's own TTL (`GET` and `PTTL` in one atomic batch), so the value stays plain JSON.
//!
//! # Single flight is per process
//!
//! Concurrent misses on one key in one process run the fetch once. Across processes each may
//! fetch once; use a [`crate::lock::Locks`] lock inside the fetch if that matters.

mod fetch;
mod flight;
mod keys;
mod memo;
mod stats;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use staunch_core::glob::escape;
use staunch_core::prelude::*;
use staunch_core::{Result, ScanOptions};

pub use keys::{CacheKey, cache_type, default_ttls, encode_segment};
pub use memo::Memo;
pub use stats::CacheStats;

use flight::Flights;
use keys::scope_prefix;
use stats::{Counters, bump};

/// Settings of a [`Cache`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CacheConfig {
    /// Key prefix (default `cache`).
    pub prefix: String,
    /// TTL per cache type (default: the Transform Army guide's table, [`default_ttls`]).
    pub ttls: HashMap<String, Duration>,
    /// TTL of types not in the table (default 5 min).
    pub default_ttl: Duration,
    /// Fraction (0..=1) by which each TTL is shortened at random, so entries written together
    /// do not expire together (default 0.1).
    pub jitter: f64,
    /// Serve stale entries this long past their TTL while one caller refreshes (default: off).
    pub stale_while_revalidate: Option<Duration>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            prefix: "cache".to_owned(),
            ttls: default_ttls(),
            default_ttl: Duration::from_secs(300),
            jitter: 0.1,
            stale_while_revalidate: None,
        }
    }
}

impl CacheConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the key prefix.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
    /// Sets the TTL of one cache type.
    pub fn ttl(mut self, cache_type: impl Into<String>, ttl: Duration) -> Self {
        self.ttls.insert(cache_type.into(), ttl);
        self
    }
    /// Sets the TTL of types not in the table.
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = ttl;
        self
    }
    /// Sets the jitter fraction (clamped to 0..=1).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter.clamp(0.0, 1.0);
        self
    }
    /// Turns stale-while-revalidate on with this window.
    pub fn stale_while_revalidate(mut self, window: Duration) -> Self {
        self.stale_while_revalidate = Some(window);
        self
    }
}

/// Why [`Cache::get_or_fetch`] failed: the fetch failed (shared with every caller that waited
/// for it), or the key or value was invalid.
#[derive(Debug)]
#[non_exhaustive]
pub enum FetchError<E> {
    /// The fetch function's error.
    Fetch(Arc<E>),
    /// An invalid key, or a value that does not serialize or deserialize as JSON.
    Cache(Error),
}

impl<E: std::fmt::Display> std::fmt::Display for FetchError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Fetch(e) => write!(f, "fetch failed: {e}"),
            FetchError::Cache(e) => write!(f, "cache: {e}"),
        }
    }
}

impl<E: std::fmt::Debug + std::fmt::Display> std::error::Error for FetchError<E> {}

struct Inner {
    store: Arc<dyn Store>,
    config: CacheConfig,
    flights: Arc<Flights>,
    counters: Counters,
}

/// The cache service. Cheap to clone (clones share counters and flights).
#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// What a read found.
enum Found {
    Fresh(Bytes),
    Stale(Bytes),
    Missing,
}

impl Cache {
    /// A cache on `store` with the defaults.
    pub fn new(store: Arc<dyn Store>) -> Cache {
        Cache::with_config(store, CacheConfig::default())
    }

    /// A cache on `store` with `config`.
    pub fn with_config(store: Arc<dyn Store>, config: CacheConfig) -> Cache {
        Cache {
            inner: Arc::new(Inner {
                store,
                config,
                flights: Arc::new(Flights::default()),
                counters: Counters::default(),
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &CacheConfig {
        &self.inner.config
    }

    /// The store key of `key` (checked: empty tenant or type and the type `tenant` are refused).
    pub fn key(&self, key: &CacheKey) -> Result<String> {
        let mut out = scope_prefix(
            &self.inner.config.prefix,
            key.tenant.as_deref(),
            &key.cache_type,
            false,
        )?;
        out.push_str(&key.identifier);
        Ok(out)
    }

    /// The configured TTL of `cache_type` (before jitter).
    pub fn ttl_of(&self, cache_type: &str) -> Duration {
        self.inner
            .config
            .ttls
            .get(cache_type)
            .copied()
            .unwrap_or(self.inner.config.default_ttl)
    }

    /// The TTL to write: configured TTL shortened by jitter, plus the stale window.
    fn write_ttl(&self, ttl: Duration) -> Duration {
        let jitter = self.inner.config.jitter;
        let fresh = if jitter > 0.0 {
            ttl.mul_f64(1.0 - jitter * rand::random::<f64>())
        } else {
            ttl
        };
        fresh.max(Duration::from_millis(1))
            + self.inner.config.stale_while_revalidate.unwrap_or_default()
    }

    /// The counters so far.
    pub fn stats(&self) -> CacheStats {
        let c = &self.inner.counters;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        CacheStats {
            hits: load(&c.hits),
            stale_hits: load(&c.stale_hits),
            misses: load(&c.misses),
            fetches: load(&c.fetches),
            coalesced: load(&c.coalesced),
            fetch_errors: load(&c.fetch_errors),
            errors: load(&c.errors),
            invalidated: load(&c.invalidated),
        }
    }

    /// How many fetches are running in this process right now.
    pub fn fetches_in_flight(&self) -> usize {
        self.inner.flights.in_flight()
    }

    async fn read(&self, store_key: &str) -> Result<Found> {
        let store = &self.inner.store;
        let Some(window) = self.inner.config.stale_while_revalidate else {
            return Ok(match store.get(store_key).await? {
                Some(v) => Found::Fresh(v),
                None => Found::Missing,
            });
        };
        let (value, pttl) = store
            .transaction()
            .get(store_key)
            .pttl(store_key)
            .run()
            .await?;
        Ok(match value {
            None => Found::Missing,
            Some(v) if pttl >= 0 && pttl as u128 <= window.as_millis() => Found::Stale(v),
            Some(v) => Found::Fresh(v),
        })
    }

    fn count_found(&self, found: &Found) {
        let c = &self.inner.counters;
        match found {
            Found::Fresh(_) => {
                bump(&c.hits, 1);
                crate::observe::record::cache("hit", 1);
            }
            Found::Stale(_) => {
                bump(&c.stale_hits, 1);
                crate::observe::record::cache("stale", 1);
            }
            Found::Missing => {
                bump(&c.misses, 1);
                crate::observe::record::cache("miss", 1);
            }
        }
    }

    fn store_error(&self, e: &Error, what: &str, key: &str) {
        bump(&self.inner.counters.errors, 1);
        tracing::warn!(key, error = %e, "cache {what} failed");
    }

    /// The value of `key`, `None` when absent. An undecodable value is `InvalidInput`; an
    /// outage is the store's error, never `None`.
    pub async fn get<T: DeserializeOwned>(&self, key: &CacheKey) -> Result<Option<T>> {
        let store_key = self.key(key)?;
        let found = match self.read(&store_key).await {
            Ok(found) => found,
            Err(e) => {
                bump(&self.inner.counters.errors, 1);
                return Err(e);
            }
        };
        self.count_found(&found);
        match found {
            Found::Fresh(raw) | Found::Stale(raw) => decode(&raw).map(Some),
            Found::Missing => Ok(None),
        }
    }

    /// Stores `value` under `key` with its type's TTL.
    pub async fn set<T: Serialize + ?Sized>(&self, key: &CacheKey, value: &T) -> Result<()> {
        self.set_with_ttl(key, value, self.ttl_of(&key.cache_type))
            .await
    }

    /// Stores `value` under `key` for `ttl` (jitter and the stale window apply).
    pub async fn set_with_ttl<T: Serialize + ?Sized>(
        &self,
        key: &CacheKey,
        value: &T,
        ttl: Duration,
    ) -> Result<()> {
        let store_key = self.key(key)?;
        let raw = encode(value)?;
        self.inner
            .store
            .setex(&store_key, raw, self.write_ttl(ttl))
            .await
    }

    /// Removes `key`; true if it was there.
    pub async fn invalidate(&self, key: &CacheKey) -> Result<bool> {
        let removed = self.inner.store.del_multiple(&[&self.key(key)?]).await?;
        bump(&self.inner.counters.invalidated, removed);
        Ok(removed > 0)
    }

    /// Removes every entry of a tenant (or the global scope) and type whose identifier matches
    /// the Redis glob `identifier_glob` (`*` for all). Uses `SCAN`, never `KEYS`. The tenant and
    /// type are matched literally, whatever characters they hold. Returns how many keys went.
    pub async fn invalidate_pattern(
        &self,
        tenant_id: Option<&str>,
        cache_type: &str,
        identifier_glob: &str,
    ) -> Result<u64> {
        let mut pattern = scope_prefix(&self.inner.config.prefix, tenant_id, cache_type, true)?;
        pattern.push_str(identifier_glob);
        self.delete_matching(&pattern).await
    }

    /// Removes every entry of a tenant and type whose identifier starts with `prefix` (taken
    /// literally).
    pub async fn invalidate_prefix(
        &self,
        tenant_id: Option<&str>,
        cache_type: &str,
        prefix: &str,
    ) -> Result<u64> {
        self.invalidate_pattern(tenant_id, cache_type, &format!("{}*", escape(prefix)))
            .await
    }

    /// Removes every entry of one tenant, all types.
    pub async fn invalidate_tenant(&self, tenant_id: &str) -> Result<u64> {
        if tenant_id.is_empty() {
            return Err(Error::invalid("tenant id must not be empty"));
        }
        let pattern = format!(
            "{}*",
            escape(&format!(
                "{}:tenant:{}:",
                self.inner.config.prefix,
                encode_segment(tenant_id)
            ))
        );
        self.delete_matching(&pattern).await
    }

    async fn delete_matching(&self, pattern: &str) -> Result<u64> {
        let store = &self.inner.store;
        let mut cursor = 0;
        let mut removed = 0;
        loop {
            let (next, keys) = store
                .scan_options(cursor, ScanOptions::new().pattern(pattern).count(500))
                .await?;
            if !keys.is_empty() {
                removed += store.del_multiple(&keys).await?;
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
        bump(&self.inner.counters.invalidated, removed);
        Ok(removed)
    }

    /// A memoized async function (the Transform Army guide's `@cached` decorator): results of `f` cached under
    /// `cache_type` with identifiers `{name}:{arguments as JSON}`. See [`Memo`].
    pub fn memoize<F>(&self, cache_type: &str, name: &str, f: F) -> Memo<F> {
        Memo::new(self.clone(), cache_type, name, f)
    }
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Bytes> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| Error::invalid(format!("cache value does not serialize as JSON: {e}")))
}

fn decode<T: DeserializeOwned>(raw: &[u8]) -> Result<T> {
    serde_json::from_slice(raw)
        .map_err(|e| Error::invalid(format!("cached value does not decode: {e}")))
}
