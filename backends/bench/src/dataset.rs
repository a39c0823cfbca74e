//! The data every side of a memory figure loads: the same key names and the same bytes, so
//! staunch, dashmap and redis-server hold exactly the same thing.

/// Members per collection key ("hashes/sets/zsets of 10 small members").
pub const MEMBERS: usize = 10;

/// Value size of the string rows.
pub const VALUE_SIZE: usize = 64;

/// Which kind of data a memory figure loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `SET key:<i> <64 distinct bytes>`.
    Strings,
    /// `HSET hash:<i> field:<j> v<j>-<i % 1000>` for ten fields.
    Hashes,
    /// `SADD set:<i> member:<j>` for ten members.
    Sets,
    /// `ZADD zset:<i> <j> member:<j>` for ten members.
    SortedSets,
}

impl Kind {
    /// Every kind, in table order.
    pub const ALL: [Kind; 4] = [Kind::Strings, Kind::Hashes, Kind::Sets, Kind::SortedSets];

    /// The name used on the command line of a measuring child process.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Strings => "strings",
            Kind::Hashes => "hashes",
            Kind::Sets => "sets",
            Kind::SortedSets => "zsets",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// How the table describes one key of this kind.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Strings => "strings, 64 B values",
            Kind::Hashes => "hashes of 10 small fields",
            Kind::Sets => "sets of 10 small members",
            Kind::SortedSets => "zsets of 10 small members",
        }
    }
}

/// The name of string key `i`.
pub fn string_key(i: usize) -> String {
    format!("key:{i}")
}

/// The 64-byte value of string key `i` (distinct per key, so no side can share one buffer).
pub fn string_value(i: usize) -> Vec<u8> {
    format!("{i:0>64}").into_bytes()
}

/// The name of collection key `i` of `kind`.
pub fn collection_key(kind: Kind, i: usize) -> String {
    match kind {
        Kind::Strings => string_key(i),
        Kind::Hashes => format!("hash:{i}"),
        Kind::Sets => format!("set:{i}"),
        Kind::SortedSets => format!("zset:{i}"),
    }
}

/// Field `j` of a hash and its value for hash `i`.
pub fn hash_field(i: usize, j: usize) -> (String, Vec<u8>) {
    (
        format!("field:{j}"),
        format!("v{j}-{}", i % 1000).into_bytes(),
    )
}

/// Member `j` of a set or sorted set (not an integer, so Redis cannot use an intset).
pub fn member(j: usize) -> Vec<u8> {
    format!("member:{j}").into_bytes()
}
