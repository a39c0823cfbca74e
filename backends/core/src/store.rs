//! The [`Store`] trait every backend implements, and what it hands back for pub/sub.
//!
//! `Store` is deliberately small: run one command, run a batch, subscribe, say what you can do.
//! Everything users call by name (`get`, `hset`, `zadd`, ...) is in the family traits of
//! [`crate::families`], implemented once for every `Store`.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_trait::async_trait;
use bytes::Bytes;
use futures_core::Stream;

use crate::capabilities::Capabilities;
use crate::command::{Command, CommandRef};
use crate::error::Result;
use crate::reply::Reply;

/// A storage backend with Redis semantics. Object safe: share it as `Arc<dyn Store>`.
///
/// Implementors answer each [`Command`] exactly as Redis 7 would over RESP3 (see the command's
/// docs for the reply shape and its `# Behavior`), or with `ErrorKind::Unsupported`, never with a
/// panic or a silent no-op. An outage is an `Unavailable` or `Timeout` error, never a `Nil`.
#[async_trait]
pub trait Store: Send + Sync {
    /// Runs one command.
    async fn execute(&self, command: Command) -> Result<Reply>;

    /// Runs `command` right now if this backend can complete it without waiting, or returns
    /// `None` and leaves it to [`Store::execute`].
    ///
    /// This is a fast path for in-process backends: the typed methods try it first, so a
    /// memory `GET` costs no future allocation. It must give exactly the reply `execute`
    /// would. Backends that always wait (network, fsync) keep the default, which declines.
    fn execute_now(&self, command: &Command) -> Option<Result<Reply>> {
        let _ = command;
        None
    }

    /// [`Store::execute_now`] for a command with borrowed names: runs it right now without
    /// building the owned [`Command`], or returns `None`, and the caller then runs
    /// [`CommandRef::to_command`] the usual way.
    ///
    /// The typed methods offer their commonest single-key shapes here first, so an in-process
    /// backend answers a `HGET` without allocating its key and field. It must give exactly the
    /// reply, and make exactly the change, that the owned command would. Wrappers that rewrite
    /// or observe commands keep the default, which declines, unless they handle it themselves.
    fn execute_ref(&self, command: &CommandRef<'_>) -> Option<Result<Reply>> {
        let _ = command;
        None
    }

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
    async fn subscribe(&self, channels: Vec<String>, patterns: Vec<String>)
    -> Result<Subscription>;

    /// What this backend can do.
    fn capabilities(&self) -> Capabilities;
}

/// A message received on a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The channel it was published on.
    pub channel: String,
    /// The pattern that matched, for pattern subscriptions.
    pub pattern: Option<String>,
    /// The payload.
    pub payload: Bytes,
}

impl Message {
    /// A message on `channel`, matched by `pattern` if any.
    pub fn new(channel: impl Into<String>, pattern: Option<String>, payload: Bytes) -> Self {
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
    async fn execute(&self, command: Command) -> Result<Reply> {
        (**self).execute(command).await
    }
    fn execute_now(&self, command: &Command) -> Option<Result<Reply>> {
        (**self).execute_now(command)
    }
    fn execute_ref(&self, command: &CommandRef<'_>) -> Option<Result<Reply>> {
        (**self).execute_ref(command)
    }
    async fn batch(&self, commands: Vec<Command>, atomic: bool) -> Result<Vec<Result<Reply>>> {
        (**self).batch(commands, atomic).await
    }
    async fn subscribe(
        &self,
        channels: Vec<String>,
        patterns: Vec<String>,
    ) -> Result<Subscription> {
        (**self).subscribe(channels, patterns).await
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
}
