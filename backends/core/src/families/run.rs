//! [`Run`]: the future of one typed call.
//!
//! Nothing happens until it is first polled; then the command goes to [`Store::call`] (a
//! borrowed command as it is), and a reply that is ready at once is decoded right there.
//!
//! Written out by hand rather than as an `async fn`: the `async fn` version kept room for its
//! arguments and an owned command in every state, 200-400 bytes per typed call that were
//! written and copied on every call; this one is 80-90 bytes for a borrowed command. Generic
//! over the command's form, so that a borrowed command's future reserves no room for an owned
//! one, and over the decoder, so that decoding inlines instead of going through a function
//! pointer. On the in-process fast path these copies and calls cost about as much as the
//! command itself.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::decode::Decode;
use crate::command::{Call, Command, CommandRef};
use crate::error::Result;
use crate::store::{Execution, Store};

/// A command form a [`Run`] can hand to [`Store::call`].
pub(crate) trait Start {
    /// Hands the command to `store`.
    fn start<S: Store + ?Sized>(self, store: &S) -> Execution<'_>;
}

impl Start for Command {
    #[inline]
    fn start<S: Store + ?Sized>(self, store: &S) -> Execution<'_> {
        store.call(Call::Owned(self))
    }
}

impl Start for CommandRef<'_> {
    #[inline]
    fn start<S: Store + ?Sized>(self, store: &S) -> Execution<'_> {
        store.call(Call::Borrowed(self))
    }
}

/// The future of a typed call: see the module docs.
pub(crate) struct Run<'s, S: ?Sized, C, D> {
    state: State<'s, S, C>,
    decoder: D,
}

enum State<'s, S: ?Sized, C> {
    Start(&'s S, C),
    Waiting(Execution<'s>),
    Done,
}

impl<'s, S: ?Sized, C> State<'s, S, C> {
    /// The store and command of a call not yet started.
    #[inline]
    fn take_start(&mut self) -> Option<(&'s S, C)> {
        match std::mem::replace(self, State::Done) {
            State::Start(store, command) => Some((store, command)),
            other => {
                *self = other;
                None
            }
        }
    }
}

impl<'s, S: ?Sized, C, D> Run<'s, S, C, D> {
    #[inline]
    pub(crate) fn new(store: &'s S, command: C, decoder: D) -> Self {
        Run {
            state: State::Start(store, command),
            decoder,
        }
    }
}

impl<S, C, D> Run<'_, S, C, D>
where
    S: Store + ?Sized,
    C: Start + Unpin,
    D: Decode + Unpin,
{
    /// Everything but the first attempt: the store's future.
    #[inline(never)]
    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Poll<Result<D::Output>> {
        let State::Waiting(pending) = &mut self.state else {
            return Poll::Ready(Err(crate::Error::new(
                crate::ErrorKind::Internal,
                "a staunch command future was polled after it completed",
            )));
        };
        match Pin::new(pending).poll(cx) {
            Poll::Ready(reply) => {
                self.state = State::Done;
                Poll::Ready(reply.and_then(|reply| self.decoder.decode(reply)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S, C, D> Future for Run<'_, S, C, D>
where
    S: Store + ?Sized,
    C: Start + Unpin,
    D: Decode + Unpin,
{
    type Output = Result<D::Output>;

    /// The first attempt is small enough to inline into the caller, so an in-process reply is
    /// decoded where it is used instead of being copied out through the future.
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some((store, command)) = this.state.take_start() {
            match command.start(store).into_ready() {
                Ok(reply) => return Poll::Ready(reply.and_then(|r| this.decoder.decode(r))),
                Err(pending) => this.state = State::Waiting(pending),
            }
        }
        this.poll_waiting(cx)
    }
}
