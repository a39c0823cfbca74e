//! staunch: Redis semantics that keep working when Redis does not.
//!
//! The facade crate: re-exports the contract ([`staunch_core`]) and, behind cargo features, the
//! backends (`memory`, on by default; `redis`).

#![deny(missing_docs)]

pub use staunch_core::*;

pub mod bot;
pub mod cache;
pub mod config;
pub mod events;
pub mod lock;
pub mod queue;
pub mod ratelimit;
pub mod resilience;
pub mod session;

/// The in-memory backend (feature `memory`).
#[cfg(feature = "memory")]
pub use staunch_memory as memory;

/// The Redis backend (feature `redis`).
#[cfg(feature = "redis")]
pub use staunch_redis as redis;
