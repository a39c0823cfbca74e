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
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;

use crate::command::{Command, CommandRef};
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
pub(crate) fn run<S, D, T>(store: &S, command: Command, decode: D) -> Run<'_, S, Command, D, T>
where
    S: Store + ?Sized,
    D: Fn(Reply) -> Result<T>,
{
    Run::new(store, command, decode)
}

/// Offers `command` (a [`CommandRef`] or a [`KeyField`]) to [`Store::execute_ref`] and, when
/// the store declines, runs its owned form as [`run`] does.
pub(crate) fn run_ref<S, C, D, T>(store: &S, command: C, decode: D) -> Run<'_, S, C, D, T>
where
    S: Store + ?Sized,
    C: Start,
    D: Fn(Reply) -> Result<T>,
{
    Run::new(store, command, decode)
}

/// The future of [`run`] and [`run_ref`]. Nothing happens until it is first polled; then the
/// command runs through [`Store::execute_ref`] (borrowed commands), [`Store::execute_now`]
/// and, only when both decline, the boxed future of [`Store::execute`].
///
/// Written out by hand rather than as an `async fn`: the `async fn` version kept room for its
/// arguments and an owned command in every state, 200-400 bytes per typed call that were
/// written and copied on every call; this one is 80-90 bytes for a borrowed command. Generic
/// over the command's form, so that a borrowed command's future reserves no room for an owned
/// one, and over the decoder, so that decoding inlines instead of going through a function
/// pointer. On the in-process fast path these copies and calls cost about as much as the
/// command itself.
pub(crate) struct Run<'s, S: ?Sized, C, D, T> {
    state: State<'s, S, C>,
    decode: D,
    output: PhantomData<fn() -> T>,
}

type Pending<'s> = Pin<Box<dyn Future<Output = Result<Reply>> + Send + 's>>;

enum State<'s, S: ?Sized, C> {
    Start(&'s S, C),
    Waiting(Pending<'s>),
    Done,
}

impl<'s, S: ?Sized, C, D, T> Run<'s, S, C, D, T> {
    fn new(store: &'s S, command: C, decode: D) -> Self {
        Run {
            state: State::Start(store, command),
            decode,
            output: PhantomData,
        }
    }
}

/// A command form [`Run`] can start.
pub(crate) trait Start {
    /// Runs the command if the store can without waiting (and without an owned command for a
    /// borrowed one).
    fn now<S: Store + ?Sized>(&mut self, store: &S) -> Option<Result<Reply>>;

    /// After [`Start::now`] declined: runs the command the remaining ways, at once if the store
    /// can, else as a future.
    fn later<'s, S: Store + ?Sized>(self, store: &'s S) -> Result<Result<Reply>, Pending<'s>>;
}

impl Start for Command {
    #[inline]
    fn now<S: Store + ?Sized>(&mut self, store: &S) -> Option<Result<Reply>> {
        store.execute_now(self)
    }

    fn later<'s, S: Store + ?Sized>(self, store: &'s S) -> Result<Result<Reply>, Pending<'s>> {
        Err(store.execute(self))
    }
}

impl Start for CommandRef<'_> {
    #[inline]
    fn now<S: Store + ?Sized>(&mut self, store: &S) -> Option<Result<Reply>> {
        store.execute_ref(self)
    }

    fn later<'s, S: Store + ?Sized>(self, store: &'s S) -> Result<Result<Reply>, Pending<'s>> {
        let command = self.to_command();
        match store.execute_now(&command) {
            Some(reply) => Ok(reply),
            None => Err(store.execute(command)),
        }
    }
}

/// `HGET`/`HSET`, whose key and field may live for different lifetimes: a [`CommandRef`] has
/// one, which a future's type could not name, so the borrowed command is made when it runs.
pub(crate) enum KeyField<'k, 'f> {
    HGet {
        key: &'k str,
        field: &'f str,
    },
    HSet {
        key: &'k str,
        field: &'f str,
        value: Bytes,
    },
}

impl Start for KeyField<'_, '_> {
    #[inline]
    fn now<S: Store + ?Sized>(&mut self, store: &S) -> Option<Result<Reply>> {
        match self {
            KeyField::HGet { key, field } => store.execute_ref(&CommandRef::HGet { key, field }),
            KeyField::HSet { key, field, value } => {
                // Lend the value to the command and take it back, rather than clone it.
                let command = CommandRef::HSet {
                    key,
                    field,
                    value: std::mem::take(value),
                };
                let reply = store.execute_ref(&command);
                if let CommandRef::HSet { value: lent, .. } = command {
                    *value = lent;
                }
                reply
            }
        }
    }

