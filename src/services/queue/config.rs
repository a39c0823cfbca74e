//! Queue settings ([`QueueConfig`], [`Backoff`]) and the key layout they produce.

use std::sync::Arc;
use std::time::Duration;

use staunch_core::{Clock, Error, Result, SystemClock};

/// How long a failed job waits before its next attempt: `base × factor^(n-1)` after the `n`th
/// failed attempt, capped at `max`, then shortened by up to `jitter` (a fraction) at random so
/// that jobs failing together do not retry together.
///
/// The default is the Transform Army guide's schedule: 60 s, 120 s, 240 s, ... capped at one hour, 10 % jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Backoff {
    /// Delay after the first failed attempt.
    pub base: Duration,
    /// Growth per further attempt.
    pub factor: f64,
    /// Longest delay.
    pub max: Duration,
    /// Fraction (0..=1) of the delay removed at random.
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(60),
            factor: 2.0,
            max: Duration::from_secs(3600),
            jitter: 0.1,
        }
    }
}

impl Backoff {
    /// The Transform Army guide's schedule (see the type docs).
    pub fn new() -> Self {
        Self::default()
    }
    /// An exponential schedule from `base` growing by `factor`, capped at `max`, without jitter.
    pub fn exponential(base: Duration, factor: f64, max: Duration) -> Self {
        Backoff {
            base,
            factor,
            max,
            jitter: 0.0,
        }
    }
    /// Sets the jitter fraction (clamped to 0..=1).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter.clamp(0.0, 1.0);
        self
    }

    /// The delay after failed attempt number `attempt` (1-based), with jitter drawn from `unit`
    /// (a number in 0..1).
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(64) as i32;
        let raw = self.base.as_secs_f64() * self.factor.max(1.0).powi(exp);
        let capped = raw.min(self.max.as_secs_f64()).max(0.0);
        let jittered = capped * (1.0 - self.jitter.clamp(0.0, 1.0) * unit.clamp(0.0, 1.0));
        Duration::from_secs_f64(jittered)
    }
}

/// A queue-wide rate limit: at most `max` jobs claimed per `per`, across all workers (fixed
/// windows: the first claim of a window starts it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Jobs per window (at least 1).
    pub max: u64,
    /// The window (at least 1 ms).
    pub per: Duration,
}

/// The default key prefix: neutral, so a queue of any application reads as one in `redis-cli`.
pub const DEFAULT_PREFIX: &str = "queue";

/// Settings of a [`Queue`](super::Queue).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct QueueConfig {
    /// Key prefix (default `queue`, giving `queue:tasks:queue` and `queue:task:{id}`; the bot
    /// service sets `bot` for the bot dashboard's `bot:tasks:queue` and `bot:task:{id}`).
    pub prefix: String,
    /// Wrap the prefix in a Redis Cluster hash tag (`{bot}:tasks:queue`) so every key of the
    /// queue lives in one slot. Ignored when the prefix already contains `{...}`. Always on
    /// when the store is a Redis Cluster (`Capabilities::cross_slot` is false), where the
    /// queue's scripts and transactions need it.
    pub hash_tag: bool,
    /// How long a claim holds a job before the reaper may take it back (default 30 s).
    pub lease: Duration,
    /// How long a completed or cancelled job (with its result) is kept (default 1 h).
    pub result_ttl: Duration,
    /// How long a dead letter is kept (default 7 days).
    pub dead_ttl: Duration,
    /// Keep at most this many completed jobs (default: no count limit, only
    /// [`QueueConfig::result_ttl`]); the oldest go first, at each maintenance pass.
    pub max_completed: Option<u64>,
    /// Keep at most this many dead letters (default: no count limit, only
    /// [`QueueConfig::dead_ttl`]); the oldest go first, at each maintenance pass.
    pub max_dead: Option<u64>,
    /// At most so many jobs claimed per window across all workers (default: no limit).
    pub rate_limit: Option<RateLimit>,
    /// Retry schedule.
    pub backoff: Backoff,
    /// Retries of a job that does not say (default 3, so at most 4 attempts).
    pub default_max_retries: u32,
    /// Where "now" comes from (default: the system clock). Tests inject a `ManualClock`; use the
    /// same clock as the store's so expiry and scheduling agree.
    pub clock: Arc<dyn Clock>,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            prefix: DEFAULT_PREFIX.to_owned(),
            hash_tag: false,
            lease: Duration::from_secs(30),
            result_ttl: Duration::from_secs(3600),
            dead_ttl: Duration::from_secs(7 * 24 * 3600),
            max_completed: None,
            max_dead: None,
            rate_limit: None,
            backoff: Backoff::default(),
            default_max_retries: 3,
            clock: Arc::new(SystemClock),
        }
    }
}

