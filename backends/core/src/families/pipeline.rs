//! Typed pipelines and transactions: many commands in one round trip, each reply decoded as its
//! typed method's would be.
//!
//! Two builders share the table's typed methods:
//!
//! - [`Pipeline`], chained: `store.pipeline().hset("h", "f", "v").zadd("z", 1.0, "m").run()`
//!   answers a tuple, `(bool, bool)` here. [`Execute::transaction`](super::Execute::transaction)
//!   makes the same chain atomic (`MULTI`/`EXEC`). Up to twelve steps.
//! - [`Batch`], grown step by step (in a loop, across helper functions): each method returns a
//!   [`Step`] handle, and [`Replies::take`] decodes that step's reply after
//!   [`Batch::run`].
//!
//! Both run through [`Store::batch`], so every rule of a batch holds: commands run in order, an
//! atomic one with nothing in between, an error in one command is that step's error while the
//! others still run (as in Redis), and blocking commands do not block.

use super::decode::{As, Decode};
use crate::command::Command;
use crate::error::{Error, ErrorKind, Result};
use crate::reply::Reply;
use crate::store::Store;

/// A chained pipeline or transaction whose `run` answers one typed reply per step, as a
/// tuple. Build it with [`Execute::pipeline`](super::Execute::pipeline) or
/// [`Execute::transaction`](super::Execute::transaction).
#[must_use = "a pipeline does nothing until it is run"]
pub struct Pipeline<'s, S: ?Sized, Steps = ()> {
    store: &'s S,
    atomic: bool,
    commands: Vec<Command>,
    steps: Steps,
}

impl<S: ?Sized, Steps> std::fmt::Debug for Pipeline<'_, S, Steps> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("atomic", &self.atomic)
            .field("commands", &self.commands)
            .finish_non_exhaustive()
    }
}

impl<'s, S: Store + ?Sized> Pipeline<'s, S, ()> {
    pub(crate) fn new(store: &'s S, atomic: bool) -> Self {
        Pipeline {
            store,
            atomic,
            commands: Vec::new(),
            steps: (),
        }
    }
}

impl<'s, S: Store + ?Sized, Steps> Pipeline<'s, S, Steps> {
    /// Adds `command`, whose reply `decoder` decodes.
    pub(crate) fn push<D: Decode>(
        mut self,
        command: Command,
        decoder: D,
    ) -> Pipeline<'s, S, Steps::Output>
    where
        Steps: Append<D>,
    {
        self.commands.push(command);
        Pipeline {
            store: self.store,
            atomic: self.atomic,
            commands: self.commands,
            steps: self.steps.append(decoder),
        }
    }

    /// Adds a command as it is; its step answers the raw [`Reply`].
    pub fn command(self, command: Command) -> Pipeline<'s, S, Steps::Output>
    where
        Steps: Append<As<Reply>>,
    {
        self.push(command, As::new())
    }

    /// The commands so far, in order.
    pub fn commands(&self) -> &[Command] {
        &self.commands
    }

    /// Runs the steps in one round trip and decodes each reply. The first step that failed
    /// (with its own error, or a reply that does not decode) is the error; the other steps
    /// still ran, as in Redis.
    pub async fn run(self) -> Result<Steps::Replies>
    where
        Steps: DecodeAll,
    {
        let replies = self.store.batch(self.commands, self.atomic).await?;
        self.steps.decode_all(replies)
    }
}

/// A tuple of step decoders that takes one more.
pub trait Append<D> {
    /// The tuple with `D` at the end.
    type Output;

    /// Appends `decoder`.
    fn append(self, decoder: D) -> Self::Output;
}

/// A tuple of step decoders that decodes a batch's replies into a tuple of typed replies.
pub trait DecodeAll {
    /// The typed replies.
    type Replies;

    /// Decodes `replies`, one per decoder, in order.
    fn decode_all(self, replies: Vec<Result<Reply>>) -> Result<Self::Replies>;
}

fn step<D: Decode>(
    decoder: &D,
    replies: &mut std::vec::IntoIter<Result<Reply>>,
) -> Result<D::Output> {
    match replies.next() {
        Some(reply) => decoder.decode(reply?),
        None => Err(Error::new(
            ErrorKind::Protocol,
            "the batch answered fewer replies than it had commands",
        )),
    }
}

impl<D> Append<D> for () {
    type Output = (D,);
    fn append(self, decoder: D) -> (D,) {
        (decoder,)
    }
}

impl DecodeAll for () {
    type Replies = ();
    fn decode_all(self, _: Vec<Result<Reply>>) -> Result<()> {
        Ok(())
    }
}

macro_rules! tuple_steps {
    ($($name:ident)+) => {
        #[allow(non_snake_case)]
        impl<$($name: Decode),+> DecodeAll for ($($name,)+) {
            type Replies = ($($name::Output,)+);
            fn decode_all(self, replies: Vec<Result<Reply>>) -> Result<Self::Replies> {
                let ($($name,)+) = self;
                let mut replies = replies.into_iter();
                Ok(($(step(&$name, &mut replies)?,)+))
            }
        }
    };
}

