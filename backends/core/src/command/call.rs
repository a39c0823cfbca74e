//! [`Call`]: a command on its way to a store, owned or (for the commonest single-key commands)
//! with borrowed names.
//!
//! Building a [`Command`] allocates: the key and each field name are owned strings, and
//! multi-element commands hold a `Vec`. Over the network that is noise; in an in-process
//! backend whose whole `HGET` is a lock and two hash lookups, those allocations cost as much as
//! the command itself. So the typed methods hand their commonest shapes to
//! [`Store::call`](crate::Store::call) borrowed, as a reference to a [`CommandRef`] that stays
//! where the caller keeps it (nothing is moved or copied on the in-process fast path). That is
//! the only way a command reaches a store: a wrapper implements `call`, sees every command, and
//! turns a borrowed one into the owned command with [`Call::into_owned`] when it needs to
//! rewrite or record it. An in-process backend runs the borrowed form directly.

use super::{Access, Command, CommandRef};

/// A command handed to [`Store::call`](crate::Store::call).
#[derive(Debug, Clone, PartialEq)]
pub enum Call<'a> {
    /// An owned command.
    Owned(Command),
    /// A borrowed command; it means exactly [`CommandRef::into_command`].
    Borrowed(&'a CommandRef<'a>),
}

impl Call<'_> {
    /// The owned command (allocating the names of a borrowed one).
    pub fn into_owned(self) -> Command {
        match self {
            Call::Owned(command) => command,
            Call::Borrowed(command) => command.clone().into_command(),
        }
    }

    /// The command's name.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Owned(command) => command.name(),
            Call::Borrowed(command) => command.name(),
        }
    }

    /// What the command does to data.
    pub fn access(&self) -> Access {
        match self {
            Call::Owned(command) => command.access(),
            Call::Borrowed(command) => command.access(),
        }
    }
}

impl From<Command> for Call<'_> {
    fn from(command: Command) -> Self {
        Call::Owned(command)
    }
}

impl<'a> From<&'a CommandRef<'a>> for Call<'a> {
    fn from(command: &'a CommandRef<'a>) -> Self {
        Call::Borrowed(command)
    }
}
