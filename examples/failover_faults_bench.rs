//! Call latency of a `Failover` while the network between it and Redis misbehaves, one fault
//! at a time, for the `Divert` and the `Mirror` policy.
//!
//! A `redis-server` this program starts sits behind the loopback fault proxy of the tests
//! (`tests/failover_support/proxy.rs`, compiled in here with `#[path]` so there is one copy).
//! Eight callers send a steady, paced mix of `GET` and `SET` (half each, over 1000 keys
//! written before; each caller starts a call every 2 ms unless the previous one is still
//! running, so 4000 calls/s are offered whatever serves them) through a fresh `Failover` per
//! policy; each fault is applied for a few seconds,
//! then lifted, and the program waits until the store is `Healthy` with its journal drained
//! before the next one. Per fault it prints:
//!
//! - calls made during the fault, errors by kind, and `GET`s that found nothing (every key
//!   exists in Redis, so a miss is a read served by a local store that lacks it);
//! - p50, p99, p99.9 and max latency of those calls;
//! - where they were served: by Redis, or locally (the `Failover`'s `served_locally`
//!   counter over the fault; Redis = successful calls minus local ones);
//! - how long the store took to be `Healthy` again once the fault was lifted.
//!
//! The whole sequence runs `FAULT_BENCH_RUNS` times (default 3) and ends with min, median and
//! max over the runs of each p99 and each max. Once the breaker has opened most calls of a
//! fault are local and fast, so the calls that paid for the fault (a response timeout each)
//! show in p99.9 and max rather than in p99. `FAULT_BENCH_SECS` (default 3) is the length of each fault.
//!
//! ```text
//! cargo run --release --example failover_faults_bench --features redis
//! ```
//!
//! Needs `redis-server` on `PATH` (or `STAUNCH_REDIS_SERVER_BIN`). Figures are printed, never
//! asserted: they depend on the machine, whose load average is printed at start and end.

#[cfg(feature = "redis")]
#[path = "../tests/failover_support/proxy.rs"]
mod proxy;

#[cfg(feature = "redis")]
mod bench {
    use std::collections::BTreeMap;
    use std::time::{Duration, Instant};

