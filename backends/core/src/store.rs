//! The [`Store`] trait every backend implements, and what it hands back for pub/sub.
//!
//! `Store` is deliberately small: run one command, run a batch, subscribe, say what you can do.
//! Everything users call by name (`get`, `hset`, `zadd`, ...) is in the family traits of
//! [`crate::families`], implemented once for every `Store`.
//!
//! # One way in
//!
//! Every single command reaches a store through [`Store::call`], whoever sends it: a typed
//! method, a raw [`Command`] through [`Execute::execute`](crate::Execute::execute), a
//! service. A wrapper (a key prefix, `Failover`, metrics, a user's own) implements `call` and
//! sees all of them; there is no side door for it to remember to close. What keeps the
//! in-process backends fast is in the types instead of in extra entry points: a call may carry
//! a borrowed command ([`Call::Borrowed`]), which an in-process backend runs without allocating
//! and anyone else turns into the owned command with [`Call::into_owned`], and the answer
//! ([`Execution`]) may be ready at once, so a memory `GET` allocates no future either.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_trait::async_trait;
use bytes::Bytes;
use futures_core::Stream;

use crate::capabilities::Capabilities;
use crate::command::{Call, Command};
use crate::error::Result;
use crate::name::Name;
use crate::reply::Reply;

/// A storage backend with Redis semantics. Object safe: share it as `Arc<dyn Store>`.
///
/// Implementors answer each [`Command`] exactly as Redis 7 would over RESP3 (see the command's
/// docs for the reply shape and its `# Behavior`), or with `ErrorKind::Unsupported`, never with a
/// panic or a silent no-op. An outage is an `Unavailable` or `Timeout` error, never a `Nil`.
#[async_trait]
pub trait Store: Send + Sync {
    /// Runs one command: the only way a single command reaches a store (see the module docs).
    ///
    /// An in-process backend answers with [`Execution::ready`] when it needs no waiting and
    /// runs a [`Call::Borrowed`] command as it is; a network backend turns the call into the
    /// owned command ([`Call::into_owned`]) and returns [`Execution::pending`]. A wrapper
    /// rewrites or observes the command and hands it on. Either way the reply is exactly what
    /// Redis would give for [`Call::into_owned`].
    fn call(&self, call: Call<'_>) -> Execution<'_>;

    /// Runs many commands in one round trip and returns one result per command, in order.
    ///
    /// # Behavior
    /// - With `atomic: false` (a pipeline) commands run in order but other clients' commands may
    ///   interleave; with `atomic: true` (`MULTI`/`EXEC`) no other command runs in between.
    /// - An error in one command (`WrongType`, ...) is that command's result; the others still
    ///   run. The outer `Err` is reserved for failures of the whole batch (an outage).
    /// - Blocking commands inside a batch do not block: they behave as their non-blocking forms
    ///   with an immediate timeout, as inside Redis `MULTI`.
    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>>;

    /// Subscribes to channels and glob patterns. When this returns, the subscription is active:
    /// every message published afterwards on a matching channel is delivered. Dropping the
    /// [`Subscription`] unsubscribes.
    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription>;

    /// What this backend can do.
    fn capabilities(&self) -> Capabilities;
}

/// A message received on a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The channel it was published on.
    pub channel: Name,
    /// The pattern that matched, for pattern subscriptions.
    pub pattern: Option<Name>,
    /// The payload.
    pub payload: Bytes,
}

impl Message {
    /// A message on `channel`, matched by `pattern` if any.
    pub fn new(channel: impl Into<Name>, pattern: Option<Name>, payload: Bytes) -> Self {
        Message {
            channel: channel.into(),
            pattern,
            payload,
        }
    }
}

/// Why a subscriber may have missed messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GapReason {
    /// The subscriber fell behind and this many messages were dropped for it.
    Lagged(u64),
    /// The connection to the server was lost and re-established; subscriptions were renewed.
    Reconnected,
    /// Delivery moved to another backend (`Failover` switching between Redis and local).
    BackendSwitched,
}

/// What a subscription yields: a message, or a marker that messages may have been missed so the
/// subscriber can resynchronise from state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionEvent {
    /// A published message.
    Message(Message),
    /// Messages may have been missed here.
    Gap(GapReason),
}

impl SubscriptionEvent {
    /// The message, if this is one.
    pub fn into_message(self) -> Option<Message> {
        match self {
            SubscriptionEvent::Message(m) => Some(m),
            SubscriptionEvent::Gap(_) => None,
        }
    }
}

/// A live subscription: a [`Stream`] of [`SubscriptionEvent`]s. Dropping it unsubscribes.
pub struct Subscription {
    inner: Pin<Box<dyn Stream<Item = SubscriptionEvent> + Send>>,
}

impl Subscription {
    /// Wraps a backend's stream. The stream must end its subscription when dropped.
    pub fn new(stream: impl Stream<Item = SubscriptionEvent> + Send + 'static) -> Self {
        Subscription {
            inner: Box::pin(stream),
        }
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

impl Stream for Subscription {
    type Item = SubscriptionEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

#[async_trait]
impl<S: Store + ?Sized> Store for std::sync::Arc<S> {
    #[inline]
    fn call(&self, call: Call<'_>) -> Execution<'_> {
        (**self).call(call)
    }
    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        (**self).batch(commands, atomic).await
    }
    async fn subscribe(&self, channels: Vec<Name>, patterns: Vec<Name>) -> Result<Subscription> {
        (**self).subscribe(channels, patterns).await
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
}

/// The future of a boxed, still running command.
type Pending<'s> = Pin<Box<dyn Future<Output = Result<Reply>> + Send + 's>>;

/// What [`Store::call`] returns: the reply at once, or a future of it. Await it like any
/// future.
///
/// An in-process backend answers most commands without waiting; handing that answer back
/// ready, rather than inside a boxed future, is what keeps a memory `GET` as cheap as the hash
/// lookup it is.
#[must_use = "a command that is not awaited may not run"]
pub struct Execution<'s> {
    state: ExecutionState<'s>,
}

enum ExecutionState<'s> {
    Ready(Option<Result<Reply>>),
    Pending(Pending<'s>),
}

impl<'s> Execution<'s> {
    /// A reply that is already there.
    #[inline]
    pub fn ready(reply: Result<Reply>) -> Self {
        Execution {
            state: ExecutionState::Ready(Some(reply)),
        }
    }

    /// A reply still to come from `future` (boxed here).
    pub fn pending(future: impl Future<Output = Result<Reply>> + Send + 's) -> Self {
        Execution {
            state: ExecutionState::Pending(Box::pin(future)),
        }
    }

    /// The reply if it is already there, else this execution back to await.
    #[inline]
    pub fn into_ready(self) -> std::result::Result<Result<Reply>, Self> {
        match self.state {
            ExecutionState::Ready(Some(reply)) => Ok(reply),
            state => Err(Execution { state }),
        }
    }
}

impl Future for Execution<'_> {
    type Output = Result<Reply>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Reply>> {
        match &mut self.state {
            ExecutionState::Ready(reply) => match reply.take() {
                Some(reply) => Poll::Ready(reply),
                None => Poll::Ready(Err(crate::Error::new(
                    crate::ErrorKind::Internal,
                    "a staunch command was polled after it completed",
                ))),
            },
            ExecutionState::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for Execution<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            ExecutionState::Ready(reply) => f.debug_tuple("Ready").field(reply).finish(),
            ExecutionState::Pending(_) => f.write_str("Pending"),
        }
    }
}
