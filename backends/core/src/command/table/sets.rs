//! The set rows of the command table.

/// Appends the sets section to the table being collected (see [`super`]).
macro_rules! sets_rows {
    ([$($rest:path),*] { $($acc:tt)* } $generate:path) => {
        $crate::command::table::chain! { [$($rest),*] { $($acc)*
Sets "Set operations. Replies listing members are in no particular order." [] {
    /// `SADD key member...` → `Int` added.
    49 SAdd {
        /// The key.
        key: Key,
        /// Members.
        members: Vec<Bytes>,
    } => "SADD" [Write, repeat true, keys [key], reply Int, family Sets, time none, effects as_is,
        borrowed { key: Key, member: Bytes } => { key, members: vec![member] }] {
        /// `SADD key member`: true if the member is new.
        fn sadd(key: Key, member: Value) -> bool = borrowed;
        /// `SADD key member...`: how many members are new.
        fn sadd_multiple(key: Key, members: Values) -> u64 = { key, members };
    }
    /// `SREM key member...` → `Int` removed.
    50 SRem {
        /// The key.
        key: Key,
        /// Members.
        members: Vec<Bytes>,
    } => "SREM" [Write, repeat true, keys [key], reply Int, family Sets, time none, effects as_is] {
        /// `SREM key member`: true if the member was there.
        fn srem(key: Key, member: Value) -> bool = { key, members: vec![member] };
        /// `SREM key member...`: how many members were removed.
        fn srem_multiple(key: Key, members: Values) -> u64 = { key, members };
    }
    /// `SMEMBERS key` → `Set` of `Bulk`.
    51 SMembers {
        /// The key.
        key: Key,
    } => "SMEMBERS" [Read, repeat true, keys [key], reply Set, family Sets, time none, effects none] {
        /// `SMEMBERS`.
        fn smembers(key: Key) -> Vec<Bytes> = { key };
    }
    /// `SISMEMBER key member` → `Int` 0/1.
    52 SIsMember {
        /// The key.
        key: Key,
        /// Member.
        member: Bytes,
    } => "SISMEMBER" [Read, repeat true, keys [key], reply Int, family Sets, time none, effects none,
        borrowed { key: Key, member: Bytes } => { key, member }] {
        /// `SISMEMBER`.
        fn sismember(key: Key, member: Value) -> bool = borrowed;
    }
    /// `SMISMEMBER key member...` → `Array` of `Int` 0/1.
    53 SMIsMember {
        /// The key.
        key: Key,
        /// Members.
        members: Vec<Bytes>,
    } => "SMISMEMBER" [Read, repeat true, keys [key], reply Array, family Sets, time none, effects none] {
        /// `SMISMEMBER`.
        fn smismember(key: Key, members: Values) -> Vec<bool> = { key, members };
    }
    /// `SCARD key` → `Int`.
    54 SCard {
        /// The key.
        key: Key,
    } => "SCARD" [Read, repeat true, keys [key], reply Int, family Sets, time none, effects none] {
        /// `SCARD`.
        fn scard(key: Key) -> u64 = { key };
    }
    /// `SPOP key [count]` → without count `Bulk`/`Nil`; with count `Set` (empty when missing).
    55 SPop {
        /// The key.
        key: Key,
        /// Optional count.
        count: Option<u64>,
    } => "SPOP" [Write, repeat false, keys [key], reply Varies, family Sets, time none, effects custom] {
        /// `SPOP key`.
        fn spop(key: Key) -> Option<Bytes> = { key, count: None };
        /// `SPOP key count`.
        fn spop_count(key: Key, count: u64) -> Vec<Bytes> = { key, count: Some(count) };
    }
    /// `SRANDMEMBER key [count]` → without count `Bulk`/`Nil`; with count `Array` (negative count
    /// may repeat members).
    ///
    /// # Behavior
    /// - A negative count below `-MAX_RANDOM_REPEATS` (-16,777,216) is `InvalidInput` on every
    ///   backend, before anything is sent (see [`Command::check_limits`]).
    56 SRandMember {
        /// The key.
        key: Key,
        /// Optional count.
        count: Option<i64>,
    } => "SRANDMEMBER" [Read, repeat true, keys [key], reply Varies, family Sets, time none, effects none] {
        /// `SRANDMEMBER key`.
        fn srandmember(key: Key) -> Option<Bytes> = { key, count: None };
        /// `SRANDMEMBER key count`.
        fn srandmember_count(key: Key, count: i64) -> Vec<Bytes> = { key, count: Some(count) };
    }
    /// `SINTER key...` → `Set`.
    57 SInter {
        /// Keys.
        keys: Vec<Key>,
    } => "SINTER" [Read, repeat true, keys [all keys], reply Set, family Sets, time none, effects none] {
        /// `SINTER`.
        fn sinter(keys: Keys) -> Vec<Bytes> = { keys };
    }
    /// `SUNION key...` → `Set`.
    58 SUnion {
        /// Keys.
        keys: Vec<Key>,
    } => "SUNION" [Read, repeat true, keys [all keys], reply Set, family Sets, time none, effects none] {
        /// `SUNION`.
        fn sunion(keys: Keys) -> Vec<Bytes> = { keys };
    }
    /// `SDIFF key...` → `Set`.
    59 SDiff {
        /// Keys.
        keys: Vec<Key>,
    } => "SDIFF" [Read, repeat true, keys [all keys], reply Set, family Sets, time none, effects none] {
        /// `SDIFF`.
        fn sdiff(keys: Keys) -> Vec<Bytes> = { keys };
    }
    /// `SINTERCARD numkeys key... [LIMIT limit]` → `Int`: the size of the intersection, counting
    /// stops at `limit` (0: no limit).
    ///
    /// # Behavior
    /// - A missing key is an empty set; a non-set key anywhere is `WrongType`.
    /// - An empty key list (Redis's arity error), or a `LIMIT` above `i64::MAX`, is
    ///   `InvalidInput`.
    90 SInterCard {
        /// Keys.
        keys: Vec<Key>,
        /// `LIMIT` (0: none).
        limit: Option<u64>,
    } => "SINTERCARD" [Read, repeat true, keys [all keys], reply Int, family Sets, time none, effects none] {
        /// `SINTERCARD`: the size of the intersection.
        fn sintercard(keys: Keys) -> u64 = { keys, limit: None };
        /// `SINTERCARD ... LIMIT n`: the size of the intersection, at most `n` (0: no limit).
        fn sintercard_limit(keys: Keys, limit: u64) -> u64 = { keys, limit: Some(limit) };
    }
    /// `SINTERSTORE destination key...` → `Int`: the size of the stored intersection.
    ///
    /// # Behavior
    /// - `destination` is replaced whatever it held (its TTL goes); an empty result deletes it.
    /// - A non-set source is `WrongType` and nothing changes.
    91 SInterStore {
        /// Where the result goes.
        destination: Key,
        /// Source keys.
        keys: Vec<Key>,
    } => "SINTERSTORE" [Write, repeat true, keys [destination, all keys], reply Int, family Sets, time none, effects as_is] {
        /// `SINTERSTORE`: the size of the result.
        fn sinterstore(destination: Key, keys: Keys) -> u64 = { destination, keys };
    }
    /// `SUNIONSTORE destination key...` → `Int`, like [`Command::SInterStore`] for the union.
    92 SUnionStore {
        /// Where the result goes.
        destination: Key,
        /// Source keys.
        keys: Vec<Key>,
    } => "SUNIONSTORE" [Write, repeat true, keys [destination, all keys], reply Int, family Sets, time none, effects as_is] {
        /// `SUNIONSTORE`: the size of the result.
        fn sunionstore(destination: Key, keys: Keys) -> u64 = { destination, keys };
    }
    /// `SDIFFSTORE destination key...` → `Int`, like [`Command::SInterStore`] for the members
    /// of the first set that are in none of the others.
    93 SDiffStore {
        /// Where the result goes.
        destination: Key,
        /// Source keys.
        keys: Vec<Key>,
    } => "SDIFFSTORE" [Write, repeat false, keys [destination, all keys], reply Int, family Sets, time none, effects as_is] {
        /// `SDIFFSTORE`: the size of the result.
        fn sdiffstore(destination: Key, keys: Keys) -> u64 = { destination, keys };
    }
    /// `SMOVE source destination member` → `Int` 1 if moved, 0 if `member` is not in `source`.
    ///
    /// # Behavior
    /// - A missing source answers 0 whatever the destination holds; otherwise a non-set source
    ///   or destination is `WrongType`.
    /// - `source == destination` answers whether the member is there and changes nothing.
    94 SMove {
        /// Source set.
        source: Key,
        /// Destination set.
        destination: Key,
        /// The member.
        member: Bytes,
    } => "SMOVE" [Write, repeat false, keys [source, destination], reply Int, family Sets, time none, effects custom] {
        /// `SMOVE`: true if the member moved.
        fn smove(source: Key, destination: Key, member: Value) -> bool = { source, destination, member };
    }
    /// `SSCAN key cursor [MATCH p] [COUNT n]` → `Array[Bulk cursor, Array[Bulk member]]`.
    ///
    /// # Behavior
    /// - A full iteration (cursor 0 back to 0) returns every member that was in the set
    ///   throughout at least once; members may repeat.
    /// - `COUNT 0` and a `TYPE` filter are `InvalidInput` (`ERR syntax error`), as in Redis.
    95 SScan {
        /// The key.
        key: Key,
        /// Cursor from the previous call, 0 to start.
        cursor: u64,
        /// `MATCH` and `COUNT` (`TYPE` is refused).
        options: ScanOptions,
    } => "SSCAN" [Read, repeat true, keys [key], reply Array, family Sets, time none, effects none] {
        /// One `SSCAN` step: the next cursor (0 when done) and a batch of members.
        fn sscan(key: Key, cursor: u64) -> (u64, Vec<Bytes>) = { key, cursor, options: ScanOptions::new() };
        /// One `SSCAN` step with `MATCH` or `COUNT`.
        fn sscan_options(key: Key, cursor: u64, options: ScanOptions) -> (u64, Vec<Bytes>) = { key, cursor, options };
    }
}
        } $generate }
    };
}
pub(crate) use sets_rows;
