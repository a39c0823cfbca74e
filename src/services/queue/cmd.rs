//! Short constructors for the commands the queue sends, so the state transitions read as lists
//! of what they do.

use staunch_core::{
    Bytes, Command, Expiry, MoveScore, Reply, Result, ScoreBound, ZAddComparison, ZAddOptions,
};

pub(crate) fn hset(key: &str, fields: Vec<(String, Bytes)>) -> Command {
    Command::HSet {
        key: key.to_owned(),
        fields,
    }
}

pub(crate) fn hincr(key: &str, field: &str, delta: i64) -> Command {
    Command::HIncrBy {
        key: key.to_owned(),
        field: field.to_owned(),
        delta,
    }
}

pub(crate) fn hgetall(key: &str) -> Command {
    Command::HGetAll {
        key: key.to_owned(),
    }
}

pub(crate) fn hcas(key: &str, field: &str, expected: Option<String>, value: String) -> Command {
    Command::HCompareAndSet {
        key: key.to_owned(),
        field: field.to_owned(),
        expected: expected.map(Bytes::from),
        value: Bytes::from(value),
    }
}

pub(crate) fn zadd(key: &str, score: f64, member: &str) -> Command {
    Command::ZAdd {
        key: key.to_owned(),
        members: vec![(score, Bytes::copy_from_slice(member.as_bytes()))],
        options: ZAddOptions::new(),
    }
}

/// `ZADD key XX GT score member`: renew a lease without ever shortening it or re-adding it.
pub(crate) fn zadd_xx_gt(key: &str, score: f64, member: &str) -> Command {
    Command::ZAdd {
        key: key.to_owned(),
        members: vec![(score, Bytes::copy_from_slice(member.as_bytes()))],
        options: ZAddOptions::new()
            .condition(staunch_core::SetCondition::Xx)
            .comparison(ZAddComparison::Gt),
    }
}

pub(crate) fn zrem(key: &str, member: &str) -> Command {
    Command::ZRem {
        key: key.to_owned(),
        members: vec![Bytes::copy_from_slice(member.as_bytes())],
    }
}

pub(crate) fn zmove(
    source: &str,
    destination: &str,
    max: ScoreBound,
    limit: u64,
    score: MoveScore,
) -> Command {
    Command::ZMoveByScore {
        source: source.to_owned(),
        destination: destination.to_owned(),
        min: ScoreBound::MIN,
        max,
        limit: Some(limit),
        score,
    }
}

pub(crate) fn del(key: &str) -> Command {
    Command::Del {
        keys: vec![key.to_owned()],
    }
}

pub(crate) fn pexpire(key: &str, millis: i64) -> Command {
    Command::Expire {
        key: key.to_owned(),
        expiry: Expiry::Millis(millis),
        condition: None,
    }
}

pub(crate) fn persist(key: &str) -> Command {
    Command::Persist {
        key: key.to_owned(),
    }
}

pub(crate) fn cad(key: &str, expected: &str) -> Command {
    Command::CompareAndDelete {
        key: key.to_owned(),
        expected: Bytes::copy_from_slice(expected.as_bytes()),
    }
}

pub(crate) fn zcard(key: &str) -> Command {
    Command::ZCard {
        key: key.to_owned(),
    }
}

/// Takes the reply of command `index` out of a batch result.
pub(crate) fn take(replies: &mut [Result<Reply>], index: usize) -> Result<Reply> {
    match replies.get_mut(index) {
        Some(slot) => std::mem::replace(slot, Ok(Reply::Nil)),
        None => Err(staunch_core::Error::new(
            staunch_core::ErrorKind::Protocol,
            format!("batch answered fewer than {} commands", index + 1),
        )),
    }
}

/// Fails with the first error of a batch of effects.
pub(crate) fn check_all(replies: Vec<Result<Reply>>) -> Result<()> {
    for reply in replies {
        reply?;
    }
    Ok(())
}
