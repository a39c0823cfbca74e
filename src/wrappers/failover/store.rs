//! [`Failover`]: a `Store` that serves from Redis while it is healthy and from a local store
//! while it is not, and hands the local writes back to Redis when it returns.
//!
//! # Routing
//!
//! | state        | reads     | writes                                   | publish |
//! |--------------|-----------|------------------------------------------|---------|
//! | `Healthy`    | primary   | primary (`Mirror`: then local as well)   | primary |
//! | `Degraded`   | local     | local, then journal, then acknowledge    | local   |
//! | `Recovering` | local     | local, then journal, then acknowledge    | local   |
//!
//! Every call to the primary goes through the circuit breaker and a timeout (the Redis
//! backend's own response timeout, or [`FailoverOptions::call_timeout`] for a primary that does
//! not bound its calls, see [`Probe::bounds_calls`](super::Probe::bounds_calls)).
//!
//! # The first call of an outage
//!
//! A lost connection (refused, reset or closed, or a connection attempt that timed out) opens
//! the breaker at once, without waiting for [`BreakerOptions::failure_threshold`] failures:
//! it is proof that the primary is not there, and the call that found out should not pay for
//! more evidence. What happens to that call (and to any call made while the state is not
//! `Healthy`) depends on what is known about it:
//!
//! | the call | served |
//! |---|---|
//! | a read | locally, at once |
//! | a write the error proves never reached the primary (the connection was never made: [`Error::is_not_sent`]) | locally and journaled, at once |
//! | an idempotent write (`SET`, `SADD`, `HSET`, `DEL`, ...) | locally and journaled, at once (replaying it again is harmless) |
//! | a write that is not idempotent and was sent (`INCR`, `RPUSH`, ...; the connection broke before the reply) | error [`ErrorKind::OutcomeUnknown`]: Redis may or may not have applied it |
//!
//! So a quiet database whose Redis died, or that starts while Redis is down, serves its
//! first call locally: its connection is gone, the next call's connection attempt is
//! refused, and a refused connection proves nothing was sent. A non-repeatable write in flight
//! at the moment of the crash is the only call that gets an error, and that error says the
//! outcome is unknown. A reply that times out on a live connection is *not* proof of an
//! outage (a slow command, a busy server): it is returned as `Timeout` (or `OutcomeUnknown`
//! for a non-repeatable write) and counted by the breaker, whose failure, rate and slow-call
//! rules decide when a hung server is down.
//!
//! # Partial failures: Redis is up but refuses
//!
//! A Redis that answers but refuses a command because of its state returns
//! [`ErrorKind::Refused`] (see `staunch-redis`). It is *not* an outage: the breaker does not
//! count it and the call is never served locally, because Redis still holds the data and a
//! local answer would be missing or stale (under `Divert` the local store holds only an
//! outage's writes; under `Mirror` it misses other processes' writes).
//!
//! | Redis says | reads | writes |
//! |---|---|---|
//! | `OOM` (`maxmemory` with `noeviction`) | served by Redis | refused: `Refused` error quoting `OOM` |
//! | `MISCONF` (cannot persist, `stop-writes-on-bgsave-error`) | served by Redis | refused: `Refused` |
//! | `READONLY` (a replica, e.g. after a demotion) | served by Redis | refused: `Refused` |
//! | `NOPERM` (the ACL user may not touch the key or run the command) | `Refused` for those keys | `Refused` for those keys |
//! | `LOADING` (loading its dataset after a restart) | retried with backoff, then `Refused` | retried with backoff, then `Refused` |
//! | `BUSY` (a script runs past `busy-reply-threshold`) | retried with backoff, then `Refused` | retried with backoff, then `Refused` |
//!
//! A refused write never ran, so nothing acknowledged is lost and repeating it later is safe
//! ([`Error::is_retryable`]). While degraded, a replay that meets a refusal stops with the
//! entries kept (see `replay.rs`).
//!
//! [`BreakerOptions::failure_threshold`]: super::BreakerOptions::failure_threshold

