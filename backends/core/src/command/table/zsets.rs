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
        fn bzpopmin(key: Key, timeout: Duration) -> Option<(String, Bytes, f64)> = { keys: vec![key], timeout };
        /// `BZPOPMIN key... timeout`.
        fn bzpopmin_multiple(keys: Keys, timeout: Duration) -> Option<(String, Bytes, f64)> = { keys, timeout };
    }
    /// `BZPOPMAX key... timeout`, like [`Command::BZPopMin`].
    73 BZPopMax {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    } => "BZPOPMAX" [Blocking, repeat false, keys [all keys], reply KeyFirst, family SortedSets, time none, effects custom] {
        /// `BZPOPMAX key timeout`.
        fn bzpopmax(key: Key, timeout: Duration) -> Option<(String, Bytes, f64)> = { keys: vec![key], timeout };
        /// `BZPOPMAX key... timeout`.
        fn bzpopmax_multiple(keys: Keys, timeout: Duration) -> Option<(String, Bytes, f64)> = { keys, timeout };
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
}
        } $generate }
    };
}
pub(crate) use zsets_rows;
