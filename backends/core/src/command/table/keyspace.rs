//! The keyspace rows of the command table: existence, deletion, TTLs, types, iteration.

/// Appends the keyspace section to the table being collected (see [`super`]).
macro_rules! keyspace_rows {
    ([$($rest:path),*] { $($acc:tt)* } $generate:path) => {
        $crate::command::table::chain! { [$($rest),*] { $($acc)*
Keyspace "Keyspace operations: existence, deletion, TTLs, types, iteration." [
    /// A whole `SCAN` iteration, collected: every key that existed throughout. Keys may repeat
    /// if they moved during the scan, as with Redis; use it for bounded keyspaces.
    fn scan_all(&self, options: ScanOptions) -> impl Future<Output = Result<Vec<Name>>> + Send {
        async move {
            let mut keys = Vec::new();
            let mut cursor = 0;
            loop {
                let (next, batch) = self.scan_options(cursor, options.clone()).await?;
                keys.extend(batch);
                if next == 0 {
                    return Ok(keys);
                }
                cursor = next;
            }
        }
    }
] {
    /// `EXISTS key...` → `Int`: how many of the keys exist (a key named twice counts twice).
    0 Exists {
        /// Keys to test.
        keys: Vec<Key>,
    } => "EXISTS" [Read, repeat true, keys [all keys], reply Int, family Keyspace, time none, effects none] {
        /// `EXISTS key`: whether the key exists.
        fn exists(key: Key) -> bool = { keys: vec![key] };
        /// `EXISTS key...`: how many of the keys exist.
        fn exists_multiple(keys: Keys) -> u64 = { keys };
    }
    /// `DEL key...` → `Int`: how many keys were removed.
    1 Del {
        /// Keys to delete.
        keys: Vec<Key>,
    } => "DEL" [Write, repeat true, keys [all keys], reply Int, family Keyspace, time none, effects as_is] {
        /// `DEL key`: whether the key existed.
        fn del(key: Key) -> bool = { keys: vec![key] };
        /// `DEL key...`: how many keys were removed.
        fn del_multiple(keys: Keys) -> u64 = { keys };
    }
    /// `EXPIRE`/`PEXPIRE`/`EXPIREAT`/`PEXPIREAT key t [NX|XX|GT|LT]` → `Int` 1 if set, 0 if the key
    /// is missing or the condition failed.
    ///
    /// # Behavior
    /// - The condition is checked first; when it holds, a non-positive relative time or a past
    ///   absolute time deletes the key (reply 1). When it fails, nothing changes (reply 0).
    /// - `GT`/`LT` treat a key without TTL as having an infinite one.
    /// - An expiry that overflows is `InvalidInput`.
    2 Expire {
        /// The key.
        key: Key,
        /// The new expiry.
        expiry: Expiry,
        /// Optional condition.
        condition: Option<ExpireCondition>,
    } => "EXPIRE" [Write, repeat { matches!(expiry, Expiry::AtSeconds(_) | Expiry::AtMillis(_)) }, keys [key], reply Int, family Keyspace, time (expiry), effects as_is] {
        /// `EXPIRE key seconds`.
        fn expire(key: Key, seconds: i64) -> bool = { key, expiry: Expiry::Seconds(seconds), condition: None };
        /// `PEXPIRE key milliseconds`.
        fn pexpire(key: Key, millis: i64) -> bool = { key, expiry: Expiry::Millis(millis), condition: None };
        /// Any `EXPIRE` form with an optional `NX|XX|GT|LT`.
        fn expire_options(key: Key, expiry: Expiry, condition: (Option<ExpireCondition>)) -> bool = { key, expiry, condition };
    }
    /// `PERSIST key` → `Int` 1 if a TTL was removed.
    3 Persist {
        /// The key.
        key: Key,
    } => "PERSIST" [Write, repeat true, keys [key], reply Int, family Keyspace, time none, effects as_is] {
        /// `PERSIST`: true if a TTL was removed.
        fn persist(key: Key) -> bool = { key };
    }
    /// `TTL key` → `Int` seconds (rounded to the nearest second, as Redis does), -1 without
    /// TTL, -2 missing.
    4 Ttl {
        /// The key.
        key: Key,
    } => "TTL" [Read, repeat true, keys [key], reply Int, family Keyspace, time clock, effects none] {
        /// `TTL` in seconds (-1 no TTL, -2 missing).
        fn ttl(key: Key) -> i64 = { key };
    }
    /// `PTTL key` → `Int` milliseconds, -1 without TTL, -2 missing.
    5 Pttl {
        /// The key.
        key: Key,
    } => "PTTL" [Read, repeat true, keys [key], reply Int, family Keyspace, time clock, effects none] {
        /// `PTTL` in milliseconds (-1 no TTL, -2 missing).
        fn pttl(key: Key) -> i64 = { key };
    }
    /// `TYPE key` → `Status` with the type name, or `none`.
    6 Type {
        /// The key.
        key: Key,
    } => "TYPE" [Read, repeat true, keys [key], reply Status, family Keyspace, time none, effects none] {
        /// `TYPE`, `None` for a missing key (named `key_type`: `type` is a Rust keyword).
        fn key_type(key: Key) -> Option<KeyType> = { key };
    }
    /// `SCAN cursor [MATCH p] [COUNT n] [TYPE t]` → `Array[Bulk cursor, Array[Bulk key]]`.
    ///
    /// # Behavior
    /// - A full iteration (cursor 0 back to 0) returns every key that existed throughout it at
    ///   least once; keys added or removed meanwhile may or may not appear.
    /// - The returned cursor is `0` when iteration is complete.
    7 Scan {
        /// Cursor from the previous call, 0 to start.
        cursor: u64,
        /// Filters.
        options: ScanOptions,
    } => "SCAN" [Read, repeat true, keys [], reply ScanPage, family Keyspace, time none, effects none] {
        /// One `SCAN` step: the next cursor (0 when done) and a batch of keys.
        fn scan(cursor: u64) -> (u64, Vec<Name>) = { cursor, options: ScanOptions::new() };
        /// One `SCAN` step with `MATCH`, `COUNT` or `TYPE`.
        fn scan_options(cursor: u64, options: ScanOptions) -> (u64, Vec<Name>) = { cursor, options };
    }
    /// `DBSIZE` → `Int`.
    8 DbSize => "DBSIZE" [Read, repeat true, keys [], reply Int, family Keyspace, time none, effects none] {
        /// `DBSIZE`: how many keys there are.
        fn dbsize() -> u64 = {};
    }
    /// `FLUSHDB` → `Status OK`.
    9 FlushDb => "FLUSHDB" [Admin, repeat true, keys [], reply Status, family Keyspace, time none, effects as_is] {
        /// `FLUSHDB`: deletes every key.
        fn flushdb() -> () = {};
    }
    /// `RENAME key newkey` → `Status OK`; `NotFound` when `key` is missing. The TTL moves with
    /// the value; an existing `newkey` is overwritten.
    10 Rename {
        /// Source key.
        key: Key,
        /// Destination key.
        new_key: Key,
    } => "RENAME" [Write, repeat false, keys [key, new_key], reply Status, family Keyspace, time none, effects as_is] {
        /// `RENAME`.
        fn rename(key: Key, new_key: Key) -> () = { key, new_key };
    }
    /// `RENAMENX key newkey` → `Int` 1 if renamed, 0 if `newkey` exists.
    11 RenameNx {
        /// Source key.
        key: Key,
        /// Destination key.
        new_key: Key,
    } => "RENAMENX" [Write, repeat false, keys [key, new_key], reply Int, family Keyspace, time none, effects if_changed] {
        /// `RENAMENX`: true if renamed.
        fn renamenx(key: Key, new_key: Key) -> bool = { key, new_key };
    }
    /// `KEYS pattern` → `Array` of `Bulk` key names matching the glob.
    ///
    /// # Behavior
    /// - O(keys) and atomic, as in Redis; [`Command::Scan`] is the incremental form.
    150 Keys {
        /// Redis glob: `*`, `?`, `[...]`, `\` escapes.
        pattern: Name,
    } => "KEYS" [Read, repeat true, keys [], reply Keys, family Keyspace, time none, effects none] {
        /// `KEYS pattern`: every key matching it.
        fn keys(pattern: Pattern) -> Vec<Name> = { pattern };
    }
    /// `COPY source destination [REPLACE]` → `Int` 1 if copied, 0 if `source` is missing or
    /// `destination` exists without `REPLACE`. The copy keeps the source's TTL.
    ///
    /// # Behavior
    /// - `source == destination` is `InvalidInput`
    ///   (`ERR source and destination objects are the same`).
    /// - `DB` is not supported: a store is one logical database.
    151 Copy {
        /// Source key.
        source: Key,
        /// Destination key.
        destination: Key,
        /// `REPLACE`: overwrite an existing destination.
        replace: bool,
    } => "COPY" [Write, repeat { *replace }, keys [source, destination], reply Int, family Keyspace, time none, effects if_changed] {
        /// `COPY source destination`: true if copied.
        fn copy(source: Key, destination: Key) -> bool = { source, destination, replace: false };
        /// `COPY source destination REPLACE`: true if copied.
        fn copy_replace(source: Key, destination: Key) -> bool = { source, destination, replace: true };
    }
    /// `EXPIRETIME key` → `Int`: the absolute Unix time in seconds at which the key expires, -1
    /// without TTL, -2 missing.
    152 ExpireTime {
        /// The key.
        key: Key,
    } => "EXPIRETIME" [Read, repeat true, keys [key], reply Int, family Keyspace, time none, effects none] {
        /// `EXPIRETIME` in Unix seconds (-1 no TTL, -2 missing).
        fn expiretime(key: Key) -> i64 = { key };
    }
    /// `PEXPIRETIME key` → `Int`: like [`Command::ExpireTime`] in milliseconds.
    153 PExpireTime {
        /// The key.
        key: Key,
    } => "PEXPIRETIME" [Read, repeat true, keys [key], reply Int, family Keyspace, time none, effects none] {
        /// `PEXPIRETIME` in Unix milliseconds (-1 no TTL, -2 missing).
        fn pexpiretime(key: Key) -> i64 = { key };
    }
    /// Any `EXPIRE`/`PEXPIRE`/`EXPIREAT`/`PEXPIREAT` with any combination of `NX`, `XX`, `GT`,
    /// `LT` → `Int` 1 if set, 0 if the key is missing or a condition failed.
    ///
    /// # Behavior
    /// - As [`Command::Expire`], with every given condition required to hold (`XX GT`: the key
    ///   has a TTL and the new one is later).
    /// - `NX` with another word, or `GT` with `LT`, is `InvalidInput` with Redis's message,
    ///   checked before the key is looked at.
    154 ExpireIf {
        /// The key.
        key: Key,
        /// The new expiry.
        expiry: Expiry,
        /// The condition words.
        conditions: ExpireConditions,
    } => "EXPIRE" [Write, repeat { matches!(expiry, Expiry::AtSeconds(_) | Expiry::AtMillis(_)) }, keys [key], reply Int, family Keyspace, time (expiry), effects as_is] {
        /// Any `EXPIRE` form with any combination of `NX`, `XX`, `GT`, `LT`.
        fn expire_conditions(key: Key, expiry: Expiry, conditions: ExpireConditions) -> bool = { key, expiry, conditions };
    }
}
        } $generate }
    };
}
pub(crate) use keyspace_rows;
