//! The hash rows of the command table: field maps under one key.

/// Appends the hashes section to the table being collected (see [`super`]).
macro_rules! hashes_rows {
    ([$($rest:path),*] { $($acc:tt)* } $generate:path) => {
        $crate::command::table::chain! { [$($rest),*] { $($acc)*
Hashes "Hash operations: field maps under one key." [] {
    /// `HGET key field` → `Bulk` or `Nil`.
    23 HGet {
        /// The key.
        key: Key,
        /// The field.
        field: Field,
    } => "HGET" [Read, repeat true, keys [key], reply Bulk, family Hashes, time none, effects none,
        borrowed { key: Key, field: Field } => { key, field }] {
        /// `HGET`.
        fn hget(key: Key, field: Field) -> Option<Bytes> = borrowed;
    }
    /// `HSET key field value ...` → `Int` number of new fields.
    24 HSet {
        /// The key.
        key: Key,
        /// Field/value pairs (at least one).
        fields: Vec<(Field, Bytes)>,
    } => "HSET" [Write, repeat true, keys [key], reply Int, family Hashes, time none, effects as_is,
        borrowed { key: Key, field: Field, value: Bytes } => { key, fields: vec![(field, value)] }] {
        /// `HSET key field value`: true if the field is new.
        fn hset(key: Key, field: Field, value: Value) -> bool = borrowed;
        /// `HSET key field value ...`: how many fields are new.
        fn hset_multiple(key: Key, fields: FieldValues) -> u64 = { key, fields };
    }
    /// `HSETNX key field value` → `Int` 1 if set.
    25 HSetNx {
        /// The key.
        key: Key,
        /// The field.
        field: Field,
        /// The value.
        value: Bytes,
    } => "HSETNX" [Write, repeat false, keys [key], reply Int, family Hashes, time none, effects if_changed] {
        /// `HSETNX`: true if set.
        fn hsetnx(key: Key, field: Field, value: Value) -> bool = { key, field, value };
    }
    /// `HDEL key field...` → `Int` removed; an emptied hash is deleted.
    26 HDel {
        /// The key.
        key: Key,
        /// Fields.
        fields: Vec<Field>,
    } => "HDEL" [Write, repeat true, keys [key], reply Int, family Hashes, time none, effects as_is] {
        /// `HDEL key field`: true if the field existed.
        fn hdel(key: Key, field: Field) -> bool = { key, fields: vec![field] };
        /// `HDEL key field...`: how many fields were removed.
        fn hdel_multiple(key: Key, fields: Fields) -> u64 = { key, fields };
    }
    /// `HGETALL key` → `Map` of `Bulk` field to `Bulk` value (empty map when missing).
    27 HGetAll {
        /// The key.
        key: Key,
    } => "HGETALL" [Read, repeat true, keys [key], reply Map, family Hashes, time none, effects none] {
        /// `HGETALL`.
        fn hgetall(key: Key) -> HashMap<Name, Bytes> = { key };
    }
    /// `HMGET key field...` → `Array` of `Bulk`/`Nil`.
    28 HMGet {
        /// The key.
        key: Key,
        /// Fields.
        fields: Vec<Field>,
    } => "HMGET" [Read, repeat true, keys [key], reply Array, family Hashes, time none, effects none] {
        /// `HMGET`.
        fn hmget(key: Key, fields: Fields) -> Vec<Option<Bytes>> = { key, fields };
    }
    /// `HINCRBY key field delta` → `Int`.
    29 HIncrBy {
        /// The key.
        key: Key,
        /// The field.
        field: Field,
        /// The increment.
        delta: i64,
    } => "HINCRBY" [Write, repeat false, keys [key], reply Int, family Hashes, time none, effects as_is] {
        /// `HINCRBY`.
        fn hincrby(key: Key, field: Field, delta: i64) -> i64 = { key, field, delta };
    }
    /// `HINCRBYFLOAT key field delta` → `Bulk` text of the new value.
    30 HIncrByFloat {
        /// The key.
        key: Key,
        /// The field.
        field: Field,
        /// The increment.
        delta: f64,
    } => "HINCRBYFLOAT" [Write, repeat false, keys [key], reply Bulk, family Hashes, time none, effects as_is] {
        /// `HINCRBYFLOAT`.
        fn hincrbyfloat(key: Key, field: Field, delta: f64) -> f64 = { key, field, delta };
    }
    /// `HEXISTS key field` → `Int` 0/1.
    31 HExists {
        /// The key.
        key: Key,
        /// The field.
        field: Field,
    } => "HEXISTS" [Read, repeat true, keys [key], reply Int, family Hashes, time none, effects none] {
        /// `HEXISTS`.
        fn hexists(key: Key, field: Field) -> bool = { key, field };
    }
    /// `HLEN key` → `Int`.
    32 HLen {
        /// The key.
        key: Key,
    } => "HLEN" [Read, repeat true, keys [key], reply Int, family Hashes, time none, effects none] {
        /// `HLEN`.
        fn hlen(key: Key) -> u64 = { key };
    }
    /// `HKEYS key` → `Array` of `Bulk` (order unspecified).
    33 HKeys {
        /// The key.
        key: Key,
    } => "HKEYS" [Read, repeat true, keys [key], reply Array, family Hashes, time none, effects none] {
        /// `HKEYS`.
        fn hkeys(key: Key) -> Vec<Name> = { key };
    }
    /// `HVALS key` → `Array` of `Bulk` (order unspecified).
    34 HVals {
        /// The key.
        key: Key,
    } => "HVALS" [Read, repeat true, keys [key], reply Array, family Hashes, time none, effects none] {
        /// `HVALS`.
        fn hvals(key: Key) -> Vec<Bytes> = { key };
    }
    /// `HSTRLEN key field` → `Int` length in bytes of the field's value (0 when the key or the
    /// field is missing).
    83 HStrLen {
        /// The key.
        key: Key,
        /// The field.
        field: Field,
    } => "HSTRLEN" [Read, repeat true, keys [key], reply Int, family Hashes, time none, effects none] {
        /// `HSTRLEN`.
        fn hstrlen(key: Key, field: Field) -> u64 = { key, field };
    }
    /// `HRANDFIELD key [count [WITHVALUES]]` → without count `Bulk` field or `Nil`; with count
    /// an `Array` of `Bulk` fields (or of `Array[Bulk field, Bulk value]` pairs with values):
    /// distinct fields for a positive count, repeats allowed for a negative one.
    ///
    /// # Behavior
    /// - `WITHVALUES` without a count is `ERR value is not an integer or out of range`, as
    ///   Redis reads the word as the count.
    /// - A negative count below `-MAX_RANDOM_REPEATS` (-16,777,216) is `InvalidInput` on every
    ///   backend, before anything is sent (see [`Command::check_limits`]).
    116 HRandField {
        /// The key.
        key: Key,
        /// Optional count.
        count: Option<i64>,
        /// `WITHVALUES`.
        with_values: bool,
    } => "HRANDFIELD" [Read, repeat true, keys [key], reply Varies, family Hashes, time none, effects none] {
        /// `HRANDFIELD key`.
        fn hrandfield(key: Key) -> Option<Name> = { key, count: None, with_values: false };
        /// `HRANDFIELD key count`.
        fn hrandfield_count(key: Key, count: i64) -> Vec<Name> = { key, count: Some(count), with_values: false };
        /// `HRANDFIELD key count WITHVALUES`.
        fn hrandfield_with_values(key: Key, count: i64) -> Vec<(Name, Bytes)> = { key, count: Some(count), with_values: true };
    }
    /// `HMSET key field value ...` → `Status` `OK` (what [`Command::HSet`] does, with Redis's
    /// older reply).
    117 HMSet {
        /// The key.
        key: Key,
        /// Field/value pairs (at least one).
        fields: Vec<(Field, Bytes)>,
    } => "HMSET" [Write, repeat true, keys [key], reply Status, family Hashes, time none, effects as_is] {
        /// `HMSET key field value ...`.
        fn hmset(key: Key, fields: FieldValues) -> () = { key, fields };
    }
    /// `HSCAN key cursor [MATCH pattern] [COUNT n]` → `Array[Bulk cursor, Array of Bulk field,
    /// Bulk value, ...]`. `TYPE` is `ERR syntax error`.
    ///
    /// # Behavior
    /// - A hash small enough for Redis's compact encoding (at most 128 fields, every field and
    ///   value at most 64 bytes) comes back whole with cursor 0, as from Redis.
    /// - Larger hashes are walked in pages; the order of fields is unspecified.
    118 HScan {
        /// The key.
        key: Key,
        /// Cursor (0 to start).
        cursor: u64,
        /// `MATCH`/`COUNT`.
        options: ScanOptions,
    } => "HSCAN" [Read, repeat true, keys [key], reply Array, family Hashes, time none, effects none] {
        /// `HSCAN key cursor`: the next cursor and fields with their values.
        fn hscan(key: Key, cursor: u64) -> (u64, Vec<(Name, Bytes)>) = { key, cursor, options: ScanOptions::new() };
        /// `HSCAN key cursor [MATCH] [COUNT]`.
        fn hscan_options(key: Key, cursor: u64, options: ScanOptions) -> (u64, Vec<(Name, Bytes)>) = { key, cursor, options };
    }

}
        } $generate }
    };
}
pub(crate) use hashes_rows;
