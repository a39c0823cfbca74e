//! What each command touches and how: its name, whether it reads or writes, whether repeating
//! it is safe, and which keys it names. `Failover` journals by these answers, the file backend
//! logs by them and retry policies consult them.

use super::Command;
use crate::options::Expiry;

/// Expands to the key fields of a command, borrowed by `$iter` (`iter` or `iter_mut`), in
/// argument order: one list that [`Command::keys`] and [`Command::keys_mut`] share, so the two
/// can never disagree about a command.
macro_rules! key_fields {
    ($command:expr, $iter:ident) => {{
        use Command::*;
        match $command {
            Exists { keys }
            | Del { keys }
            | MGet { keys }
            | BLPop { keys, .. }
            | BRPop { keys, .. }
            | SInter { keys }
            | SUnion { keys }
            | SDiff { keys }
            | BZPopMin { keys, .. }
            | BZPopMax { keys, .. } => keys.$iter().collect(),
            MSet { pairs } => pairs.$iter().map(|(k, _)| k).collect(),
            Rename { key, new_key } | RenameNx { key, new_key } => vec![key, new_key],
            LMove {
                source,
                destination,
                ..
            }
            | BLMove {
                source,
                destination,
                ..
            }
            | ZMoveByScore {
                source,
                destination,
                ..
            } => vec![source, destination],
            Scan { .. } | DbSize | FlushDb | Publish { .. } => Vec::new(),
            Expire { key, .. }
            | Persist { key }
            | Ttl { key }
            | Pttl { key }
            | Type { key }
            | Get { key }
            | Set { key, .. }
            | IncrBy { key, .. }
            | DecrBy { key, .. }
            | IncrByFloat { key, .. }
            | GetDel { key }
            | GetEx { key, .. }
            | Append { key, .. }
            | StrLen { key }
            | HGet { key, .. }
            | HSet { key, .. }
            | HSetNx { key, .. }
            | HDel { key, .. }
            | HGetAll { key }
            | HMGet { key, .. }
            | HIncrBy { key, .. }
            | HIncrByFloat { key, .. }
            | HExists { key, .. }
            | HLen { key }
            | HKeys { key }
            | HVals { key }
            | LPush { key, .. }
            | RPush { key, .. }
            | LPop { key, .. }
            | RPop { key, .. }
            | LRange { key, .. }
            | LLen { key }
            | LIndex { key, .. }
            | LSet { key, .. }
            | LRem { key, .. }
            | LTrim { key, .. }
            | SAdd { key, .. }
            | SRem { key, .. }
            | SMembers { key }
            | SIsMember { key, .. }
            | SMIsMember { key, .. }
            | SCard { key }
            | SPop { key, .. }
            | SRandMember { key, .. }
            | ZAdd { key, .. }
            | ZRem { key, .. }
            | ZScore { key, .. }
            | ZMScore { key, .. }
            | ZIncrBy { key, .. }
            | ZCard { key }
            | ZCount { key, .. }
            | ZRank { key, .. }
            | ZRevRank { key, .. }
            | ZRange { key, .. }
            | ZPopMin { key, .. }
            | ZPopMax { key, .. }
            | ZRemRangeByScore { key, .. }
            | ZRemRangeByRank { key, .. }
            | CompareAndSet { key, .. }
            | CompareAndDelete { key, .. }
            | HCompareAndSet { key, .. }
            | HCompareAndDelete { key, .. }
            | IncrByEx { key, .. } => vec![key],
        }
    }};
}

/// What a command does to data: used by the file log, `Failover` and retry decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only reads.
    Read,
    /// May change data.
    Write,
    /// Blocks until data arrives or a timeout passes, then writes (pops).
    BlockingWrite,
    /// Sends a message; no data changes.
    Publish,
}

