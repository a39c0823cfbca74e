//! From a [`Command`] to what is sent to Redis: one big match, one arm per variant.
//!
//! Most commands are one Redis command whose RESP3 reply already has the documented shape, so
//! this file only writes arguments. Blocking commands are marked as such (they go to a dedicated
//! connection, see `connection.rs`), and the atomic compound operations become Lua scripts
//! (see `scripts.rs`). A variant this backend does not know yet is `ErrorKind::Unsupported`,
//! never a panic.

use std::time::Duration;

use redis::Cmd;
use staunch_core::options::*;
use staunch_core::{Command, Error, Result};

use crate::scripts::Script;

#[macro_use]
mod args;

use args::*;
pub(crate) use args::{block_secs, num};

/// How one command is carried out.
#[derive(Debug)]
pub(crate) enum Plan {
    /// One ordinary command on the shared multiplexed connection.
    Plain(Cmd),
    /// A blocking command: a dedicated connection, waiting up to `block` (zero: forever).
    Blocking {
        /// The command as Redis receives it.
        cmd: Cmd,
        /// Its blocking timeout.
        block: Duration,
    },
    /// A compound operation: a Lua script with its keys and arguments.
    Script {
        /// Which script.
        script: Script,
        /// `KEYS`.
        keys: Vec<Vec<u8>>,
        /// `ARGV`.
        args: Vec<Vec<u8>>,
    },
}

impl Plan {
    /// The script as `EVALSHA sha numkeys keys.. args..`.
    pub(crate) fn evalsha(script: Script, keys: &[Vec<u8>], args: &[Vec<u8>]) -> Cmd {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(script.sha()).arg(keys.len()).arg(keys).arg(args);
        cmd
    }

    /// The script as `EVAL source numkeys keys.. args..` (also caches it on the server).
    pub(crate) fn eval(script: Script, keys: &[Vec<u8>], args: &[Vec<u8>]) -> Cmd {
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(script.source()).arg(keys.len()).arg(keys).arg(args);
        cmd
    }
}

