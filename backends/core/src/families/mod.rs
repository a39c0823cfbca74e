//! The typed API: one trait per data family, implemented once for every [`Store`].
//!
//! Each method builds a [`Command`], runs it with [`Store::execute`] and decodes the
//! [`Reply`]. The traits have blanket implementations (`impl<S: Store + ?Sized> Strings for S`),
//! so every backend and every wrapper gets exactly the same methods and none can override one
//! by accident. Import them all with `use staunch_core::prelude::*`.
//!
//! Semantics, including the `# Behavior` rules the testkit asserts, are documented on the
//! matching [`Command`] variant; the methods here link to it.

use std::future::Future;

use bytes::Bytes;

use crate::command::Command;
use crate::error::Result;
use crate::reply::Reply;
use crate::store::Store;

mod atomic;
mod hashes;
mod keyspace;
mod lists;
mod sets;
mod strings;
mod zsets;

pub use atomic::{Atomic, ZMoveOptions};
pub use hashes::Hashes;
pub use keyspace::Keyspace;
pub use lists::Lists;
pub use sets::Sets;
pub use strings::{SetReply, Strings};
pub use zsets::SortedSets;

/// Anything that can be stored as a value, list element or member: converted to [`Bytes`]
/// (borrowed input is copied once; owned `Vec`, `String` and `Bytes` are moved).
pub trait IntoValue {
    /// The bytes.
    fn into_value(self) -> Bytes;
}

impl IntoValue for Bytes {
    fn into_value(self) -> Bytes {
        self
    }
}
impl IntoValue for Vec<u8> {
    fn into_value(self) -> Bytes {
        Bytes::from(self)
    }
}
impl IntoValue for String {
    fn into_value(self) -> Bytes {
        Bytes::from(self)
    }
}
impl IntoValue for &Bytes {
    fn into_value(self) -> Bytes {
        self.clone()
    }
}
impl IntoValue for &[u8] {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}
impl<const N: usize> IntoValue for &[u8; N] {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}
impl IntoValue for &str {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}
impl IntoValue for &String {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }
}
impl IntoValue for &Vec<u8> {
    fn into_value(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }
}
macro_rules! numeric_value {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Bytes {
                Bytes::from(self.to_string())
            }
        }
    )*};
}
numeric_value!(i32, i64, u32, u64, usize, f64);

/// Owned keys from borrowed ones.
pub(crate) fn owned_keys(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

/// Runs `command` and decodes its reply.
pub(crate) async fn run<S, T>(
    store: &S,
    command: Command,
    decode: fn(Reply) -> Result<T>,
) -> Result<T>
where
    S: Store + ?Sized,
{
    if let Some(reply) = store.execute_now(&command) {
        return decode(reply?);
    }
    decode(store.execute(command).await?)
}

/// Batches: many commands in one round trip.
pub trait Batches: Store {
    /// Runs `commands` as a pipeline; see [`Store::batch`].
    fn pipeline(
        &self,
        commands: Vec<Command>,
    ) -> impl Future<Output = Result<Vec<Result<Reply>>>> + Send {
        self.batch(commands, false)
    }

    /// Runs `commands` atomically (`MULTI`/`EXEC`); see [`Store::batch`].
    fn transaction(
        &self,
        commands: Vec<Command>,
    ) -> impl Future<Output = Result<Vec<Result<Reply>>>> + Send {
        self.batch(commands, true)
    }

    /// `PUBLISH`: see [`Command::Publish`]. Returns how many subscribers received it.
    fn publish(
        &self,
        channel: &str,
        message: impl IntoValue,
    ) -> impl Future<Output = Result<u64>> + Send {
        run(
            self,
            Command::Publish {
                channel: channel.to_owned(),
                message: message.into_value(),
            },
            decode_u64,
        )
    }

    /// `PSUBSCRIBE`: a subscription to glob patterns only.
    fn psubscribe(
        &self,
        patterns: &[&str],
    ) -> impl Future<Output = Result<crate::Subscription>> + Send {
        self.subscribe(Vec::new(), owned_keys(patterns))
    }
}

impl<S: Store + ?Sized> Batches for S {}

pub(crate) fn decode_u64(reply: Reply) -> Result<u64> {
    let n = reply.into_int()?;
    u64::try_from(n)
        .map_err(|_| crate::Error::new(crate::ErrorKind::Protocol, format!("negative count {n}")))
}

pub(crate) fn decode_opt_u64(reply: Reply) -> Result<Option<u64>> {
    match reply {
        Reply::Nil => Ok(None),
        other => decode_u64(other).map(Some),
    }
}

pub(crate) fn decode_unit(reply: Reply) -> Result<()> {
    reply.into_ok()
}

pub(crate) fn decode_bool_vec(reply: Reply) -> Result<Vec<bool>> {
    reply
        .into_items()?
        .into_iter()
        .map(Reply::into_bool)
        .collect()
}
