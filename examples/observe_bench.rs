//! The cost of observability on the hottest path: memory GET and SET through an
//! [`Observed`](staunch::observe::Observed) store against the bare store, measured side by side
//! (interleaved rounds, median of the ratios), printed as ratios; never asserted.
//!
//! ```text
//! cargo run --release --example observe_bench                      # spans only (no subscriber)
//! cargo run --release --example observe_bench --features metrics   # spans and metrics, with and without a recorder
//! ```
//!
//! With `metrics`, a second pass installs a recorder that keeps the values (a counter and a
//! histogram per call, as an exporter would) to show the cost of actually recording.

use std::sync::Arc;
use std::time::{Duration, Instant};

use staunch::memory::MemoryStore;
use staunch::observe::Observed;
use staunch::prelude::*;

const OPS: u64 = 200_000;
const ROUNDS: usize = 9;

async fn per_op(store: &dyn Store, set: bool) -> Duration {
    let started = Instant::now();
    for i in 0..OPS {
        let key = ["k", itoa(i % 1024)].concat();
        if set {
            store.set(&key, "value").await.unwrap();
        } else {
            std::hint::black_box(store.get(&key).await.unwrap());
        }
    }
    started.elapsed() / OPS as u32
}

fn itoa(n: u64) -> &'static str {
    // 1024 fixed keys without formatting in the loop.
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    &KEYS.get_or_init(|| (0..1024).map(|i| i.to_string()).collect())[n as usize]
}

async fn compare(label: &str) {
    let bare: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let observed: Arc<dyn Store> = Arc::new(Observed::new(
        Arc::new(MemoryStore::new()),
        "memory",
        "main",
    ));
    for set in [true, false] {
        let mut ratios = Vec::new();
        let (mut bare_ns, mut observed_ns) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let b = per_op(&*bare, set).await;
            let o = per_op(&*observed, set).await;
            ratios.push(o.as_secs_f64() / b.as_secs_f64());
            bare_ns.push(b.as_nanos());
            observed_ns.push(o.as_nanos());
        }
        ratios.sort_by(f64::total_cmp);
        bare_ns.sort();
        observed_ns.sort();
        println!(
            "{label:<34} {:<3} bare {:>4} ns  observed {:>4} ns  ratio min {:.3} median {:.3} max {:.3}",
            if set { "SET" } else { "GET" },
            bare_ns[ROUNDS / 2],
            observed_ns[ROUNDS / 2],
            ratios[0],
            ratios[ROUNDS / 2],
            ratios[ROUNDS - 1]
        );
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let features = if cfg!(feature = "metrics") {
        "metrics feature on"
    } else {
        "metrics feature off"
    };
    compare(&format!("{features}, no recorder")).await;
    #[cfg(feature = "metrics")]
    {
        // A recorder that keeps values as an exporter does (atomics per handle).
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        metrics::set_global_recorder(recorder).unwrap();
        compare(&format!("{features}, Prometheus recorder")).await;
    }
}
