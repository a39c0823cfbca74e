//! `staunch-core`: the storage contract of staunch.
//!
//! staunch gives applications one storage API with Redis semantics and several backends
//! (Redis, in-memory, embedded file) that all pass the same conformance suite. This crate is the
//! contract those backends implement and nothing else: it depends on no backend.
//!
//! # Layout
//!
//! - [`command`]: [`Command`], every operation as plain data, with its reply shape and
//!   `# Behavior` rules; the command table its enum, metadata and typed API are generated from.
//! - [`reply`]: [`Reply`], the RESP3-shaped answer every backend gives.
//! - [`store`]: the object-safe [`Store`] trait (`call`, `batch`, `subscribe`,
//!   `capabilities`) and pub/sub types.
//! - [`families`]: the typed API users call (`Strings::get`, `SortedSets::zadd`, ...),
//!   implemented once for every `Store`, and typed pipelines ([`Pipeline`], [`Batch`]).
//! - [`options`]: option structs mirroring Redis's option words.
//! - [`error`]: the one public [`Error`] with its [`ErrorKind`].
//! - [`capabilities`], [`clock`], [`glob`]: declared abilities, injectable time, glob matching.
//! - [`long_double`]: the x87 `long double` arithmetic behind Redis's `INCRBYFLOAT`, for the
//!   local backends.
//! - `testkit` (feature `testkit`): the conformance suite and a `redis-server` test harness.
//!
//! # Why commands are data
//!
//! A backend implements one method for single commands, `call(Call) -> Execution` (a
//! [`Command`], maybe borrowed, in; a [`Reply`], maybe at once, out). Batches are vectors of
//! commands, the file backend logs commands, `Failover` journals them for replay, and the
//! differential tests generate them. The family traits give the typed, ergonomic face.
//!
//! ```
//! use staunch_core::prelude::*;
//!
//! async fn count_visit(store: &dyn Store, page: &str) -> staunch_core::Result<i64> {
//!     store.incr(&format!("visits:{page}")).await
//! }
//! ```

#![deny(missing_docs)]

pub mod capabilities;
pub mod clock;
pub mod command;
pub mod error;
pub mod families;
pub mod float_text;
pub mod glob;
pub mod info;
pub mod long_double;
pub mod name;
pub mod options;
pub mod redact;
pub mod reply;
pub mod slots;
pub mod store;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use capabilities::{Capabilities, Eviction, Persistence, PubSubReach};
pub use clock::{Clock, ManualClock, SystemClock};
pub use command::{
    Access, Call, Command, CommandRef, Family, MAX_RANDOM_REPEATS, ReplyShape, queue_step,
    random_count,
};
pub use error::{Error, ErrorKind, Result};
pub use families::{
    As, Atomic, Batch, Decode, Execute, FromReply, Hashes, IntoValue, Keyspace, Lists, Pipeline,
    PubSub, QueueClaimed, QueueStepReply, Replies, SetReply, Sets, SortedSets, Step, Strings,
};
pub use info::ServerInfo;
pub use name::Name;
pub use options::*;
pub use redact::redact_url;
pub use reply::Reply;
pub use store::{Execution, GapReason, Message, Store, Subscription, SubscriptionEvent};

/// Re-exported so backends and users name the same `Bytes` and `async_trait`.
pub use async_trait::async_trait;
pub use bytes::Bytes;

/// Everything needed to use a store: the traits, the commands and option types.
pub mod prelude {
    pub use crate::families::{
        Atomic, Batch, Execute, Hashes, IntoValue, Keyspace, Lists, Pipeline, PubSub, SetReply,
        Sets, SortedSets, Strings,
    };
    pub use crate::options::*;
    pub use crate::{
        Bytes, Capabilities, Command, Error, ErrorKind, Eviction, Persistence, PubSubReach, Reply,
        Store,
    };
}
