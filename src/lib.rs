//! staunch: Redis semantics that keep working when Redis does not.
//!
//! staunch is for applications that use Redis and must keep working through a Redis outage.
//! It gives them one storage contract with Redis's semantics (strings with TTL, hashes, lists,
//! sets, sorted sets, pub/sub, pipelines and transactions, and the atomic compound operations
//! services need), backends that pass one conformance suite with real Redis as the judge
//! (Redis, in-process memory, an embedded file store), a [`failover::Failover`] store that
//! serves from the local store while Redis is down and replays the outage's writes into Redis
//! when it returns, and services on top (a task queue with workers, bot state, sessions, a
//! cache, events, rate limits, locks) that run unchanged on every backend.
//!
//! # Quick start
//!
//! ```no_run
//! use staunch::prelude::*;
//! use staunch::{Settings, Staunch};
//!
//! # async fn demo() -> staunch::Result<()> {
//! // No REDIS_URL: each named database is an embedded file store in ./staunch-data (the
//! // default `file` feature). REDIS_URL=redis://... (feature `redis`): Redis logical
//! // databases, each behind `Failover`, served locally while Redis is down.
//! let app = Staunch::open(Settings::load()?).await?;
//! let main = app.db("main")?; // opened on its first command
//! main.setex("greeting", "hello", std::time::Duration::from_secs(60)).await?;
//! let queue = staunch::Queue::new(app.db("tasks")?);
//! # let _ = queue;
//! app.close().await
//! # }
//! ```
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `memory` | yes | [`memory::MemoryStore`]: the in-process engine (linearizable, TTLs, optional LRU bound) |
//! | `file` | yes | [`file::FileStore`]: the engine plus an append-only log, snapshots and crash recovery; the local store of `Failover` and of named databases without Redis |
//! | `redis` | no | [`redis::RedisStore`] (Redis 6+ over RESP3, ACL) and `Failover::redis` |
//! | `tls` | no | `redis` plus `rediss://` over rustls, with a custom CA and client certificates (`redis::TlsOptions`, `REDIS_SSL_*`) |
//! | `native-tls` | no | the same over native-tls (OpenSSL on Linux) instead of rustls |
//! | `metrics` | no | counters, gauges and histograms through the `metrics` facade ([`observe`]) |
//!
//! Every command on a named database runs in a TRACE `tracing` span, every job in a DEBUG one
//! ([`observe`]); they cost one level check when off.
//!
//! # Where to start
//!
//! - A store and its typed methods: `use staunch::prelude::*`, then any backend as
//!   `Arc<dyn Store>`; the methods are named after Redis's commands (`get`, `hset`, `zadd`,
//!   `incrby`, ...) and documented on the [`Command`] each one runs. Many commands at once:
//!   [`Execute::pipeline`] and [`Execute::transaction`] (typed replies), or [`Batch`].
//! - Named databases from settings and the environment (`REDIS_URL`, or the embedded store when
//!   there is none): [`config`].
//! - Surviving outages: [`failover`].
//! - The entry points are at the root: [`Staunch`], [`Settings`], [`Failover`], [`Queue`] and
//!   [`Worker`], [`Bot`], [`Cache`], [`Sessions`], [`Events`], [`Locks`], [`FixedWindow`],
//!   [`Gcra`]; their options and reports in their modules; the typed methods' option types in
//!   [`options`] (and the prelude).
//! - Services: [`queue`], [`bot`], [`session`], [`cache`], [`events`], [`ratelimit`], [`lock`].
//! - A backend of your own: implement [`Store`] (one method, [`Store::call`], for single
//!   commands) and run the conformance suite on it (`staunch_core::testkit`, feature `testkit`).
//! - Runnable programs: `examples/quickstart.rs`, then `queue.rs`, `bot.rs`, `sessions.rs`,
//!   `cache.rs`, `failover_demo.rs`, `metrics.rs` (Prometheus text).

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The contract, named explicitly: the option types of the typed methods (`SetOptions`,
// `ZAddOptions`, ...) stay in `staunch::options` (and the prelude), not at the root.
pub use staunch_core::{
    Access, As, Atomic, Batch, Bytes, Call, Capabilities, Clock, Command, CommandRef, Decode,
    Error, ErrorKind, Eviction, Execute, Execution, Family, FromReply, GapReason, Hashes,
    IntoValue, Keyspace, Lists, ManualClock, Message, Name, Persistence, Pipeline, PubSub,
    PubSubReach, Replies, Reply, ReplyShape, Result, SetReply, Sets, SortedSets, Step, Store,
    Strings, Subscription, SubscriptionEvent, SystemClock, async_trait,
};
pub use staunch_core::{
    capabilities, clock, command, error, families, glob, long_double, options, prelude, reply,
    store,
};

pub mod config;
pub mod observe;
mod services;
mod wrappers;

pub use services::{bot, cache, events, lock, queue, ratelimit, session};
pub use wrappers::failover;

// The entry points of the services and of failover, at the root; their configurations,
// options and reports stay in their modules.
pub use config::{Settings, Staunch};
pub use failover::Failover;
pub use services::bot::Bot;
pub use services::cache::Cache;
pub use services::events::Events;
pub use services::lock::Locks;
pub use services::queue::{Queue, Worker};
pub use services::ratelimit::{FixedWindow, Gcra};
pub use services::session::Sessions;

/// The in-memory backend (feature `memory`).
#[cfg(feature = "memory")]
#[cfg_attr(docsrs, doc(cfg(feature = "memory")))]
pub use staunch_memory as memory;

/// The embedded file backend (feature `file`).
#[cfg(feature = "file")]
#[cfg_attr(docsrs, doc(cfg(feature = "file")))]
pub use staunch_file as file;

/// The Redis backend (feature `redis`).
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use staunch_redis as redis;
