//! staunch: Redis semantics that keep working when Redis does not.
//!
//! The facade crate: re-exports the contract ([`staunch_core`]) and, behind cargo features, the
//! backends (`memory`, on by default; `redis`).

#![deny(missing_docs)]

pub use staunch_core::*;

pub mod config;
mod services;
mod wrappers;

pub use services::{bot, cache, events, lock, queue, ratelimit, session};
pub use wrappers::failover;

/// The in-memory backend (feature `memory`).
#[cfg(feature = "memory")]
pub use staunch_memory as memory;

/// The Redis backend (feature `redis`).
#[cfg(feature = "redis")]
pub use staunch_redis as redis;
