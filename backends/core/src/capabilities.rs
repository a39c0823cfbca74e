//! [`Capabilities`]: what a backend can promise, declared rather than discovered by failure.

/// Where data lives and whether it survives the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Persistence {
    /// Gone when the process exits (memory).
    None,
    /// On local disk, surviving restarts and crashes (file).
    Local,
    /// On a server other processes share (Redis).
    Remote,
}

/// Who receives a `PUBLISH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PubSubReach {
    /// Subscribers in this process only.
    Process,
    /// Subscribers anywhere connected to the same server.
    CrossProcess,
}

/// What a backend does when full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Eviction {
    /// Never evicts: it grows until memory runs out (or the server's own policy applies).
    None,
    /// Evicts least recently used keys to stay under a size bound (`allkeys-lru`).
    Lru,
    /// Decided by the server's configuration (`maxmemory-policy`).
    ServerPolicy,
}

/// What a backend can do. Operations outside these return `ErrorKind::Unsupported`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Durability of the data.
    pub persistence: Persistence,
    /// Reach of pub/sub.
    pub pubsub: PubSubReach,
    /// Eviction behaviour.
    pub eviction: Eviction,
    /// Whether blocking pops (`BLPOP`, `BZPOPMIN`, ...) are supported.
    pub blocking: bool,
    /// Whether `batch(.., atomic: true)` is supported.
    pub transactions: bool,
    /// Whether a command, script or transaction may use keys in different Redis Cluster hash
    /// slots (true everywhere but on a Redis Cluster, where such keys need a common hash tag
    /// and anything else is an `InvalidInput` error naming the keys; see
    /// [`crate::slots::common_slot`]).
    pub cross_slot: bool,
}

impl Capabilities {
    /// A backend with the given persistence, pub/sub reach and eviction that supports blocking
    /// pops, transactions and multi-key commands over any keys.
    pub fn new(persistence: Persistence, pubsub: PubSubReach, eviction: Eviction) -> Self {
        Capabilities {
            persistence,
            pubsub,
            eviction,
            blocking: true,
            transactions: true,
            cross_slot: true,
        }
    }
}