    fn later<'s, S: Store + ?Sized>(self, store: &'s S) -> Result<Result<Reply>, Pending<'s>> {
        match self {
            KeyField::HGet { key, field } => CommandRef::HGet { key, field }.later(store),
            KeyField::HSet { key, field, value } => {
                CommandRef::HSet { key, field, value }.later(store)
            }
        }
    }
}

impl<S, C, D, T> Run<'_, S, C, D, T>
where
    S: Store + ?Sized,
    C: Start + Unpin,
    D: Fn(Reply) -> Result<T> + Unpin,
{
    /// Everything but the first attempt: the owned command and the store's future.
    #[inline(never)]
    fn poll_later(&mut self, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let mut pending = match std::mem::replace(&mut self.state, State::Done) {
            State::Start(store, command) => match command.later(store) {
                Ok(reply) => return Poll::Ready(reply.and_then(&self.decode)),
                Err(pending) => pending,
            },
            State::Waiting(pending) => pending,
            State::Done => panic!("a staunch command future polled after it completed"),
        };
        match pending.as_mut().poll(cx) {
            Poll::Ready(reply) => Poll::Ready(reply.and_then(&self.decode)),
            Poll::Pending => {
                self.state = State::Waiting(pending);
                Poll::Pending
            }
        }
    }
}

impl<S, C, D, T> Future for Run<'_, S, C, D, T>
where
    S: Store + ?Sized,
    C: Start + Unpin,
    D: Fn(Reply) -> Result<T> + Unpin,
{
    type Output = Result<T>;

    /// The first attempt is small enough to inline into the caller, so an in-process reply is
    /// decoded where it is used instead of being copied out through the future.
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let this = self.get_mut();
        if let State::Start(store, command) = &mut this.state
            && let Some(reply) = command.now(*store)
        {
            this.state = State::Done;
            return Poll::Ready(reply.and_then(&this.decode));
        }
        this.poll_later(cx)
    }
}

/// A multi-value command (`LPUSH`, `RPUSH`, `SADD`): exactly one value goes the borrowed way;
/// any other number builds the owned command only when it runs.
pub(crate) enum Multi<'k> {
    One(CommandRef<'k>),
    Many {
        key: &'k str,
        values: Vec<Bytes>,
        make: fn(String, Vec<Bytes>) -> Command,
    },
}

impl<'k> Multi<'k> {
    /// Converts `items`, stopping at the first `None` as `collect` would.
    pub(crate) fn new<V: IntoValue>(
        key: &'k str,
        items: impl IntoIterator<Item = V>,
        one: impl FnOnce(&'k str, Bytes) -> CommandRef<'k>,
        make: fn(String, Vec<Bytes>) -> Command,
    ) -> Self {
        let mut items = items.into_iter();
        let first = items.next();
        let second = first.as_ref().and_then(|_| items.next());
        let values = match (first, second) {
            (Some(only), None) => return Multi::One(one(key, only.into_value())),
            (None, _) => Vec::new(),
            (Some(first), Some(second)) => {
                let mut all = Vec::with_capacity(items.size_hint().0.saturating_add(2));
                all.push(first.into_value());
                all.push(second.into_value());
                all.extend(items.map(IntoValue::into_value));
                all
            }
        };
        Multi::Many { key, values, make }
    }
}

impl Start for Multi<'_> {
    #[inline]
    fn now<S: Store + ?Sized>(&mut self, store: &S) -> Option<Result<Reply>> {
        match self {
            Multi::One(command) => command.now(store),
            Multi::Many { .. } => None,
        }
    }

    fn later<'s, S: Store + ?Sized>(self, store: &'s S) -> Result<Result<Reply>, Pending<'s>> {
        let command = match self {
            Multi::One(command) => return command.later(store),
            Multi::Many { key, values, make } => make(key.to_owned(), values),
        };
        match store.execute_now(&command) {
            Some(reply) => Ok(reply),
            None => Err(store.execute(command)),
        }
    }
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

#[inline]
pub(crate) fn decode_u64(reply: Reply) -> Result<u64> {
    let n = reply.into_int()?;
    u64::try_from(n)
        .map_err(|_| crate::Error::new(crate::ErrorKind::Protocol, format!("negative count {n}")))
}

#[inline]
pub(crate) fn decode_opt_u64(reply: Reply) -> Result<Option<u64>> {
    match reply {
        Reply::Nil => Ok(None),
        other => decode_u64(other).map(Some),
    }
}

#[inline]
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
