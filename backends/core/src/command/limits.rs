//! Bounds on arguments that would make a server build a reply without limit, checked the same
//! way by every backend before anything runs or is sent.
//!
//! `SRANDMEMBER key count` (and `ZRANDMEMBER`, `HRANDFIELD`) with a negative count returns
//! `|count|` elements, repeating them as needed: a count of `-9223372036854775807` on a set of
//! one member makes Redis try to build a reply of that many elements, which exhausts its memory
//! (the command cannot be interrupted). staunch refuses a negative count below
//! [`MAX_RANDOM_REPEATS`] with `InvalidInput` on every backend: the Redis backend refuses it
//! before sending, so the server never sees it, and the local backends refuse it the same way.
//! 16,777,216 elements is far beyond any sensible sample and still a bounded reply (for short
//! members, a few hundred megabytes of RESP on Redis).

use super::Command;
use crate::error::{Error, Result};

/// The largest `|count|` of a negative random-member count (`SRANDMEMBER`, `ZRANDMEMBER`,
/// `HRANDFIELD`) any backend answers: 2^24 = 16,777,216.
pub const MAX_RANDOM_REPEATS: u64 = 1 << 24;

impl Command {
    /// Refuses arguments staunch bounds on every backend (see the module docs of
    /// `command::limits`): a negative random-member count below `-MAX_RANDOM_REPEATS`.
    ///
    /// # Behavior
    /// - `InvalidInput` with a message naming the command and the limit; every backend calls
    ///   this before running or sending the command.
    pub fn check_limits(&self) -> Result<()> {
        match self {
            Command::SRandMember {
                count: Some(count), ..
            } => random_count("SRANDMEMBER", *count),
            _ => Ok(()),
        }
    }
}

/// Checks the count of a random-member command `name` against [`MAX_RANDOM_REPEATS`].
pub fn random_count(name: &str, count: i64) -> Result<()> {
    if count < 0 && count.unsigned_abs() > MAX_RANDOM_REPEATS {
        return Err(Error::invalid(format!(
            "ERR {name} count {count} is out of range: staunch answers negative counts (which \
             may repeat elements) down to -{MAX_RANDOM_REPEATS}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_counts_beyond_the_bound_are_refused() {
        let srand = |count| Command::SRandMember {
            key: "s".into(),
            count: Some(count),
        };
        assert!(srand(-(MAX_RANDOM_REPEATS as i64)).check_limits().is_ok());
        assert!(srand(i64::MAX).check_limits().is_ok());
        for count in [-(MAX_RANDOM_REPEATS as i64) - 1, i64::MIN] {
            let err = srand(count).check_limits().unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
            assert!(err.to_string().contains("SRANDMEMBER"), "{err}");
        }
    }
}
