//! [`Command`]: every operation of the contract as plain data.
//!
//! The contract is a command algebra. A backend implements one method,
//! [`Store::execute`](crate::Store::execute), that takes a `Command` and answers a
//! [`Reply`](crate::Reply) exactly as Redis 7 would over RESP3. The typed methods users call
//! (`store.get(..)`, `store.zadd(..)`) live in the family traits ([`crate::Strings`],
//! [`crate::SortedSets`], ...), which build a `Command` and decode the reply; they have blanket
//! implementations, so a wrapper such as `Failover` implements `execute` once and can never fall
//! back to a silent default for some method it forgot.
//!
//! Commands being data is what makes the rest of staunch simple: a pipeline is a `Vec<Command>`,
//! the file backend's log is a sequence of write commands, `Failover`'s replay journal records
//! the commands made during an outage and applies them to Redis later, and a differential test
//! generates random commands and compares two backends' replies.
//!
//! Each variant documents its reply and its `# Behavior`: the Redis rules the conformance testkit
//! asserts on every backend.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::options::*;

mod access;
mod borrowed;
mod effects;

pub use access::Access;
pub use borrowed::CommandRef;

/// One operation of the storage contract. See the module docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Command {
    // ----- keyspace -----
    /// `EXISTS key...` → `Int`: how many of the keys exist (a key named twice counts twice).
    Exists {
        /// Keys to test.
        keys: Vec<String>,
    },
    /// `DEL key...` → `Int`: how many keys were removed.
    Del {
        /// Keys to delete.
        keys: Vec<String>,
    },
    /// `EXPIRE`/`PEXPIRE`/`EXPIREAT`/`PEXPIREAT key t [NX|XX|GT|LT]` → `Int` 1 if set, 0 if the key
    /// is missing or the condition failed.
    ///
    /// # Behavior
    /// - The condition is checked first; when it holds, a non-positive relative time or a past
    ///   absolute time deletes the key (reply 1). When it fails, nothing changes (reply 0).
    /// - `GT`/`LT` treat a key without TTL as having an infinite one.
    /// - An expiry that overflows is `InvalidInput`.
    Expire {
        /// The key.
        key: String,
        /// The new expiry.
        expiry: Expiry,
        /// Optional condition.
        condition: Option<ExpireCondition>,
    },
    /// `PERSIST key` → `Int` 1 if a TTL was removed.
    Persist {
        /// The key.
        key: String,
    },
    /// `TTL key` → `Int` seconds (rounded to the nearest second, as Redis does), -1 without
    /// TTL, -2 missing.
    Ttl {
        /// The key.
        key: String,
    },
    /// `PTTL key` → `Int` milliseconds, -1 without TTL, -2 missing.
    Pttl {
        /// The key.
        key: String,
    },
    /// `TYPE key` → `Status` with the type name, or `none`.
    Type {
        /// The key.
        key: String,
    },
    /// `SCAN cursor [MATCH p] [COUNT n] [TYPE t]` → `Array[Bulk cursor, Array[Bulk key]]`.
    ///
    /// # Behavior
    /// - A full iteration (cursor 0 back to 0) returns every key that existed throughout it at
    ///   least once; keys added or removed meanwhile may or may not appear.
    /// - The returned cursor is `0` when iteration is complete.
    Scan {
        /// Cursor from the previous call, 0 to start.
        cursor: u64,
        /// Filters.
        options: ScanOptions,
    },
    /// `DBSIZE` → `Int`.
    DbSize,
    /// `FLUSHDB` → `Status OK`.
    FlushDb,
    /// `RENAME key newkey` → `Status OK`; `NotFound` when `key` is missing. The TTL moves with
    /// the value; an existing `newkey` is overwritten.
    Rename {
        /// Source key.
        key: String,
        /// Destination key.
        new_key: String,
    },
    /// `RENAMENX key newkey` → `Int` 1 if renamed, 0 if `newkey` exists.
    RenameNx {
        /// Source key.
        key: String,
        /// Destination key.
        new_key: String,
    },

    // ----- strings -----
    /// `GET key` → `Bulk` or `Nil`.
    Get {
        /// The key.
        key: String,
    },
    /// `SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT|KEEPTTL]` → `Status OK`, or `Nil` when a
    /// condition failed; with `GET`, the old value or `Nil`.
    ///
    /// # Behavior
    /// - Without an expiry and without `KEEPTTL`, any TTL is cleared.
    /// - A zero expiry is `InvalidInput`. With `GET` on a non-string key, `WrongType`.
    /// - An absolute expiry in the past replies as usual and leaves no key.
    Set {
        /// The key.
        key: String,
        /// The value.
        value: Bytes,
        /// Options.
        options: SetOptions,
    },
    /// `MGET key...` → `Array` of `Bulk`/`Nil` (nil for missing or non-string keys).
    MGet {
        /// Keys.
        keys: Vec<String>,
    },
    /// `MSET key value ...` → `Status OK`; clears TTLs, atomic.
    MSet {
        /// Pairs to set.
        pairs: Vec<(String, Bytes)>,
    },
    /// `INCRBY key delta` → `Int`; keeps the TTL; a missing key counts as 0.
    IncrBy {
        /// The key.
        key: String,
        /// The increment.
        delta: i64,
    },
    /// `DECRBY key delta` → `Int`.
    DecrBy {
        /// The key.
        key: String,
        /// The decrement.
        delta: i64,
    },
    /// `INCRBYFLOAT key delta` → `Bulk` with the new value as text; keeps the TTL.
    IncrByFloat {
        /// The key.
        key: String,
        /// The increment.
        delta: f64,
    },
    /// `GETDEL key` → `Bulk` or `Nil`.
    GetDel {
        /// The key.
        key: String,
    },
    /// `GETEX key [EX|PX|EXAT|PXAT|PERSIST]` → `Bulk` or `Nil`.
    GetEx {
        /// The key.
        key: String,
        /// What to do to the TTL; `None` leaves it.
        expiry: Option<GetExExpiry>,
    },
    /// `APPEND key value` → `Int` new length; keeps the TTL.
    Append {
        /// The key.
        key: String,
        /// Bytes to append.
        value: Bytes,
    },
    /// `STRLEN key` → `Int` (0 when missing).
    StrLen {
        /// The key.
        key: String,
    },

    // ----- hashes -----
    /// `HGET key field` → `Bulk` or `Nil`.
    HGet {
        /// The key.
        key: String,
        /// The field.
        field: String,
    },
    /// `HSET key field value ...` → `Int` number of new fields.
    HSet {
        /// The key.
        key: String,
        /// Field/value pairs (at least one).
        fields: Vec<(String, Bytes)>,
    },
    /// `HSETNX key field value` → `Int` 1 if set.
    HSetNx {
        /// The key.
        key: String,
        /// The field.
        field: String,
        /// The value.
        value: Bytes,
    },
    /// `HDEL key field...` → `Int` removed; an emptied hash is deleted.
    HDel {
        /// The key.
        key: String,
        /// Fields.
        fields: Vec<String>,
    },
    /// `HGETALL key` → `Map` of `Bulk` field to `Bulk` value (empty map when missing).
    HGetAll {
        /// The key.
        key: String,
    },
    /// `HMGET key field...` → `Array` of `Bulk`/`Nil`.
    HMGet {
        /// The key.
        key: String,
        /// Fields.
        fields: Vec<String>,
    },
    /// `HINCRBY key field delta` → `Int`.
    HIncrBy {
        /// The key.
        key: String,
        /// The field.
        field: String,
        /// The increment.
        delta: i64,
    },
    /// `HINCRBYFLOAT key field delta` → `Bulk` text of the new value.
    HIncrByFloat {
        /// The key.
        key: String,
        /// The field.
        field: String,
        /// The increment.
        delta: f64,
    },
    /// `HEXISTS key field` → `Int` 0/1.
    HExists {
        /// The key.
        key: String,
        /// The field.
        field: String,
    },
    /// `HLEN key` → `Int`.
    HLen {
        /// The key.
        key: String,
    },
    /// `HKEYS key` → `Array` of `Bulk` (order unspecified).
    HKeys {
        /// The key.
        key: String,
    },
    /// `HVALS key` → `Array` of `Bulk` (order unspecified).
    HVals {
        /// The key.
        key: String,
    },

    // ----- lists -----
    /// `LPUSH key value...` → `Int` new length (values pushed one by one to the head).
    LPush {
        /// The key.
        key: String,
        /// Values.
        values: Vec<Bytes>,
    },
    /// `RPUSH key value...` → `Int` new length.
    RPush {
        /// The key.
        key: String,
        /// Values.
        values: Vec<Bytes>,
    },
    /// `LPOP key [count]` → without count `Bulk`/`Nil`; with count `Array` (empty for count 0)
    /// or `Nil` when the key is missing.
    LPop {
        /// The key.
        key: String,
        /// Optional count.
        count: Option<u64>,
    },
    /// `RPOP key [count]`, like [`Command::LPop`] from the tail.
    RPop {
        /// The key.
        key: String,
        /// Optional count.
        count: Option<u64>,
    },
    /// `LRANGE key start stop` → `Array` of `Bulk`.
    LRange {
        /// The key.
        key: String,
        /// First index (negative from the end).
        start: i64,
        /// Last index, inclusive.
        stop: i64,
    },
    /// `LLEN key` → `Int`.
    LLen {
        /// The key.
        key: String,
    },
    /// `LINDEX key index` → `Bulk`/`Nil`.
    LIndex {
        /// The key.
        key: String,
        /// Index.
        index: i64,
    },
    /// `LSET key index value` → `Status OK`; `NotFound` when missing, `InvalidInput` out of range.
    LSet {
        /// The key.
        key: String,
        /// Index.
        index: i64,
        /// The value.
        value: Bytes,
    },
    /// `LREM key count value` → `Int` removed (count > 0 from head, < 0 from tail, 0 all).
    LRem {
        /// The key.
        key: String,
        /// How many and from which end.
        count: i64,
        /// Value to remove.
        value: Bytes,
    },
    /// `LTRIM key start stop` → `Status OK`.
    LTrim {
        /// The key.
        key: String,
        /// First index kept.
        start: i64,
        /// Last index kept.
        stop: i64,
    },
    /// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT` → `Bulk`/`Nil`.
    ///
    /// # Behavior
    /// - A missing source answers `Nil` whatever the destination holds; a non-list source, or a
    ///   non-list destination when the source has elements, is `WrongType` and nothing moves.
    /// - `source == destination` rotates the list.
    LMove {
        /// Source list.
        source: String,
        /// Destination list.
        destination: String,
        /// End popped from.
        from: ListEnd,
        /// End pushed to.
        to: ListEnd,
    },
    /// `BLPOP key... timeout` → `Array[Bulk key, Bulk value]` or `Nil` on timeout.
    BLPop {
        /// Keys, tried in order.
        keys: Vec<String>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    },
    /// `BRPOP key... timeout`, like [`Command::BLPop`] from the tail.
    BRPop {
        /// Keys, tried in order.
        keys: Vec<String>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    },
    /// `BLMOVE source destination from to timeout` → `Bulk` or `Nil` on timeout.
    BLMove {
        /// Source list.
        source: String,
        /// Destination list.
        destination: String,
        /// End popped from.
        from: ListEnd,
        /// End pushed to.
        to: ListEnd,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    },

    // ----- sets -----
    /// `SADD key member...` → `Int` added.
    SAdd {
        /// The key.
        key: String,
        /// Members.
        members: Vec<Bytes>,
    },
    /// `SREM key member...` → `Int` removed.
    SRem {
        /// The key.
        key: String,
        /// Members.
        members: Vec<Bytes>,
    },
    /// `SMEMBERS key` → `Set` of `Bulk`.
    SMembers {
        /// The key.
        key: String,
    },
    /// `SISMEMBER key member` → `Int` 0/1.
    SIsMember {
        /// The key.
        key: String,
        /// Member.
        member: Bytes,
    },
    /// `SMISMEMBER key member...` → `Array` of `Int` 0/1.
    SMIsMember {
        /// The key.
        key: String,
        /// Members.
        members: Vec<Bytes>,
    },
    /// `SCARD key` → `Int`.
    SCard {
        /// The key.
        key: String,
    },
    /// `SPOP key [count]` → without count `Bulk`/`Nil`; with count `Set` (empty when missing).
    SPop {
        /// The key.
        key: String,
        /// Optional count.
        count: Option<u64>,
    },
    /// `SRANDMEMBER key [count]` → without count `Bulk`/`Nil`; with count `Array` (negative count
    /// may repeat members).
    SRandMember {
        /// The key.
        key: String,
        /// Optional count.
        count: Option<i64>,
    },
    /// `SINTER key...` → `Set`.
    SInter {
        /// Keys.
        keys: Vec<String>,
    },
    /// `SUNION key...` → `Set`.
    SUnion {
        /// Keys.
        keys: Vec<String>,
    },
    /// `SDIFF key...` → `Set`.
    SDiff {
        /// Keys.
        keys: Vec<String>,
    },

    // ----- sorted sets -----
    /// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ...` → `Int` added (changed with CH);
    /// with `INCR`, `Double` new score or `Nil` when a condition stopped it.
    ZAdd {
        /// The key.
        key: String,
        /// (score, member) pairs.
        members: Vec<(f64, Bytes)>,
        /// Options.
        options: ZAddOptions,
    },
    /// `ZREM key member...` → `Int` removed.
    ZRem {
        /// The key.
        key: String,
        /// Members.
        members: Vec<Bytes>,
    },
    /// `ZSCORE key member` → `Double`/`Nil`.
    ZScore {
        /// The key.
        key: String,
        /// Member.
        member: Bytes,
    },
    /// `ZMSCORE key member...` → `Array` of `Double`/`Nil`.
    ZMScore {
        /// The key.
        key: String,
        /// Members.
        members: Vec<Bytes>,
    },
    /// `ZINCRBY key delta member` → `Double` new score.
    ZIncrBy {
        /// The key.
        key: String,
        /// Increment.
        delta: f64,
        /// Member.
        member: Bytes,
    },
    /// `ZCARD key` → `Int`.
    ZCard {
        /// The key.
        key: String,
    },
    /// `ZCOUNT key min max` → `Int`.
    ZCount {
        /// The key.
        key: String,
        /// Lowest score.
        min: ScoreBound,
        /// Highest score.
        max: ScoreBound,
    },
    /// `ZRANK key member` → `Int`/`Nil`.
    ZRank {
        /// The key.
        key: String,
        /// Member.
        member: Bytes,
    },
    /// `ZREVRANK key member` → `Int`/`Nil`.
    ZRevRank {
        /// The key.
        key: String,
        /// Member.
        member: Bytes,
    },
    /// `ZRANGE key ... [BYSCORE|BYLEX] [REV] [LIMIT o c] [WITHSCORES]` → `Array` of `Bulk`, or
    /// with scores an `Array` of `Array[Bulk, Double]` pairs.
    ///
    /// # Behavior
    /// - Equal scores order by member bytes (reversed with `REV`).
    ZRange {
        /// The key.
        key: String,
        /// What to select by.
        by: ZRangeBy,
        /// Options.
        options: ZRangeOptions,
    },
    /// `ZPOPMIN key [count]` → without count `Array[Bulk, Double]` (empty when missing); with
    /// count an `Array` of pairs.
    ZPopMin {
        /// The key.
        key: String,
        /// Optional count.
        count: Option<u64>,
    },
    /// `ZPOPMAX key [count]`, like [`Command::ZPopMin`] from the top.
    ZPopMax {
        /// The key.
        key: String,
        /// Optional count.
        count: Option<u64>,
    },
    /// `BZPOPMIN key... timeout` → `Array[Bulk key, Bulk member, Double score]` or `Nil`.
    BZPopMin {
        /// Keys, tried in order.
        keys: Vec<String>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    },
    /// `BZPOPMAX key... timeout`, like [`Command::BZPopMin`].
    BZPopMax {
        /// Keys, tried in order.
        keys: Vec<String>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    },
    /// `ZREMRANGEBYSCORE key min max` → `Int` removed.
    ZRemRangeByScore {
        /// The key.
        key: String,
        /// Lowest score.
        min: ScoreBound,
        /// Highest score.
        max: ScoreBound,
    },
    /// `ZREMRANGEBYRANK key start stop` → `Int` removed.
    ZRemRangeByRank {
        /// The key.
        key: String,
        /// First rank.
        start: i64,
        /// Last rank.
        stop: i64,
    },

    // ----- pub/sub -----
    /// `PUBLISH channel message` → `Int` number of subscribers that received it (within reach of
    /// the backend: the process for memory, the server for Redis).
    Publish {
        /// Channel.
        channel: String,
        /// Payload.
        message: Bytes,
    },

    // ----- atomic compound operations -----
    /// Atomically moves the members of `source` whose score is within `[min, max]`, lowest first,
    /// at most `limit` of them, into `destination` with the score `score` says. → `Array` of
    /// `Array[Bulk member, Double old score]`.
    ///
    /// # Behavior
    /// - Concurrent callers never receive the same member.
    /// - An emptied source is deleted; members already in `destination` get their score updated.
    /// - `WrongType` if either key holds a non-zset; nothing moves then.
    ZMoveByScore {
        /// Sorted set to take from.
        source: String,
        /// Sorted set to put into.
        destination: String,
        /// Lowest score moved.
        min: ScoreBound,
        /// Highest score moved.
        max: ScoreBound,
        /// At most this many (`None`: all in range).
        limit: Option<u64>,
        /// Score in the destination.
        score: MoveScore,
    },
    /// Sets `key` to `value` only if its current value equals `expected` (`None`: only if the key
    /// is missing). → `Int` 1 if set, 0 if not.
    ///
    /// # Behavior
    /// - `expiry` applies as in `SET`: `None` clears the TTL, `KeepTtl` keeps it.
    /// - `WrongType` if the key holds a non-string.
    CompareAndSet {
        /// The key.
        key: String,
        /// Value the key must hold, or `None` for "must not exist".
        expected: Option<Bytes>,
        /// New value.
        value: Bytes,
        /// Expiry of the new value.
        expiry: Option<SetExpiry>,
    },
    /// Deletes `key` only if its value equals `expected`. → `Int` 1 if deleted; `WrongType`
    /// (and no change) if the key holds a non-string.
    CompareAndDelete {
        /// The key.
        key: String,
        /// Value the key must hold.
        expected: Bytes,
    },
    /// Sets a hash field only if its current value equals `expected` (`None`: only if the field
    /// is missing). → `Int` 1 if set.
    HCompareAndSet {
        /// The key.
        key: String,
        /// The field.
        field: String,
        /// Value the field must hold, or `None` for "must not exist".
        expected: Option<Bytes>,
        /// New value.
        value: Bytes,
    },
    /// Deletes a hash field only if it equals `expected` (an emptied hash is deleted).
    /// → `Int` 1 if deleted.
    HCompareAndDelete {
        /// The key.
        key: String,
        /// The field.
        field: String,
        /// Value the field must hold.
        expected: Bytes,
    },
    /// `INCRBY` that also sets a TTL of `ttl_ms` when the key has none after the increment (so
    /// the first write of a window starts its clock and later ones never extend it).
    /// → `Int` new value.
    IncrByEx {
        /// The key.
        key: String,
        /// The increment.
        delta: i64,
        /// TTL in milliseconds for a key that has none.
        ttl_ms: TtlMillis,
    },
}
