//! The sorted-set rows of the command table: scores, ranks, ranges, pops.

/// Appends the sorted-sets section to the table being collected (see [`super`]).
macro_rules! zsets_rows {
    ([$($rest:path),*] { $($acc:tt)* } $generate:path) => {
        $crate::command::table::chain! { [$($rest),*] { $($acc)*
SortedSets "Sorted-set operations: scores, ranks, ranges, pops." [] {
    /// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ...` → `Int` added (changed with CH);
    /// with `INCR`, `Double` new score or `Nil` when a condition stopped it.
    60 ZAdd {
        /// The key.
        key: Key,
        /// (score, member) pairs.
        members: Vec<(f64, Bytes)>,
        /// Options.
        options: ZAddOptions,
    } => "ZADD" [Write, repeat { !options.incr }, keys [key], reply Varies, family SortedSets, time none, effects as_is,
        borrowed { key: Key, score: f64, member: Bytes } => { key, members: vec![(score, member)], options: ZAddOptions::new() }] {
        /// `ZADD key score member`: true if the member is new.
        fn zadd(key: Key, score: f64, member: Value) -> bool = borrowed;
        /// `ZADD key score member ...`: how many members are new.
        fn zadd_multiple(key: Key, members: ScoreMembers) -> u64 = { key, members, options: ZAddOptions::new() };
        /// `ZADD key [NX|XX] [GT|LT] [CH] score member ...` (`INCR` is [`SortedSets::zadd_incr`]):
        /// members added, or changed with `CH`.
        fn zadd_options(key: Key, members: ScoreMembers, options: ZAddOptions) -> u64 = { key, members, options: options.incr(false) };
        /// `ZADD key [options] INCR delta member`: the new score, `None` when a condition
        /// stopped it.
        fn zadd_incr(key: Key, delta: f64, member: Value, options: ZAddOptions) -> Option<f64> = { key, members: vec![(delta, member)], options: options.incr(true) };
    }
    /// `ZREM key member...` → `Int` removed.
    61 ZRem {
        /// The key.
        key: Key,
        /// Members.
        members: Vec<Bytes>,
    } => "ZREM" [Write, repeat true, keys [key], reply Int, family SortedSets, time none, effects as_is] {
        /// `ZREM key member`: true if the member was there.
        fn zrem(key: Key, member: Value) -> bool = { key, members: vec![member] };
        /// `ZREM key member...`: how many members were removed.
        fn zrem_multiple(key: Key, members: Values) -> u64 = { key, members };
    }
    /// `ZSCORE key member` → `Double`/`Nil`.
    62 ZScore {
        /// The key.
        key: Key,
        /// Member.
        member: Bytes,
    } => "ZSCORE" [Read, repeat true, keys [key], reply Double, family SortedSets, time none, effects none,
        borrowed { key: Key, member: Bytes } => { key, member }] {
        /// `ZSCORE`.
        fn zscore(key: Key, member: Value) -> Option<f64> = borrowed;
    }
    /// `ZMSCORE key member...` → `Array` of `Double`/`Nil`.
    63 ZMScore {
        /// The key.
        key: Key,
        /// Members.
        members: Vec<Bytes>,
    } => "ZMSCORE" [Read, repeat true, keys [key], reply Array, family SortedSets, time none, effects none] {
        /// `ZMSCORE`.
        fn zmscore(key: Key, members: Values) -> Vec<Option<f64>> = { key, members };
    }
    /// `ZINCRBY key delta member` → `Double` new score.
    64 ZIncrBy {
        /// The key.
        key: Key,
        /// Increment.
        delta: f64,
        /// Member.
        member: Bytes,
    } => "ZINCRBY" [Write, repeat false, keys [key], reply Double, family SortedSets, time none, effects as_is] {
        /// `ZINCRBY`: the new score.
        fn zincrby(key: Key, delta: f64, member: Value) -> f64 = { key, delta, member };
    }
    /// `ZCARD key` → `Int`.
    65 ZCard {
        /// The key.
        key: Key,
    } => "ZCARD" [Read, repeat true, keys [key], reply Int, family SortedSets, time none, effects none] {
        /// `ZCARD`.
        fn zcard(key: Key) -> u64 = { key };
    }
    /// `ZCOUNT key min max` → `Int`.
    66 ZCount {
        /// The key.
        key: Key,
        /// Lowest score.
        min: ScoreBound,
        /// Highest score.
        max: ScoreBound,
    } => "ZCOUNT" [Read, repeat true, keys [key], reply Int, family SortedSets, time none, effects none] {
        /// `ZCOUNT`.
        fn zcount(key: Key, min: ScoreBound, max: ScoreBound) -> u64 = { key, min, max };
    }
    /// `ZRANK key member` → `Int`/`Nil`.
    67 ZRank {
        /// The key.
        key: Key,
        /// Member.
        member: Bytes,
    } => "ZRANK" [Read, repeat true, keys [key], reply Int, family SortedSets, time none, effects none] {
        /// `ZRANK`.
        fn zrank(key: Key, member: Value) -> Option<u64> = { key, member };
    }
    /// `ZREVRANK key member` → `Int`/`Nil`.
    68 ZRevRank {
        /// The key.
        key: Key,
        /// Member.
        member: Bytes,
    } => "ZREVRANK" [Read, repeat true, keys [key], reply Int, family SortedSets, time none, effects none] {
        /// `ZREVRANK`.
        fn zrevrank(key: Key, member: Value) -> Option<u64> = { key, member };
    }
    /// `ZRANGE key ... [BYSCORE|BYLEX] [REV] [LIMIT o c] [WITHSCORES]` → `Array` of `Bulk`, or
    /// with scores an `Array` of `Array[Bulk, Double]` pairs.
    ///
    /// # Behavior
    /// - Equal scores order by member bytes (reversed with `REV`).
    69 ZRange {
        /// The key.
        key: Key,
        /// What to select by.
        by: ZRangeBy,
        /// Options.
        options: ZRangeOptions,
    } => "ZRANGE" [Read, repeat true, keys [key], reply Array, family SortedSets, time none, effects none] {
        /// `ZRANGE key start stop`: members by rank.
        fn zrange(key: Key, start: i64, stop: i64) -> Vec<Bytes> = { key, by: ZRangeBy::Rank { start, stop }, options: ZRangeOptions::new() };
        /// `ZRANGE key start stop WITHSCORES`.
        fn zrange_with_scores(key: Key, start: i64, stop: i64) -> Vec<(Bytes, f64)> = { key, by: ZRangeBy::Rank { start, stop }, options: ZRangeOptions::new().with_scores(true) };
        /// `ZRANGE` with any selector and options, members only.
        fn zrange_options(key: Key, by: ZRangeBy, options: ZRangeOptions) -> Vec<Bytes> = { key, by, options: options.with_scores(false) };
        /// `ZRANGE` with any selector and options, with scores.
        fn zrange_options_with_scores(key: Key, by: ZRangeBy, options: ZRangeOptions) -> Vec<(Bytes, f64)> = { key, by, options: options.with_scores(true) };
    }
    /// `ZPOPMIN key [count]` → without count `Array[Bulk, Double]` (empty when missing); with
    /// count an `Array` of pairs.
    70 ZPopMin {
        /// The key.
        key: Key,
        /// Optional count.
        count: Option<u64>,
    } => "ZPOPMIN" [Write, repeat false, keys [key], reply Array, family SortedSets, time none, effects custom] {
        /// `ZPOPMIN key`: the lowest member and its score.
        fn zpopmin(key: Key) -> Option<(Bytes, f64)> = { key, count: None };
        /// `ZPOPMIN key count`.
        fn zpopmin_count(key: Key, count: u64) -> Vec<(Bytes, f64)> = { key, count: Some(count) };
    }
    /// `ZPOPMAX key [count]`, like [`Command::ZPopMin`] from the top.
    71 ZPopMax {
        /// The key.
        key: Key,
        /// Optional count.
        count: Option<u64>,
    } => "ZPOPMAX" [Write, repeat false, keys [key], reply Array, family SortedSets, time none, effects custom] {
        /// `ZPOPMAX key`: the highest member and its score.
        fn zpopmax(key: Key) -> Option<(Bytes, f64)> = { key, count: None };
        /// `ZPOPMAX key count`.
        fn zpopmax_count(key: Key, count: u64) -> Vec<(Bytes, f64)> = { key, count: Some(count) };
    }
    /// `BZPOPMIN key... timeout` → `Array[Bulk key, Bulk member, Double score]` or `Nil`.
    72 BZPopMin {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    } => "BZPOPMIN" [Blocking, repeat false, keys [all keys], reply KeyFirst, family SortedSets, time none, effects custom] {
        /// `BZPOPMIN key timeout`: key, member and score, or `None` after `timeout`.
        fn bzpopmin(key: Key, timeout: Duration) -> Option<(Name, Bytes, f64)> = { keys: vec![key], timeout };
        /// `BZPOPMIN key... timeout`.
        fn bzpopmin_multiple(keys: Keys, timeout: Duration) -> Option<(Name, Bytes, f64)> = { keys, timeout };
    }
    /// `BZPOPMAX key... timeout`, like [`Command::BZPopMin`].
    73 BZPopMax {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    } => "BZPOPMAX" [Blocking, repeat false, keys [all keys], reply KeyFirst, family SortedSets, time none, effects custom] {
        /// `BZPOPMAX key timeout`.
        fn bzpopmax(key: Key, timeout: Duration) -> Option<(Name, Bytes, f64)> = { keys: vec![key], timeout };
        /// `BZPOPMAX key... timeout`.
        fn bzpopmax_multiple(keys: Keys, timeout: Duration) -> Option<(Name, Bytes, f64)> = { keys, timeout };
    }
    /// `ZREMRANGEBYSCORE key min max` → `Int` removed.
    74 ZRemRangeByScore {
        /// The key.
        key: Key,
        /// Lowest score.
        min: ScoreBound,
        /// Highest score.
        max: ScoreBound,
    } => "ZREMRANGEBYSCORE" [Write, repeat true, keys [key], reply Int, family SortedSets, time none, effects as_is] {
        /// `ZREMRANGEBYSCORE`: how many were removed.
        fn zremrangebyscore(key: Key, min: ScoreBound, max: ScoreBound) -> u64 = { key, min, max };
    }
    /// `ZREMRANGEBYRANK key start stop` → `Int` removed.
    75 ZRemRangeByRank {
        /// The key.
        key: Key,
        /// First rank.
        start: i64,
        /// Last rank.
        stop: i64,
    } => "ZREMRANGEBYRANK" [Write, repeat false, keys [key], reply Int, family SortedSets, time none, effects as_is] {
        /// `ZREMRANGEBYRANK`: how many were removed.
        fn zremrangebyrank(key: Key, start: i64, stop: i64) -> u64 = { key, start, stop };
    }
    /// `ZLEXCOUNT key min max` → `Int` members between two lex bounds.
    100 ZLexCount {
        /// The key.
        key: Key,
        /// Lowest member.
        min: LexBound,
        /// Highest member.
        max: LexBound,
    } => "ZLEXCOUNT" [Read, repeat true, keys [key], reply Int, family SortedSets, time none, effects none] {
        /// `ZLEXCOUNT`.
        fn zlexcount(key: Key, min: LexBound, max: LexBound) -> u64 = { key, min, max };
    }
    /// `ZREMRANGEBYLEX key min max` → `Int` removed; an emptied set is deleted.
    101 ZRemRangeByLex {
        /// The key.
        key: Key,
        /// Lowest member.
        min: LexBound,
        /// Highest member.
        max: LexBound,
    } => "ZREMRANGEBYLEX" [Write, repeat true, keys [key], reply Int, family SortedSets, time none, effects as_is] {
        /// `ZREMRANGEBYLEX`: how many were removed.
        fn zremrangebylex(key: Key, min: LexBound, max: LexBound) -> u64 = { key, min, max };
    }
    /// `ZUNION numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]` → `Array` of
    /// `Bulk` in score order, or with scores an `Array` of `Array[Bulk, Double]` pairs.
    ///
    /// # Behavior
    /// - A missing key is an empty set; a weight multiplies every score of its key
    ///   (`0 × ±inf` is 0); a sum of `+inf` and `-inf` is 0.
    /// - A weight count other than the key count is `ERR syntax error`; no key is
    ///   `ERR wrong number of arguments for 'zunion' command` (`ZUNION 0` is short of the
    ///   command's arity).
    102 ZUnion {
        /// The input keys.
        keys: Vec<Key>,
        /// Options.
        options: ZCombineOptions,
    } => "ZUNION" [Read, repeat true, keys [all keys], reply Array, family SortedSets, time none, effects none] {
        /// `ZUNION numkeys key...`: the members of any input, ordered by summed score.
        fn zunion(keys: Keys) -> Vec<Bytes> = { keys, options: ZCombineOptions::new() };
        /// `ZUNION` with `WEIGHTS`/`AGGREGATE`, members only.
        fn zunion_options(keys: Keys, options: ZCombineOptions) -> Vec<Bytes> = { keys, options: options.with_scores(false) };
        /// `ZUNION ... WITHSCORES`.
        fn zunion_with_scores(keys: Keys, options: ZCombineOptions) -> Vec<(Bytes, f64)> = { keys, options: options.with_scores(true) };
    }
    /// `ZINTER numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`, like
    /// [`Command::ZUnion`] over the members found in every input.
    103 ZInter {
        /// The input keys.
        keys: Vec<Key>,
        /// Options.
        options: ZCombineOptions,
    } => "ZINTER" [Read, repeat true, keys [all keys], reply Array, family SortedSets, time none, effects none] {
        /// `ZINTER numkeys key...`.
        fn zinter(keys: Keys) -> Vec<Bytes> = { keys, options: ZCombineOptions::new() };
        /// `ZINTER` with `WEIGHTS`/`AGGREGATE`, members only.
        fn zinter_options(keys: Keys, options: ZCombineOptions) -> Vec<Bytes> = { keys, options: options.with_scores(false) };
        /// `ZINTER ... WITHSCORES`.
        fn zinter_with_scores(keys: Keys, options: ZCombineOptions) -> Vec<(Bytes, f64)> = { keys, options: options.with_scores(true) };
    }
    /// `ZDIFF numkeys key... [WITHSCORES]`: the members of the first key found in no other, with
    /// their scores there (`WEIGHTS` and `AGGREGATE` are `ERR syntax error`).
    104 ZDiff {
        /// The input keys.
        keys: Vec<Key>,
        /// Options.
        options: ZCombineOptions,
    } => "ZDIFF" [Read, repeat true, keys [all keys], reply Array, family SortedSets, time none, effects none] {
        /// `ZDIFF numkeys key...`.
        fn zdiff(keys: Keys) -> Vec<Bytes> = { keys, options: ZCombineOptions::new() };
        /// `ZDIFF ... WITHSCORES`.
        fn zdiff_with_scores(keys: Keys) -> Vec<(Bytes, f64)> = { keys, options: ZCombineOptions::new().with_scores(true) };
    }
    /// `ZUNIONSTORE destination numkeys key... [WEIGHTS] [AGGREGATE]` → `Int` size of the result,
    /// which replaces `destination` (deleted when empty; its TTL is gone).
    105 ZUnionStore {
        /// Where the result goes.
        destination: Key,
        /// The input keys.
        keys: Vec<Key>,
        /// Options (`WITHSCORES` is `ERR syntax error`).
        options: ZCombineOptions,
    } => "ZUNIONSTORE" [Write, repeat true, keys [destination, all keys], reply Int, family SortedSets, time none, effects as_is] {
        /// `ZUNIONSTORE`: the size of the stored union.
        fn zunionstore(destination: Key, keys: Keys, options: ZCombineOptions) -> u64 = { destination, keys, options };
    }
    /// `ZINTERSTORE destination numkeys key... [WEIGHTS] [AGGREGATE]` → `Int`, like
    /// [`Command::ZUnionStore`].
    106 ZInterStore {
        /// Where the result goes.
        destination: Key,
        /// The input keys.
        keys: Vec<Key>,
        /// Options (`WITHSCORES` is `ERR syntax error`).
        options: ZCombineOptions,
    } => "ZINTERSTORE" [Write, repeat true, keys [destination, all keys], reply Int, family SortedSets, time none, effects as_is] {
        /// `ZINTERSTORE`: the size of the stored intersection.
        fn zinterstore(destination: Key, keys: Keys, options: ZCombineOptions) -> u64 = { destination, keys, options };
    }
    /// `ZDIFFSTORE destination numkeys key...` → `Int`, like [`Command::ZUnionStore`].
    107 ZDiffStore {
        /// Where the result goes.
        destination: Key,
        /// The input keys.
        keys: Vec<Key>,
        /// Options (every one is `ERR syntax error` here).
        options: ZCombineOptions,
    } => "ZDIFFSTORE" [Write, repeat true, keys [destination, all keys], reply Int, family SortedSets, time none, effects as_is] {
        /// `ZDIFFSTORE`: the size of the stored difference.
        fn zdiffstore(destination: Key, keys: Keys) -> u64 = { destination, keys, options: ZCombineOptions::new() };
    }
    /// `ZINTERCARD numkeys key... [LIMIT limit]` → `Int` size of the intersection, counting
    /// stops at `limit` (0: no limit).
    108 ZInterCard {
        /// The input keys.
        keys: Vec<Key>,
        /// `LIMIT`.
        limit: Option<u64>,
    } => "ZINTERCARD" [Read, repeat true, keys [all keys], reply Int, family SortedSets, time none, effects none] {
        /// `ZINTERCARD numkeys key...`.
        fn zintercard(keys: Keys) -> u64 = { keys, limit: None };
        /// `ZINTERCARD numkeys key... LIMIT limit`.
        fn zintercard_limit(keys: Keys, limit: u64) -> u64 = { keys, limit: Some(limit) };
    }
    /// `ZRANGESTORE destination source ... [BYSCORE|BYLEX] [REV] [LIMIT o c]` → `Int` size of the
    /// range stored in `destination` (deleted when empty). `WITHSCORES` is `ERR syntax error`.
    109 ZRangeStore {
        /// Where the range goes.
        destination: Key,
        /// The sorted set it is taken from.
        source: Key,
        /// What to select by.
        by: ZRangeBy,
        /// Options.
        options: ZRangeOptions,
    } => "ZRANGESTORE" [Write, repeat true, keys [destination, source], reply Int, family SortedSets, time none, effects as_is] {
        /// `ZRANGESTORE`: the size of the stored range.
        fn zrangestore(destination: Key, source: Key, by: ZRangeBy, options: ZRangeOptions) -> u64 = { destination, source, by, options };
    }
    /// `ZRANDMEMBER key [count [WITHSCORES]]` → without count `Bulk`/`Nil`; with count an
    /// `Array` of `Bulk` (or of `Array[Bulk, Double]` pairs with scores): distinct members for a
    /// positive count, repeats allowed for a negative one.
    ///
    /// # Behavior
    /// - `WITHSCORES` without a count is `ERR value is not an integer or out of range`, as Redis
    ///   reads the word as the count.
    /// - A negative count below `-MAX_RANDOM_REPEATS` (-16,777,216) is `InvalidInput` on every
    ///   backend, before anything is sent (see [`Command::check_limits`]).
    110 ZRandMember {
        /// The key.
        key: Key,
        /// Optional count.
        count: Option<i64>,
        /// `WITHSCORES`.
        with_scores: bool,
    } => "ZRANDMEMBER" [Read, repeat true, keys [key], reply Varies, family SortedSets, time none, effects none] {
        /// `ZRANDMEMBER key`.
        fn zrandmember(key: Key) -> Option<Bytes> = { key, count: None, with_scores: false };
        /// `ZRANDMEMBER key count`.
        fn zrandmember_count(key: Key, count: i64) -> Vec<Bytes> = { key, count: Some(count), with_scores: false };
        /// `ZRANDMEMBER key count WITHSCORES`.
        fn zrandmember_with_scores(key: Key, count: i64) -> Vec<(Bytes, f64)> = { key, count: Some(count), with_scores: true };
    }
    /// `ZMPOP numkeys key... MIN|MAX [COUNT count]` → `Nil` when every key is empty, else
    /// `Array[Bulk key, Array of Array[Bulk, Double] pairs]` from the first non-empty key.
    /// A count of 0 is `ERR count should be greater than 0`.
    111 ZMPop {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// Which end.
        end: ZPopEnd,
        /// `COUNT` (default 1).
        count: Option<u64>,
    } => "ZMPOP" [Write, repeat false, keys [all keys], reply KeyFirst, family SortedSets, time none, effects custom] {
        /// `ZMPOP numkeys key... MIN|MAX`: the key popped from and its member.
        fn zmpop(keys: Keys, end: ZPopEnd) -> Option<(Name, Vec<(Bytes, f64)>)> = { keys, end, count: None };
        /// `ZMPOP numkeys key... MIN|MAX COUNT count`.
        fn zmpop_count(keys: Keys, end: ZPopEnd, count: u64) -> Option<(Name, Vec<(Bytes, f64)>)> = { keys, end, count: Some(count) };
    }
    /// `BZMPOP timeout numkeys key... MIN|MAX [COUNT count]`: [`Command::ZMPop`] that waits up to
    /// `timeout` (zero: forever) for a member; `Nil` on timeout.
    112 BZMPop {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// Which end.
        end: ZPopEnd,
        /// `COUNT` (default 1).
        count: Option<u64>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    } => "BZMPOP" [Blocking, repeat false, keys [all keys], reply KeyFirst, family SortedSets, time none, effects custom] {
        /// `BZMPOP timeout numkeys key... MIN|MAX`.
        fn bzmpop(keys: Keys, end: ZPopEnd, timeout: Duration) -> Option<(Name, Vec<(Bytes, f64)>)> = { keys, end, count: None, timeout };
        /// `BZMPOP timeout numkeys key... MIN|MAX COUNT count`.
        fn bzmpop_count(keys: Keys, end: ZPopEnd, count: u64, timeout: Duration) -> Option<(Name, Vec<(Bytes, f64)>)> = { keys, end, count: Some(count), timeout };
    }
    /// `ZSCAN key cursor [MATCH pattern] [COUNT n]` → `Array[Bulk cursor, Array of Bulk member,
    /// Bulk score, ...]` (scores as Redis prints them, `%.17g`). `TYPE` is `ERR syntax error`.
    ///
    /// # Behavior
    /// - A set small enough for Redis's compact encoding (at most 128 members of at most 64
    ///   bytes) comes back whole, in score order, with cursor 0, as from Redis.
    /// - Larger sets are walked in pages; every member present for the whole scan is returned
    ///   at least once (the order of pages differs from Redis's).
    113 ZScan {
        /// The key.
        key: Key,
        /// Cursor (0 to start).
        cursor: u64,
        /// `MATCH`/`COUNT`.
        options: ScanOptions,
    } => "ZSCAN" [Read, repeat true, keys [key], reply Array, family SortedSets, time none, effects none] {
        /// `ZSCAN key cursor`: the next cursor and the members with their scores.
        fn zscan(key: Key, cursor: u64) -> (u64, Vec<(Bytes, f64)>) = { key, cursor, options: ScanOptions::new() };
        /// `ZSCAN key cursor [MATCH] [COUNT]`.
        fn zscan_options(key: Key, cursor: u64, options: ScanOptions) -> (u64, Vec<(Bytes, f64)>) = { key, cursor, options };
    }

    /// `ZRANK key member WITHSCORE` → `Array[Int rank, Double score]`, or `Nil` when the key or
    /// the member is missing. (Redis 7.2 has the word; on older servers the Redis backend gets
    /// the same reply from a script.)
    114 ZRankWithScore {
        /// The key.
        key: Key,
        /// Member.
        member: Bytes,
    } => "ZRANK" [Read, repeat true, keys [key], reply Array, family SortedSets, time none, effects none] {
        /// `ZRANK key member WITHSCORE`: the rank and the score.
        fn zrank_with_score(key: Key, member: Value) -> Option<(u64, f64)> = { key, member };
    }
    /// `ZREVRANK key member WITHSCORE`, like [`Command::ZRankWithScore`] from the top.
    115 ZRevRankWithScore {
        /// The key.
        key: Key,
        /// Member.
        member: Bytes,
    } => "ZREVRANK" [Read, repeat true, keys [key], reply Array, family SortedSets, time none, effects none] {
        /// `ZREVRANK key member WITHSCORE`: the rank from the top and the score.
        fn zrevrank_with_score(key: Key, member: Value) -> Option<(u64, f64)> = { key, member };
    }

}
        } $generate }
    };
}
pub(crate) use zsets_rows;
