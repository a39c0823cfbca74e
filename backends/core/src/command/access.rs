//! The metadata types of the command table: what a command does to data ([`Access`]), which
//! data type it works on ([`Family`]) and the shape of its reply ([`ReplyShape`]). The values
//! come from each command's row; `Failover` routes and journals by them, the file backend logs
//! by them, retry policies and key-prefixing wrappers consult them.

use super::Command;

/// What a command does to data. Not `#[non_exhaustive]`: code that routes by access class
/// should stop compiling when a class is added, rather than route it by a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only reads.
    Read,
    /// May change the keys it names.
    Write,
    /// Changes the whole keyspace rather than named keys (`FLUSHDB`).
    Admin,
    /// Blocks until data arrives or a timeout passes, then writes (blocking pops).
    Blocking,
    /// Sends a message; no data changes.
    Publish,
}

impl Access {
    /// True for the classes that may change data: writes, admin commands and blocking pops.
    pub fn is_write(self) -> bool {
        matches!(self, Access::Write | Access::Admin | Access::Blocking)
    }
}

impl Command {
    /// True when the command may change data (blocking pops and `FLUSHDB` included).
    pub fn is_write(&self) -> bool {
        self.access().is_write()
    }
}

/// The data type a command works on. Not `#[non_exhaustive]`, like [`Access`]: a backend's
/// dispatch should stop compiling when a family is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Any key, whatever it holds (`DEL`, `EXPIRE`, `SCAN`, ...).
    Keyspace,
    /// String values and counters.
    Strings,
    /// Hashes.
    Hashes,
    /// Lists.
    Lists,
    /// Sets.
    Sets,
    /// Sorted sets.
    SortedSets,
    /// Pub/sub: no data.
    PubSub,
}

/// The shape of a command's reply, as each command documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplyShape {
    /// `Status`: `OK` (or the type name for `TYPE`).
    Status,
    /// `Int`: a count, a length, a flag 0/1 or a counter.
    Int,
    /// `Double`, or `Nil` when the member is missing.
    Double,
    /// `Bulk`, or `Nil` when there is nothing.
    Bulk,
    /// `Array` of replies.
    Array,
    /// `Map` of field to value.
    Map,
    /// `Set` of members.
    Set,
    /// `Array[Bulk cursor, Array[Bulk key]]`: a `SCAN` page, which names keys.
    ScanPage,
    /// `Array` of `Bulk` key names (`KEYS`).
    Keys,
    /// `Array` whose first element is the key the value came from (`BLPOP`, `BZPOPMIN`,
    /// `LMPOP`, `ZMPOP`), or
    /// `Nil` on timeout.
    KeyFirst,
    /// Depends on the options (`SET` with `GET`, `LPOP` with a count, `ZADD INCR`); see the
    /// command's docs.
    Varies,
}
