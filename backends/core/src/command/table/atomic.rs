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
    /// The queue's one-round-trip step (staunch's queue service): completes the job a worker
    /// holds, if asked, then claims up to `claim` pending jobs, all atomically. → `Array[Int
    /// finished, Int paused, Int due, Array jobs]`, each job `Array[Bulk id, Int token, Array[Bulk
    /// field, Bulk value, ...]]`.
    ///
    /// `keys` are, in this order: the pending zset, the processing zset, the scheduled zset,
    /// the paused flag, the counters hash, the prefix of job hashes, the prefix of unique keys
    /// and the completed zset (job `id`'s hash is the first prefix followed by `id`; a step
    /// locks every key it derives so, as a keyless command does).
    ///
    /// # Behavior
    /// - Finish: when job `id`'s `token` field equals the holder's token, the job leaves
    ///   `processing`, its hash gets `token "<token>:completed"`, `status completed`,
    ///   `finished_at`, `finished_ms` (and `result`), it expires after `keep_ms` and enters the
    ///   completed zset scored `now_ms` (deleted at once for 0), the counter `completed` goes up, the unique key is deleted if it still
    ///   names the job, and `{"event":"status","id":..,"status":"completed","at":now}` is
    ///   published. `finished` is 1 then, 0 when the token did not match (nothing changes),
    ///   -1 without a finish.
    /// - Claim, only when the paused flag is missing and no scheduled job is due (`due` counts
    ///   those with a score up to `now_ms`): the `claim` lowest-scored pending jobs move to
    ///   `processing` scored `until_ms`; each hash's `token` and `attempts` go up by one, the
    ///   job is returned with its new token and its fields as they were before `status
    ///   processing` and `started_at` were written. A `token` that is not an integer (a closed
    ///   fence) is left alone and returned as token 0. One `status` (or `statuses`) event
    ///   announces the claimed jobs as `processing`.
    /// - `InvalidInput` for a key list of another length; `WrongType` as the underlying
    ///   commands answer it.
    200 QueueStep {
        /// The queue's keys, in the order above.
        keys: Vec<Key>,
        /// What to finish and claim.
        step: Box<QueueStepOptions>,
    } => "QUEUESTEP" [Write, repeat false, keys [all keys], reply Array, family SortedSets, time none, effects custom] {
        /// Completes a held job and claims the next ones in one atomic step (the queue's
        /// steady state: one round trip per job).
        fn queue_step(keys: Keys, step: (QueueStepOptions)) -> crate::QueueStepReply = { keys, step: Box::new(step) };
    }
}
        } $generate }
    };
}
pub(crate) use atomic_rows;
