//! [`CommandRef`]: the commonest single-key commands with borrowed names, for in-process
//! backends.
//!
//! Building a [`Command`] allocates: the key and each field name are owned `String`s, and
//! multi-element commands hold a `Vec`. Over the network that is noise; in an in-process
//! backend whose whole `HGET` is a lock and two hash lookups, those allocations cost as much as
//! the command itself. The typed methods therefore offer the commonest single-key shapes to
//! [`Store::execute_ref`](crate::Store::execute_ref) first, borrowed. A backend that declines
//! (every backend but the in-process ones, and those when they must log or account the write)
//! gets the owned [`Command`] from [`CommandRef::to_command`] through the usual path, so
//! semantics are always the owned command's.

use bytes::Bytes;

use super::{Access, Command};
use crate::options::{SetOptions, ZAddOptions};

/// A borrowed form of a frequent command; each variant means exactly the [`Command`] that
/// [`CommandRef::to_command`] builds (see that variant for the reply and `# Behavior`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CommandRef<'a> {
    /// [`Command::Get`].
    Get {
        /// The key.
        key: &'a str,
    },
    /// [`Command::Set`] without options (clears any TTL).
    Set {
        /// The key.
        key: &'a str,
        /// The value.
        value: Bytes,
    },
    /// [`Command::HGet`].
    HGet {
        /// The key.
        key: &'a str,
        /// The field.
        field: &'a str,
    },
    /// [`Command::HSet`] with one field.
    HSet {
        /// The key.
        key: &'a str,
        /// The field.
        field: &'a str,
        /// The value.
        value: Bytes,
    },
    /// [`Command::LPush`] of one value.
    LPush {
        /// The key.
        key: &'a str,
        /// The value.
        value: Bytes,
    },
    /// [`Command::RPush`] of one value.
    RPush {
        /// The key.
        key: &'a str,
        /// The value.
        value: Bytes,
    },
    /// [`Command::LPop`] without a count.
    LPop {
        /// The key.
        key: &'a str,
    },
    /// [`Command::RPop`] without a count.
    RPop {
        /// The key.
        key: &'a str,
    },
    /// [`Command::SAdd`] of one member.
    SAdd {
        /// The key.
        key: &'a str,
        /// The member.
        member: Bytes,
    },
    /// [`Command::SIsMember`].
    SIsMember {
        /// The key.
        key: &'a str,
        /// The member.
        member: Bytes,
    },
    /// [`Command::ZAdd`] of one member without options.
    ZAdd {
        /// The key.
        key: &'a str,
        /// The score.
        score: f64,
        /// The member.
        member: Bytes,
    },
    /// [`Command::ZScore`].
    ZScore {
        /// The key.
        key: &'a str,
        /// The member.
        member: Bytes,
    },
}

impl CommandRef<'_> {
    /// The owned command this one stands for.
    pub fn to_command(&self) -> Command {
        match self {
            CommandRef::Get { key } => Command::Get {
                key: (*key).to_owned(),
            },
            CommandRef::Set { key, value } => Command::Set {
                key: (*key).to_owned(),
                value: value.clone(),
                options: SetOptions::default(),
            },
            CommandRef::HGet { key, field } => Command::HGet {
                key: (*key).to_owned(),
                field: (*field).to_owned(),
            },
            CommandRef::HSet { key, field, value } => Command::HSet {
                key: (*key).to_owned(),
                fields: vec![((*field).to_owned(), value.clone())],
            },
            CommandRef::LPush { key, value } => Command::LPush {
                key: (*key).to_owned(),
                values: vec![value.clone()],
            },
            CommandRef::RPush { key, value } => Command::RPush {
                key: (*key).to_owned(),
                values: vec![value.clone()],
            },
            CommandRef::LPop { key } => Command::LPop {
                key: (*key).to_owned(),
                count: None,
            },
            CommandRef::RPop { key } => Command::RPop {
                key: (*key).to_owned(),
                count: None,
            },
            CommandRef::SAdd { key, member } => Command::SAdd {
                key: (*key).to_owned(),
                members: vec![member.clone()],
            },
            CommandRef::SIsMember { key, member } => Command::SIsMember {
                key: (*key).to_owned(),
                member: member.clone(),
            },
            CommandRef::ZAdd { key, score, member } => Command::ZAdd {
                key: (*key).to_owned(),
                members: vec![(*score, member.clone())],
                options: ZAddOptions::default(),
            },
            CommandRef::ZScore { key, member } => Command::ZScore {
                key: (*key).to_owned(),
                member: member.clone(),
            },
        }
    }

    /// The one key the command touches.
    pub fn key(&self) -> &str {
        match self {
            CommandRef::Get { key }
            | CommandRef::Set { key, .. }
            | CommandRef::HGet { key, .. }
            | CommandRef::HSet { key, .. }
            | CommandRef::LPush { key, .. }
            | CommandRef::RPush { key, .. }
            | CommandRef::LPop { key }
            | CommandRef::RPop { key }
            | CommandRef::SAdd { key, .. }
            | CommandRef::SIsMember { key, .. }
            | CommandRef::ZAdd { key, .. }
            | CommandRef::ZScore { key, .. } => key,
        }
    }

    /// Whether the command reads or writes (never blocking, never publishing); the same as
    /// [`Command::access`] of [`CommandRef::to_command`].
    pub fn access(&self) -> Access {
        match self {
            CommandRef::Get { .. }
            | CommandRef::HGet { .. }
            | CommandRef::SIsMember { .. }
            | CommandRef::ZScore { .. } => Access::Read,
            CommandRef::Set { .. }
            | CommandRef::HSet { .. }
            | CommandRef::LPush { .. }
            | CommandRef::RPush { .. }
            | CommandRef::LPop { .. }
            | CommandRef::RPop { .. }
            | CommandRef::SAdd { .. }
            | CommandRef::ZAdd { .. } => Access::Write,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `access` and `key` agree with the owned command's for every variant.
    #[test]
    fn agrees_with_the_owned_command() {
        let v = Bytes::from_static(b"v");
        let all = [
            CommandRef::Get { key: "k" },
            CommandRef::Set {
                key: "k",
                value: v.clone(),
            },
            CommandRef::HGet {
                key: "k",
                field: "f",
            },
            CommandRef::HSet {
                key: "k",
                field: "f",
                value: v.clone(),
            },
            CommandRef::LPush {
                key: "k",
                value: v.clone(),
            },
            CommandRef::RPush {
                key: "k",
                value: v.clone(),
            },
            CommandRef::LPop { key: "k" },
            CommandRef::RPop { key: "k" },
            CommandRef::SAdd {
                key: "k",
                member: v.clone(),
            },
            CommandRef::SIsMember {
                key: "k",
                member: v.clone(),
            },
            CommandRef::ZAdd {
                key: "k",
                score: 1.5,
                member: v.clone(),
            },
            CommandRef::ZScore {
                key: "k",
                member: v.clone(),
            },
        ];
        for command in &all {
            let owned = command.to_command();
            assert_eq!(command.access(), owned.access(), "{command:?}");
            assert_eq!(vec![command.key()], owned.keys(), "{command:?}");
        }
    }
}