//! # Degraded writes
//!
//! With a file store as the local store and no separate journal, the store's log is the
//! journal: the write runs on the local store, which records what it did (in the form below)
//! as one journaled log record under its own lock, and the caller gets the reply once that
//! record is as durable as the store's fsync policy promises. One append, no stripe lock.
//!
//! Otherwise a degraded write runs on the local store first, then the journal records what it did
//! (resolved by `Command::resolve_effects`: a pop is recorded as the removal of the element it took, a
//! conditional write that did nothing is not recorded), then the caller gets the local reply.
//! Recording after the local run is deliberate: only then is it known what a pop took or
//! whether a condition held, and a write the local store rejected is never replayed. The local
//! run and the journal append for the same keys happen under a per-key stripe lock, so the
//! journal orders same-key writes as the local store applied them. A crash between the two
//! can leave a write in a file-backed local store that never reaches Redis; it was never
//! acknowledged, so either outcome is allowed (and under `Divert` the local store is cleared
//! after the next replay anyway). This differs from "journal first" on purpose: a journal-first
//! design would have to replay a pop as "pop whatever is first" and lose another node's job.
//!
//! # Blocking commands and batches
//!
//! - Healthy: a blocking command (`BLPOP`, `BZPOPMIN`, ...) runs on Redis with its own timeout
//!   plus [`FailoverOptions::call_timeout`]. Degraded: it waits on the local store in slices of
//!   [`FailoverOptions::blocking_slice`]; between slices it looks whether traffic went back
//!   to Redis and continues there with the time left. What it popped locally is journaled as a
//!   removal of that element.
//! - A batch goes to one backend as a whole. Degraded, its writes become *one* journal entry,
//!   so an atomic batch is replayed atomically too. Healthy, a batch whose commands are all
//!   idempotent is retried and diverted like an idempotent command; any other batch that
//!   failed ambiguously returns the error.
//!
//! # Pub/sub
//!
//! Messages are published to the active backend; subscriptions follow it and yield
//! `Gap(BackendSwitched)` when delivery moves (see `pubsub.rs`). Published messages are not
//! journaled: pub/sub is fire-and-forget in Redis too.

use staunch_core::Execute;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use parking_lot::Mutex;
use staunch_core::{
    Access, Call, Capabilities, Command, Error, ErrorKind, Execution, Name, Reply, Result, Store,
    Subscription, async_trait,
};
use tokio::sync::{Notify, watch};

use super::breaker::{BreakerState, CircuitBreaker, Transition};
use super::health::Probe;
use super::journal::Journal;
use super::options::{FailoverOptions, FailoverState, Policy, StateCallback, StateChange};
use super::retry::never_sent;
use super::route::RouteGate;
use super::stats::Stats;

const STRIPES: usize = 64;

/// Shared state of a `Failover` and its background tasks.
pub(crate) struct Core {
    pub(crate) primary: Arc<dyn Store>,
    pub(crate) probe: Arc<dyn Probe>,
    pub(crate) local: Arc<dyn Store>,
    pub(crate) journal: Arc<Journal>,
    pub(crate) breaker: CircuitBreaker,
    pub(crate) stats: Stats,
    pub(crate) options: FailoverOptions,
    state: AtomicU8,
    pub(crate) state_tx: watch::Sender<FailoverState>,
    /// Degraded calls hold a pass; switching traffic back to Redis closes it (see `route.rs`).
    pub(crate) route: RouteGate,
    stripes: Vec<tokio::sync::Mutex<()>>,
    pub(crate) wake: Notify,
    pub(crate) shutdown: Notify,
    degraded: Mutex<DegradedTime>,
    /// Why replay could not proceed, while that lasts (see `replay.rs`).
    replay_error: Mutex<Option<String>>,
    callback: Option<StateCallback>,
    /// Closes the owned file store, if any.
    pub(crate) closer: Option<Box<dyn Fn() -> BoxFuture<'static, Result<()>> + Send + Sync>>,
}

#[derive(Default)]
struct DegradedTime {
    since: Option<Instant>,
    total: Duration,
}

/// What a healthy-path attempt decided.
pub(crate) enum Routed<T> {
    Done(Result<T>),
    Local,
}

