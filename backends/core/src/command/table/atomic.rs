//! The atomic compound operations of the command table: the check-then-act steps services
//! must never split in two. They are staunch's own, not Redis commands, so their names say what
//! they do; each backend runs them atomically (Redis: a Lua script; memory and file: under the
//! engine lock).

/// Appends the atomic section to the table being collected (see [`super`]).
macro_rules! atomic_rows {
    ([$($rest:path),*] { $($acc:tt)* } $generate:path) => {
        $crate::command::table::chain! { [$($rest),*] { $($acc)*
Atomic "Atomic compound operations: the check-then-act steps services must never split in two." [] {
    /// Atomically moves the members of `source` whose score is within `[min, max]`, lowest first,
    /// at most `limit` of them, into `destination` with the score `score` says. → `Array` of
    /// `Array[Bulk member, Double old score]`.
    ///
    /// # Behavior
    /// - Concurrent callers never receive the same member.
    /// - An emptied source is deleted; members already in `destination` get their score updated.
    /// - `WrongType` if either key holds a non-zset; nothing moves then.
    77 ZMoveByScore {
        /// Sorted set to take from.
        source: Key,
        /// Sorted set to put into.
        destination: Key,
        /// Lowest score moved.
        min: ScoreBound,
        /// Highest score moved.
        max: ScoreBound,
        /// At most this many (`None`: all in range).
        limit: Option<u64>,
        /// Score in the destination.
        score: MoveScore,
    } => "ZMOVEBYSCORE" [Write, repeat false, keys [source, destination], reply Array, family SortedSets, time none, effects custom] {
        /// Moves members between sorted sets atomically, returning them with their old scores.
        fn zmove_by_score(source: Key, destination: Key, options: ZMoveOptions) -> Vec<(Bytes, f64)> = { source, destination, min: options.min, max: options.max, limit: options.limit, score: options.score };
    }
    /// Sets `key` to `value` only if its current value equals `expected` (`None`: only if the key
    /// is missing). → `Int` 1 if set, 0 if not.
    ///
    /// # Behavior
    /// - `expiry` applies as in `SET`: `None` clears the TTL, `KeepTtl` keeps it.
    /// - `WrongType` if the key holds a non-string.
    78 CompareAndSet {
        /// The key.
        key: Key,
        /// Value the key must hold, or `None` for "must not exist".
        expected: Option<Bytes>,
        /// New value.
        value: Bytes,
        /// Expiry of the new value.
        expiry: Option<SetExpiry>,
    } => "CAS" [Write, repeat false, keys [key], reply Int, family Strings, time (expiry), effects if_changed] {
        /// Compare-and-set on a string: true if set.
        fn compare_and_set(key: Key, expected: (Option<Bytes>), value: Value, expiry: (Option<SetExpiry>)) -> bool = { key, expected, value, expiry };
    }
    /// Deletes `key` only if its value equals `expected`. → `Int` 1 if deleted; `WrongType`
    /// (and no change) if the key holds a non-string.
    79 CompareAndDelete {
        /// The key.
        key: Key,
        /// Value the key must hold.
        expected: Bytes,
    } => "CAD" [Write, repeat false, keys [key], reply Int, family Strings, time none, effects if_changed] {
        /// Compare-and-delete on a string: true if deleted.
        fn compare_and_delete(key: Key, expected: Value) -> bool = { key, expected };
    }
    /// Sets a hash field only if its current value equals `expected` (`None`: only if the field
    /// is missing). → `Int` 1 if set.
    80 HCompareAndSet {
        /// The key.
        key: Key,
        /// The field.
        field: Field,
        /// Value the field must hold, or `None` for "must not exist".
        expected: Option<Bytes>,
        /// New value.
        value: Bytes,
    } => "HCAS" [Write, repeat false, keys [key], reply Int, family Hashes, time none, effects if_changed] {
        /// Compare-and-set on a hash field: true if set.
        fn hcompare_and_set(key: Key, field: Field, expected: (Option<Bytes>), value: Value) -> bool = { key, field, expected, value };
    }
    /// Deletes a hash field only if it equals `expected` (an emptied hash is deleted).
    /// → `Int` 1 if deleted.
    81 HCompareAndDelete {
        /// The key.
        key: Key,
        /// The field.
        field: Field,
        /// Value the field must hold.
        expected: Bytes,
    } => "HCAD" [Write, repeat false, keys [key], reply Int, family Hashes, time none, effects if_changed] {
        /// Compare-and-delete on a hash field: true if deleted.
        fn hcompare_and_delete(key: Key, field: Field, expected: Value) -> bool = { key, field, expected };
    }
    /// `INCRBY` that also sets a TTL of `ttl_ms` when the key has none after the increment (so
    /// the first write of a window starts its clock and later ones never extend it).
    /// → `Int` new value.
    82 IncrByEx {
        /// The key.
        key: Key,
        /// The increment.
        delta: i64,
        /// TTL in milliseconds for a key that has none.
        ttl_ms: TtlMillis,
    } => "INCRBYEX" [Write, repeat false, keys [key], reply Int, family Strings, time clock, effects as_is] {
        /// `INCRBY` that starts a TTL on the first write (a TTL under one millisecond is
        /// rounded up).
        fn incr_by_ex(key: Key, delta: i64, ttl: Duration) -> i64 = { key, delta, ttl_ms: ttl_millis(ttl) };
    }
}
        } $generate }
    };
}
pub(crate) use atomic_rows;
