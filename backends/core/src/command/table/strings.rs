//! The string rows of the command table: values, counters, expiry-aware reads.

/// Appends the strings section to the table being collected (see [`super`]).
macro_rules! strings_rows {
    ([$($rest:path),*] { $($acc:tt)* } $generate:path) => {
        $crate::command::table::chain! { [$($rest),*] { $($acc)*
Strings "String operations: values, counters, expiry-aware reads." [
    /// `GET` decoded as UTF-8 text (`InvalidInput` if it is not).
    fn get_string<'a>(&'a self, key: &'a (impl AsRef<[u8]> + ?Sized)) -> impl Future<Output = Result<Option<String>>> + Send {
        let fut = self.get(key);
        async move {
            match fut.await? {
                None => Ok(None),
                Some(bytes) => String::from_utf8(bytes.to_vec())
                    .map(Some)
                    .map_err(|e| Error::invalid("value is not UTF-8").with_source(e)),
            }
        }
    }
] {
    /// `GET key` → `Bulk` or `Nil`.
    12 Get {
        /// The key.
        key: Key,
    } => "GET" [Read, repeat true, keys [key], reply Bulk, family Strings, time none, effects none,
        borrowed { key: Key } => { key }] {
        /// `GET`.
        fn get(key: Key) -> Option<Bytes> = borrowed;
    }
    /// `SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT|KEEPTTL]` → `Status OK`, or `Nil` when a
    /// condition failed; with `GET`, the old value or `Nil`.
    ///
    /// # Behavior
    /// - Without an expiry and without `KEEPTTL`, any TTL is cleared.
    /// - A zero expiry is `InvalidInput`. With `GET` on a non-string key, `WrongType`.
    /// - An absolute expiry in the past replies as usual and leaves no key.
    13 Set {
        /// The key.
        key: Key,
        /// The value.
        value: Bytes,
        /// Options.
        options: SetOptions,
    } => "SET" [Write, repeat { options.condition.is_none() && !options.get }, keys [key], reply Varies, family Strings, time (options.expiry), effects custom,
        borrowed { key: Key, value: Bytes } => { key, value, options: SetOptions::new() }] {
        /// Plain `SET` (clears any TTL).
        fn set(key: Key, value: Value) -> () = borrowed;
        /// `SET key value PX ttl` (a TTL under one millisecond is rounded up).
        fn setex(key: Key, value: Value, ttl: Duration) -> () = { key, value, options: SetOptions::new().expiry(SetExpiry::Px(ttl_millis(ttl))) };
        /// `SET` with every option.
        fn set_options(key: Key, value: Value, options: SetOptions) -> SetReply as SetOutcome = { key, value, options };
    }
    /// `MGET key...` → `Array` of `Bulk`/`Nil` (nil for missing or non-string keys).
    14 MGet {
        /// Keys.
        keys: Vec<Key>,
    } => "MGET" [Read, repeat true, keys [all keys], reply Array, family Strings, time none, effects none] {
        /// `MGET`.
        fn mget(keys: Keys) -> Vec<Option<Bytes>> = { keys };
    }
    /// `MSET key value ...` → `Status OK`; clears TTLs, atomic.
    15 MSet {
        /// Pairs to set.
        pairs: Vec<(Key, Bytes)>,
    } => "MSET" [Write, repeat true, keys [firsts pairs], reply Status, family Strings, time none, effects as_is] {
        /// `MSET`.
        fn mset(pairs: KeyValues) -> () = { pairs };
    }
    /// `INCRBY key delta` → `Int`; keeps the TTL; a missing key counts as 0.
    16 IncrBy {
        /// The key.
        key: Key,
        /// The increment.
        delta: i64,
    } => "INCRBY" [Write, repeat false, keys [key], reply Int, family Strings, time none, effects as_is] {
        /// `INCR`.
        fn incr(key: Key) -> i64 = { key, delta: 1 };
        /// `INCRBY`.
        fn incrby(key: Key, delta: i64) -> i64 = { key, delta };
    }
    /// `DECRBY key delta` → `Int`.
    17 DecrBy {
        /// The key.
        key: Key,
        /// The decrement.
        delta: i64,
    } => "DECRBY" [Write, repeat false, keys [key], reply Int, family Strings, time none, effects as_is] {
        /// `DECR`.
        fn decr(key: Key) -> i64 = { key, delta: 1 };
        /// `DECRBY`.
        fn decrby(key: Key, delta: i64) -> i64 = { key, delta };
    }
    /// `INCRBYFLOAT key delta` → `Bulk` with the new value as text; keeps the TTL.
    18 IncrByFloat {
        /// The key.
        key: Key,
        /// The increment.
        delta: f64,
    } => "INCRBYFLOAT" [Write, repeat false, keys [key], reply Bulk, family Strings, time none, effects as_is] {
        /// `INCRBYFLOAT`.
        fn incrbyfloat(key: Key, delta: f64) -> f64 = { key, delta };
    }
    /// `GETDEL key` → `Bulk` or `Nil`.
    19 GetDel {
        /// The key.
        key: Key,
    } => "GETDEL" [Write, repeat false, keys [key], reply Bulk, family Strings, time none, effects custom] {
        /// `GETDEL`.
        fn getdel(key: Key) -> Option<Bytes> = { key };
    }
    /// `GETEX key [EX|PX|EXAT|PXAT|PERSIST]` → `Bulk` or `Nil`.
    20 GetEx {
        /// The key.
        key: Key,
        /// What to do to the TTL; `None` leaves it.
        expiry: Option<GetExExpiry>,
    } => "GETEX" [{ if expiry.is_none() { Access::Read } else { Access::Write } }, repeat { expiry.is_none() }, keys [key], reply Bulk, family Strings, time (expiry), effects custom] {
        /// `GETEX`.
        fn getex(key: Key, expiry: (Option<GetExExpiry>)) -> Option<Bytes> = { key, expiry };
    }
    /// `APPEND key value` → `Int` new length; keeps the TTL.
    21 Append {
        /// The key.
        key: Key,
        /// Bytes to append.
        value: Bytes,
    } => "APPEND" [Write, repeat false, keys [key], reply Int, family Strings, time none, effects as_is] {
        /// `APPEND`: the new length.
        fn append(key: Key, value: Value) -> u64 = { key, value };
    }
    /// `STRLEN key` → `Int` (0 when missing).
    22 StrLen {
        /// The key.
        key: Key,
    } => "STRLEN" [Read, repeat true, keys [key], reply Int, family Strings, time none, effects none] {
        /// `STRLEN`.
        fn strlen(key: Key) -> u64 = { key };
    }
    /// `SETNX key value` → `Int` 1 if written, 0 if the key exists (of any type). Never sets a
    /// TTL.
    96 SetNx {
        /// The key.
        key: Key,
        /// The value.
        value: Bytes,
    } => "SETNX" [Write, repeat false, keys [key], reply Int, family Strings, time none, effects if_changed] {
        /// `SETNX`: true if written.
        fn setnx(key: Key, value: Value) -> bool = { key, value };
    }
    /// `SETRANGE key offset value` → `Int`: the new length.
    ///
    /// # Behavior
    /// - The string is padded with zero bytes up to `offset`; a missing key is created, except
    ///   when `value` is empty (reply 0, no key). Keeps the TTL.
    /// - A negative offset is `InvalidInput` (`ERR offset is out of range`), and so is a result
    ///   longer than 512 MiB (`ERR string exceeds maximum allowed size (proto-max-bulk-len)`).
    97 SetRange {
        /// The key.
        key: Key,
        /// Where to write.
        offset: i64,
        /// The bytes written.
        value: Bytes,
    } => "SETRANGE" [Write, repeat true, keys [key], reply Int, family Strings, time none, effects as_is] {
        /// `SETRANGE`: the new length.
        fn setrange(key: Key, offset: i64, value: Value) -> u64 = { key, offset, value };
    }
    /// `GETRANGE key start end` → `Bulk`: the bytes from `start` to `end` inclusive (negative
    /// from the end, clamped as Redis clamps them); empty, never `Nil`, for a missing key.
    98 GetRange {
        /// The key.
        key: Key,
        /// First byte.
        start: i64,
        /// Last byte, inclusive.
        end: i64,
    } => "GETRANGE" [Read, repeat true, keys [key], reply Bulk, family Strings, time none, effects none] {
        /// `GETRANGE`.
        fn getrange(key: Key, start: i64, end: i64) -> Bytes = { key, start, end };
    }
    /// `MSETNX key value ...` → `Int` 1 if every key was set, 0 (nothing set) if any exists.
    99 MSetNx {
        /// Pairs to set.
        pairs: Vec<(Key, Bytes)>,
    } => "MSETNX" [Write, repeat false, keys [firsts pairs], reply Int, family Strings, time none, effects if_changed] {
        /// `MSETNX`: true if every key was set.
        fn msetnx(pairs: KeyValues) -> bool = { pairs };
    }
    /// `SETBIT key offset 0|1` → `Int`: the bit's previous value.
    ///
    /// # Behavior
    /// - Bits count from the most significant bit of the first byte. The string grows with zero
    ///   bytes to hold the bit; a missing key is created; the TTL is kept.
    /// - An offset of 2^32 or more (past 512 MiB) is `InvalidInput`
    ///   (`ERR bit offset is not an integer or out of range`).
    155 SetBit {
        /// The key.
        key: Key,
        /// The bit's position.
        offset: u64,
        /// The new value.
        value: bool,
    } => "SETBIT" [Write, repeat true, keys [key], reply Int, family Strings, time none, effects as_is] {
        /// `SETBIT`: the previous value of the bit.
        fn setbit(key: Key, offset: u64, value: bool) -> bool = { key, offset, value };
    }
    /// `GETBIT key offset` → `Int` 0/1 (0 past the end or for a missing key); offsets are
    /// checked as for [`Command::SetBit`].
    156 GetBit {
        /// The key.
        key: Key,
        /// The bit's position.
        offset: u64,
    } => "GETBIT" [Read, repeat true, keys [key], reply Int, family Strings, time none, effects none] {
        /// `GETBIT`.
        fn getbit(key: Key, offset: u64) -> bool = { key, offset };
    }
    /// `BITCOUNT key [start end [BYTE|BIT]]` → `Int`: how many bits are set (0 for a missing
    /// key).
    157 BitCount {
        /// The key.
        key: Key,
        /// The range; `None` for the whole string.
        range: Option<BitRange>,
    } => "BITCOUNT" [Read, repeat true, keys [key], reply Int, family Strings, time none, effects none] {
        /// `BITCOUNT key`.
        fn bitcount(key: Key) -> u64 = { key, range: None };
        /// `BITCOUNT key start end BYTE|BIT`.
        fn bitcount_range(key: Key, start: i64, end: i64, unit: BitUnit) -> u64 = { key, range: Some(BitRange { start, end, unit }) };
    }
}
        } $generate }
    };
}
pub(crate) use strings_rows;