impl Core {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        primary: Arc<dyn Store>,
        probe: Arc<dyn Probe>,
        local: Arc<dyn Store>,
        journal: Arc<Journal>,
        options: FailoverOptions,
        callback: Option<StateCallback>,
        closer: Option<Box<dyn Fn() -> BoxFuture<'static, Result<()>> + Send + Sync>>,
    ) -> Core {
        // A journal left by an earlier process must drain before Redis serves again.
        let initial = if journal.is_empty() {
            FailoverState::Healthy
        } else {
            FailoverState::Recovering
        };
        let (state_tx, _) = watch::channel(initial);
        if initial != FailoverState::Healthy
            && let Err(e) = journal.begin()
        {
            tracing::error!(target: "staunch::failover", error = %e, "could not start journaling in the local store");
        }
        Core {
            primary,
            probe,
            local,
            journal,
            breaker: CircuitBreaker::new(options.breaker.clone()),
            stats: Stats::new(),
            state: AtomicU8::new(initial.as_u8()),
            state_tx,
            route: RouteGate::default(),
            stripes: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
            wake: Notify::new(),
            shutdown: Notify::new(),
            degraded: Mutex::new(DegradedTime {
                since: (initial != FailoverState::Healthy).then(Instant::now),
                total: Duration::ZERO,
            }),
            replay_error: Mutex::new(None),
            callback,
            closer,
            options,
        }
    }

    /// Records (or clears) why replay could not proceed.
    pub(crate) fn set_replay_error(&self, error: Option<String>) {
        *self.replay_error.lock() = error;
    }

    /// Why replay could not proceed, while that lasts.
    pub(crate) fn replay_error(&self) -> Option<String> {
        self.replay_error.lock().clone()
    }

    /// The outer time limit of a call to the primary: none when the primary bounds every
    /// call itself (the Redis backend's response timeout), which saves a timer per call.
    pub(crate) fn call_limit(&self) -> Option<Duration> {
        (!self.probe.bounds_calls()).then_some(self.options.call_timeout)
    }

    pub(crate) fn state(&self) -> FailoverState {
        FailoverState::from_u8(self.state.load(Ordering::Acquire))
    }

    /// Moves to `to` (from anything but `to`), announcing it. Returns whether it changed.
    pub(crate) fn set_state(&self, to: FailoverState, reason: &str) -> bool {
        // Journaling must be on before the first local write can see the new state.
        if to != FailoverState::Healthy
            && let Err(e) = self.journal.begin()
        {
            tracing::error!(target: "staunch::failover", error = %e, "could not start journaling in the local store");
        }
        let from = FailoverState::from_u8(self.state.swap(to.as_u8(), Ordering::AcqRel));
        if from == to {
            return false;
        }
        {
            let mut d = self.degraded.lock();
            match (from, to) {
                (FailoverState::Healthy, _) => {
                    d.since = Some(Instant::now());
                    self.stats.record_outage();
                }
                (_, FailoverState::Healthy) => {
                    if let Some(since) = d.since.take() {
                        d.total += since.elapsed();
                    }
                }
                _ => {}
            }
        }
        let change = StateChange {
            from,
            to,
            reason: reason.to_owned(),
            journal_len: self.journal.len(),
        };
        match to {
            FailoverState::Healthy => {
                tracing::info!(target: "staunch::failover", from = from.as_str(), to = to.as_str(), reason, "failover state change")
            }
            _ => {
                tracing::warn!(target: "staunch::failover", from = from.as_str(), to = to.as_str(), reason, journal_len = change.journal_len, "failover state change")
            }
        }
        crate::observe::record::failover_state(
            match to {
                FailoverState::Healthy => 0,
                FailoverState::Degraded => 1,
                _ => 2,
            },
            change.journal_len,
        );
        self.state_tx.send_replace(to);
        if let Some(cb) = &self.callback {
            cb(&change);
        }
        self.wake.notify_one();
        true
    }

    /// Time spent not healthy: (current stretch, total including it).
    pub(crate) fn degraded_time(&self) -> (Option<Duration>, Duration) {
        let d = self.degraded.lock();
        let current = d.since.map(|s| s.elapsed());
        (current, d.total + current.unwrap_or_default())
    }

    /// Reacts to a breaker transition caused anywhere.
    pub(crate) fn on_transition(&self, t: Option<Transition>) {
        if let Some(t) = t
            && t.to == BreakerState::Open
        {
            self.stats.record_trip();
            self.set_state(FailoverState::Degraded, "circuit breaker opened");
        }
    }

    /// One call to the primary through the breaker and the timeout. A lost connection (see
    /// [`lost_connection`]) opens the breaker at once: the primary is not there, and the next
    /// call (this one included, when that is safe) should not wait for more evidence.
    pub(crate) async fn call_primary<T, F>(&self, timeout: Option<Duration>, fut: F) -> Result<T>
    where
        F: Future<Output = Result<T>>,
    {
        let permit = match self.breaker.try_acquire() {
            Ok(permit) => permit,
            Err(refused) => {
                // Opened by hand (`force_open`) or by a probe: traffic follows the breaker.
                if self.state() == FailoverState::Healthy {
                    self.set_state(FailoverState::Degraded, "circuit breaker is open");
                }
                return Err(refused.not_sent());
            }
        };
        let started = permit.started();
        let result = match timeout {
            Some(limit) => match tokio::time::timeout(limit, fut).await {
                Ok(r) => r,
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!("the primary did not answer within {limit:?}"),
                )),
            },
            None => fut.await,
        };
        let outage = matches!(&result, Err(e) if e.is_outage());
        self.stats.record(!outage, started.elapsed());
        let t = self.breaker.record(permit, &result);
        self.on_transition(t);
        if let Err(e) = &result
            && lost_connection(e)
            && self.breaker.state() != BreakerState::Open
        {
            let t = self.breaker.force_open();
            if t.is_some() {
                self.stats.record_trip();
            }
            self.set_state(
                FailoverState::Degraded,
                "lost the connection to the primary",
            );
        }
        result
    }

    /// Tries the primary while healthy; `Local` when the call should be served locally.
    ///
    /// - An outage error of a call that is safe to serve locally (a read, an idempotent
    ///   write, or any command the error proves never reached the primary) goes local as soon
    ///   as the state is no longer healthy, which a lost connection makes it at once
    ///   ([`Core::call_primary`]). So the first call of an outage is served locally, not
    ///   failed after retries.
    /// - The same error of a write that is not safe to repeat and may have reached the
    ///   primary becomes [`ErrorKind::OutcomeUnknown`].
    /// - A refusal of the server's present state that is known to pass (`LOADING`, `BUSY`)
    ///   is retried with backoff ([`super::RetryOptions`]) and then returned; other refusals
    ///   (`OOM`, `READONLY`, `MISCONF`, `NOPERM`) are returned at once. The primary is up and
    ///   holds the data, so neither is served locally.
    pub(crate) async fn via_primary<T, F, Fut>(
        &self,
        safe: bool,
        timeout: Option<Duration>,
        op: F,
    ) -> Routed<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let retry = &self.options.retry;
        let mut attempt = 1;
        loop {
            if self.state() != FailoverState::Healthy {
                return Routed::Local;
            }
            match self.call_primary(timeout, op()).await {
                Err(e) if e.is_outage() => {
                    let local_ok = safe || e.is_not_sent() || never_sent(&e);
                    if !local_ok {
                        return Routed::Done(Err(Error::outcome_unknown(&e)));
                    }
                    if self.state() != FailoverState::Healthy {
                        return Routed::Local;
                    }
                    // A timeout already cost a full wait: never add another one on top, so
                    // no call waits much longer than one timeout.
                    if attempt >= retry.max_attempts || e.kind() == ErrorKind::Timeout {
                        return Routed::Done(Err(e));
                    }
                    self.backoff(attempt).await;
                    attempt += 1;
                }
                Err(e) if transient_refusal(&e) && attempt < retry.max_attempts => {
                    self.backoff(attempt).await;
                    attempt += 1;
                }
                other => return Routed::Done(other),
            }
        }
    }

    /// Waits before retry number `attempt`, or until the state changes.
    async fn backoff(&self, attempt: u32) {
        let mut changed = self.state_tx.subscribe();
        tokio::select! {
            _ = tokio::time::sleep(self.options.retry.backoff_for(attempt)) => {}
            _ = changed.changed() => {}
        }
    }

    pub(crate) fn fail_fast(&self) -> Error {
        Error::new(
            ErrorKind::Unavailable,
            "the primary is down and the failover policy is FailFast",
        )
    }

    /// Locks the stripes of every key the commands touch (all of them for keyless writes).
    pub(crate) async fn lock_keys(
        &self,
        commands: &[Command],
    ) -> Vec<tokio::sync::MutexGuard<'_, ()>> {
        let mut idx: Vec<usize> = Vec::new();
        for c in commands.iter().filter(|c| c.is_write()) {
            let keys = c.keys();
            if keys.is_empty() || c.derives_keys() {
                idx = (0..STRIPES).collect();
                break;
            }
            idx.extend(keys.iter().map(|k| stripe(k)));
        }
        idx.sort_unstable();
        idx.dedup();
        let mut guards = Vec::with_capacity(idx.len());
        for i in idx {
            guards.push(self.stripes[i].lock().await);
        }
        guards
    }

    /// One degraded write when the local store's log is the journal: the store journals the
    /// write itself, in its one log record, ordered by its own lock, so there is no stripe
    /// lock, no second append and no copy of the command. Hands the command back when traffic
    /// went back to the primary meanwhile.
    async fn store_log_write(
        &self,
        command: Command,
    ) -> std::result::Result<Result<Reply>, Command> {
        let route = self.route.enter().await;
        if self.state() == FailoverState::Healthy {
            return Err(command);
        }
        let reply = self.local.execute(command).await;
        drop(route);
        self.stats.record_local();
        if reply.is_ok() {
            self.stats.record_journaled();
        }
        Ok(reply)
    }

    /// [`Core::local_writes`] for one command, the hot path of a degraded store: one clone of
    /// the command, one stripe lock, no vectors around it.
    async fn local_write(&self, command: &Command) -> Option<Result<Reply>> {
        let keys = command.keys();
        if keys.len() != 1 || command.derives_keys() {
            let r = self.local_writes(vec![command.clone()], None).await?;
            return Some(r.and_then(|mut v| {
                v.pop().unwrap_or_else(|| {
                    Err(Error::new(ErrorKind::Internal, "no reply from local store"))
                })
            }));
        }
        let route = self.route.enter().await;
        if self.state() == FailoverState::Healthy {
            return None;
        }
        let now = self.options.clock.now_ms();
        let command = command.with_absolute_expiry(now);
        let stripe = self.stripes[stripe(keys[0])].lock().await;
        let reply = self.local.execute(command.clone()).await;
        self.stats.record_local();
        let resolved = command.resolve_effects(&reply);
        let ticket = if resolved.is_empty() {
            None
        } else {
            match self.journal.append(now, resolved) {
                Ok(t) => Some(t),
                Err(e) => return Some(Err(e)),
            }
        };
        drop(stripe);
        drop(route);
        if let Some((_, offset)) = ticket {
            self.stats.record_journaled();
            if let Err(e) = self.journal.sync_to(offset).await {
                return Some(Err(e));
            }
        }
        Some(reply)
    }

    /// Runs commands on the local store and journals what the writes did. `None` when traffic
    /// went back to the primary meanwhile (the caller starts over).
    async fn local_writes(
        &self,
        commands: Vec<Command>,
        batch: Option<bool>,
    ) -> Option<Result<Vec<Result<Reply>>>> {
        let route = self.route.enter().await;
        if self.state() == FailoverState::Healthy {
            return None;
        }
        if self.journal.is_store_log() {
            let results = match self.run_locally(commands, batch).await {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            };
            drop(route);
            self.stats.record_local();
            self.stats.record_journaled();
            return Some(Ok(results));
        }
        let now = self.options.clock.now_ms();
        let commands: Vec<Command> = commands
            .iter()
            .map(|c| c.with_absolute_expiry(now))
            .collect();
        let stripes = self.lock_keys(&commands).await;
        let results = match self.run_locally(commands.clone(), batch).await {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        self.stats.record_local();
        let resolved: Vec<Command> = commands
            .into_iter()
            .zip(&results)
            .flat_map(|(c, r)| c.resolve_effects(r))
            .collect();
        let ticket = if resolved.is_empty() {
            None
        } else {
            match self.journal.append(now, resolved) {
                Ok(t) => Some(t),
                Err(e) => return Some(Err(e)),
            }
        };
        drop(stripes);
        drop(route);
        if let Some((_, offset)) = ticket {
            self.stats.record_journaled();
            if let Err(e) = self.journal.sync_to(offset).await {
                return Some(Err(e));
            }
        }
        Some(Ok(results))
    }

    /// Runs `commands` on the local store: one by one (`batch: None`) or as one batch.
    async fn run_locally(
        &self,
        commands: Vec<Command>,
        batch: Option<bool>,
    ) -> Result<Vec<Result<Reply>>> {
        match batch {
            None => {
                let mut results = Vec::with_capacity(commands.len());
                for c in commands {
                    results.push(self.local.execute(c).await);
                }
                Ok(results)
            }
            Some(atomic) => self.local.batch(commands, atomic).await,
        }
    }

    /// `Mirror`: copies what a write did on the primary into the local store (best effort).
    pub(crate) async fn mirror(&self, commands: Vec<Command>, results: &[Result<Reply>]) {
        if self.options.policy != Policy::Mirror {
            return;
        }
        let now = self.options.clock.now_ms();
        let resolved: Vec<Command> = commands
            .into_iter()
            .zip(results)
            .flat_map(|(c, r)| c.with_absolute_expiry(now).resolve_effects(r))
            .collect();
        if resolved.is_empty() {
            return;
        }
        if let Err(e) = self.local.batch(resolved, true).await {
            tracing::warn!(target: "staunch::failover", error = %e, "mirroring a write to the local store failed");
        }
    }

    /// [`Core::via_primary`] for one call, decided without a future while traffic is local.
    ///
    /// The healthy path is boxed on purpose: its state (timeouts, retries, backoff) is most of
    /// a call's future, and `async_trait` moves every call's whole future into a fresh box.
    /// Kept out of line it costs one allocation next to a network round trip, and the
    /// degraded path, which runs at local speed, stops paying for a kilobyte it never uses.
    async fn try_primary<T, F, Fut>(&self, safe: bool, op: F) -> Routed<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        if self.state() != FailoverState::Healthy {
            return Routed::Local;
        }
        Box::pin(self.via_primary(safe, self.call_limit(), op)).await
    }

    pub(crate) async fn execute(&self, mut command: Command) -> Result<Reply> {
        self.check_slots(std::slice::from_ref(&command), false)?;
        match command.access() {
            // Boxed: the blocking state machine is large and rare; inlining it would make
            // every call's future (moved into a box by `async_trait`) that much bigger.
            Access::Blocking => return Box::pin(self.blocking(command)).await,
            Access::Read => {
                let routed = self
                    .try_primary(true, || self.primary.execute(command.clone()))
                    .await;
                return match routed {
                    Routed::Done(r) => r,
                    Routed::Local if self.options.policy == Policy::FailFast => {
                        Err(self.fail_fast())
                    }
                    Routed::Local => {
                        self.stats.record_local();
                        self.local.execute(command).await
                    }
                };
            }
            Access::Write | Access::Admin | Access::Publish => {}
        }
        let publish = command.access() == Access::Publish;
        loop {
            let safe = command.is_idempotent();
            match self
                .try_primary(safe, || self.primary.execute(command.clone()))
                .await
            {
                Routed::Done(r) => {
                    if r.is_ok() && !publish && self.options.policy == Policy::Mirror {
                        Box::pin(self.mirror(vec![command], std::slice::from_ref(&r))).await;
                    }
                    return r;
                }
                Routed::Local if self.options.policy == Policy::FailFast => {
                    return Err(self.fail_fast());
                }
                Routed::Local if publish => {
                    self.stats.record_local();
                    return self.local.execute(command).await;
                }
                Routed::Local if self.journal.is_store_log() => {
                    match self.store_log_write(command).await {
                        Ok(r) => return r,
                        Err(back) => command = back,
                    }
                }
                Routed::Local => {
                    if let Some(r) = Box::pin(self.local_write(&command)).await {
                        return r;
                    }
                }
            }
        }
    }

    pub(crate) async fn batch(
        &self,
        commands: Vec<Command>,
        atomic: bool,
    ) -> Result<Vec<Result<Reply>>> {
        if atomic {
            self.check_slots(&commands, true)?;
        }
        let safe = commands.iter().all(Command::is_idempotent);
        let writes = commands.iter().any(Command::is_write);
        loop {
            let timeout = self.call_limit();
            let routed = self
                .via_primary(safe, timeout, || {
                    self.primary.batch(commands.clone(), atomic)
                })
                .await;
            match routed {
                Routed::Done(r) => {
                    if let Ok(results) = &r
                        && writes
                        && self.options.policy == Policy::Mirror
                    {
                        Box::pin(self.mirror(commands, results)).await;
                    }
                    return r;
                }
                Routed::Local if self.options.policy == Policy::FailFast => {
                    return Err(self.fail_fast());
                }
                Routed::Local if !writes => {
                    self.stats.record_local();
                    return self.local.batch(commands, atomic).await;
                }
                Routed::Local => {
                    let local = Box::pin(self.local_writes(commands.clone(), Some(atomic)));
                    if let Some(r) = local.await {
                        return r;
                    }
                }
            }
        }
    }

    pub(crate) async fn subscribe(
        self: &Arc<Self>,
        channels: Vec<Name>,
        patterns: Vec<Name>,
    ) -> Result<Subscription> {
        super::pubsub::subscribe(self.clone(), channels, patterns).await
    }

    pub(crate) fn capabilities(&self) -> Capabilities {
        let mut caps = self.primary.capabilities();
        let local = self.local.capabilities();
        caps.blocking = caps.blocking && local.blocking;
        caps.transactions = caps.transactions && local.transactions;
        caps
    }
}

