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
}
        } $generate }
    };
}
pub(crate) use sets_rows;
