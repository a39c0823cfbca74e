//! [`Command::check_limits`]: the bounds of [`crate::limits`] applied to a command, the one
//! check every backend makes before it runs or sends anything.

use super::Command;
use crate::error::Result;
use crate::limits::check_random_count;

impl Command {
    /// Refuses arguments staunch bounds on every backend (see [`crate::limits`]): a negative
    /// random-member count (`SRANDMEMBER`, `ZRANDMEMBER`, `HRANDFIELD`) beyond
    /// [`RANDOM_COUNT_LIMIT`](crate::limits::RANDOM_COUNT_LIMIT).
    ///
    /// # Behavior
    /// - `InvalidInput` with a message naming the command and the limit. The memory engine
    ///   checks before it looks at the key (so before `WRONGTYPE`), the Redis backend before it
    ///   sends the command.
    pub fn check_limits(&self) -> Result<()> {
        match self {
            Command::SRandMember {
                count: Some(count), ..
            } => check_random_count("SRANDMEMBER", *count),
            Command::ZRandMember {
                count: Some(count), ..
            } => check_random_count("ZRANDMEMBER", *count),
            Command::HRandField {
                count: Some(count), ..
            } => check_random_count("HRANDFIELD", *count),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::RANDOM_COUNT_LIMIT;

    #[test]
    fn negative_counts_beyond_the_bound_are_refused() {
        let srand = |count| Command::SRandMember {
            key: "s".into(),
            count: Some(count),
        };
        assert!(srand(-(RANDOM_COUNT_LIMIT as i64)).check_limits().is_ok());
        assert!(srand(i64::MAX).check_limits().is_ok());
        for count in [-(RANDOM_COUNT_LIMIT as i64) - 1, i64::MIN] {
            let err = srand(count).check_limits().unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
            assert!(err.to_string().contains("SRANDMEMBER"), "{err}");
        }
    }
}
