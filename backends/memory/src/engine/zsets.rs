//! Sorted-set commands: `ZADD` (NX/XX/GT/LT/CH/INCR), `ZREM`, `ZSCORE`, `ZMSCORE`, `ZINCRBY`,
//! `ZCARD`, `ZCOUNT`, `ZRANK`, `ZREVRANK`, `ZRANGE` (by rank, score or lex, `REV`, `LIMIT`,
//! `WITHSCORES`), `ZPOPMIN`/`ZPOPMAX`, `ZREMRANGEBYSCORE`, `ZREMRANGEBYRANK`, and the atomic
//! [`Command::ZMoveByScore`].
//!
//! Replies are Redis 7's over RESP3 (checked against a live server): scores are `Double`s,
//! scored members are `Array[Bulk, Double]` pairs, `ZPOPMIN key` without a count is one flat
//! pair (an empty `Array` when there is nothing), with a count an `Array` of pairs. Option
//! errors are checked before the key's type, as Redis parses its arguments first.
//!
//! Ranges by score seek the order index (see `zset`) instead of scanning from the lowest
//! member, and ranks come from chunk lengths, so `ZRANK`, `ZCOUNT` and rank ranges do not walk
//! the members before the position.
//!
//! `BYLEX` is meant for sets whose scores are all equal. When they are not, Redis's answer
//! depends on its internal encoding; staunch answers as Redis's compact (listpack) encoding,
//! used for sets of up to 128 members, does: walk the order from the lowest member to the first
//! one at or above `min`, then take members while they are at or below `max`.

use staunch_core::{
    Bytes, Command, Error, LexBound, MoveScore, Reply, Result, ScoreBound, ZAddOptions, ZRangeBy,
    ZRangeOptions,
};

use super::context::{WriteCtx, unsupported};
use super::db::Db;
use super::keyspace::non_empty;
use super::sorted_set::ZSet;

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::ZScore { key, member } => zscore(db, now, key, member),
        Command::ZMScore { key, members } => {
            non_empty(members, "zmscore")?;
            let z = db.zset(key, now)?;
            Ok(Reply::Array(
                members
                    .iter()
                    .map(|m| double_or_nil(z.and_then(|z| z.score(m))))
                    .collect(),
            ))
        }
        Command::ZCard { key } => Ok(Reply::Int(db.zset(key, now)?.map_or(0, ZSet::len) as i64)),
        Command::ZCount { key, min, max } => {
            check_bounds(*min, *max)?;
            let (start, end) = db
                .zset(key, now)?
                .map_or((0, 0), |z| score_ranks(z, *min, *max));
            Ok(Reply::Int((end - start) as i64))
        }
        Command::ZRank { key, member } => Ok(db
            .zset(key, now)?
            .and_then(|z| z.rank(member))
            .map_or(Reply::Nil, |r| Reply::Int(r as i64))),
        Command::ZRevRank { key, member } => Ok(db
            .zset(key, now)?
            .and_then(|z| z.rank(member).map(|r| z.len() - 1 - r))
            .map_or(Reply::Nil, |r| Reply::Int(r as i64))),
        Command::ZRange { key, by, options } => zrange(db, now, key, by, options),
        Command::ZRankWithScore { key, member } | Command::ZRevRankWithScore { key, member } => {
            let rev = matches!(command, Command::ZRevRankWithScore { .. });
            let Some(z) = db.zset(key, now)? else {
                return Ok(Reply::Nil);
            };
            Ok(match (z.rank(member), z.score(member)) {
                (Some(rank), Some(score)) => {
                    let rank = if rev { z.len() - 1 - rank } else { rank };
                    Reply::Array(vec![Reply::Int(rank as i64), Reply::Double(score)])
                }
                _ => Reply::Nil,
            })
        }
        Command::ZUnion { .. }
        | Command::ZInter { .. }
        | Command::ZDiff { .. }
        | Command::ZInterCard { .. } => super::zsets_combine::read(db, now, command),
        Command::ZLexCount { .. } | Command::ZRandMember { .. } | Command::ZScan { .. } => {
            super::zsets_more::read(db, now, command)
        }
        other => Err(unsupported(other)),
    }
}

