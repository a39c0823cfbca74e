//! A circuit breaker: stop calling a backend that is not there, and find out when it is back.
//!
//! Calling a dead Redis costs every caller a connection attempt or, worse, a full response
//! timeout. After enough evidence that Redis is gone, the breaker *opens*: calls are refused at
//! once (and `Failover` serves them locally) instead of each paying the timeout. After
//! [`BreakerOptions::open_timeout`] it lets a few probe calls through (*half-open*); when
//! [`BreakerOptions::success_threshold`] of them succeed it *closes* again, and a single failure
//! sends it back to open for another timeout.
//!
//! ```text
//!            failures/slow calls over a threshold            open_timeout elapsed
//!   Closed ───────────────────────────────────────▶ Open ─────────────────────────▶ HalfOpen
//!     ▲                                               ▲                                │
//!     │            success_threshold successes        │        any failure             │
//!     └───────────────────────────────────────────────┼────────────────────────────────┘
//!                                                     └────────────────────────────────┘
//! ```
//!
//! # What opens it
//!
//! - **Consecutive failures**: [`BreakerOptions::failure_threshold`] outage errors in a row
//!   (5 by default, from the async Redis manager). This is what trips on a killed server: refused connections
//!   fail fast and in a row.
//! - **Failure rate**: over the last [`BreakerOptions::window_size`] calls, once at least
//!   [`BreakerOptions::minimum_calls`] were made, a failure share of at least
//!   [`BreakerOptions::failure_rate_threshold`]. This trips on a flapping server whose failures
//!   are interleaved with successes, which never makes a long run of consecutive failures.
//! - **Slow calls**: a success slower than [`BreakerOptions::slow_call_duration`] counts as
//!   slow; a slow share of at least [`BreakerOptions::slow_call_rate_threshold`] over the same
//!   window opens the breaker. A server that answers in 4 s out of a 5 s timeout is not down,
//!   but it is not serving either.
//!
//! # What counts as a failure
//!
//! Only errors for which [`Error::is_outage`] is true (unreachable, reset, timeout). A
//! `WrongType` or bad input is Redis answering correctly about the caller's data, and a
//! refusal of its state (`OOM`, `READONLY`, `LOADING`, `NOPERM`: [`ErrorKind::Refused`]) is
//! Redis answering too: both are recorded as successes, so a buggy caller or a full Redis can
//! never make a Redis that still serves reads look dead.
//!
//! A `Failover` also opens its breaker at once, through [`CircuitBreaker::force_open`], when a
//! call finds the connection gone (see the failover routing docs): a refused connection needs
//! no second opinion.
//!
//! # Time
//!
//! The breaker reads `tokio::time::Instant`, so tests drive it with `tokio::time::pause()`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use staunch_core::{Error, ErrorKind, Result};
use tokio::time::Instant;

/// The breaker's settings. Defaults follow the async Redis manager: 5 failures open it, 60 s until a probe,
/// 2 successes close it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BreakerOptions {
    /// Consecutive outage errors that open the breaker (default 5).
    pub failure_threshold: u32,
    /// How long the breaker stays open before admitting probes (default 60 s).
    pub open_timeout: Duration,
    /// Successful probes in half-open that close it (default 2).
    pub success_threshold: u32,
    /// How many probe calls half-open admits at once (default 2).
    pub half_open_max_calls: u32,
    /// How many recent calls the rate rules look at (default 20).
    pub window_size: u32,
    /// The rate rules apply only once the window holds this many calls (default 10).
    pub minimum_calls: u32,
    /// Failure share over the window that opens the breaker (default 0.5).
    pub failure_rate_threshold: f64,
    /// A successful call slower than this counts as slow (default 2 s).
    pub slow_call_duration: Duration,
    /// Slow share over the window that opens the breaker (default 0.8).
    pub slow_call_rate_threshold: f64,
}

impl Default for BreakerOptions {
    fn default() -> Self {
        BreakerOptions {
            failure_threshold: 5,
            open_timeout: Duration::from_secs(60),
            success_threshold: 2,
            half_open_max_calls: 2,
            window_size: 20,
            minimum_calls: 10,
            failure_rate_threshold: 0.5,
            slow_call_duration: Duration::from_secs(2),
            slow_call_rate_threshold: 0.8,
        }
    }
}

