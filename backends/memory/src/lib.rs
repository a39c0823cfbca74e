//! `staunch-memory`: the in-process backend of staunch.
//!
//! [`MemoryStore`] answers every command of the contract the way Redis 7 would, from memory:
//! for tests that want real Redis semantics without a server, for embedded use, and as the
//! engine under the file backend. Expired keys are invisible the moment they expire and are
//! reclaimed by a background purger; a bounded store evicts least-recently-used keys by size,
//! the analogue of `maxmemory` with `allkeys-lru`. Pub/sub reaches subscribers in this process.
//!
//! # Layout
//!
//! - [`engine`]: command semantics over a keyspace in shards, each under its own lock (a
//!   command locks the shards of all its keys); reused by the file backend.
//! - `store`: [`MemoryStore`], the `Store` implementation with its options and purger.

#![deny(missing_docs)]

pub mod engine;
mod store;

pub use engine::handle::Engine;
pub use engine::{WriteLog, pubsub};
pub use store::{MemoryOptions, MemoryStore};
