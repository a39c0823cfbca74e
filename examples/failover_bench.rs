//! Failover figures, measured side by side in one run against a `redis-server` this program
//! starts (and kills, and stops):
//!
//! 1. healthy overhead: `Failover` over Redis against the Redis backend used directly;
//! 2. degraded latency: `Failover` serving locally against the same local store used directly;
//! 3. time from SIGKILL of Redis to the first call served locally, for a busy and a quiet
//!    database (p50/p99 over several kills);
//! 4. call latency while Redis is hung (SIGSTOP): p50, p99, max;
//! 5. a long outage: RSS and disk growth over `BENCH_LONG_WRITES` (default 10 000 000)
//!    degraded writes, file local store and memory local store with a journal directory.
//!
//! ```text
//! cargo run --release --example failover_bench --features redis
//! ```
//!
//! Needs `redis-server` on `PATH` (or `STAUNCH_REDIS_SERVER_BIN`). Figures are printed, never
//! asserted: they depend on the machine.

#[cfg(feature = "redis")]
mod bench {
    use std::time::{Duration, Instant};

    use staunch::failover::{
        BreakerOptions, Failover, FailoverOptions, FailoverState, RetryOptions,
    };
    use staunch::prelude::*;
    use staunch::redis::{RedisOptions, RedisStore};
    use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions};
    use staunch_file::FileStore;

    type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

    const OPS: usize = 20_000;
    const ROUNDS: usize = 7;
    const TIMEOUT: Duration = Duration::from_millis(300);
    /// Kills per configuration for the SIGKILL figures.
    const KILLS: usize = 10;

    /// Mean per-call latency of a sequential mix of INCR, SET and GET.
    async fn mix(store: &dyn Store, prefix: &str) -> Res<Duration> {
        let started = Instant::now();
        for i in 0..OPS {
            let key = format!("{prefix}:{}", i % 100);
            match i % 3 {
                0 => {
                    store.incr(&format!("{prefix}:counter")).await?;
                }
                1 => store.set(&key, "value").await?,
                _ => {
                    store.get(&key).await?;
                }
            }
        }
        Ok(started.elapsed() / OPS as u32)
    }

    /// Alternates A and B `ROUNDS` times and returns the medians.
    async fn side_by_side(a: &dyn Store, b: &dyn Store, prefix: &str) -> Res<(Duration, Duration)> {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        mix(a, prefix).await?; // warm-up
        mix(b, prefix).await?;
        for _ in 0..ROUNDS {
            xs.push(mix(a, prefix).await?);
            ys.push(mix(b, prefix).await?);
        }
        xs.sort();
        ys.sort();
        Ok((xs[ROUNDS / 2], ys[ROUNDS / 2]))
    }

    fn redis(url: &str) -> Res<RedisStore> {
        Ok(RedisStore::lazy(
            RedisOptions::new(url)
                .response_timeout(TIMEOUT)
                .connect_timeout(TIMEOUT),
        )?)
    }

    fn options(threshold: u32, retry: RetryOptions, open: Duration) -> FailoverOptions {
        FailoverOptions::new()
            .breaker(
                BreakerOptions::new()
                    .failure_threshold(threshold)
                    .open_timeout(open),
            )
            .retry(retry)
            .probe_intervals(Duration::from_secs(30), Duration::from_millis(50))
            .call_timeout(TIMEOUT)
    }

    async fn wait_for(store: &Failover, state: FailoverState) -> Res<()> {
        let t = Instant::now();
        while store.state() != state {
            if t.elapsed() > Duration::from_secs(30) {
                return Err(format!("never reached {state:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    }

    /// Resident set size of this process, from `/proc/self/status` (bytes).
    fn rss() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
            .map_or(0, |kb| kb * 1024)
    }

    /// Bytes of the files under `dir`.
    fn disk(dir: &std::path::Path) -> u64 {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => disk(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    }

    /// RSS and disk growth over `n` degraded writes (INCR over 1000 keys: the data stays
    /// small, so what grows is the journal's cost).
    async fn long_outage(store: &Failover, dir: &std::path::Path, n: u64) -> Res<(u64, u64)> {
        store.breaker().force_open();
        store.incr("bench:open").await?;
        wait_for(store, FailoverState::Degraded).await?;
        let (rss0, disk0) = (rss(), disk(dir));
        for i in 0..n {
            store.incr(&format!("long:{}", i % 1000)).await?;
        }
        let (rss1, disk1) = (rss(), disk(dir));
        if store.journal_len() as u64 != n + 1 {
            return Err(format!(
                "journal holds {} entries, expected {}",
                store.journal_len(),
                n + 1
            )
            .into());
        }
        Ok((rss1.saturating_sub(rss0), disk1.saturating_sub(disk0)))
    }

    /// Time from SIGKILL to the first call answered by the local store on a quiet database:
    /// nothing calls until its connection's loss is long past.
    async fn quiet_kill_to_local(server: &mut RedisServer, store: &Failover) -> Res<Duration> {
        store.incr("bench:k").await?;
        server.kill();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        store.incr("bench:k").await?;
        let took = started.elapsed();
        if store.state() == FailoverState::Healthy {
            return Err("the first call of the outage did not go local".into());
        }
        server.restart().await?;
        wait_for(store, FailoverState::Healthy).await?;
        Ok(took)
    }

    /// Time from SIGKILL to the first call answered by the local store, one caller.
    async fn kill_to_local(server: &mut RedisServer, store: &Failover) -> Res<Duration> {
        store.incr("bench:k").await?;
        server.kill();
        let killed = Instant::now();
        loop {
            if store.incr("bench:k").await.is_ok() && store.state() != FailoverState::Healthy {
                let took = killed.elapsed();
                server.restart().await?;
                wait_for(store, FailoverState::Healthy).await?;
                return Ok(took);
            }
        }
    }

    fn percentile(sorted: &[Duration], p: f64) -> Duration {
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i.min(sorted.len() - 1)]
    }

    pub async fn run() -> Res<()> {
        // BENCH_ONLY=healthy|degraded|kill|long|hung runs one section.
        let only = std::env::var("BENCH_ONLY").ok();
        let on = |name: &str| only.as_deref().is_none_or(|o| o == name);
        let mut server = RedisServer::start_with(RedisServerOptions::new()).await?;
        let url = server.url();
        let dir = tempfile::tempdir()?;

        // 1. Healthy overhead.
        if on("healthy") {
            let direct = redis(&url)?;
            let failover = Failover::redis(redis(&url)?)
                .local_file(dir.path().join("healthy"))
                .open()
                .await?;
            let (d, f) = side_by_side(&direct, &failover, "bench:h").await?;
            println!(
                "healthy:  Redis backend {:>8.1} µs/call | Failover over it {:>8.1} µs/call | ratio {:.3} (target <= 1.05)",
                d.as_secs_f64() * 1e6,
                f.as_secs_f64() * 1e6,
                f.as_secs_f64() / d.as_secs_f64()
            );
            failover.close().await?;
            drop(failover);
        }

        // 2. Degraded against the local store used directly (same file store options).
        if on("degraded") {
            let local = FileStore::open(dir.path().join("plain-local")).await?;
            let degraded = Failover::redis(redis(&url)?)
                .local_file(dir.path().join("degraded"))
                .options(options(1, RetryOptions::none(), Duration::from_secs(3600)))
                .open()
                .await?;
            degraded.breaker().force_open();
            degraded.incr("bench:open").await?;
            wait_for(&degraded, FailoverState::Degraded).await?;
            let (l, g) = side_by_side(&local, &degraded, "bench:d").await?;
            println!(
                "degraded: file store    {:>8.1} µs/call | Failover degraded, file local {:>7.1} µs/call | ratio {:.3} (target <= 1.2; the store's log is the journal)",
                l.as_secs_f64() * 1e6,
                g.as_secs_f64() * 1e6,
                g.as_secs_f64() / l.as_secs_f64()
            );
            degraded.close().await?;
            drop(degraded);
            // The same, with a memory local store and the journal on disk as the only log.
            let lean = Failover::redis(redis(&url)?)
                .local_memory()
                .journal_dir(dir.path().join("lean-journal"))
                .options(options(1, RetryOptions::none(), Duration::from_secs(3600)))
                .open()
                .await?;
            lean.breaker().force_open();
            lean.incr("bench:open").await?;
            wait_for(&lean, FailoverState::Degraded).await?;
            let (l, g) = side_by_side(&local, &lean, "bench:d").await?;
            println!(
                "degraded: file store    {:>8.1} µs/call | Failover degraded, memory local + journal {:>7.1} µs/call | ratio {:.3} (one log)",
                l.as_secs_f64() * 1e6,
                g.as_secs_f64() * 1e6,
                g.as_secs_f64() / l.as_secs_f64()
            );
            lean.close().await?;
            drop(lean);
            local.close().await?;
            // The machinery alone: memory local, journal in memory, against a bare memory store.
            let bare = staunch_memory::MemoryStore::new();
            let pure = Failover::redis(redis(&url)?)
                .local_memory()
                .options(options(1, RetryOptions::none(), Duration::from_secs(3600)))
                .open()
                .await?;
            pure.breaker().force_open();
            pure.incr("bench:open").await?;
            wait_for(&pure, FailoverState::Degraded).await?;
            let (l, g) = side_by_side(&bare, &pure, "bench:d").await?;
            println!(
                "degraded: memory store  {:>8.1} µs/call | Failover degraded, memory local + memory journal {:>7.1} µs/call | overhead {:.2} µs/call (no I/O)",
                l.as_secs_f64() * 1e6,
                g.as_secs_f64() * 1e6,
                (g.as_secs_f64() - l.as_secs_f64()) * 1e6
            );
            pure.close().await?;
        }

        // 3. SIGKILL to first local call.
        for (name, opts) in if on("kill") {
            vec![
                (
                    "async manager defaults (5 failures, retry 0.5 s..10 s x3)",
                    options(5, RetryOptions::default(), Duration::from_millis(500)),
                ),
                (
                    "tuned (3 failures, retry 5..50 ms)",
                    options(
                        3,
                        RetryOptions::new()
                            .backoff(Duration::from_millis(5), Duration::from_millis(50)),
                        Duration::from_millis(500),
                    ),
                ),
            ]
        } else {
            Vec::new()
        } {
            let store = Failover::redis(redis(&url)?)
                .local_memory()
                .options(opts)
                .open()
                .await?;
            let mut busy = Vec::new();
            let mut quiet = Vec::new();
            for _ in 0..KILLS {
                busy.push(kill_to_local(&mut server, &store).await?);
                quiet.push(quiet_kill_to_local(&mut server, &store).await?);
            }
            busy.sort();
            quiet.sort();
            println!(
                "kill:     SIGKILL -> first call served locally, {name}: busy caller p50 {:?} p99 {:?} | quiet database (first call 300 ms after the kill) p50 {:?} p99 {:?} ({KILLS} kills each)",
                percentile(&busy, 0.5),
                percentile(&busy, 0.99),
                percentile(&quiet, 0.5),
                percentile(&quiet, 0.99),
            );
            store.close().await?;
        }

        // 5. A long outage: memory and disk per degraded write.
        if on("long") {
            let n: u64 = std::env::var("BENCH_LONG_WRITES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(10_000_000);
            let file_dir = dir.path().join("long-file");
            let file = Failover::redis(redis(&url)?)
                .local_file(&file_dir)
                .options(options(1, RetryOptions::none(), Duration::from_secs(3600)))
                .open()
                .await?;
            let (rss, disk) = long_outage(&file, &file_dir, n).await?;
            println!(
                "long:     {n} degraded writes, file local store: RSS +{:.1} MB, disk +{:.1} MB (target RSS <= 32 MB)",
                rss as f64 / 1e6,
                disk as f64 / 1e6
            );
            file.close().await?;
            drop(file);
            let lean_dir = dir.path().join("long-lean");
            let lean = Failover::redis(redis(&url)?)
                .local_memory()
                .journal_dir(&lean_dir)
                .options(options(1, RetryOptions::none(), Duration::from_secs(3600)))
                .open()
                .await?;
            let (rss, disk) = long_outage(&lean, &lean_dir, n).await?;
            println!(
                "long:     {n} degraded writes, memory local + journal dir: RSS +{:.1} MB, disk +{:.1} MB (target RSS <= 32 MB)",
                rss as f64 / 1e6,
                disk as f64 / 1e6
            );
            lean.close().await?;
        }

        // 4. Latency while hung.
        if !on("hung") {
            return Ok(());
        }
        let store = Failover::redis(redis(&url)?)
            .local_memory()
            .options(options(5, RetryOptions::default(), Duration::from_secs(60)))
            .open()
            .await?;
        store.set("bench:s", "v").await?;
        server.pause()?;
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let t = Instant::now();
                while t.elapsed() < Duration::from_secs(2) {
                    let s = Instant::now();
                    let _ = store.get("bench:s").await;
                    lat.push(s.elapsed());
                    // Local calls complete without yielding: let the other callers run, or
                    // their timers would be measured as starvation.
                    tokio::task::yield_now().await;
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await?);
        }
        server.resume()?;
        all.sort();
        println!(
            "hung:     {} calls in 2 s after SIGSTOP (8 callers, response timeout {TIMEOUT:?}): p50 {:?}, p99 {:?}, max {:?}",
            all.len(),
            percentile(&all, 0.50),
            percentile(&all, 0.99),
            all.last().copied().unwrap_or_default()
        );
        store.close().await?;
        Ok(())
    }
}

#[cfg(feature = "redis")]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if let Err(e) = bench::run().await {
        eprintln!("failover_bench failed: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "redis"))]
fn main() {
    eprintln!(
        "failover_bench needs the `redis` feature: cargo run --release --example failover_bench --features redis"
    );
}