pub(crate) fn write(db: &mut Db, ctx: &mut WriteCtx, command: &Command) -> Result<Reply> {
    let now = ctx.now;
    match command {
        Command::ZAdd {
            key,
            members,
            options,
        } => zadd(db, now, key, members, options),
        Command::ZIncrBy { key, delta, member } => {
            let options = ZAddOptions::new().incr(true);
            zadd(db, now, key, &[(*delta, member.clone())], &options)
        }
        Command::ZRem { key, members } => {
            non_empty(members, "zrem")?;
            let Some(z) = db.zset_mut(key, now)? else {
                return Ok(Reply::Int(0));
            };
            let removed = members.iter().filter(|m| z.remove(m).is_some()).count();
            db.remove_if_empty(key);
            Ok(Reply::Int(removed as i64))
        }
        Command::ZPopMin { key, count } | Command::ZPopMax { key, count } => {
            let max = matches!(command, Command::ZPopMax { .. });
            let n = match count {
                None => 1,
                Some(c) => i64::try_from(*c)
                    .map_err(|_| Error::invalid("ERR value is out of range, must be positive"))?
                    as usize,
            };
            let popped = match db.zset_mut(key, now)? {
                None => Vec::new(),
                Some(z) => {
                    let len = z.len();
                    let n = n.min(len);
                    if max {
                        let mut top = z.drain_ranks(len - n, len);
                        top.reverse();
                        top
                    } else {
                        z.drain_ranks(0, n)
                    }
                }
            };
            db.remove_if_empty(key);
            Ok(match count {
                None => popped
                    .into_iter()
                    .next()
                    .map_or(Reply::Array(Vec::new()), |(m, s)| pair(m, s)),
                Some(_) => Reply::Array(popped.into_iter().map(|(m, s)| pair(m, s)).collect()),
            })
        }
        Command::ZRemRangeByScore { key, min, max } => {
            check_bounds(*min, *max)?;
            let Some(z) = db.zset_mut(key, now)? else {
                return Ok(Reply::Int(0));
            };
            let (start, end) = score_ranks(z, *min, *max);
            let removed = z.drain_ranks(start, end).len();
            db.remove_if_empty(key);
            Ok(Reply::Int(removed as i64))
        }
        Command::ZRemRangeByRank { key, start, stop } => {
            let Some(z) = db.zset_mut(key, now)? else {
                return Ok(Reply::Int(0));
            };
            let removed = match rank_span(z.len(), *start, *stop) {
                Some((first, last)) => z.drain_ranks(first, last + 1).len(),
                None => 0,
            };
            db.remove_if_empty(key);
            Ok(Reply::Int(removed as i64))
        }
        Command::ZMoveByScore {
            source,
            destination,
            min,
            max,
            limit,
            score,
        } => zmove_by_score(db, now, source, destination, (*min, *max), *limit, *score),
        Command::ZUnionStore { .. }
        | Command::ZInterStore { .. }
        | Command::ZDiffStore { .. }
        | Command::ZRangeStore { .. } => super::zsets_combine::write(db, now, command),
        Command::ZRemRangeByLex { .. } | Command::ZMPop { .. } => {
            super::zsets_more::write(db, now, command)
        }
        other => Err(unsupported(other)),
    }
}

/// `ZSCORE`.
pub(crate) fn zscore(db: &Db, now: i64, key: &[u8], member: &[u8]) -> Result<Reply> {
    Ok(double_or_nil(
        db.zset(key, now)?.and_then(|z| z.score(member)),
    ))
}

// ----- replies -----

fn double_or_nil(score: Option<f64>) -> Reply {
    score.map_or(Reply::Nil, Reply::Double)
}

/// A scored member: `Array[Bulk member, Double score]`.
pub(crate) fn pair(member: Bytes, score: f64) -> Reply {
    Reply::Array(vec![Reply::Bulk(member), Reply::Double(score)])
}

/// A score as the set stores it (`-0.0` becomes `0.0`).
fn stored(score: f64) -> f64 {
    if score == 0.0 { 0.0 } else { score }
}

pub(crate) fn not_a_float() -> Error {
    Error::invalid("ERR value is not a valid float")
}

fn nan_result() -> Error {
    Error::invalid("ERR resulting score is not a number (NaN)")
}

// ----- ranges -----

fn bound_value(bound: ScoreBound) -> f64 {
    match bound {
        ScoreBound::Inclusive(x) | ScoreBound::Exclusive(x) => x,
    }
}

/// Redis refuses `nan` as a range bound.
pub(crate) fn check_bounds(min: ScoreBound, max: ScoreBound) -> Result<()> {
    if bound_value(min).is_nan() || bound_value(max).is_nan() {
        return Err(Error::invalid("ERR min or max is not a float"));
    }
    Ok(())
}

