//! The list rows of the command table, blocking pops included.

/// Appends the lists section to the table being collected (see [`super`]).
macro_rules! lists_rows {
    ([$($rest:path),*] { $($acc:tt)* } $generate:path) => {
        $crate::command::table::chain! { [$($rest),*] { $($acc)*
Lists "List operations, blocking pops included." [] {
    /// `LPUSH key value...` → `Int` new length (values pushed one by one to the head).
    35 LPush {
        /// The key.
        key: Key,
        /// Values.
        values: Vec<Bytes>,
    } => "LPUSH" [Write, repeat false, keys [key], reply Int, family Lists, time none, effects as_is,
        borrowed { key: Key, value: Bytes } => { key, values: vec![value] }] {
        /// `LPUSH key value`: the new length.
        fn lpush(key: Key, value: Value) -> u64 = borrowed;
        /// `LPUSH key value...`: the new length.
        fn lpush_multiple(key: Key, values: Values) -> u64 = { key, values };
    }
    /// `RPUSH key value...` → `Int` new length.
    36 RPush {
        /// The key.
        key: Key,
        /// Values.
        values: Vec<Bytes>,
    } => "RPUSH" [Write, repeat false, keys [key], reply Int, family Lists, time none, effects as_is,
        borrowed { key: Key, value: Bytes } => { key, values: vec![value] }] {
        /// `RPUSH key value`: the new length.
        fn rpush(key: Key, value: Value) -> u64 = borrowed;
        /// `RPUSH key value...`: the new length.
        fn rpush_multiple(key: Key, values: Values) -> u64 = { key, values };
    }
    /// `LPOP key [count]` → without count `Bulk`/`Nil`; with count `Array` (empty for count 0)
    /// or `Nil` when the key is missing.
    37 LPop {
        /// The key.
        key: Key,
        /// Optional count.
        count: Option<u64>,
    } => "LPOP" [Write, repeat false, keys [key], reply Varies, family Lists, time none, effects custom,
        borrowed { key: Key } => { key, count: None }] {
        /// `LPOP key`.
        fn lpop(key: Key) -> Option<Bytes> = borrowed;
        /// `LPOP key count` (empty when the key is missing).
        fn lpop_count(key: Key, count: u64) -> Vec<Bytes> = { key, count: Some(count) };
    }
    /// `RPOP key [count]`, like [`Command::LPop`] from the tail.
    38 RPop {
        /// The key.
        key: Key,
        /// Optional count.
        count: Option<u64>,
    } => "RPOP" [Write, repeat false, keys [key], reply Varies, family Lists, time none, effects custom,
        borrowed { key: Key } => { key, count: None }] {
        /// `RPOP key`.
        fn rpop(key: Key) -> Option<Bytes> = borrowed;
        /// `RPOP key count` (empty when the key is missing).
        fn rpop_count(key: Key, count: u64) -> Vec<Bytes> = { key, count: Some(count) };
    }
    /// `LRANGE key start stop` → `Array` of `Bulk`.
    39 LRange {
        /// The key.
        key: Key,
        /// First index (negative from the end).
        start: i64,
        /// Last index, inclusive.
        stop: i64,
    } => "LRANGE" [Read, repeat true, keys [key], reply Array, family Lists, time none, effects none] {
        /// `LRANGE`.
        fn lrange(key: Key, start: i64, stop: i64) -> Vec<Bytes> = { key, start, stop };
    }
    /// `LLEN key` → `Int`.
    40 LLen {
        /// The key.
        key: Key,
    } => "LLEN" [Read, repeat true, keys [key], reply Int, family Lists, time none, effects none] {
        /// `LLEN`.
        fn llen(key: Key) -> u64 = { key };
    }
    /// `LINDEX key index` → `Bulk`/`Nil`.
    41 LIndex {
        /// The key.
        key: Key,
        /// Index.
        index: i64,
    } => "LINDEX" [Read, repeat true, keys [key], reply Bulk, family Lists, time none, effects none] {
        /// `LINDEX`.
        fn lindex(key: Key, index: i64) -> Option<Bytes> = { key, index };
    }
    /// `LSET key index value` → `Status OK`; `NotFound` when missing, `InvalidInput` out of range.
    42 LSet {
        /// The key.
        key: Key,
        /// Index.
        index: i64,
        /// The value.
        value: Bytes,
    } => "LSET" [Write, repeat true, keys [key], reply Status, family Lists, time none, effects as_is] {
        /// `LSET`.
        fn lset(key: Key, index: i64, value: Value) -> () = { key, index, value };
    }
    /// `LREM key count value` → `Int` removed (count > 0 from head, < 0 from tail, 0 all).
    43 LRem {
        /// The key.
        key: Key,
        /// How many and from which end.
        count: i64,
        /// Value to remove.
        value: Bytes,
    } => "LREM" [Write, repeat false, keys [key], reply Int, family Lists, time none, effects as_is] {
        /// `LREM`: how many were removed.
        fn lrem(key: Key, count: i64, value: Value) -> u64 = { key, count, value };
    }
    /// `LTRIM key start stop` → `Status OK`.
    44 LTrim {
        /// The key.
        key: Key,
        /// First index kept.
        start: i64,
        /// Last index kept.
        stop: i64,
    } => "LTRIM" [Write, repeat true, keys [key], reply Status, family Lists, time none, effects as_is] {
        /// `LTRIM`.
        fn ltrim(key: Key, start: i64, stop: i64) -> () = { key, start, stop };
    }
    /// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT` → `Bulk`/`Nil`.
    ///
    /// # Behavior
    /// - A missing source answers `Nil` whatever the destination holds; a non-list source, or a
    ///   non-list destination when the source has elements, is `WrongType` and nothing moves.
    /// - `source == destination` rotates the list.
    45 LMove {
        /// Source list.
        source: Key,
        /// Destination list.
        destination: Key,
        /// End popped from.
        from: ListEnd,
        /// End pushed to.
        to: ListEnd,
    } => "LMOVE" [Write, repeat false, keys [source, destination], reply Bulk, family Lists, time none, effects custom] {
        /// `LMOVE`: the element moved.
        fn lmove(source: Key, destination: Key, from: ListEnd, to: ListEnd) -> Option<Bytes> = { source, destination, from, to };
    }
    /// `BLPOP key... timeout` → `Array[Bulk key, Bulk value]` or `Nil` on timeout.
    46 BLPop {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    } => "BLPOP" [Blocking, repeat false, keys [all keys], reply KeyFirst, family Lists, time none, effects custom] {
        /// `BLPOP key timeout`: the key and value popped, or `None` after `timeout` (zero waits
        /// forever).
        fn blpop(key: Key, timeout: Duration) -> Option<(Name, Bytes)> = { keys: vec![key], timeout };
        /// `BLPOP key... timeout`.
        fn blpop_multiple(keys: Keys, timeout: Duration) -> Option<(Name, Bytes)> = { keys, timeout };
    }
    /// `BRPOP key... timeout`, like [`Command::BLPop`] from the tail.
    47 BRPop {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    } => "BRPOP" [Blocking, repeat false, keys [all keys], reply KeyFirst, family Lists, time none, effects custom] {
        /// `BRPOP key timeout`.
        fn brpop(key: Key, timeout: Duration) -> Option<(Name, Bytes)> = { keys: vec![key], timeout };
        /// `BRPOP key... timeout`.
        fn brpop_multiple(keys: Keys, timeout: Duration) -> Option<(Name, Bytes)> = { keys, timeout };
    }
    /// `BLMOVE source destination from to timeout` → `Bulk` or `Nil` on timeout.
    48 BLMove {
        /// Source list.
        source: Key,
        /// Destination list.
        destination: Key,
        /// End popped from.
        from: ListEnd,
        /// End pushed to.
        to: ListEnd,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    } => "BLMOVE" [Blocking, repeat false, keys [source, destination], reply Bulk, family Lists, time none, effects custom] {
        /// `BLMOVE`.
        fn blmove(source: Key, destination: Key, from: ListEnd, to: ListEnd, timeout: Duration) -> Option<Bytes> = { source, destination, from, to, timeout };
    }
    /// `LPOS key element [RANK rank] [COUNT num] [MAXLEN len]` → without `COUNT` `Int` (the
    /// index of the match) or `Nil`; with `COUNT` an `Array` of `Int` (every match for 0).
    ///
    /// # Behavior
    /// - A missing key is `Nil` (without `COUNT`) or an empty array (with it).
    /// - `RANK` counts matches from the head (positive) or from the tail (negative); indexes are
    ///   always from the head. `RANK 0` is `InvalidInput`; so is a `COUNT` or `MAXLEN` above
    ///   `i64::MAX` (Redis reads them as negative), with Redis's messages.
    84 LPos {
        /// The key.
        key: Key,
        /// The element to look for.
        element: Bytes,
        /// `COUNT`: how many matches (0: all); `None` for the single-index reply.
        count: Option<u64>,
        /// `RANK` and `MAXLEN`.
        options: LPosOptions,
    } => "LPOS" [Read, repeat true, keys [key], reply Varies, family Lists, time none, effects none] {
        /// `LPOS key element`: the index of the first match.
        fn lpos(key: Key, element: Value) -> Option<u64> = { key, element, count: None, options: LPosOptions::new() };
        /// `LPOS key element [RANK r] [MAXLEN n]`: the index of the match.
        fn lpos_options(key: Key, element: Value, options: LPosOptions) -> Option<u64> = { key, element, count: None, options };
        /// `LPOS key element COUNT n [RANK r] [MAXLEN n]`: the indexes of up to `n` matches (all
        /// for 0).
        fn lpos_count(key: Key, element: Value, count: u64, options: LPosOptions) -> Vec<u64> = { key, element, count: Some(count), options };
    }
    /// `LINSERT key BEFORE|AFTER pivot element` → `Int`: the new length, `-1` when the pivot is
    /// not in the list, `0` when the key is missing.
    85 LInsert {
        /// The key.
        key: Key,
        /// Before or after the pivot.
        position: InsertPosition,
        /// The element to insert next to (its first occurrence from the head).
        pivot: Bytes,
        /// The element inserted.
        element: Bytes,
    } => "LINSERT" [Write, repeat false, keys [key], reply Int, family Lists, time none, effects as_is] {
        /// `LINSERT`: the new length, -1 without the pivot, 0 without the key.
        fn linsert(key: Key, position: InsertPosition, pivot: Value, element: Value) -> i64 = { key, position, pivot, element };
    }
    /// `LPUSHX key element...` → `Int`: the new length, or 0 (nothing pushed) when the key is
    /// missing.
    86 LPushX {
        /// The key.
        key: Key,
        /// Values.
        values: Vec<Bytes>,
    } => "LPUSHX" [Write, repeat false, keys [key], reply Int, family Lists, time none, effects if_changed] {
        /// `LPUSHX key value`: the new length (0: no list, nothing pushed).
        fn lpushx(key: Key, value: Value) -> u64 = { key, values: vec![value] };
        /// `LPUSHX key value...`.
        fn lpushx_multiple(key: Key, values: Values) -> u64 = { key, values };
    }
    /// `RPUSHX key element...`, like [`Command::LPushX`] at the tail.
    87 RPushX {
        /// The key.
        key: Key,
        /// Values.
        values: Vec<Bytes>,
    } => "RPUSHX" [Write, repeat false, keys [key], reply Int, family Lists, time none, effects if_changed] {
        /// `RPUSHX key value`: the new length (0: no list, nothing pushed).
        fn rpushx(key: Key, value: Value) -> u64 = { key, values: vec![value] };
        /// `RPUSHX key value...`.
        fn rpushx_multiple(key: Key, values: Values) -> u64 = { key, values };
    }
    /// `LMPOP numkeys key... LEFT|RIGHT [COUNT n]` → `Array[Bulk key, Array[Bulk]]` from the
    /// first non-empty list, or `Nil` when every list is empty.
    ///
    /// # Behavior
    /// - Up to `count` (default 1) elements from one list; `COUNT 0` (or above `i64::MAX`) is
    ///   `InvalidInput`, and so is an empty key list
    ///   (`ERR wrong number of arguments`, as Redis's arity check says).
    /// - A non-list key before the first non-empty list is `WrongType`.
    88 LMPop {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// The end to pop from.
        end: ListEnd,
        /// `COUNT` (default 1).
        count: Option<u64>,
    } => "LMPOP" [Write, repeat false, keys [all keys], reply KeyFirst, family Lists, time none, effects custom] {
        /// `LMPOP numkeys key... LEFT|RIGHT`: the key and the element popped.
        fn lmpop(keys: Keys, end: ListEnd) -> Option<(Name, Vec<Bytes>)> = { keys, end, count: None };
        /// `LMPOP numkeys key... LEFT|RIGHT COUNT n`: the key and up to `n` elements.
        fn lmpop_count(keys: Keys, end: ListEnd, count: u64) -> Option<(Name, Vec<Bytes>)> = { keys, end, count: Some(count) };
    }
    /// `BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT n]`: [`Command::LMPop`] waiting up to
    /// `timeout` (zero: forever) for a list to fill; `Nil` on timeout.
    89 BLMPop {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// The end to pop from.
        end: ListEnd,
        /// `COUNT` (default 1).
        count: Option<u64>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    } => "BLMPOP" [Blocking, repeat false, keys [all keys], reply KeyFirst, family Lists, time none, effects custom] {
        /// `BLMPOP timeout numkeys key... LEFT|RIGHT`.
        fn blmpop(keys: Keys, end: ListEnd, timeout: Duration) -> Option<(Name, Vec<Bytes>)> = { keys, end, count: None, timeout };
        /// `BLMPOP timeout numkeys key... LEFT|RIGHT COUNT n`.
        fn blmpop_count(keys: Keys, end: ListEnd, count: u64, timeout: Duration) -> Option<(Name, Vec<Bytes>)> = { keys, end, count: Some(count), timeout };
    }
}
        } $generate }
    };
}
pub(crate) use lists_rows;