impl BreakerOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets [`BreakerOptions::failure_threshold`].
    pub fn failure_threshold(mut self, n: u32) -> Self {
        self.failure_threshold = n.max(1);
        self
    }
    /// Sets [`BreakerOptions::open_timeout`].
    pub fn open_timeout(mut self, timeout: Duration) -> Self {
        self.open_timeout = timeout;
        self
    }
    /// Sets [`BreakerOptions::success_threshold`].
    pub fn success_threshold(mut self, n: u32) -> Self {
        self.success_threshold = n.max(1);
        self
    }
    /// Sets [`BreakerOptions::half_open_max_calls`].
    pub fn half_open_max_calls(mut self, n: u32) -> Self {
        self.half_open_max_calls = n.max(1);
        self
    }
    /// Sets the sliding window: its size, the calls needed before the rate rules apply, and
    /// the failure share that opens the breaker.
    pub fn failure_rate(mut self, window_size: u32, minimum_calls: u32, threshold: f64) -> Self {
        self.window_size = window_size.max(1);
        self.minimum_calls = minimum_calls.max(1);
        self.failure_rate_threshold = threshold;
        self
    }
    /// Sets the slow-call rule: the duration that makes a call slow and the share that opens.
    pub fn slow_calls(mut self, duration: Duration, threshold: f64) -> Self {
        self.slow_call_duration = duration;
        self.slow_call_rate_threshold = threshold;
        self
    }
}

/// Where the breaker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BreakerState {
    /// Calls pass.
    Closed,
    /// Calls are refused until the open timeout passes.
    Open,
    /// A limited number of probe calls pass.
    HalfOpen,
}

impl BreakerState {
    /// `closed`, `open` or `half_open`.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// How a call ended, as the breaker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Slow,
    Failure,
}

#[derive(Debug)]
struct State {
    state: BreakerState,
    consecutive_failures: u32,
    window: VecDeque<Outcome>,
    opened_at: Option<Instant>,
    half_open_in_flight: u32,
    half_open_successes: u32,
    /// Bumped on every transition, so a permit from an older period is ignored.
    epoch: u64,
}

#[derive(Debug)]
struct Shared {
    options: BreakerOptions,
    state: Mutex<State>,
    trips: AtomicU64,
}

/// A circuit breaker. Cheap to clone: clones share the state. See the module docs.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    shared: Arc<Shared>,
}

/// Permission to make one call, from [`CircuitBreaker::try_acquire`]. Report how it ended with
/// [`CircuitBreaker::record`]; a permit dropped without a record frees its half-open slot.
#[derive(Debug)]
pub struct Permit {
    shared: Arc<Shared>,
    epoch: u64,
    probe: bool,
    started: Instant,
    done: bool,
}

impl Permit {
    /// When the call started (for latency).
    pub fn started(&self) -> Instant {
        self.started
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.done && self.probe {
            let mut s = self.shared.state.lock();
            if s.epoch == self.epoch {
                s.half_open_in_flight = s.half_open_in_flight.saturating_sub(1);
            }
        }
    }
}

/// A state change, returned by the calls that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state before.
    pub from: BreakerState,
    /// The state after.
    pub to: BreakerState,
}

impl CircuitBreaker {
    /// A closed breaker with `options`.
    pub fn new(options: BreakerOptions) -> Self {
        CircuitBreaker {
            shared: Arc::new(Shared {
                options,
                state: Mutex::new(State {
                    state: BreakerState::Closed,
                    consecutive_failures: 0,
                    window: VecDeque::new(),
                    opened_at: None,
                    half_open_in_flight: 0,
                    half_open_successes: 0,
                    epoch: 0,
                }),
                trips: AtomicU64::new(0),
            }),
        }
    }

    /// The options in use.
    pub fn options(&self) -> &BreakerOptions {
        &self.shared.options
    }

    /// The current state. An open breaker whose timeout passed reports `HalfOpen`.
    pub fn state(&self) -> BreakerState {
        let mut s = self.shared.state.lock();
        self.advance(&mut s);
        s.state
    }

