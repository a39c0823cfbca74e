//! Hit/miss statistics of a cache handle.

use std::sync::atomic::{AtomicU64, Ordering};

/// Hit/miss counters of one [`Cache`](super::Cache) handle (in-process).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Reads that found a fresh value.
    pub hits: u64,
    /// Reads that found a stale value (stale-while-revalidate).
    pub stale_hits: u64,
    /// Reads that found nothing and were not answered by another caller's fetch (those are
    /// [`CacheStats::coalesced`]).
    pub misses: u64,
    /// Fetches run by get-or-fetch (leaders only).
    pub fetches: u64,
    /// Reads that found nothing and waited for another caller's fetch (single flight) instead
    /// of running their own: neither hits nor misses.
    pub coalesced: u64,
    /// Fetches that failed.
    pub fetch_errors: u64,
    /// Store errors (outages included) met and survived by get-or-fetch, or returned by others.
    pub errors: u64,
    /// Keys removed by invalidation.
    pub invalidated: u64,
}

impl CacheStats {
    /// The share of reads answered without a fetch of their own:
    /// `(hits + stale_hits + coalesced) / (hits + stale_hits + coalesced + misses)`, 0 before
    /// any read. (100 concurrent callers on a missing key: 1 miss, 99 coalesced, 99%.)
    pub fn hit_rate(&self) -> f64 {
        let found = self.hits + self.stale_hits + self.coalesced;
        let total = found + self.misses;
        if total == 0 {
            0.0
        } else {
            found as f64 / total as f64
        }
    }
}

#[derive(Default)]
pub(super) struct Counters {
    pub(super) hits: AtomicU64,
    pub(super) stale_hits: AtomicU64,
    pub(super) misses: AtomicU64,
    pub(super) fetches: AtomicU64,
    pub(super) coalesced: AtomicU64,
    pub(super) fetch_errors: AtomicU64,
    pub(super) errors: AtomicU64,
    pub(super) invalidated: AtomicU64,
}

pub(super) fn bump(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}