/// True when `error` says the connection to the primary is gone (refused, reset, closed, or
/// the connection attempt timed out), as opposed to a slow reply or a refusal of the server's
/// state. One such error is evidence enough of an outage: see [`Core::call_primary`].
pub(crate) fn lost_connection(error: &Error) -> bool {
    match error.kind() {
        ErrorKind::Unavailable => true,
        ErrorKind::Timeout => error.is_not_sent(),
        _ => false,
    }
}

/// True for refusals that pass by themselves within seconds (`LOADING`, `BUSY`), worth a
/// retry with backoff.
fn transient_refusal(error: &Error) -> bool {
    if error.kind() != ErrorKind::Refused {
        return false;
    }
    let m = error.message();
    m.starts_with("LOADING") || m.starts_with("BUSY")
}

fn stripe(key: &[u8]) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    (h.finish() % STRIPES as u64) as usize
}

/// A `Store` over a primary (Redis) and a local store. Build it with
/// [`Failover::builder`](super::Failover::builder); see the [module docs](super) for the rules.
/// Cheap to clone; the background monitor stops when the last clone is dropped or
/// [`Failover::close`] is called.
#[derive(Clone)]
pub struct Failover {
    pub(crate) core: Arc<Core>,
    pub(crate) guard: Arc<super::health::MonitorGuard>,
}

impl std::fmt::Debug for Failover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Failover")
            .field("state", &self.core.state())
            .field("policy", &self.core.options.policy)
            .field("journal", &self.core.journal)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Store for Failover {
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        Execution::pending(self.core.execute(call.into_owned()))
    }

    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        self.core.batch(commands, atomic).await
    }

    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription> {
        self.core.subscribe(channels, patterns).await
    }

    fn capabilities(&self) -> Capabilities {
        self.core.capabilities()
    }
}
