//! The typed API: one trait per data family, implemented once for every [`Store`], plus typed
//! pipelines and transactions.
//!
//! Each method builds a [`Command`], runs it with [`Store::call`] and decodes the
//! [`Reply`](crate::Reply).
//! The traits have blanket implementations (`impl<S: Store + ?Sized> Strings for S`), so every
//! backend and every wrapper gets exactly the same methods and none can override one by
//! accident. Import them all with `use staunch_core::prelude::*`.
//!
//! The methods are generated from the command table (`command/table`), one or more per
//! command, together with the same methods on [`Pipeline`] (chained, typed tuple replies) and
//! [`Batch`] (grown step by step). Semantics, including the `# Behavior` rules the testkit
//! asserts, are documented on the matching [`Command`] variant; each method links to it.
//!
//! # Naming
//!
//! One rule, the one redis-rs follows:
//!
//! - A method is named after its Redis command, lowercased: `hincrby`, `incrbyfloat`,
//!   `zremrangebyscore`, `hsetnx`, `getdel`, `setnx`. `TYPE` is `key_type` (`type` is a Rust
//!   keyword).
//! - Where Redis takes one or many members, fields, values or keys, the method takes one and
//!   answers for that one (`sadd(key, member) -> bool`, `del(key) -> bool`), and the form
//!   named `<name>_multiple` takes any `IntoIterator` and answers Redis's count
//!   (`sadd_multiple(key, members) -> u64`).
//! - A form with Redis's optional `count` argument is `<name>_count` (`lpop_count`); a form
//!   taking an options struct is `<name>_options` (`set_options`, `zadd_options`,
//!   `expire_options`, `scan_options`, `zrange_options`).
//! - staunch's own atomic operations, which Redis does not have, are named for what they do
//!   (`compare_and_set`, `zmove_by_score`).

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;

use crate::command::{Call, Command, CommandRef};
use crate::error::{Error, Result};
use crate::name::Name;
use crate::options::*;
use crate::store::{Execution, Store, Subscription};

mod decode;
pub(crate) mod generate;
mod pipeline;
mod run;
#[cfg(feature = "testkit")]
pub(crate) mod sample;
mod value;

pub use decode::{
    As, Decode, DecoderFor, FromReply, QueueClaimed, QueueStepReply, SetOutcome, SetReply,
    SetWritten,
};
pub use pipeline::{Append, Batch, DecodeAll, Pipeline, Replies, Step};
pub use value::IntoValue;

use run::Run;

/// Milliseconds of a TTL for a command, rounding a sub-millisecond TTL up to one.
fn ttl_millis(ttl: Duration) -> u64 {
    ttl.as_millis().clamp(1, u128::from(u64::MAX)) as u64
}

crate::command::table::for_each_command!(crate::families::generate::define_typed);

/// Running commands you built yourself, and many at once. Implemented for every [`Store`].
pub trait Execute: Store {
    /// Runs one command: [`Store::call`] with the owned command.
    #[inline]
    fn execute(&self, command: Command) -> Execution<'_> {
        self.call(Call::Owned(command))
    }

    /// A typed pipeline: steps chained with the typed methods, one round trip, a tuple of
    /// typed replies. Other clients' commands may run in between.
    ///
    /// ```
    /// # use staunch_core::prelude::*;
    /// # async fn demo(store: &dyn Store) -> staunch_core::Result<()> {
    /// let (new_field, new_member) = store
    ///     .pipeline()
    ///     .hset("job:1", "state", "queued")
    ///     .zadd("queue", 1.0, "job:1")
    ///     .run()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    fn pipeline(&self) -> Pipeline<'_, Self> {
        Pipeline::new(self, false)
    }

    /// A typed transaction: like [`Execute::pipeline`], with `MULTI`/`EXEC` semantics:
    /// nothing runs in between.
    fn transaction(&self) -> Pipeline<'_, Self> {
        Pipeline::new(self, true)
    }
}

impl<S: Store + ?Sized> Execute for S {}
