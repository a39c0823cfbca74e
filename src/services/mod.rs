//! The services: what applications build on the storage contract. Each takes an
//! `Arc<dyn Store>` and nothing else, so it runs unchanged on every backend and wrapper.
//! They are re-exported at the crate root (`staunch::queue`, `staunch::cache`, ...).

pub mod bot;
pub mod cache;
pub mod events;
pub mod lock;
pub mod queue;
pub mod ratelimit;
pub mod session;