macro_rules! tuple_append {
    ($($name:ident)+) => {
        #[allow(non_snake_case)]
        impl<$($name,)+ Next> Append<Next> for ($($name,)+) {
            type Output = ($($name,)+ Next);
            fn append(self, decoder: Next) -> Self::Output {
                let ($($name,)+) = self;
                ($($name,)+ decoder)
            }
        }
    };
}

tuple_steps!(A);
tuple_steps!(A B);
tuple_steps!(A B C);
tuple_steps!(A B C D);
tuple_steps!(A B C D E);
tuple_steps!(A B C D E F);
tuple_steps!(A B C D E F G);
tuple_steps!(A B C D E F G H);
tuple_steps!(A B C D E F G H I);
tuple_steps!(A B C D E F G H I J);
tuple_steps!(A B C D E F G H I J K);
tuple_steps!(A B C D E F G H I J K L);
tuple_append!(A);
tuple_append!(A B);
tuple_append!(A B C);
tuple_append!(A B C D);
tuple_append!(A B C D E);
tuple_append!(A B C D E F);
tuple_append!(A B C D E F G);
tuple_append!(A B C D E F G H);
tuple_append!(A B C D E F G H I);
tuple_append!(A B C D E F G H I J);
tuple_append!(A B C D E F G H I J K);

/// A pipeline or transaction grown one step at a time; each typed method returns a [`Step`]
/// whose reply [`Replies::take`] decodes after [`Batch::run`].
///
/// ```
/// # use staunch_core::prelude::*;
/// # async fn demo(store: &dyn Store) -> staunch_core::Result<()> {
/// let mut batch = Batch::transaction(store);
/// let steps: Vec<_> = ["a", "b"].iter().map(|key| batch.incr(key)).collect();
/// let mut replies = batch.run().await?;
/// for step in steps {
///     let value: i64 = replies.take(step)?;
/// }
/// # Ok(()) }
/// ```
#[must_use = "a batch does nothing until it is run"]
pub struct Batch<'s, S: ?Sized> {
    store: &'s S,
    atomic: bool,
    commands: Vec<Command>,
}

impl<S: ?Sized> std::fmt::Debug for Batch<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("atomic", &self.atomic)
            .field("commands", &self.commands)
            .finish_non_exhaustive()
    }
}

impl<'s, S: Store + ?Sized> Batch<'s, S> {
    /// An empty pipeline on `store`: one round trip, other clients' commands may interleave.
    pub fn pipeline(store: &'s S) -> Self {
        Batch {
            store,
            atomic: false,
            commands: Vec::new(),
        }
    }

    /// An empty transaction on `store` (`MULTI`/`EXEC`): nothing runs in between.
    pub fn transaction(store: &'s S) -> Self {
        Batch {
            atomic: true,
            ..Batch::pipeline(store)
        }
    }

    pub(crate) fn push<D>(&mut self, command: Command, decoder: D) -> Step<D> {
        let index = self.commands.len();
        self.commands.push(command);
        Step { index, decoder }
    }

    /// Adds a command as it is; its step answers the raw [`Reply`].
    pub fn command(&mut self, command: Command) -> Step<As<Reply>> {
        self.push(command, As::new())
    }

    /// How many commands were added.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// True when no command was added.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// The commands so far, in order.
    pub fn commands(&self) -> &[Command] {
        &self.commands
    }

    /// Runs every command in one round trip. An empty batch does not reach the store.
    pub async fn run(self) -> Result<Replies> {
        if self.commands.is_empty() {
            return Ok(Replies {
                replies: Vec::new(),
            });
        }
        let count = self.commands.len();
        let replies = self.store.batch(self.commands, self.atomic).await?;
        if replies.len() != count {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!(
                    "a batch of {count} commands answered {} replies",
                    replies.len()
                ),
            ));
        }
        Ok(Replies {
            replies: replies.into_iter().map(Some).collect(),
        })
    }
}

/// One command of a [`Batch`]: where its reply is and how to decode it.
#[derive(Debug)]
pub struct Step<D> {
    index: usize,
    decoder: D,
}

/// The replies of a [`Batch`] that ran.
#[derive(Debug)]
pub struct Replies {
    replies: Vec<Option<Result<Reply>>>,
}

impl Replies {
    /// Decodes `step`'s reply (its own error if that command failed).
    pub fn take<D: Decode>(&mut self, step: Step<D>) -> Result<D::Output> {
        match self.replies.get_mut(step.index).and_then(Option::take) {
            Some(reply) => step.decoder.decode(reply?),
            None => Err(Error::new(
                ErrorKind::Internal,
                "a batch step was read twice, or belongs to another batch",
            )),
        }
    }

    /// Succeeds when every command succeeded; otherwise the first command's error. For
    /// batches that are all effects.
    pub fn check(self) -> Result<()> {
        for reply in self.replies.into_iter().flatten() {
            reply?;
        }
        Ok(())
    }

    /// The raw replies not taken yet, in order.
    pub fn into_results(self) -> Vec<Result<Reply>> {
        self.replies.into_iter().flatten().collect()
    }
}
