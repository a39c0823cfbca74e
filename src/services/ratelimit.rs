//! Rate limits (the AutoBot configuration: `INCR api:ratelimit:user_123:/api/chat/send EX 3600`): a fixed window
//! counter and a GCRA limiter (a smooth sliding window), both atomic on every backend.
//!
//! ```no_run
//! use std::{sync::Arc, time::Duration};
//! use staunch::ratelimit::FixedWindow;
//!
//! # async fn demo(store: Arc<dyn staunch::Store>) -> staunch::Result<()> {
//! let limiter = FixedWindow::new(store, 100, Duration::from_secs(3600));
//! let decision = limiter.check("user_123:/api/chat/send").await?;
//! if !decision.allowed {
//!     println!("retry in {:?}", decision.retry_after);
//! }
//! # Ok(()) }
//! ```
//!
//! # Fixed window
//!
//! Key `api:ratelimit:{subject}` (the AutoBot configuration's), a counter incremented with `IncrByEx`: one atomic
//! step that increments and starts the window's TTL on the first hit, so the window never
//! slides forward by later hits and never lives forever (the two-command `INCR` + `EXPIRE` of the
//! AutoBot configuration could leave a counter without TTL if the client died in between). A request is admitted
//! when the count after its increment is at most the limit, so under any concurrency at most
//! `limit` requests per window are admitted. Rejected requests count too (as in the AutoBot configuration), which
//! is harmless: they are rejected either way. Bursts of up to `2 × limit` can straddle a window
//! edge; use [`Gcra`] when that matters.
//!
//! # GCRA
//!
//! The generic cell rate algorithm keeps one number per subject, the theoretical arrival time
//! (TAT, Unix ms, key `api:ratelimit:gcra:{subject}`): requests are admitted at `limit / period`
//! on average with bursts of up to `limit`. Each check reads the TAT and writes the new one with
//! `CompareAndSet` expecting the value it read, retrying when another client got there first, so
//! the admission decisions are linearizable: never more than the limit admitted. The key's TTL
//! is the time until the TAT, so idle subjects cost nothing. Time comes from the limiter's
//! [`Clock`]; application nodes sharing a limiter need clocks that agree to within the precision
//! they want.

use std::sync::Arc;
use std::time::Duration;

use staunch_core::prelude::*;
use staunch_core::{Clock, Result, SystemClock};

/// The answer to one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The limit per window.
    pub limit: u64,
    /// How many more requests would be admitted right now.
    pub remaining: u64,
    /// When denied: how long until a request would be admitted. Zero when allowed.
    pub retry_after: Duration,
    /// How long until the limiter is fully reset (window end, or the TAT for GCRA).
    pub reset_after: Duration,
}

fn positive_ms(window: Duration, what: &str) -> Result<u64> {
    let ms = window.as_millis();
    if ms == 0 {
        return Err(Error::invalid(format!("{what} must be at least 1 ms")));
    }
    Ok(ms.min(i64::MAX as u128) as u64)
}

/// A fixed-window counter (see the module docs).
#[derive(Clone)]
pub struct FixedWindow {
    store: Arc<dyn Store>,
    prefix: String,
    limit: u64,
    window: Duration,
}

impl std::fmt::Debug for FixedWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixedWindow")
            .field("prefix", &self.prefix)
            .field("limit", &self.limit)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl FixedWindow {
    /// At most `limit` requests per `window`, keys under `api:ratelimit:`.
    pub fn new(store: Arc<dyn Store>, limit: u64, window: Duration) -> FixedWindow {
        FixedWindow {
            store,
            prefix: "api:ratelimit".to_owned(),
            limit,
            window,
        }
    }

    /// Uses `{prefix}:{subject}` keys instead.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The counter key of `subject`.
    pub fn key(&self, subject: &str) -> String {
        format!("{}:{subject}", self.prefix)
    }

    /// Counts one request of `subject` and says whether it is admitted.
    pub async fn check(&self, subject: &str) -> Result<Decision> {
        self.check_n(subject, 1).await
    }

    /// Counts a request of weight `cost` (at least 1).
    pub async fn check_n(&self, subject: &str, cost: u64) -> Result<Decision> {
        let window_ms = positive_ms(self.window, "rate limit window")?;
        let cost = cost.max(1);
        let key = self.key(subject);
        let delta =
            i64::try_from(cost).map_err(|_| Error::invalid("rate limit cost is too large"))?;
        // The increment and the window's remaining time in one atomic round trip.
        let (count, pttl) = self
            .store
            .transaction()
            .incr_by_ex(&key, delta, Duration::from_millis(window_ms))
            .pttl(&key)
            .run()
            .await?;
        let count = u64::try_from(count).unwrap_or(0);
        let allowed = count <= self.limit;
        let reset = Duration::from_millis(if pttl > 0 { pttl as u64 } else { window_ms });
        Ok(Decision {
            allowed,
            limit: self.limit,
            remaining: self.limit.saturating_sub(count),
            retry_after: if allowed { Duration::ZERO } else { reset },
            reset_after: reset,
        })
    }

    /// Forgets `subject`'s window.
    pub async fn reset(&self, subject: &str) -> Result<()> {
        self.store
            .del_multiple(&[&self.key(subject)])
            .await
            .map(|_| ())
    }
}

