//! Stores that wrap a store, kept together: each implements `Store` by handing commands to the
//! store(s) it wraps, adding one concern.
//!
//! - [`failover`]: Redis while it is healthy, a local store while it is not, and the outage's
//!   writes replayed into Redis when it returns (re-exported as `staunch::failover`).
//! - `prefixed`: every key of one named database under `{name}:` (the key-prefix mapping).
//! - `instrumented`: per-database call counts and latency for the health report.

pub mod failover;
pub(crate) mod instrumented;
#[cfg(feature = "redis")]
pub(crate) mod prefixed;
