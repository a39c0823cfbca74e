//! The command table: every command of the contract is one row, and everything staunch knows
//! about a command comes from its row.
//!
//! # What a row says
//!
//! ```text
//! /// `HGET key field` → `Bulk` or `Nil`.            the variant's docs (reply, # Behavior)
//! 23 HGet {                                          wire tag (frozen: the log format) and variant
//!     /// The key.
//!     key: Key,                                      fields; `Key`/`Field` are the name types
//!     /// The field.
//!     field: Field,
//! } => "HGET" [                                      the Redis name
//!     Read,                  access class: Read, Write, Admin, Blocking or Publish (or an
//!                            expression over the fields, as `GETEX` has)
//!     repeat true,           safe to repeat after an ambiguous failure (or an expression)
//!     keys [key],            key positions: fields, `all f` (a Vec), `firsts f` (Vec of pairs)
//!     reply Bulk,            the reply's shape ([`ReplyShape`](crate::ReplyShape))
//!     family Hashes,         the data type it works on ([`Family`](crate::Family))
//!     time none,             `none`, `clock` (depends on now), or `(field)`: a relative expiry
//!                            to make absolute before it is recorded
//!     effects none,          how a write is recorded for replay: `as_is`, `if_changed`, `custom`
//!                            (a rule in `command/effects.rs`), `none` for reads and publishes
//!     borrowed { key: Key, field: Field } => { key, field }
//!                            optional: a borrowed form (no allocation on in-process
//!                            backends) and how it becomes the owned command
//! ] {
//!     /// `HGET`.
//!     fn hget(key: Key, field: Field) -> Option<Bytes> = borrowed;
//!                            typed methods: parameters (`Key`, `Keys`, `Field`, `Fields`,
//!                            `Value`, `Values`, `FieldValues`, `KeyValues`, `ScoreMembers`,
//!                            `Channel`, `Channels`, `Pattern`, or a plain type), the reply type, and the owned
//!                            command's fields (or `borrowed`)
//! }
//! ```
//!
//! From the rows, `command/generate.rs` writes the [`Command`](crate::Command) enum with its
//! metadata (`name`, `access`, `is_idempotent`, `keys`, `keys_mut`, `family`, `reply_shape`,
//! `with_absolute_expiry`, the wire format), the borrowed
//! [`CommandRef`](crate::CommandRef); `families/generate.rs` writes the family traits
//! ([`Strings::get`](crate::Strings::get), ...), the typed pipeline and batch methods, and the
//! list of every typed call the wrapper test makes. No other code lists every command: only a
//! backend's execution (the memory engine) and encoding (Redis) match on them.
//!
//! # Adding a command
//!
//! 1. A row in the family's file here, with the next free wire tag.
//! 2. Its execution in the memory engine (`backends/memory/src/engine/<family>.rs`).
//! 3. Its encoding for Redis (`backends/redis/src/encode/mod.rs`).
//! 4. Its testkit cases (`backends/core/src/testkit/<family>`), passing on Redis first.
//!
//! A write whose effect depends on the state it met (a pop, a move) also needs its rule in
//! `command/effects.rs` (its row says `effects custom`).
//!
//! # How the rows are collected
//!
//! Each family file defines a macro that appends its section to the tokens collected so far
//! and hands them to the next file's macro ([`chain`]); the last hands everything to the
//! generator. So the table reads as one list although it spans files, and there is exactly one
//! list.

mod atomic;
mod hashes;
mod keyspace;
mod lists;
mod pubsub;
mod sets;
mod strings;
mod zsets;

pub(crate) use atomic::atomic_rows;
pub(crate) use hashes::hashes_rows;
pub(crate) use keyspace::keyspace_rows;
pub(crate) use lists::lists_rows;
pub(crate) use pubsub::pubsub_rows;
pub(crate) use sets::sets_rows;
pub(crate) use strings::strings_rows;
pub(crate) use zsets::zsets_rows;

/// Calls the next family's rows macro with the sections collected so far, or, when none is
/// left, the generator with all of them.
macro_rules! chain {
    ([] { $($sections:tt)* } $generate:path) => {
        $generate! { $($sections)* }
    };
    ([$first:path $(, $rest:path)*] $sections:tt $generate:path) => {
        $first! { [$($rest),*] $sections $generate }
    };
}
pub(crate) use chain;

/// Hands the whole table to `$generate`, family by family.
macro_rules! for_each_command {
    ($generate:path) => {
        $crate::command::table::chain! {
            [
                $crate::command::table::keyspace_rows,
                $crate::command::table::strings_rows,
                $crate::command::table::hashes_rows,
                $crate::command::table::lists_rows,
                $crate::command::table::sets_rows,
                $crate::command::table::zsets_rows,
                $crate::command::table::pubsub_rows,
                $crate::command::table::atomic_rows
            ]
            {}
            $generate
        }
    };
}
pub(crate) use for_each_command;
