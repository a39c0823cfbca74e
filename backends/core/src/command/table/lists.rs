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
        fn blpop(key: Key, timeout: Duration) -> Option<(String, Bytes)> = { keys: vec![key], timeout };
        /// `BLPOP key... timeout`.
        fn blpop_multiple(keys: Keys, timeout: Duration) -> Option<(String, Bytes)> = { keys, timeout };
    }
    /// `BRPOP key... timeout`, like [`Command::BLPop`] from the tail.
    47 BRPop {
        /// Keys, tried in order.
        keys: Vec<Key>,
        /// How long to wait (zero: forever).
        timeout: BlockTimeout,
    } => "BRPOP" [Blocking, repeat false, keys [all keys], reply KeyFirst, family Lists, time none, effects custom] {
        /// `BRPOP key timeout`.
        fn brpop(key: Key, timeout: Duration) -> Option<(String, Bytes)> = { keys: vec![key], timeout };
        /// `BRPOP key... timeout`.
        fn brpop_multiple(keys: Keys, timeout: Duration) -> Option<(String, Bytes)> = { keys, timeout };
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
}
        } $generate }
    };
}
pub(crate) use lists_rows;