/// The ascending ranks `start..end` of the members with a score within `[min, max]` (two seeks;
/// an inverted range is empty).
fn score_ranks(z: &ZSet, min: ScoreBound, max: ScoreBound) -> (usize, usize) {
    let start = z.first_where(|s, _| min.admits_from_below(s));
    let end = z.first_where(|s, _| !max.admits_from_above(s));
    (start, end.max(start))
}

/// Redis's rank normalisation (`ZRANGE`, `ZREMRANGEBYRANK`): negative ranks count from the end;
/// the inclusive span `(first, last)` within `0..len`, or `None` when it is empty.
fn rank_span(len: usize, start: i64, stop: i64) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { start + len } else { start }.max(0);
    let stop = if stop < 0 { stop + len } else { stop };
    if start > stop || start >= len {
        return None;
    }
    Some((start as usize, stop.min(len - 1) as usize))
}

/// `member >= min` for a lex bound (`-` is below and `+` above every member).
fn lex_gte_min(member: &[u8], min: &LexBound) -> bool {
    match min {
        LexBound::Min => true,
        LexBound::Max => false,
        LexBound::Inclusive(x) => member >= &x[..],
        LexBound::Exclusive(x) => member > &x[..],
    }
}

/// `member <= max` for a lex bound.
fn lex_lte_max(member: &[u8], max: &LexBound) -> bool {
    match max {
        LexBound::Min => false,
        LexBound::Max => true,
        LexBound::Inclusive(x) => member <= &x[..],
        LexBound::Exclusive(x) => member < &x[..],
    }
}

/// True when no member can be within `[min, max]` (Redis's `zslParseLexRange` checks: `-` and
/// `+` count as exclusive).
fn lex_range_is_empty(min: &LexBound, max: &LexBound) -> bool {
    use std::cmp::Ordering;
    let rank = |b: &LexBound| match b {
        LexBound::Min => 0,
        LexBound::Inclusive(_) | LexBound::Exclusive(_) => 1,
        LexBound::Max => 2,
    };
    let order = match (min, max) {
        (
            LexBound::Inclusive(a) | LexBound::Exclusive(a),
            LexBound::Inclusive(b) | LexBound::Exclusive(b),
        ) => a.cmp(b),
        _ => rank(min).cmp(&rank(max)),
    };
    let exclusive = |b: &LexBound| !matches!(b, LexBound::Inclusive(_));
    order == Ordering::Greater || (order == Ordering::Equal && (exclusive(min) || exclusive(max)))
}