/// Plans one command.
pub(crate) fn plan(command: &Command) -> Result<Plan> {
    use Command as C;
    // Bounds staunch shares on every backend, refused before anything is sent.
    command.check_limits()?;
    let plain = |cmd: Cmd| Ok(Plan::Plain(cmd));
    match command {
        // ----- keyspace -----
        C::Exists { keys } => plain(keys_cmd("EXISTS", keys)),
        C::Del { keys } => plain(keys_cmd("DEL", keys)),
        C::Expire {
            key,
            expiry,
            condition,
        } => {
            let mut cmd = expire_cmd(key, *expiry);
            if let Some(condition) = condition {
                cmd.arg(match condition {
                    ExpireCondition::Nx => "NX",
                    ExpireCondition::Xx => "XX",
                    ExpireCondition::Gt => "GT",
                    ExpireCondition::Lt => "LT",
                });
            }
            plain(cmd)
        }
        C::Persist { key } => plain(key_cmd("PERSIST", key)),
        C::Ttl { key } => plain(key_cmd("TTL", key)),
        C::Pttl { key } => plain(key_cmd("PTTL", key)),
        C::Type { key } => plain(key_cmd("TYPE", key)),
        C::Scan { cursor, options } => {
            let mut cmd = named("SCAN");
            cmd.arg(*cursor);
            scan_args(&mut cmd, options);
            plain(cmd)
        }
        C::DbSize => plain(named("DBSIZE")),
        C::FlushDb => plain(named("FLUSHDB")),
        C::Rename { key, new_key } => plain(keys_cmd("RENAME", &[key.clone(), new_key.clone()])),
        C::RenameNx { key, new_key } => {
            plain(keys_cmd("RENAMENX", &[key.clone(), new_key.clone()]))
        }
        C::Keys { pattern } => plain(rcmd!("KEYS", pattern.as_bytes())),
        C::Copy {
            source,
            destination,
            replace,
        } => {
            let mut cmd = rcmd!("COPY", source.as_bytes(), destination.as_bytes());
            if *replace {
                cmd.arg("REPLACE");
            }
            plain(cmd)
        }
        C::ExpireTime { key } => plain(key_cmd("EXPIRETIME", key)),
        C::PExpireTime { key } => plain(key_cmd("PEXPIRETIME", key)),
        C::ExpireIf {
            key,
            expiry,
            conditions,
        } => {
            let mut cmd = expire_cmd(key, *expiry);
            cmd.arg(conditions.words());
            plain(cmd)
        }

        // ----- strings -----
        C::Get { key } => plain(key_cmd("GET", key)),
        C::Set {
            key,
            value,
            options,
        } => {
            let mut cmd = key_cmd("SET", key);
            cmd.arg(value.as_ref());
            if let Some(condition) = options.condition {
                cmd.arg(condition_word(condition));
            }
            if options.get {
                cmd.arg("GET");
            }
            if let Some(expiry) = options.expiry {
                set_expiry_args(&mut cmd, expiry);
            }
            plain(cmd)
        }
        C::MGet { keys } => plain(keys_cmd("MGET", keys)),
        C::MSet { pairs } => {
            let mut cmd = named("MSET");
            for (key, value) in pairs {
                cmd.arg(key.as_bytes()).arg(value.as_ref());
            }
            plain(cmd)
        }
        C::IncrBy { key, delta } => plain(rcmd!("INCRBY", key.as_bytes(), *delta)),
        C::DecrBy { key, delta } => plain(rcmd!("DECRBY", key.as_bytes(), *delta)),
        C::IncrByFloat { key, delta } => plain(rcmd!("INCRBYFLOAT", key.as_bytes(), num(*delta))),
        C::GetDel { key } => plain(key_cmd("GETDEL", key)),
        C::GetEx { key, expiry } => {
            let mut cmd = key_cmd("GETEX", key);
            match expiry {
                None => {}
                Some(GetExExpiry::Persist) => {
                    cmd.arg("PERSIST");
                }
                Some(GetExExpiry::Set(expiry)) => set_expiry_args(&mut cmd, *expiry),
            }
            plain(cmd)
        }
        C::Append { key, value } => plain(rcmd!("APPEND", key.as_bytes(), value.as_ref())),
        C::SetNx { key, value } => plain(rcmd!("SETNX", key.as_bytes(), value.as_ref())),
        C::SetRange { key, offset, value } => {
            plain(rcmd!("SETRANGE", key.as_bytes(), *offset, value.as_ref()))
        }
        C::GetRange { key, start, end } => plain(rcmd!("GETRANGE", key.as_bytes(), *start, *end)),
        C::SetBit { key, offset, value } => plain(rcmd!(
            "SETBIT",
            key.as_bytes(),
            *offset,
            if *value { "1" } else { "0" }
        )),
        C::GetBit { key, offset } => plain(rcmd!("GETBIT", key.as_bytes(), *offset)),
        C::BitCount { key, range } => {
            let mut cmd = key_cmd("BITCOUNT", key);
            if let Some(range) = range {
                cmd.arg(range.start).arg(range.end).arg(range.unit.as_str());
            }
            plain(cmd)
        }
        C::MSetNx { pairs } => {
            let mut cmd = named("MSETNX");
            for (key, value) in pairs {
                cmd.arg(key.as_bytes()).arg(value.as_ref());
            }
            plain(cmd)
        }
        C::StrLen { key } => plain(key_cmd("STRLEN", key)),

        // ----- hashes -----
        C::HGet { key, field } => plain(rcmd!("HGET", key.as_bytes(), field.as_bytes())),
        C::HSet { key, fields } => {
            let bytes = fields.iter().map(|(f, v)| f.len() + v.len()).sum();
            let mut cmd = sized_cmd("HSET", key, fields.len() * 2, bytes);
            for (field, value) in fields {
                cmd.arg(field.as_bytes()).arg(value.as_ref());
            }
            plain(cmd)
        }
        C::HSetNx { key, field, value } => plain(rcmd!(
            "HSETNX",
            key.as_bytes(),
            field.as_bytes(),
            value.as_ref()
        )),
        C::HDel { key, fields } => plain(rcmd!("HDEL", key.as_bytes(), names(fields))),
        C::HGetAll { key } => plain(key_cmd("HGETALL", key)),
        C::HMGet { key, fields } => plain(rcmd!("HMGET", key.as_bytes(), names(fields))),
        C::HIncrBy { key, field, delta } => {
            plain(rcmd!("HINCRBY", key.as_bytes(), field.as_bytes(), *delta))
        }
        C::HIncrByFloat { key, field, delta } => plain(rcmd!(
            "HINCRBYFLOAT",
            key.as_bytes(),
            field.as_bytes(),
            num(*delta)
        )),
        C::HExists { key, field } => plain(rcmd!("HEXISTS", key.as_bytes(), field.as_bytes())),
        C::HLen { key } => plain(key_cmd("HLEN", key)),
        C::HStrLen { key, field } => plain(rcmd!("HSTRLEN", key.as_bytes(), field.as_bytes())),
        C::HKeys { key } => plain(key_cmd("HKEYS", key)),
        C::HMSet { key, fields } => {
            let mut cmd = key_cmd("HMSET", key);
            for (field, value) in fields {
                cmd.arg(field.as_bytes()).arg(value.as_ref());
            }
            plain(cmd)
        }
        C::HRandField {
            key,
            count,
            with_values,
        } => plain(random_members_cmd(
            "HRANDFIELD",
            key,
            *count,
            with_values.then_some("WITHVALUES"),
        )),
        C::HScan {
            key,
            cursor,
            options,
        } => {
            let mut cmd = key_cmd("HSCAN", key);
            cmd.arg(*cursor);
            scan_args(&mut cmd, options);
            plain(cmd)
        }
        C::HVals { key } => plain(key_cmd("HVALS", key)),

        // ----- lists -----
        C::LPush { key, values } => plain(rcmd!("LPUSH", key.as_bytes(), bytes_list(values))),
        C::RPush { key, values } => plain(rcmd!("RPUSH", key.as_bytes(), bytes_list(values))),
        C::LPop { key, count } => plain(rcmd!("LPOP", key.as_bytes(), *count)),
        C::RPop { key, count } => plain(rcmd!("RPOP", key.as_bytes(), *count)),
        C::LRange { key, start, stop } => plain(rcmd!("LRANGE", key.as_bytes(), *start, *stop)),
        C::LLen { key } => plain(key_cmd("LLEN", key)),
        C::LIndex { key, index } => plain(rcmd!("LINDEX", key.as_bytes(), *index)),
        C::LSet { key, index, value } => {
            plain(rcmd!("LSET", key.as_bytes(), *index, value.as_ref()))
        }
        C::LRem { key, count, value } => {
            plain(rcmd!("LREM", key.as_bytes(), *count, value.as_ref()))
        }
        C::LTrim { key, start, stop } => plain(rcmd!("LTRIM", key.as_bytes(), *start, *stop)),
        C::LMove {
            source,
            destination,
            from,
            to,
        } => plain(rcmd!(
            "LMOVE",
            source.as_bytes(),
            destination.as_bytes(),
            from.as_str(),
            to.as_str()
        )),
        C::LPos {
            key,
            element,
            count,
            options,
        } => {
            let mut cmd = rcmd!("LPOS", key.as_bytes(), element.as_ref());
            if let Some(rank) = options.rank {
                cmd.arg("RANK").arg(rank);
            }
            if let Some(count) = count {
                cmd.arg("COUNT").arg(*count);
            }
            if let Some(maxlen) = options.maxlen {
                cmd.arg("MAXLEN").arg(maxlen);
            }
            plain(cmd)
        }
        C::LInsert {
            key,
            position,
            pivot,
            element,
        } => plain(rcmd!(
            "LINSERT",
            key.as_bytes(),
            position.as_str(),
            pivot.as_ref(),
            element.as_ref()
        )),
        C::LPushX { key, values } => plain(rcmd!("LPUSHX", key.as_bytes(), bytes_list(values))),
        C::RPushX { key, values } => plain(rcmd!("RPUSHX", key.as_bytes(), bytes_list(values))),
        C::LMPop { keys, end, count } => {
            let mut cmd = named("LMPOP");
            lmpop_args(&mut cmd, keys, *end, *count);
            plain(cmd)
        }
        C::BLMPop {
            keys,
            end,
            count,
            timeout,
        } => {
            let mut cmd = rcmd!("BLMPOP", block_secs(*timeout));
            lmpop_args(&mut cmd, keys, *end, *count);
            Ok(Plan::Blocking {
                cmd,
                block: *timeout,
            })
        }
        C::BLPop { keys, timeout } => Ok(blocking_keys("BLPOP", keys, *timeout)),
        C::BRPop { keys, timeout } => Ok(blocking_keys("BRPOP", keys, *timeout)),
        C::BLMove {
            source,
            destination,
            from,
            to,
            timeout,
        } => Ok(Plan::Blocking {
            cmd: rcmd!(
                "BLMOVE",
                source.as_bytes(),
                destination.as_bytes(),
                from.as_str(),
                to.as_str(),
                block_secs(*timeout)
            ),
            block: *timeout,
        }),

        // ----- sets -----
        C::SAdd { key, members } => plain(rcmd!("SADD", key.as_bytes(), bytes_list(members))),
        C::SRem { key, members } => plain(rcmd!("SREM", key.as_bytes(), bytes_list(members))),
        C::SMembers { key } => plain(key_cmd("SMEMBERS", key)),
        C::SIsMember { key, member } => plain(rcmd!("SISMEMBER", key.as_bytes(), member.as_ref())),
        C::SMIsMember { key, members } => {
            plain(rcmd!("SMISMEMBER", key.as_bytes(), bytes_list(members)))
        }
        C::SCard { key } => plain(key_cmd("SCARD", key)),
        C::SPop { key, count } => plain(rcmd!("SPOP", key.as_bytes(), *count)),
        C::SRandMember { key, count } => plain(rcmd!("SRANDMEMBER", key.as_bytes(), *count)),
        C::SInter { keys } => plain(keys_cmd("SINTER", keys)),
        C::SUnion { keys } => plain(keys_cmd("SUNION", keys)),
        C::SDiff { keys } => plain(keys_cmd("SDIFF", keys)),
        C::SInterCard { keys, limit } => {
            let mut cmd = rcmd!("SINTERCARD", keys.len(), names(keys));
            if let Some(limit) = limit {
                cmd.arg("LIMIT").arg(*limit);
            }
            plain(cmd)
        }
        C::SInterStore { destination, keys } => {
            plain(rcmd!("SINTERSTORE", destination.as_bytes(), names(keys)))
        }
        C::SUnionStore { destination, keys } => {
            plain(rcmd!("SUNIONSTORE", destination.as_bytes(), names(keys)))
        }
        C::SDiffStore { destination, keys } => {
            plain(rcmd!("SDIFFSTORE", destination.as_bytes(), names(keys)))
        }
        C::SMove {
            source,
            destination,
            member,
        } => plain(rcmd!(
            "SMOVE",
            source.as_bytes(),
            destination.as_bytes(),
            member.as_ref()
        )),
        C::SScan {
            key,
            cursor,
            options,
        } => {
            let mut cmd = rcmd!("SSCAN", key.as_bytes(), *cursor);
            scan_args(&mut cmd, options);
            plain(cmd)
        }

        // ----- sorted sets -----
        C::ZAdd {
            key,
            members,
            options,
        } => {
            // Scores take at most 24 bytes (see `num_arg`); 4 more for the option words.
            let bytes = members.iter().map(|(_, m)| 24 + m.len()).sum::<usize>() + 4 * 4;
            let mut cmd = sized_cmd("ZADD", key, members.len() * 2 + 4, bytes);
            // Every word that is set, also the combinations Redis refuses: it answers them with
            // its own error.
            for (set, word) in [
                (options.nx, "NX"),
                (options.xx, "XX"),
                (options.gt, "GT"),
                (options.lt, "LT"),
            ] {
                if set {
                    cmd.arg(word);
                }
            }
            if options.ch {
                cmd.arg("CH");
            }
            if options.incr {
                cmd.arg("INCR");
            }
            for (score, member) in members {
                num_arg(&mut cmd, *score);
                cmd.arg(member.as_ref());
            }
            plain(cmd)
        }
        C::ZRem { key, members } => plain(rcmd!("ZREM", key.as_bytes(), bytes_list(members))),
        C::ZScore { key, member } => plain(rcmd!("ZSCORE", key.as_bytes(), member.as_ref())),
        C::ZMScore { key, members } => plain(rcmd!("ZMSCORE", key.as_bytes(), bytes_list(members))),
        C::ZIncrBy { key, delta, member } => plain(rcmd!(
            "ZINCRBY",
            key.as_bytes(),
            num(*delta),
            member.as_ref()
        )),
        C::ZCard { key } => plain(key_cmd("ZCARD", key)),
        C::ZCount { key, min, max } => {
            plain(rcmd!("ZCOUNT", key.as_bytes(), min.to_arg(), max.to_arg()))
        }
        C::ZRank { key, member } => plain(rcmd!("ZRANK", key.as_bytes(), member.as_ref())),
        C::ZRevRank { key, member } => plain(rcmd!("ZREVRANK", key.as_bytes(), member.as_ref())),
        C::ZRankWithScore { key, member } => Ok(script(
            Script::ZRankScore,
            &[key],
            vec![b"ZRANK".to_vec(), member.to_vec()],
        )),
        C::ZRevRankWithScore { key, member } => Ok(script(
            Script::ZRankScore,
            &[key],
            vec![b"ZREVRANK".to_vec(), member.to_vec()],
        )),
        C::ZRange { key, by, options } => {
            let mut cmd = key_cmd("ZRANGE", key);
            zrange_args(&mut cmd, by, options);
            plain(cmd)
        }
        C::ZRangeStore {
            destination,
            source,
            by,
            options,
        } => {
            let mut cmd = keys_cmd("ZRANGESTORE", &[destination.clone(), source.clone()]);
            zrange_args(&mut cmd, by, options);
            plain(cmd)
        }
        C::ZLexCount { key, min, max } => plain(rcmd!(
            "ZLEXCOUNT",
            key.as_bytes(),
            min.to_arg(),
            max.to_arg()
        )),
        C::ZRemRangeByLex { key, min, max } => plain(rcmd!(
            "ZREMRANGEBYLEX",
            key.as_bytes(),
            min.to_arg(),
            max.to_arg()
        )),
        C::ZUnion { keys, options } => plain(combine_cmd("ZUNION", None, keys, options)),
        C::ZInter { keys, options } => plain(combine_cmd("ZINTER", None, keys, options)),
        C::ZDiff { keys, options } => plain(combine_cmd("ZDIFF", None, keys, options)),
        C::ZUnionStore {
            destination,
            keys,
            options,
        } => plain(combine_cmd("ZUNIONSTORE", Some(destination), keys, options)),
        C::ZInterStore {
            destination,
            keys,
            options,
        } => plain(combine_cmd("ZINTERSTORE", Some(destination), keys, options)),
        C::ZDiffStore {
            destination,
            keys,
            options,
        } => plain(combine_cmd("ZDIFFSTORE", Some(destination), keys, options)),
        C::ZInterCard { keys, limit } => {
            let mut cmd = named("ZINTERCARD");
            cmd.arg(keys.len()).arg(names(keys));
            if let Some(limit) = limit {
                cmd.arg("LIMIT").arg(*limit);
            }
            plain(cmd)
        }
        C::ZRandMember {
            key,
            count,
            with_scores,
        } => plain(random_members_cmd(
            "ZRANDMEMBER",
            key,
            *count,
            with_scores.then_some("WITHSCORES"),
        )),
        C::ZMPop { keys, end, count } => {
            let mut cmd = named("ZMPOP");
            mpop_args(&mut cmd, keys, end.as_str(), *count);
            plain(cmd)
        }
        C::BZMPop {
            keys,
            end,
            count,
            timeout,
        } => {
            let mut cmd = named("BZMPOP");
            cmd.arg(block_secs(*timeout));
            mpop_args(&mut cmd, keys, end.as_str(), *count);
            Ok(Plan::Blocking {
                cmd,
                block: *timeout,
            })
        }
        C::ZScan {
            key,
            cursor,
            options,
        } => {
            let mut cmd = key_cmd("ZSCAN", key);
            cmd.arg(*cursor);
            scan_args(&mut cmd, options);
            plain(cmd)
        }
        C::ZPopMin { key, count } => plain(rcmd!("ZPOPMIN", key.as_bytes(), *count)),
        C::ZPopMax { key, count } => plain(rcmd!("ZPOPMAX", key.as_bytes(), *count)),
        C::BZPopMin { keys, timeout } => Ok(blocking_keys("BZPOPMIN", keys, *timeout)),
        C::BZPopMax { keys, timeout } => Ok(blocking_keys("BZPOPMAX", keys, *timeout)),
        C::ZRemRangeByScore { key, min, max } => plain(rcmd!(
            "ZREMRANGEBYSCORE",
            key.as_bytes(),
            min.to_arg(),
            max.to_arg()
        )),
        C::ZRemRangeByRank { key, start, stop } => {
            plain(rcmd!("ZREMRANGEBYRANK", key.as_bytes(), *start, *stop))
        }

        // ----- pub/sub -----
        C::Publish { channel, message } => {
            plain(rcmd!("PUBLISH", channel.as_bytes(), message.as_ref()))
        }
        C::PubSubChannels { pattern } => {
            let mut cmd = rcmd!("PUBSUB", "CHANNELS");
            if let Some(pattern) = pattern {
                cmd.arg(pattern.as_bytes());
            }
            plain(cmd)
        }
        C::PubSubNumSub { channels } => {
            let mut cmd = rcmd!("PUBSUB", "NUMSUB");
            for channel in channels {
                cmd.arg(channel.as_bytes());
            }
            plain(cmd)
        }
        C::PubSubNumPat => plain(rcmd!("PUBSUB", "NUMPAT")),

        // ----- atomic compound operations -----
        C::ZMoveByScore {
            source,
            destination,
            min,
            max,
            limit,
            score,
        } => {
            let (mode, fixed) = match score {
                MoveScore::Keep => ("keep", String::new()),
                // Checked here: the script could not undo the removals if ZADD refused it.
                MoveScore::Fixed(s) if s.is_nan() => {
                    return Err(Error::invalid(
                        "ZMoveByScore: the fixed score is not a number",
                    ));
                }
                MoveScore::Fixed(s) => ("fixed", num(*s)),
            };
            let args = vec![
                min.to_arg().into_bytes(),
                max.to_arg().into_bytes(),
                limit
                    .map(|n| n.to_string())
                    .unwrap_or_default()
                    .into_bytes(),
                mode.as_bytes().to_vec(),
                fixed.into_bytes(),
            ];
            Ok(script(Script::ZMove, &[source, destination], args))
        }
        C::CompareAndSet {
            key,
            expected,
            value,
            expiry,
        } => {
            let mut args = match expected {
                None => vec![b"nx".to_vec(), Vec::new()],
                Some(expected) => vec![b"eq".to_vec(), expected.to_vec()],
            };
            args.push(value.to_vec());
            args.extend(set_expiry_words(*expiry));
            Ok(script(Script::Cas, &[key], args))
        }
        C::CompareAndDelete { key, expected } => {
            Ok(script(Script::Cad, &[key], vec![expected.to_vec()]))
        }
        C::HCompareAndSet {
            key,
            field,
            expected,
            value,
        } => {
            let (mode, expected) = match expected {
                None => (b"nx".to_vec(), Vec::new()),
                Some(expected) => (b"eq".to_vec(), expected.to_vec()),
            };
            let args = vec![mode, field.as_bytes().to_vec(), expected, value.to_vec()];
            Ok(script(Script::HCas, &[key], args))
        }
        C::HCompareAndDelete {
            key,
            field,
            expected,
        } => Ok(script(
            Script::HCad,
            &[key],
            vec![field.as_bytes().to_vec(), expected.to_vec()],
        )),
        C::IncrByEx { key, delta, ttl_ms } => Ok(script(
            Script::IncrByEx,
            &[key],
            vec![
                delta.to_string().into_bytes(),
                ttl_ms.to_string().into_bytes(),
            ],
        )),
        C::QueueStep { keys, step } => queue_step(keys, step),
        other => Err(Error::unsupported(other.name())),
    }
}

