//! Limits staunch enforces itself, the same on every backend, before a command is run or sent.
//!
//! Redis answers some commands with as many elements as the caller asks for, whatever the data
//! holds: `SRANDMEMBER`, `ZRANDMEMBER` and `HRANDFIELD` with a negative count return that many
//! elements (repeats allowed), so `ZRANDMEMBER key -9223372036854775807` makes the server build
//! a reply it cannot hold. staunch refuses such counts before anything is sent, with an
//! `InvalidInput` error that names the limit, on every backend alike.

use crate::error::{Error, Result};

/// The largest number of elements a random-member command may be asked for with a negative
/// count (`SRANDMEMBER`, `ZRANDMEMBER`, `HRANDFIELD`): one million, far above any sensible
/// sample and far below what would exhaust a server's memory.
pub const RANDOM_COUNT_LIMIT: u64 = 1_000_000;

/// Refuses a negative random-member `count` whose magnitude exceeds [`RANDOM_COUNT_LIMIT`];
/// `command` names the command in the message. Positive counts are bounded by the data and
/// pass.
pub fn check_random_count(command: &str, count: i64) -> Result<()> {
    if count < 0 && count.unsigned_abs() > RANDOM_COUNT_LIMIT {
        return Err(Error::invalid(format!(
            "{command} count {count} is beyond staunch's limit of -{RANDOM_COUNT_LIMIT} \
             (a negative count returns that many elements)"
        )));
    }
    Ok(())
}
