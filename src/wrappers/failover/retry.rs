//! Retry with exponential backoff and jitter, only where repeating is safe.
//!
//! A retry is a second execution. When the first attempt failed *ambiguously* (the connection
//! broke or the reply timed out after the command was sent), Redis may already have applied
//! it, and repeating an `INCRBY` or an `RPUSH` would apply it twice. So a command is retried
//! only when one of these holds:
//!
//! - it is idempotent ([`Command::is_idempotent`]): `GET`, `SET` without conditions, `SADD`,
//!   `HSET`, `DEL`, ... applying it twice is the same as once;
//! - the error proves it never ran in Redis ([`never_sent`]): the connection was refused, the
//!   connection attempt or its handshake timed out (commands are written only on an
//!   established connection), Redis rejected it unexecuted (`LOADING`, `BUSY`), or a
//!   circuit breaker refused the call.
//!
//! Inside a `Failover` few calls get that far: a lost connection sends the call to the local
//! store at once (see the failover module's routing docs), so the retries left are those of
//! `LOADING` and `BUSY`, refusals that pass by themselves.
//!
//! Waits grow exponentially from [`RetryOptions::initial_backoff`] (0.5 s) to
//! [`RetryOptions::max_backoff`] (10 s), with "full jitter" (a uniform draw between half the
//! step and the step) so that many clients that failed together do not retry together.
//! Defaults from the async Redis manager: 3 attempts in all.

use std::future::Future;
use std::time::Duration;

use rand::Rng;
use staunch_core::{Command, Error, ErrorKind, Result};

/// Retry settings. Defaults from the async Redis manager: 3 attempts, backoff 0.5 s doubling to 10 s.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryOptions {
    /// Attempts in all, the first included (default 3; 1 disables retries).
    pub max_attempts: u32,
    /// Wait before the second attempt (default 500 ms).
    pub initial_backoff: Duration,
    /// Longest wait between attempts (default 10 s).
    pub max_backoff: Duration,
    /// Growth factor per attempt (default 2.0).
    pub multiplier: f64,
    /// Whether waits are randomised between half the step and the step (default true).
    pub jitter: bool,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            multiplier: 2.0,
            jitter: true,
        }
    }
}

impl RetryOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// No retries at all.
    pub fn none() -> Self {
        RetryOptions {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets [`RetryOptions::max_attempts`] (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first and the longest wait.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets [`RetryOptions::jitter`].
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff_for(&self, attempt: u32) -> Duration {
        let exp = self
            .multiplier
            .max(1.0)
            .powi(attempt.saturating_sub(1).min(64) as i32);
        let step = self.initial_backoff.as_secs_f64() * exp;
        let step = step.min(self.max_backoff.as_secs_f64()).max(0.0);
        let secs = if self.jitter && step > 0.0 {
            rand::rng().random_range(step / 2.0..=step)
        } else {
            step
        };
        Duration::from_secs_f64(secs)
    }

    /// Whether `command` may be attempted again after `error`: the error must be an outage,
    /// and the command idempotent or surely never sent.
    pub fn should_retry(&self, command: &Command, error: &Error) -> bool {
        match error.kind() {
            ErrorKind::OutcomeUnknown => false,
            ErrorKind::Refused => never_sent(error),
            _ => error.is_outage() && (command.is_idempotent() || never_sent(error)),
        }
    }

    /// Runs `attempt` up to [`RetryOptions::max_attempts`] times for `command`, waiting
    /// between attempts, as long as [`RetryOptions::should_retry`] allows.
    pub async fn run<T, F, Fut>(&self, command: &Command, mut attempt: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut n = 1;
        loop {
            match attempt().await {
                Err(e) if n < self.max_attempts && self.should_retry(command, &e) => {
                    tokio::time::sleep(self.backoff_for(n)).await;
                    n += 1;
                }
                other => return other,
            }
        }
    }
}

/// True when `error` proves the command never ran in Redis: a refused connection, a
/// connection attempt or handshake that timed out (commands are only written on an
/// established connection), Redis's own refusal (`LOADING`, `READONLY`, `MASTERDOWN`: the
/// command was rejected before it ran), or a circuit breaker's refusal.
///
/// The Redis backend marks these errors ([`Error::is_not_sent`]); for other primaries this
/// also reads the message (and the source chain), erring on the side of "maybe sent".
pub fn never_sent(error: &Error) -> bool {
    if error.is_not_sent() {
        return true;
    }
    if !matches!(
        error.kind(),
        ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::Refused
    ) {
        return false;
    }
    let mut text = error.message().to_ascii_lowercase();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push(' ');
        text.push_str(&s.to_string().to_ascii_lowercase());
        source = s.source();
    }
    text.contains("connection refused")
        || text.contains("os error 111")
        // Redis refused to run it: still loading, a read-only replica, no master.
        || text.contains("loading")
        || text.contains("readonly")
        || text.contains("masterdown")
        || text.contains("the connection handshake")
        || text.contains("a connection attempt")
        || text.contains("circuit breaker is open")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let o = RetryOptions::default().jitter(false);
        assert_eq!(o.backoff_for(1), Duration::from_millis(500));
        assert_eq!(o.backoff_for(2), Duration::from_secs(1));
        assert_eq!(o.backoff_for(10), Duration::from_secs(10));
        let j = RetryOptions::default();
        for _ in 0..100 {
            let d = j.backoff_for(2);
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_secs(1));
        }
    }

    #[test]
    fn only_safe_commands_are_retried() {
        let o = RetryOptions::default();
        let reset = Error::new(
            ErrorKind::Unavailable,
            "Redis is unreachable: connection reset",
        );
        let refused = Error::new(
            ErrorKind::Unavailable,
            "Redis is unreachable: Connection refused (os error 111)",
        );
        let incr = Command::IncrBy {
            key: "k".into(),
            delta: 1,
        };
        let get = Command::Get { key: "k".into() };
        assert!(!o.should_retry(&incr, &reset));
        assert!(o.should_retry(&incr, &refused));
        assert!(o.should_retry(&get, &reset));
        assert!(!o.should_retry(&get, &Error::wrong_type()));
        let loading = Error::new(
            ErrorKind::Refused,
            "LOADING Redis is loading the dataset in memory",
        )
        .not_sent();
        assert!(o.should_retry(&incr, &loading));
        assert!(!o.should_retry(&get, &Error::outcome_unknown(&reset)));
    }

    #[tokio::test]
    async fn run_stops_after_max_attempts() {
        let o = RetryOptions::default().backoff(Duration::from_millis(1), Duration::from_millis(2));
        let mut calls = 0;
        let get = Command::Get { key: "k".into() };
        let r: Result<()> = o
            .run(&get, || {
                calls += 1;
                async { Err(Error::new(ErrorKind::Timeout, "slow")) }
            })
            .await;
        assert!(r.is_err());
        assert_eq!(calls, 3);
    }
}
