//! `staunch-bench`: benchmarks of staunch's embedded engines against their peers.
//!
//! Its one program, `cargo run --release -p staunch-bench --bin engines`, prints every figure of
//! the engines' target table with the target and the measured ratio side by side, measured in
//! one run so drift in the machine's speed hits both sides alike. The peers (dashmap, redb,
//! fjall) are dependencies of this crate only, so building staunch itself never builds them;
//! redis-server figures come from a real server started through the testkit harness.
//!
//! # Layout
//!
//! - `table`: one printed row (figure, target, measured) and the spread of repeated rounds.
//! - `process`: resident memory, and measuring in a fresh child process.
//! - `dataset`: the keys and values every side of a memory figure loads.
//! - `mix`: the GET/SET 50/50 workload on staunch and on dashmap.
//! - `redis_memory`: redis-server's memory per key for the same data.
//! - `memory_rows`: the memory engine's rows and growth table.

#![deny(missing_docs)]

pub mod dataset;
pub mod memory_rows;
pub mod mix;
pub mod process;
pub mod redis_memory;
pub mod table;