/// The ascending ranks `start..end` taken in the direction asked, after skipping `offset` of
/// them (a seek, not a walk).
fn rank_window<'a>(
    z: &'a ZSet,
    (start, end): (usize, usize),
    rev: bool,
    offset: usize,
) -> Box<dyn Iterator<Item = (&'a [u8], f64)> + 'a> {
    let len = end.saturating_sub(start).saturating_sub(offset);
    if len == 0 {
        return Box::new(std::iter::empty());
    }
    if rev {
        Box::new(z.iter_rev_at(end - 1 - offset).take(len))
    } else {
        Box::new(z.iter_at(start + offset).take(len))
    }
}

/// A test of a member against one lex bound.
type LexTest<'a> = Box<dyn Fn(&[u8]) -> bool + 'a>;

/// The members a lex range selects, in the direction asked, after skipping `offset`.
///
/// With mixed scores this follows Redis's listpack walk exactly, including a quirk: the
/// `LIMIT` offset skips members without checking them against the far bound, so members past
/// a gap in the range can still be returned.
pub(crate) fn lex_members<'a>(
    z: &'a ZSet,
    min: &'a LexBound,
    max: &'a LexBound,
    rev: bool,
    offset: usize,
) -> Box<dyn Iterator<Item = (&'a [u8], f64)> + 'a> {
    let (Some((first, first_score)), Some((last, last_score))) =
        (z.at(0), z.at(z.len().wrapping_sub(1)))
    else {
        return Box::new(std::iter::empty());
    };
    if lex_range_is_empty(min, max) || !lex_gte_min(last, min) || !lex_lte_max(first, max) {
        return Box::new(std::iter::empty());
    }
    if first_score == last_score {
        // All scores equal: the order is the member order, so seek both ends.
        let start = z.first_where(|_, m| lex_gte_min(m, min));
        let end = z.first_where(|_, m| !lex_lte_max(m, max)).max(start);
        return rank_window(z, (start, end), rev, offset);
    }
    // The walk starts at the first member (from the low end, or the high end with REV) inside
    // the near bound; if that member is outside the far bound, the answer is empty.
    let (near, far): (LexTest, LexTest) = if rev {
        (
            Box::new(move |m| lex_lte_max(m, max)),
            Box::new(move |m| lex_gte_min(m, min)),
        )
    } else {
        (
            Box::new(move |m| lex_gte_min(m, min)),
            Box::new(move |m| lex_lte_max(m, max)),
        )
    };
    let walk: Box<dyn Iterator<Item = (&'a [u8], f64)> + 'a> = if rev {
        Box::new(z.iter().rev())
    } else {
        Box::new(z.iter())
    };
    let mut walk = walk.skip_while(move |(m, _)| !near(m)).peekable();
    if walk.peek().is_none_or(|(m, _)| !far(m)) {
        return Box::new(std::iter::empty());
    }
    Box::new(walk.skip(offset).take_while(move |(m, _)| far(m)))
}

fn zrange(db: &Db, now: i64, key: &[u8], by: &ZRangeBy, options: &ZRangeOptions) -> Result<Reply> {
    if matches!(by, ZRangeBy::Lex { .. }) && options.with_scores {
        return Err(Error::invalid(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let selected = zrange_selected(db, now, key, by, options)?;
    let items = if options.with_scores {
        selected.into_iter().map(|(m, s)| pair(m, s)).collect()
    } else {
        selected.into_iter().map(|(m, _)| Reply::Bulk(m)).collect()
    };
    Ok(Reply::Array(items))
}

/// The members (with their scores) a `ZRANGE` selects, in reply order, after Redis's argument
/// checks except the `WITHSCORES` ones (`ZRANGESTORE` takes the scores along).
pub(crate) fn zrange_selected(
    db: &Db,
    now: i64,
    key: &[u8],
    by: &ZRangeBy,
    options: &ZRangeOptions,
) -> Result<Vec<(Bytes, f64)>> {
    match by {
        ZRangeBy::Rank { .. } if options.limit.is_some() => {
            return Err(Error::invalid(
                "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
            ));
        }
        ZRangeBy::Score { min, max } => check_bounds(*min, *max)?,
        _ => {}
    }
    let Some(z) = db.zset(key, now)? else {
        return Ok(Vec::new());
    };
    // `LIMIT offset count`: a negative offset selects nothing, a negative count means all.
    let (offset, count) = match options.limit {
        None => (0, None),
        Some((offset, _)) if offset < 0 => return Ok(Vec::new()),
        Some((offset, count)) => (
            usize::try_from(offset).unwrap_or(usize::MAX),
            usize::try_from(count).ok(),
        ),
    };
    let rev = options.rev;
    let selected: Box<dyn Iterator<Item = (&[u8], f64)> + '_> = match by {
        ZRangeBy::Rank { start, stop } => {
            let Some((first, last)) = rank_span(z.len(), *start, *stop) else {
                return Ok(Vec::new());
            };
            // With REV, ranks count from the top: rank r of the reversed order is
            // len - 1 - r of the ascending one.
            let span = if rev {
                (z.len() - 1 - last, z.len() - first)
            } else {
                (first, last + 1)
            };
            rank_window(z, span, rev, 0)
        }
        ZRangeBy::Score { min, max } => rank_window(z, score_ranks(z, *min, *max), rev, offset),
        ZRangeBy::Lex { min, max } => lex_members(z, min, max, rev, offset),
    };
    let limited: Box<dyn Iterator<Item = (&[u8], f64)> + '_> = match count {
        Some(count) => Box::new(selected.take(count)),
        None => selected,
    };
    Ok(limited
        .map(|(m, s)| (Bytes::copy_from_slice(m), s))
        .collect())
}

// ----- writes -----

/// `ZADD` with every option (and `ZINCRBY` as `ZADD INCR`), following `zaddGenericCommand` and
/// `zsetAdd` of Redis 7.
pub(crate) fn zadd(
    db: &mut Db,
    now: i64,
    key: &[u8],
    members: &[(f64, Bytes)],
    options: &ZAddOptions,
) -> Result<Reply> {
    non_empty(members, "zadd")?;
    zadd_each(db, now, key, members.iter().map(|(s, m)| (*s, m)), options)
}

/// [`zadd`] of at least one `(score, member)`, given by an iterator so that a single borrowed
/// member needs no list.
pub(crate) fn zadd_each<'a, I>(
    db: &mut Db,
    now: i64,
    key: &[u8],
    members: I,
    options: &ZAddOptions,
) -> Result<Reply>
where
    I: ExactSizeIterator<Item = (f64, &'a Bytes)> + Clone,
{
    let (nx, xx) = (options.nx, options.xx);
    options.check()?;
    if options.incr && members.len() > 1 {
        return Err(Error::invalid(
            "ERR INCR option supports a single increment-element pair",
        ));
    }
    if members.clone().any(|(s, _)| s.is_nan()) {
        return Err(not_a_float());
    }
    if xx && db.zset(key, now)?.is_none() {
        return Ok(if options.incr {
            Reply::Nil
        } else {
            Reply::Int(0)
        });
    }
    // One lookup for an existing set; `left_empty` is only ever true for a set created here
    // that received nothing (`XX` cannot get here without a set).
    let (reply, left_empty) = with_zset(db, key, now, |z| {
        let (mut added, mut updated) = (0i64, 0i64);
        let mut incr_reply = Reply::Nil;
        let decided = z.upsert_each(members, |score, current| {
            let Some(current) = current else {
                if xx {
                    return Ok(None);
                }
                added += 1;
                if options.incr {
                    incr_reply = Reply::Double(stored(score));
                }
                return Ok(Some(score));
            };
            if nx {
                return Ok(None);
            }
            let mut score = score;
            if options.incr {
                score += current;
                if score.is_nan() {
                    return Err(nan_result());
                }
            }
            let blocked = (options.gt && score <= current) || (options.lt && score >= current);
            if blocked {
                return Ok(None);
            }
            if options.incr {
                incr_reply = Reply::Double(stored(score));
            }
            if score == current {
                return Ok(None);
            }
            updated += 1;
            Ok(Some(score))
        });
        if let Err(e) = decided {
            return (Err(e), z.is_empty());
        }
        let reply = if options.incr {
            incr_reply
        } else if options.ch {
            Reply::Int(added + updated)
        } else {
            Reply::Int(added)
        };
        (Ok(reply), z.is_empty())
    })?;
    if left_empty {
        db.remove_if_empty(key);
    }
    reply
}

/// Runs `f` on the sorted set at `key`, created empty (so without TTL) when missing, finding
/// an existing set with one lookup. The caller removes the key if `f` leaves it empty.
pub(crate) fn with_zset<R>(
    db: &mut Db,
    key: &[u8],
    now: i64,
    f: impl FnOnce(&mut ZSet) -> R,
) -> Result<R> {
    if let Some(z) = db.zset_mut(key, now)? {
        return Ok(f(z));
    }
    Ok(f(db.zset_or_create(key, now)?))
}

/// [`Command::ZMoveByScore`]: takes the lowest members of `source` within the score range, at
/// most `limit`, and puts them into `destination`. Both keys are type-checked before anything
/// moves; the source is removed when emptied (after the destination is filled, so a move of a
/// key onto itself keeps it and its TTL).
fn zmove_by_score(
    db: &mut Db,
    now: i64,
    source: &[u8],
    destination: &[u8],
    (min, max): (ScoreBound, ScoreBound),
    limit: Option<u64>,
    score: MoveScore,
) -> Result<Reply> {
    check_bounds(min, max)?;
    if let MoveScore::Fixed(s) = score
        && s.is_nan()
    {
        return Err(not_a_float());
    }
    db.zset(destination, now)?;
    let Some(z) = db.zset_mut(source, now)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let (start, mut end) = score_ranks(z, min, max);
    if let Some(limit) = limit {
        end = end.min(start.saturating_add(usize::try_from(limit).unwrap_or(usize::MAX)));
    }
    let moved = z.drain_ranks(start, end);
    if moved.is_empty() {
        return Ok(Reply::Array(Vec::new()));
    }
    let target = db.zset_or_create(destination, now)?;
    for (member, old) in &moved {
        let new = match score {
            MoveScore::Keep => *old,
            MoveScore::Fixed(s) => s,
        };
        target.insert(member, new);
    }
    db.remove_if_empty(source);
    Ok(Reply::Array(
        moved.into_iter().map(|(m, s)| pair(m, s)).collect(),
    ))
}