/// A GCRA limiter: `limit` requests per `period` on average, bursts up to `limit`.
#[derive(Clone)]
pub struct Gcra {
    store: Arc<dyn Store>,
    prefix: String,
    limit: u64,
    period: Duration,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Gcra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gcra")
            .field("prefix", &self.prefix)
            .field("limit", &self.limit)
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

/// How many times a check retries a lost compare-and-set before giving up with `Timeout`.
const MAX_CAS_ATTEMPTS: u32 = 1000;

impl Gcra {
    /// `limit` per `period`, keys under `api:ratelimit:gcra:`, system clock.
    pub fn new(store: Arc<dyn Store>, limit: u64, period: Duration) -> Gcra {
        Gcra {
            store,
            prefix: "api:ratelimit:gcra".to_owned(),
            limit,
            period,
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses `{prefix}:{subject}` keys instead.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Reads time from `clock` (use the store's clock in tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The TAT key of `subject`.
    pub fn key(&self, subject: &str) -> String {
        format!("{}:{subject}", self.prefix)
    }

    /// Checks (and on success records) one request of `subject`.
    pub async fn check(&self, subject: &str) -> Result<Decision> {
        self.check_n(subject, 1).await
    }

    /// Checks a request of weight `cost` (at least 1).
    pub async fn check_n(&self, subject: &str, cost: u64) -> Result<Decision> {
        if self.limit == 0 {
            return Err(Error::invalid("rate limit must be at least 1"));
        }
        let period = positive_ms(self.period, "rate limit period")? as f64;
        let interval = period / self.limit as f64; // emission interval T
        let cost = cost.max(1) as f64;
        let key = self.key(subject);
        for attempt in 0..MAX_CAS_ATTEMPTS {
            let now = self.clock.now_ms() as f64;
            let stored = self.store.get(&key).await?;
            let tat = match &stored {
                Some(raw) => std::str::from_utf8(raw)
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok())
                    .unwrap_or(now),
                None => now,
            }
            .max(now);
            let new_tat = tat + interval * cost;
            let allow_at = new_tat - period;
            if now < allow_at {
                let remaining = ((period - (tat - now)) / interval).floor().max(0.0) as u64;
                return Ok(Decision {
                    allowed: false,
                    limit: self.limit,
                    remaining,
                    retry_after: Duration::from_millis((allow_at - now).ceil() as u64),
                    reset_after: Duration::from_millis((tat - now).ceil().max(0.0) as u64),
                });
            }
            let ttl = ((new_tat - now).ceil() as u64).max(1);
            let value = format!("{new_tat:.3}");
            if self
                .store
                .compare_and_set(&key, stored, value, Some(SetExpiry::Px(ttl)))
                .await?
            {
                let remaining = ((period - (new_tat - now)) / interval).floor().max(0.0) as u64;
                return Ok(Decision {
                    allowed: true,
                    limit: self.limit,
                    remaining,
                    retry_after: Duration::ZERO,
                    reset_after: Duration::from_millis(ttl),
                });
            }
            if attempt > 8 {
                tokio::task::yield_now().await;
            }
        }
        Err(Error::new(
            ErrorKind::Timeout,
            format!("rate limit check on {key} lost {MAX_CAS_ATTEMPTS} compare-and-set races"),
        ))
    }

    /// Forgets `subject`'s state.
    pub async fn reset(&self, subject: &str) -> Result<()> {
        self.store
            .del_multiple(&[&self.key(subject)])
            .await
            .map(|_| ())
    }
}
