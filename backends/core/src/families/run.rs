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
pub(crate) trait Start: Sized {
    /// Hands the command to `store`. A borrowed command is lent from where the future keeps
    /// it (`slot`, left in place); an owned one is taken out of it.
    fn start<'s, S: Store + ?Sized>(slot: &mut Option<Self>, store: &'s S) -> Execution<'s>;
}

impl Start for Command {
    #[inline]
    fn start<'s, S: Store + ?Sized>(slot: &mut Option<Self>, store: &'s S) -> Execution<'s> {
        match slot.take() {
            Some(command) => store.call(Call::Owned(command)),
            None => Execution::ready(Err(started_twice())),
        }
    }
}

impl Start for CommandRef<'_> {
    #[inline]
    fn start<'s, S: Store + ?Sized>(slot: &mut Option<Self>, store: &'s S) -> Execution<'s> {
        match slot {
            Some(command) => store.call(Call::Borrowed(command)),
            None => Execution::ready(Err(started_twice())),
        }
    }
}

fn started_twice() -> crate::Error {
    crate::Error::new(
        crate::ErrorKind::Internal,
        "a staunch command future was polled after it completed",
    )
}

/// The future of a typed call: see the module docs.
pub(crate) struct Run<'s, S: ?Sized, C, D> {
    state: State<'s, S, C>,
    decoder: D,
}

enum State<'s, S: ?Sized, C> {
    Start(&'s S, Option<C>),
    Waiting(Execution<'s>),
    Done,
}

impl<'s, S: ?Sized, C, D> Run<'s, S, C, D> {
    #[inline]
    pub(crate) fn new(store: &'s S, command: C, decoder: D) -> Self {
        Run {
            state: State::Start(store, Some(command)),
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
            return Poll::Ready(Err(started_twice()));
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
        if let State::Start(store, command) = &mut this.state {
            match C::start(command, *store).into_ready() {
                Ok(reply) => {
                    this.state = State::Done;
                    return Poll::Ready(reply.and_then(|r| this.decoder.decode(r)));
                }
                Err(pending) => this.state = State::Waiting(pending),
            }
        }
        this.poll_waiting(cx)
    }
}