impl Command {
    /// The Redis command name (or the compound operation's name).
    pub fn name(&self) -> &'static str {
        use Command::*;
        match self {
            Exists { .. } => "EXISTS",
            Del { .. } => "DEL",
            Expire { .. } => "EXPIRE",
            Persist { .. } => "PERSIST",
            Ttl { .. } => "TTL",
            Pttl { .. } => "PTTL",
            Type { .. } => "TYPE",
            Scan { .. } => "SCAN",
            DbSize => "DBSIZE",
            FlushDb => "FLUSHDB",
            Rename { .. } => "RENAME",
            RenameNx { .. } => "RENAMENX",
            Get { .. } => "GET",
            Set { .. } => "SET",
            MGet { .. } => "MGET",
            MSet { .. } => "MSET",
            IncrBy { .. } => "INCRBY",
            DecrBy { .. } => "DECRBY",
            IncrByFloat { .. } => "INCRBYFLOAT",
            GetDel { .. } => "GETDEL",
            GetEx { .. } => "GETEX",
            Append { .. } => "APPEND",
            StrLen { .. } => "STRLEN",
            HGet { .. } => "HGET",
            HSet { .. } => "HSET",
            HSetNx { .. } => "HSETNX",
            HDel { .. } => "HDEL",
            HGetAll { .. } => "HGETALL",
            HMGet { .. } => "HMGET",
            HIncrBy { .. } => "HINCRBY",
            HIncrByFloat { .. } => "HINCRBYFLOAT",
            HExists { .. } => "HEXISTS",
            HLen { .. } => "HLEN",
            HKeys { .. } => "HKEYS",
            HVals { .. } => "HVALS",
            LPush { .. } => "LPUSH",
            RPush { .. } => "RPUSH",
            LPop { .. } => "LPOP",
            RPop { .. } => "RPOP",
            LRange { .. } => "LRANGE",
            LLen { .. } => "LLEN",
            LIndex { .. } => "LINDEX",
            LSet { .. } => "LSET",
            LRem { .. } => "LREM",
            LTrim { .. } => "LTRIM",
            LMove { .. } => "LMOVE",
            BLPop { .. } => "BLPOP",
            BRPop { .. } => "BRPOP",
            BLMove { .. } => "BLMOVE",
            SAdd { .. } => "SADD",
            SRem { .. } => "SREM",
            SMembers { .. } => "SMEMBERS",
            SIsMember { .. } => "SISMEMBER",
            SMIsMember { .. } => "SMISMEMBER",
            SCard { .. } => "SCARD",
            SPop { .. } => "SPOP",
            SRandMember { .. } => "SRANDMEMBER",
            SInter { .. } => "SINTER",
            SUnion { .. } => "SUNION",
            SDiff { .. } => "SDIFF",
            ZAdd { .. } => "ZADD",
            ZRem { .. } => "ZREM",
            ZScore { .. } => "ZSCORE",
            ZMScore { .. } => "ZMSCORE",
            ZIncrBy { .. } => "ZINCRBY",
            ZCard { .. } => "ZCARD",
            ZCount { .. } => "ZCOUNT",
            ZRank { .. } => "ZRANK",
            ZRevRank { .. } => "ZREVRANK",
            ZRange { .. } => "ZRANGE",
            ZPopMin { .. } => "ZPOPMIN",
            ZPopMax { .. } => "ZPOPMAX",
            BZPopMin { .. } => "BZPOPMIN",
            BZPopMax { .. } => "BZPOPMAX",
            ZRemRangeByScore { .. } => "ZREMRANGEBYSCORE",
            ZRemRangeByRank { .. } => "ZREMRANGEBYRANK",
            Publish { .. } => "PUBLISH",
            ZMoveByScore { .. } => "ZMOVEBYSCORE",
            CompareAndSet { .. } => "CAS",
            CompareAndDelete { .. } => "CAD",
            HCompareAndSet { .. } => "HCAS",
            HCompareAndDelete { .. } => "HCAD",
            IncrByEx { .. } => "INCRBYEX",
        }
    }

    /// Whether the command reads, writes, blocks or publishes.
    pub fn access(&self) -> Access {
        use Command::*;
        match self {
            Exists { .. }
            | Ttl { .. }
            | Pttl { .. }
            | Type { .. }
            | Scan { .. }
            | DbSize
            | Get { .. }
            | MGet { .. }
            | StrLen { .. }
            | HGet { .. }
            | HGetAll { .. }
            | HMGet { .. }
            | HExists { .. }
            | HLen { .. }
            | HKeys { .. }
            | HVals { .. }
            | LRange { .. }
            | LLen { .. }
            | LIndex { .. }
            | SMembers { .. }
            | SIsMember { .. }
            | SMIsMember { .. }
            | SCard { .. }
            | SRandMember { .. }
            | SInter { .. }
            | SUnion { .. }
            | SDiff { .. }
            | ZScore { .. }
            | ZMScore { .. }
            | ZCard { .. }
            | ZCount { .. }
            | ZRank { .. }
            | ZRevRank { .. }
            | ZRange { .. } => Access::Read,
            GetEx { expiry: None, .. } => Access::Read,
            BLPop { .. } | BRPop { .. } | BLMove { .. } | BZPopMin { .. } | BZPopMax { .. } => {
                Access::BlockingWrite
            }
            Publish { .. } => Access::Publish,
            _ => Access::Write,
        }
    }

    /// True when the command may change data (blocking pops included).
    pub fn is_write(&self) -> bool {
        matches!(self.access(), Access::Write | Access::BlockingWrite)
    }

    /// True when applying the command twice leaves the same state and reply as applying it
    /// once, so a retry after an ambiguous failure is safe. Reads are idempotent; so are `SET`
    /// without `GET`/conditions, `DEL`, `HSET`, `SADD`, `SREM`, `ZADD` without `INCR`, ... but not
    /// `INCRBY`, pushes or pops.
    pub fn is_idempotent(&self) -> bool {
        use Command::*;
        match self {
            _ if self.access() == Access::Read => true,
            Set { options, .. } => options.condition.is_none() && !options.get,
            Del { .. }
            | Persist { .. }
            | FlushDb
            | MSet { .. }
            | HSet { .. }
            | HDel { .. }
            | SAdd { .. }
            | SRem { .. }
            | ZRem { .. }
            | LTrim { .. }
            | LSet { .. }
            | ZRemRangeByScore { .. } => true,
            Expire { expiry, .. } => matches!(expiry, Expiry::AtSeconds(_) | Expiry::AtMillis(_)),
            ZAdd { options, .. } => !options.incr,
            _ => false,
        }
    }

    /// The keys the command touches, in argument order (empty for `DBSIZE`, `FLUSHDB`, `SCAN`
    /// and `PUBLISH`).
    pub fn keys(&self) -> Vec<&str> {
        let keys: Vec<&String> = key_fields!(self, iter);
        keys.into_iter().map(String::as_str).collect()
    }

    /// The keys the command touches, for rewriting in place (a key-prefix wrapper adds its
    /// prefix to each). Same order and coverage as [`Command::keys`].
    pub fn keys_mut(&mut self) -> Vec<&mut String> {
        key_fields!(self, iter_mut)
    }
}
