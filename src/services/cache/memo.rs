//! [`Memo`]: the Transform Army guide's `@cached(ttl, key_prefix)` decorator, the Rust way: a value wrapping an
//! async function whose results are cached per tenant and per argument value.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Cache, CacheKey, FetchError};
use staunch_core::Error;

/// A memoized async function; build it with [`Cache::memoize`].
///
/// The identifier of a call is `{name}:{args as JSON}`, so
/// `cache.memoize("workflow_def", "get_workflow", f).call(Some("tenant-1"), "123")` is cached
/// under `cache:tenant:tenant-1:workflow_def:get_workflow:"123"`, readable and invalidatable
/// with [`Cache::invalidate_prefix`] (`"get_workflow:"`). Calls go through
/// [`Cache::get_or_fetch`], so concurrent calls with the same arguments run `f` once.
///
/// ```no_run
/// use std::sync::Arc;
/// use staunch::cache::Cache;
///
/// # async fn demo(store: Arc<dyn staunch::Store>) -> Result<(), Box<dyn std::error::Error>> {
/// let cache = Cache::new(store);
/// let get_workflow = cache.memoize("workflow_def", "get_workflow", |id: String| async move {
///     Ok::<_, std::io::Error>(format!("workflow {id}"))
/// });
/// let first: String = get_workflow.call(Some("tenant-1"), "123".to_owned()).await?; // runs f
/// let again: String = get_workflow.call(Some("tenant-1"), "123".to_owned()).await?; // cached
/// # let _ = (first, again); Ok(()) }
/// ```
#[derive(Clone)]
pub struct Memo<F> {
    cache: Cache,
    cache_type: String,
    name: String,
    ttl: Option<Duration>,
    f: F,
}

impl<F> std::fmt::Debug for Memo<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("cache_type", &self.cache_type)
            .field("name", &self.name)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl<F> Memo<F> {
    pub(super) fn new(cache: Cache, cache_type: &str, name: &str, f: F) -> Memo<F> {
        Memo {
            cache,
            cache_type: cache_type.to_owned(),
            name: name.to_owned(),
            ttl: None,
            f,
        }
    }

    /// Caches results for `ttl` instead of the cache type's TTL (the decorator's `ttl=`).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// The cache key a call with `args` uses.
    pub fn key<A: Serialize>(&self, tenant_id: Option<&str>, args: &A) -> Result<CacheKey, Error> {
        let json = serde_json::to_string(args)
            .map_err(|e| Error::invalid(format!("memoized arguments do not serialize: {e}")))?;
        Ok(CacheKey::scoped(
            tenant_id,
            &self.cache_type,
            &format!("{}:{json}", self.name),
        ))
    }

    /// Calls the function through the cache.
    pub async fn call<A, T, Fut, E>(
        &self,
        tenant_id: Option<&str>,
        args: A,
    ) -> Result<T, FetchError<E>>
    where
        A: Serialize,
        F: Fn(A) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        T: Serialize + DeserializeOwned,
        E: Send + Sync + 'static,
    {
        let key = self.key(tenant_id, &args).map_err(FetchError::Cache)?;
        let ttl = self
            .ttl
            .unwrap_or_else(|| self.cache.ttl_of(&self.cache_type));
        self.cache
            .get_or_fetch_with_ttl(&key, ttl, || (self.f)(args))
            .await
    }
}