/// [`Command::QueueStep`] as its script's arguments (see `scripts.rs`).
fn queue_step(
    keys: &[staunch_core::command::Key],
    step: &staunch_core::QueueStepOptions,
) -> Result<Plan> {
    staunch_core::queue_step::QueueStepKeys::parse(keys)?;
    let text = |s: String| s.into_bytes();
    let mut args = match &step.finish {
        None => vec![Vec::new(); 7],
        Some(f) => vec![
            f.id.as_bytes().to_vec(),
            text(f.token.to_string()),
            if f.result.is_some() {
                b"1".to_vec()
            } else {
                b"0".to_vec()
            },
            f.result.as_deref().unwrap_or_default().to_vec(),
            f.unique.as_deref().unwrap_or_default().as_bytes().to_vec(),
            text(f.keep_ms.to_string()),
            text(
                step.now_ms
                    .saturating_add(i64::try_from(f.keep_ms).unwrap_or(i64::MAX))
                    .to_string(),
            ),
        ],
    };
    args.push(text(step.claim.to_string()));
    args.push(text(step.now_ms.to_string()));
    args.push(step.now_text.as_bytes().to_vec());
    args.push(text(step.until_ms.to_string()));
    args.push(
        step.events
            .as_deref()
            .unwrap_or_default()
            .as_bytes()
            .to_vec(),
    );
    args.push(match &step.finish {
        Some(f) => staunch_core::queue_step::completed_event(&f.id, step.now_ms).to_vec(),
        None => Vec::new(),
    });
    let keys: Vec<&[u8]> = keys.iter().map(|k| k.as_bytes()).collect();
    Ok(script(Script::QueueStep, &keys, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_timeouts_round_up_to_milliseconds() {
        assert_eq!(block_secs(Duration::ZERO), "0");
        assert_eq!(block_secs(Duration::from_micros(1)), "0.001");
        assert_eq!(block_secs(Duration::from_millis(1500)), "1.500");
        assert_eq!(block_secs(Duration::from_secs(2)), "2.000");
    }

    #[test]
    fn scores_are_written_without_allocating_as_num_writes_them() {
        for x in [
            0.0,
            -5.0,
            0.1,
            -4.999_999_7,
            1e300,
            -f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let mut cmd = redis::cmd("ZADD");
            num_arg(&mut cmd, x);
            let mut expected = redis::cmd("ZADD");
            expected.arg(num(x));
            assert_eq!(
                cmd.get_packed_command(),
                expected.get_packed_command(),
                "{x}"
            );
        }
    }

    #[test]
    fn floats_are_written_as_redis_reads_them() {
        assert_eq!(num(f64::INFINITY), "+inf");
        assert_eq!(num(f64::NEG_INFINITY), "-inf");
        assert_eq!(num(1.0), "1.0");
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(1e300), "1e300");
        // Shortest digits that read back as the same float.
        for x in [-4.999_999_7, f64::MIN_POSITIVE, -f64::MAX, 1.0 / 3.0] {
            assert_eq!(num(x).parse::<f64>().ok(), Some(x), "{x}");
        }
    }
}