impl QueueConfig {
    /// The defaults (see the field docs).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the key prefix.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
    /// Asks for a hash tag around the prefix.
    pub fn hash_tag(mut self, on: bool) -> Self {
        self.hash_tag = on;
        self
    }
    /// Sets the lease length.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }
    /// Sets how long results are kept.
    pub fn result_ttl(mut self, ttl: Duration) -> Self {
        self.result_ttl = ttl;
        self
    }
    /// Sets how long dead letters are kept.
    pub fn dead_ttl(mut self, ttl: Duration) -> Self {
        self.dead_ttl = ttl;
        self
    }
    /// Keeps at most `count` completed jobs (the removal policy by count; by age it is
    /// [`QueueConfig::result_ttl`]).
    pub fn max_completed(mut self, count: u64) -> Self {
        self.max_completed = Some(count);
        self
    }
    /// Keeps at most `count` dead letters (by age: [`QueueConfig::dead_ttl`]).
    pub fn max_dead(mut self, count: u64) -> Self {
        self.max_dead = Some(count);
        self
    }
    /// Limits claims to `max` jobs per `per` across all workers of the queue.
    pub fn rate_limit(mut self, max: u64, per: Duration) -> Self {
        self.rate_limit = Some(RateLimit { max, per });
        self
    }
    /// Sets the retry schedule.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }
    /// Sets the default number of retries.
    pub fn default_max_retries(mut self, retries: u32) -> Self {
        self.default_max_retries = retries;
        self
    }

    /// Sets the clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.prefix.is_empty() {
            return Err(Error::invalid("queue prefix must not be empty"));
        }
        if self.lease < Duration::from_millis(1) {
            return Err(Error::invalid("queue lease must be at least 1 ms"));
        }
        if let Some(limit) = self.rate_limit
            && (limit.max == 0 || limit.per < Duration::from_millis(1))
        {
            return Err(Error::invalid(
                "a queue rate limit needs at least 1 job per at least 1 ms",
            ));
        }
        Ok(())
    }
}

/// Every key and channel of one queue.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    /// Pending jobs (the bot dashboard's `bot:tasks:queue`), scored by priority then FIFO order.
    pub queue: String,
    /// Delayed jobs and retries waiting for their time, scored by due time (ms).
    pub scheduled: String,
    /// Due jobs on their way from `scheduled` to `queue`, scored by when they were taken.
    pub promoting: String,
    /// Claimed jobs, scored by lease deadline (ms).
    pub processing: String,
    /// Dead letters, scored by time of death (ms).
    pub dead: String,
    /// Completed jobs kept for the result TTL, scored by finish time (ms).
    pub completed: String,
    /// Claims in the rate limit's current window (a counter with the window's TTL).
    pub limiter: String,
    /// Present while the queue is paused.
    pub paused: String,
    /// Counters (a hash).
    pub stats: String,
    /// Channel of state changes.
    pub events: String,
    /// Parents waiting for their children, scored `WAITING_BASE + created` while they wait
    /// and the release time (ms) once their last child is done.
    pub waiting_children: String,
    /// Repeatable definitions by name, scored by their next occurrence (ms).
    pub repeat: String,
    task_prefix: String,
    deps_prefix: String,
    repeat_prefix: String,
    unique_prefix: String,
    /// The keys of a `QueueStep`, in its order.
    step: [String; 8],
}