    use staunch::failover::{
        BreakerOptions, Failover, FailoverOptions, FailoverState, Policy, RetryOptions,
    };
    use staunch::prelude::*;
    use staunch::redis::{RedisOptions, RedisStore};
    use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions};

    use crate::proxy::{Fault, FaultProxy};

    type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

    /// The Redis backend's response and connect timeout: what a call waits at most for Redis.
    const TIMEOUT: Duration = Duration::from_millis(250);
    const CALLERS: usize = 8;
    /// Each caller starts a call this often (if the previous one has finished).
    const PERIOD: Duration = Duration::from_millis(2);
    const KEYS: usize = 1000;

    /// The faults, in order, with the name printed for each. `None` first: the baseline.
    fn faults() -> Vec<(&'static str, Fault)> {
        vec![
            ("none (baseline)", Fault::None),
            (
                "latency 20 ms/chunk",
                Fault::Latency(Duration::from_millis(20)),
            ),
            ("black hole", Fault::BlackHole),
            ("reset", Fault::Reset),
            ("stall mid-reply", Fault::StallMidReply),
            ("drop after 512 B", Fault::DropAfter(512)),
        ]
    }

    fn env_or(name: &str, default: u64) -> u64 {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    /// Breaker defaults except a 1 s open timeout (the 60 s default would make the wait for
    /// recovery between faults dominate the run); retry defaults.
    fn options(policy: Policy) -> FailoverOptions {
        FailoverOptions::new()
            .policy(policy)
            .breaker(BreakerOptions::new().open_timeout(Duration::from_secs(1)))
            .retry(RetryOptions::default())
            .probe_intervals(Duration::from_secs(1), Duration::from_millis(100))
            .call_timeout(TIMEOUT)
    }

    async fn open(url: &str, policy: Policy) -> Res<Failover> {
        let redis = RedisStore::lazy(
            RedisOptions::new(url)
                .response_timeout(TIMEOUT)
                .connect_timeout(TIMEOUT),
        )?;
        Ok(Failover::redis(redis)
            .local_memory()
            .options(options(policy))
            .open()
            .await?)
    }

    /// What one caller saw.
    #[derive(Default)]
    struct Seen {
        latencies: Vec<Duration>,
        errors: BTreeMap<String, u64>,
        ok: u64,
        misses: u64,
    }

    impl Seen {
        fn merge(&mut self, other: Seen) {
            self.latencies.extend(other.latencies);
            for (kind, n) in other.errors {
                *self.errors.entry(kind).or_default() += n;
            }
            self.ok += other.ok;
            self.misses += other.misses;
        }
    }

    /// One caller: alternating `SET` and `GET` on its own stride of the keys until `until`.
    async fn caller(store: Failover, id: usize, until: Instant) -> Seen {
        let mut seen = Seen::default();
        let mut i = id;
        let mut pace = tokio::time::interval(PERIOD);
        // A call that took longer than the period delays the next one; no burst to catch up.
        pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            pace.tick().await;
            if Instant::now() >= until {
                break;
            }
            let key = format!("fb:{}", i % KEYS);
            let started = Instant::now();
            let outcome = if i.is_multiple_of(2) {
                store.set(&key, "v").await.map(|()| true)
            } else {
                store.get(&key).await.map(|v| v.is_some())
            };
            seen.latencies.push(started.elapsed());
            match outcome {
                Ok(found) => {
                    seen.ok += 1;
                    if !found {
                        seen.misses += 1;
                    }
                }
                Err(e) => *seen.errors.entry(format!("{:?}", e.kind())).or_default() += 1,
            }
            i += CALLERS;
        }
        seen
    }

    fn percentile(sorted: &[Duration], p: f64) -> Duration {
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i.min(sorted.len() - 1)]
    }

    fn ms(d: Duration) -> String {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }

    /// Waits until the store is healthy with nothing left to replay.
    async fn wait_healthy(store: &Failover) -> Res<Duration> {
        let started = Instant::now();
        while store.state() != FailoverState::Healthy || store.journal_len() > 0 {
            if started.elapsed() > Duration::from_secs(120) {
                return Err(format!(
                    "not healthy 120 s after the fault was lifted ({:?}, journal {})",
                    store.state(),
                    store.journal_len()
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(started.elapsed())
    }

    /// One fault on `store`: traffic for `length` under the fault, then recovery. Returns
    /// p99 and max.
    async fn one_fault(
        proxy: &FaultProxy,
        store: &Failover,
        name: &str,
        fault: Fault,
        length: Duration,
    ) -> Res<(Duration, Duration)> {
        let before = store.stats();
        proxy.set(fault);
        let until = Instant::now() + length;
        let tasks: Vec<_> = (0..CALLERS)
            .map(|id| tokio::spawn(caller(store.clone(), id, until)))
            .collect();
        let mut seen = Seen::default();
        for t in tasks {
            seen.merge(t.await?);
        }
        // Every measured call ended while the fault was still on.
        let local = store.stats().served_locally - before.served_locally;
        proxy.set(Fault::None);
        let recovery = wait_healthy(store).await?;
        seen.latencies.sort();
        let p99 = percentile(&seen.latencies, 0.99);
        let errors = if seen.errors.is_empty() {
            "none".to_owned()
        } else {
            seen.errors
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "  {name:<20} calls {:>6} | errors: {errors:<18} | GET misses {:>5} | p50 {:>9} p99 {:>9} p99.9 {:>9} max {:>9} | served by Redis {:>6}, locally {:>6} | healthy again after {}",
            seen.latencies.len(),
            seen.misses,
            ms(percentile(&seen.latencies, 0.50)),
            ms(p99),
            ms(percentile(&seen.latencies, 0.999)),
            ms(seen.latencies.last().copied().unwrap_or_default()),
            seen.ok.saturating_sub(local),
            local,
            ms(recovery),
        );
        Ok((p99, seen.latencies.last().copied().unwrap_or_default()))
    }

    fn load() -> String {
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|_| "unknown".to_owned())
    }

    pub async fn run() -> Res<()> {
        let runs = env_or("FAULT_BENCH_RUNS", 3).max(1);
        let length = Duration::from_secs(env_or("FAULT_BENCH_SECS", 3).max(1));
        println!(
            "failover_faults_bench: {runs} runs, {CALLERS} callers each starting a call every {PERIOD:?}, {length:?} per fault, \
             response/connect timeout {TIMEOUT:?}, breaker: 5 failures or rates, open 1 s; \
             load average {}",
            load()
        );
        let server = RedisServer::start_with(RedisServerOptions::new()).await?;
        let proxy = FaultProxy::for_redis_url(&server.url()).await?;
        let mut figures: BTreeMap<(usize, usize), (Vec<Duration>, Vec<Duration>)> = BTreeMap::new();
        let policies = [("Divert", Policy::Divert), ("Mirror", Policy::Mirror)];
        for run in 1..=runs {
            for (p, (policy_name, policy)) in policies.iter().enumerate() {
                println!("run {run}, {policy_name}:");
                let store = open(&proxy.url(), *policy).await?;
                for i in 0..KEYS {
                    store.set(&format!("fb:{i}"), "v").await?;
                }
                for (f, (name, fault)) in faults().into_iter().enumerate() {
                    let (p99, max) = one_fault(&proxy, &store, name, fault, length).await?;
                    let entry = figures.entry((p, f)).or_default();
                    entry.0.push(p99);
                    entry.1.push(max);
                }
                store.close().await?;
            }
        }
        println!("over {runs} runs, min / median / max of:");
        let faults = faults();
        let spread = |mut xs: Vec<Duration>| {
            xs.sort();
            format!(
                "{:>9} / {:>9} / {:>9}",
                ms(xs[0]),
                ms(xs[xs.len() / 2]),
                ms(xs[xs.len() - 1])
            )
        };
        for ((p, f), (p99, max)) in figures {
            println!(
                "  {:<7} {:<20} p99 {} | max {}",
                policies[p].0,
                faults[f].0,
                spread(p99),
                spread(max),
            );
        }
        println!("load average at the end: {}", load());
        Ok(())
    }
}

#[cfg(feature = "redis")]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if let Err(e) = bench::run().await {
        eprintln!("failover_faults_bench failed: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "redis"))]
fn main() {
    eprintln!(
        "failover_faults_bench needs the `redis` feature: cargo run --release --example failover_faults_bench --features redis"
    );
}