    /// How many times the breaker opened since it was made.
    pub fn trips(&self) -> u64 {
        self.shared.trips.load(Ordering::Relaxed)
    }

    /// When the breaker last opened, while it is not closed.
    pub fn opened_at(&self) -> Option<Instant> {
        self.shared.state.lock().opened_at
    }

    /// Asks to make a call: `Ok` with a permit when closed (or a free probe slot in half-open),
    /// otherwise an `Unavailable` error saying the circuit is open.
    pub fn try_acquire(&self) -> Result<Permit> {
        let mut s = self.shared.state.lock();
        self.advance(&mut s);
        let probe = match s.state {
            BreakerState::Closed => false,
            BreakerState::HalfOpen
                if s.half_open_in_flight < self.shared.options.half_open_max_calls =>
            {
                s.half_open_in_flight += 1;
                true
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::Unavailable,
                    "circuit breaker is open: the backend is considered down",
                ));
            }
        };
        Ok(Permit {
            shared: self.shared.clone(),
            epoch: s.epoch,
            probe,
            started: Instant::now(),
            done: false,
        })
    }

    /// Records how the call of `permit` ended and returns the transition it caused, if any.
    /// Only outage errors ([`Error::is_outage`]) count as failures.
    pub fn record<T>(&self, mut permit: Permit, result: &Result<T>) -> Option<Transition> {
        permit.done = true;
        let elapsed = permit.started.elapsed();
        let outcome = match result {
            Err(e) if e.is_outage() => Outcome::Failure,
            _ if elapsed >= self.shared.options.slow_call_duration => Outcome::Slow,
            _ => Outcome::Success,
        };
        let mut s = self.shared.state.lock();
        if s.epoch != permit.epoch {
            // The breaker moved on since this call started; its outcome is stale.
            return None;
        }
        if permit.probe {
            s.half_open_in_flight = s.half_open_in_flight.saturating_sub(1);
        }
        self.apply(&mut s, outcome)
    }

    /// Records a failure that happened without a permit (a probe made elsewhere).
    pub fn record_failure(&self) -> Option<Transition> {
        let mut s = self.shared.state.lock();
        self.advance(&mut s);
        self.apply(&mut s, Outcome::Failure)
    }

    /// Opens the breaker now (an operator's decision, or a test's).
    pub fn force_open(&self) -> Option<Transition> {
        let mut s = self.shared.state.lock();
        self.advance(&mut s);
        self.transition(&mut s, BreakerState::Open)
    }

    /// Closes the breaker now and forgets the history.
    pub fn reset(&self) -> Option<Transition> {
        let mut s = self.shared.state.lock();
        self.transition(&mut s, BreakerState::Closed)
    }

    fn apply(&self, s: &mut State, outcome: Outcome) -> Option<Transition> {
        let o = &self.shared.options;
        match s.state {
            BreakerState::Open => None,
            BreakerState::HalfOpen => match outcome {
                Outcome::Failure => self.transition(s, BreakerState::Open),
                _ => {
                    s.half_open_successes += 1;
                    if s.half_open_successes >= o.success_threshold {
                        self.transition(s, BreakerState::Closed)
                    } else {
                        None
                    }
                }
            },
            BreakerState::Closed => {
                s.window.push_back(outcome);
                while s.window.len() > o.window_size as usize {
                    s.window.pop_front();
                }
                if outcome == Outcome::Failure {
                    s.consecutive_failures += 1;
                } else {
                    s.consecutive_failures = 0;
                }
                if s.consecutive_failures >= o.failure_threshold || self.rate_exceeded(s) {
                    self.transition(s, BreakerState::Open)
                } else {
                    None
                }
            }
        }
    }

    fn rate_exceeded(&self, s: &State) -> bool {
        let o = &self.shared.options;
        let calls = s.window.len();
        if calls == 0 || calls < o.minimum_calls as usize {
            return false;
        }
        let share =
            |kind: Outcome| s.window.iter().filter(|&&x| x == kind).count() as f64 / calls as f64;
        share(Outcome::Failure) >= o.failure_rate_threshold
            || share(Outcome::Slow) >= o.slow_call_rate_threshold
    }

    /// Moves an open breaker whose timeout passed to half-open.
    fn advance(&self, s: &mut State) {
        if s.state == BreakerState::Open
            && s.opened_at
                .is_some_and(|at| at.elapsed() >= self.shared.options.open_timeout)
        {
            self.transition(s, BreakerState::HalfOpen);
        }
    }

    fn transition(&self, s: &mut State, to: BreakerState) -> Option<Transition> {
        let from = s.state;
        if from == to {
            return None;
        }
        s.state = to;
        s.epoch += 1;
        s.half_open_in_flight = 0;
        s.half_open_successes = 0;
        match to {
            BreakerState::Open => {
                s.opened_at = Some(Instant::now());
                self.shared.trips.fetch_add(1, Ordering::Relaxed);
            }
            BreakerState::Closed => {
                s.opened_at = None;
                s.consecutive_failures = 0;
                s.window.clear();
            }
            BreakerState::HalfOpen => {}
        }
        tracing::info!(target: "staunch::breaker", from = from.as_str(), to = to.as_str(), "circuit breaker state change");
        Some(Transition { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real time, kept short: an open timeout of 50 ms.
    fn quick() -> BreakerOptions {
        BreakerOptions::default().open_timeout(Duration::from_millis(50))
    }

    fn outage() -> Result<()> {
        Err(Error::new(ErrorKind::Unavailable, "down"))
    }

    fn call(b: &CircuitBreaker, r: Result<()>) -> Option<Transition> {
        match b.try_acquire() {
            Ok(p) => b.record(p, &r),
            Err(_) => None,
        }
    }

    #[tokio::test]
    async fn opens_after_consecutive_failures_and_closes_after_probes() {
        let b = CircuitBreaker::new(quick());
        for _ in 0..4 {
            assert!(call(&b, outage()).is_none());
        }
        assert_eq!(b.state(), BreakerState::Closed);
        call(&b, outage());
        assert_eq!(b.state(), BreakerState::Open);
        assert!(b.try_acquire().is_err());
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(b.state(), BreakerState::HalfOpen);
        let p1 = b.try_acquire();
        let p2 = b.try_acquire();
        assert!(p1.is_ok() && p2.is_ok());
        assert!(b.try_acquire().is_err(), "only two probes at once");
        if let (Ok(p1), Ok(p2)) = (p1, p2) {
            b.record(p1, &Ok::<(), Error>(()));
            assert_eq!(b.state(), BreakerState::HalfOpen);
            b.record(p2, &Ok::<(), Error>(()));
        }
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.trips(), 1);
    }

    #[tokio::test]
    async fn data_errors_never_count() {
        let b = CircuitBreaker::new(quick());
        for _ in 0..50 {
            call(&b, Err(Error::wrong_type()));
        }
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[tokio::test]
    async fn half_open_failure_reopens() {
        let b = CircuitBreaker::new(quick().failure_threshold(1));
        call(&b, outage());
        tokio::time::sleep(Duration::from_millis(60)).await;
        call(&b, outage());
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.trips(), 2);
    }

    #[tokio::test]
    async fn failure_rate_opens_without_a_run() {
        let b = CircuitBreaker::new(quick().failure_rate(10, 10, 0.5));
        for i in 0..10 {
            call(&b, if i % 2 == 0 { outage() } else { Ok(()) });
        }
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[tokio::test]
    async fn slow_calls_open() {
        let b = CircuitBreaker::new(
            quick()
                .failure_rate(4, 4, 0.5)
                .slow_calls(Duration::from_millis(10), 0.75),
        );
        for _ in 0..4 {
            let Ok(p) = b.try_acquire() else { break };
            tokio::time::sleep(Duration::from_millis(15)).await;
            b.record(p, &Ok::<(), Error>(()));
        }
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[tokio::test]
    async fn dropped_probe_frees_its_slot() {
        let b = CircuitBreaker::new(quick().failure_threshold(1).half_open_max_calls(1));
        call(&b, outage());
        tokio::time::sleep(Duration::from_millis(60)).await;
        drop(b.try_acquire());
        assert!(b.try_acquire().is_ok());
    }
}
