//! Prints the embedded engines' target table: every figure with its target and the measured
//! ratio side by side, measured in one run.
//!
//! ```text
//! cargo run --release -p staunch-bench --bin engines            # the whole table
//! cargo run --release -p staunch-bench --bin engines -- quick   # small sizes, to try it out
//! cargo run --release -p staunch-bench --bin engines -- memory  # only the memory engine's rows
//!     (or one part of them: `throughput`, `per-key`, `growth`)
//! STAUNCH_SKIP_REDIS=1 cargo run ...                             # without redis-server figures
//! ```

use staunch_bench::memory_rows::{self, MemoryBenchOptions};
use staunch_bench::process::CHILD_FLAG;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(CHILD_FLAG) {
        if let Err(e) = memory_rows::child(&args[1..]) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        return;
    }
    let quick = args.iter().any(|a| a == "quick");
    let only = |section: &str| {
        let named: Vec<&String> = args.iter().filter(|a| *a != "quick").collect();
        named.is_empty() || named.iter().any(|a| *a == section)
    };
    let options = if quick {
        MemoryBenchOptions::quick()
    } else {
        MemoryBenchOptions::default()
    };
    let memory = only("memory");
    if memory || only("throughput") || only("per-key") || only("growth") {
        println!("== memory engine ==");
    }
    if memory || only("throughput") {
        for row in memory_rows::throughput_rows(&options) {
            row.print();
        }
    }
    if memory || only("per-key") {
        for row in memory_rows::memory_rows(&options).await {
            row.print();
        }
    }
    if memory || only("growth") {
        memory_rows::print_growth(&options);
    }
}
