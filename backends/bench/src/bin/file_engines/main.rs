//! Prints the file store's rows of the engines' target table, each measured side by side with
//! its peers in one run:
//!
//! - `fsync=always`, 1 writer and 16 writers: staunch's file store against redb 5 (every
//!   commit `Durability::Immediate`) and fjall 3 (every insert followed by
//!   `persist(SyncData)`);
//! - `everysec` puts: staunch's default policy against redb with `Durability::None` and
//!   fjall without a persist per write (both leave syncing to later, as `everysec` does);
//! - point gets on 100k keys;
//! - reopen at 5M keys, from the log and from a snapshot, against redis-server loading an
//!   RDB of the same keys and value sizes (started through the testkit harness; its load time
//!   is the one it logs, "DB loaded from disk").
//!
//! ```text
//! cargo run --release -p staunch-bench --bin file_engines
//! ```
//!
//! Each figure is measured in several rounds, alternating staunch and the peer so that drift
//! in the machine hits both alike; a row prints the median round and the spread (min, median,
//! max) of the ratio. 64-byte values throughout. Settings, from the environment:
//! `STAUNCH_BENCH_SECS` (length of a timed run, default 2), `STAUNCH_BENCH_ROUNDS` (default
//! 3), `STAUNCH_BENCH_REOPEN_KEYS` (default 5000000), `STAUNCH_BENCH_ONLY` (a comma list of
//! `always1,always16,everysec,gets,reopen`). The data directories are temporary directories
//! on one disk.
//!
//! This program replaces `backends/file/examples/file_bench.rs` for the comparisons with
//! peers; that example still measures staunch's policies against each other and against
//! redis-server's AOF.

mod reopen;
mod writes;

use std::time::Duration;

use staunch_bench::table::{Better, Row, spread};

/// Settings of one run (see the module docs).
pub(crate) struct Settings {
    pub(crate) secs: Duration,
    pub(crate) rounds: usize,
    pub(crate) reopen_keys: u64,
    only: Option<Vec<String>>,
}

impl Settings {
    fn from_env() -> Settings {
        let var = |name: &str| std::env::var(name).ok();
        Settings {
            secs: Duration::from_secs_f64(
                var("STAUNCH_BENCH_SECS")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(2.0),
            ),
            rounds: var("STAUNCH_BENCH_ROUNDS")
                .and_then(|s| s.parse().ok())
                .unwrap_or(3usize)
                .max(1),
            reopen_keys: var("STAUNCH_BENCH_REOPEN_KEYS")
                .and_then(|s| s.parse().ok())
                .unwrap_or(5_000_000),
            only: var("STAUNCH_BENCH_ONLY")
                .map(|s| s.split(',').map(|p| p.trim().to_owned()).collect()),
        }
    }

    fn wants(&self, part: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|p| p == part))
    }
}

/// One round's figures: staunch's and the peer's, in the same unit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Round {
    pub(crate) ours: f64,
    pub(crate) theirs: f64,
}

/// Prints a row from several rounds: the median round's figures and the ratio's spread.
pub(crate) fn print_row(
    figure: &str,
    peer: &str,
    target: Option<f64>,
    better: Better,
    unit: &'static str,
    rounds: &[Round],
    note: &str,
) {
    let ratios: Vec<f64> = rounds.iter().map(|r| r.ours / r.theirs).collect();
    let (min, median, max) = spread(&ratios);
    let middle = rounds
        .iter()
        .find(|r| r.ours / r.theirs == median)
        .copied()
        .unwrap_or(rounds[0]);
    let spread_note = format!(
        "ratio over {} rounds min {min:.2}x median {median:.2}x max {max:.2}x{}{note}",
        rounds.len(),
        if note.is_empty() { "" } else { "; " }
    );
    Row {
        figure: figure.to_owned(),
        peer: peer.to_owned(),
        target,
        better,
        ours: middle.ours,
        theirs: middle.theirs,
        unit,
        note: spread_note,
    }
    .print();
}

/// The median of `values` (which must not be empty).
pub(crate) fn spread_median(values: &[f64]) -> f64 {
    spread(values).1
}

fn main() {
    let settings = Settings::from_env();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start a tokio runtime: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "== file store vs redb 5.0, fjall 3.1 and redis-server ({:.1?} per timed run, {} \
         rounds, 64-byte values) ==",
        settings.secs, settings.rounds
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("machine load average at start: {}", load.trim());
    }
    if settings.wants("always1") {
        runtime.block_on(writes::always(&settings, 1));
    }
    if settings.wants("always16") {
        runtime.block_on(writes::always(&settings, 16));
    }
    if settings.wants("everysec") {
        runtime.block_on(writes::everysec(&settings));
    }
    if settings.wants("gets") {
        runtime.block_on(writes::gets(&settings));
    }
    if settings.wants("reopen") {
        runtime.block_on(reopen::reopen(&settings));
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("machine load average at end: {}", load.trim());
    }
}