impl Keys {
    pub(crate) fn new(config: &QueueConfig) -> Keys {
        let base = if config.hash_tag && !has_hash_tag(&config.prefix) {
            format!("{{{}}}", config.prefix)
        } else {
            config.prefix.clone()
        };
        let queue = format!("{base}:tasks:queue");
        let processing = format!("{base}:tasks:processing");
        let scheduled = format!("{base}:tasks:scheduled");
        let paused = format!("{base}:tasks:paused");
        let stats = format!("{base}:tasks:stats");
        let task_prefix = format!("{base}:task:");
        let unique_prefix = format!("{base}:tasks:unique:");
        let completed = format!("{base}:tasks:completed");
        Keys {
            step: [
                queue.clone(),
                processing.clone(),
                scheduled.clone(),
                paused.clone(),
                stats.clone(),
                task_prefix.clone(),
                unique_prefix.clone(),
                completed.clone(),
            ],
            completed,
            limiter: format!("{base}:tasks:limiter"),
            queue,
            scheduled,
            promoting: format!("{base}:tasks:promoting"),
            processing,
            dead: format!("{base}:tasks:dead"),
            paused,
            stats,
            events: format!("{base}:tasks:events"),
            waiting_children: format!("{base}:tasks:waiting-children"),
            repeat: format!("{base}:tasks:repeat"),
            deps_prefix: format!("{base}:tasks:deps:"),
            repeat_prefix: format!("{base}:tasks:repeat:"),
            task_prefix,
            unique_prefix,
        }
    }

    /// The keys of a `QueueStep` command, in the order it takes them.
    pub(crate) fn step_keys(&self) -> &[String; 8] {
        &self.step
    }

    /// The hash of one job (the bot dashboard's `bot:task:{id}`).
    pub(crate) fn task(&self, id: &str) -> String {
        format!("{}{id}", self.task_prefix)
    }

    /// The set of the children parent `id` still waits for.
    pub(crate) fn deps(&self, id: &str) -> String {
        format!("{}{id}", self.deps_prefix)
    }

    /// The hash of the repeatable definition `name`.
    pub(crate) fn repeat_def(&self, name: &str) -> String {
        format!("{}{name}", self.repeat_prefix)
    }

    /// The string holding the id of the live job with unique key `key`.
    pub(crate) fn unique(&self, key: &str) -> String {
        format!("{}{key}", self.unique_prefix)
    }
}

fn has_hash_tag(prefix: &str) -> bool {
    match (prefix.find('{'), prefix.find('}')) {
        (Some(open), Some(close)) => close > open + 1,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_layout_and_hash_tags() {
        let neutral = Keys::new(&QueueConfig::new());
        assert_eq!(neutral.queue, "queue:tasks:queue");
        assert_eq!(neutral.task("7"), "queue:task:7");
        let keys = Keys::new(&QueueConfig::new().prefix("bot"));
        assert_eq!(keys.queue, "bot:tasks:queue");
        assert_eq!(keys.task("7"), "bot:task:7");
        let tagged = Keys::new(&QueueConfig::new().prefix("bot").hash_tag(true));
        assert_eq!(tagged.queue, "{bot}:tasks:queue");
        assert_eq!(tagged.task("7"), "{bot}:task:7");
        let explicit = Keys::new(&QueueConfig::new().prefix("{app}:jobs").hash_tag(true));
        assert_eq!(explicit.queue, "{app}:jobs:tasks:queue");
    }

    #[test]
    fn backoff_follows_seed_004() {
        let b = Backoff::default().jitter(0.0);
        assert_eq!(b.delay(1, 0.5), Duration::from_secs(60));
        assert_eq!(b.delay(2, 0.5), Duration::from_secs(120));
        assert_eq!(b.delay(3, 0.5), Duration::from_secs(240));
        assert_eq!(b.delay(30, 0.5), Duration::from_secs(3600));
        let j = Backoff::default();
        assert!(j.delay(1, 0.99) >= Duration::from_secs(54));
    }
}
