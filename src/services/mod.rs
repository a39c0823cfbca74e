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

/// `prefix` as a service writes its keys under it: on a Redis Cluster
/// (`Capabilities::cross_slot` false) a prefix without a hash tag becomes `{prefix}`, so every
/// key under it shares one slot and the service's multi-key steps (scripts, transactions,
/// `RENAME`, multi-key reads) are allowed; elsewhere the prefix is unchanged. Keys stay readable:
/// `redis-cli -c get '{bot}:state'`.
pub(crate) fn slot_prefix(store: &dyn staunch_core::Store, prefix: &str) -> String {
    let tagged = prefix
        .find('{')
        .is_some_and(|open| prefix[open + 1..].find('}').is_some_and(|len| len > 0));
    if store.capabilities().cross_slot || tagged || prefix.is_empty() {
        prefix.to_owned()
    } else {
        format!("{{{prefix}}}")
    }
}
