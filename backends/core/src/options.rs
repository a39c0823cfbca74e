//! Option structs and small value types that commands carry.
//!
//! They mirror Redis's own option words (`EX`, `NX`, `GT`, `WITHSCORES`, ...) one to one, so a
//! reader who knows Redis recognises every field, and they are plain data (`serde`) so a command
//! can be written to a log or a replay journal and applied again later.

use std::time::Duration;

use serde::{Deserialize, Serialize};

mod bits;
mod expire;
mod lists;
mod zsets;
pub use bits::{BitRange, BitUnit};
pub use expire::ExpireConditions;
pub use lists::{InsertPosition, LPosOptions};
pub use zsets::*;

/// When a key should expire, as `SET`, `GETEX` and compare-and-set accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetExpiry {
    /// `EX seconds`: relative, in seconds. Must be positive.
    Ex(u64),
    /// `PX milliseconds`: relative, in milliseconds. Must be positive.
    Px(u64),
    /// `EXAT unix-seconds`: absolute. Must be positive.
    ExAt(u64),
    /// `PXAT unix-milliseconds`: absolute. Must be positive.
    PxAt(u64),
    /// `KEEPTTL`: keep whatever TTL the key has.
    KeepTtl,
}

/// Options of `SET`. The default is a plain `SET key value` (clears any TTL).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetOptions {
    /// Expiry; `None` clears any existing TTL, as plain `SET` does.
    pub expiry: Option<SetExpiry>,
    /// `NX` or `XX`.
    pub condition: Option<SetCondition>,
    /// `GET`: return the old value (reply is the old value or nil instead of `OK`/nil).
    pub get: bool,
}

impl SetOptions {
    /// Plain `SET`.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the expiry.
    pub fn expiry(mut self, expiry: SetExpiry) -> Self {
        self.expiry = Some(expiry);
        self
    }
    /// Sets `NX` or `XX`.
    pub fn condition(mut self, condition: SetCondition) -> Self {
        self.condition = Some(condition);
        self
    }
    /// Sets `GET`.
    pub fn get(mut self, get: bool) -> Self {
        self.get = get;
        self
    }
}

/// `NX` (only if absent) or `XX` (only if present).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetCondition {
    /// Only if the key (or member) does not exist.
    Nx,
    /// Only if the key (or member) exists.
    Xx,
}

/// A new expiry for `EXPIRE`-family commands. Non-positive relative values and past absolute
/// values delete the key, as in Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expiry {
    /// `EXPIRE key seconds`.
    Seconds(i64),
    /// `PEXPIRE key milliseconds`.
    Millis(i64),
    /// `EXPIREAT key unix-seconds`.
    AtSeconds(i64),
    /// `PEXPIREAT key unix-milliseconds`.
    AtMillis(i64),
}

/// The `NX | XX | GT | LT` condition of `EXPIRE` (Redis 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpireCondition {
    /// Only if the key has no TTL.
    Nx,
    /// Only if the key has a TTL.
    Xx,
    /// Only if the new expiry is later than the current one (no TTL counts as infinite).
    Gt,
    /// Only if the new expiry is earlier than the current one (no TTL counts as infinite).
    Lt,
}

/// What `GETEX` does to the TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GetExExpiry {
    /// Set a new expiry (`EX`, `PX`, `EXAT`, `PXAT`; `KeepTtl` is not valid here).
    Set(SetExpiry),
    /// `PERSIST`: remove the TTL.
    Persist,
}

/// The type of a key, as `TYPE` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyType {
    /// `string`
    String,
    /// `list`
    List,
    /// `set`
    Set,
    /// `zset`
    ZSet,
    /// `hash`
    Hash,
}

impl KeyType {
    /// The name `TYPE` returns.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::String => "string",
            KeyType::List => "list",
            KeyType::Set => "set",
            KeyType::ZSet => "zset",
            KeyType::Hash => "hash",
        }
    }

    /// Parses a `TYPE` name.
    pub fn parse(name: &str) -> Option<KeyType> {
        Some(match name {
            "string" => KeyType::String,
            "list" => KeyType::List,
            "set" => KeyType::Set,
            "zset" => KeyType::ZSet,
            "hash" => KeyType::Hash,
            _ => return None,
        })
    }
}

/// Options of `SCAN`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScanOptions {
    /// `MATCH pattern` (Redis glob: `*`, `?`, `[...]`, `\` escapes).
    pub pattern: Option<crate::Name>,
    /// `COUNT hint`.
    pub count: Option<u64>,
    /// `TYPE type`.
    pub key_type: Option<KeyType>,
}

impl ScanOptions {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `MATCH`.
    pub fn pattern(mut self, pattern: impl Into<crate::Name>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }
    /// Sets `COUNT`.
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }
    /// Sets `TYPE`.
    pub fn key_type(mut self, key_type: KeyType) -> Self {
        self.key_type = Some(key_type);
        self
    }
}

/// Which end of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListEnd {
    /// The head (`LEFT`).
    Left,
    /// The tail (`RIGHT`).
    Right,
}

impl ListEnd {
    /// `LEFT` or `RIGHT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListEnd::Left => "LEFT",
            ListEnd::Right => "RIGHT",
        }
    }
}

/// A bound of a score range: `-inf`, `+inf`, inclusive `x` or exclusive `(x`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ScoreBound {
    /// `x`: the score itself is in range.
    Inclusive(f64),
    /// `(x`: the score itself is out of range.
    Exclusive(f64),
}

impl ScoreBound {
    /// `-inf`.
    pub const MIN: ScoreBound = ScoreBound::Inclusive(f64::NEG_INFINITY);
    /// `+inf`.
    pub const MAX: ScoreBound = ScoreBound::Inclusive(f64::INFINITY);

    /// The Redis argument for this bound.
    pub fn to_arg(self) -> String {
        use crate::float_text::float_text as num;
        match self {
            ScoreBound::Inclusive(x) => num(x),
            ScoreBound::Exclusive(x) => format!("({}", num(x)),
        }
    }

    /// True when `score` is at or above this bound used as a minimum.
    pub fn admits_from_below(self, score: f64) -> bool {
        match self {
            ScoreBound::Inclusive(min) => score >= min,
            ScoreBound::Exclusive(min) => score > min,
        }
    }

    /// True when `score` is at or below this bound used as a maximum.
    pub fn admits_from_above(self, score: f64) -> bool {
        match self {
            ScoreBound::Inclusive(max) => score <= max,
            ScoreBound::Exclusive(max) => score < max,
        }
    }
}

/// A bound of a lexicographic range: `-`, `+`, `[x` or `(x`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LexBound {
    /// `-`: before every member.
    Min,
    /// `+`: after every member.
    Max,
    /// `[x`: inclusive.
    Inclusive(bytes::Bytes),
    /// `(x`: exclusive.
    Exclusive(bytes::Bytes),
}

impl LexBound {
    /// The Redis argument for this bound.
    pub fn to_arg(&self) -> Vec<u8> {
        match self {
            LexBound::Min => b"-".to_vec(),
            LexBound::Max => b"+".to_vec(),
            LexBound::Inclusive(x) => [b"[".as_slice(), x].concat(),
            LexBound::Exclusive(x) => [b"(".as_slice(), x].concat(),
        }
    }
}

/// What `ZRANGE` selects by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ZRangeBy {
    /// `start stop` ranks, negative counting from the end.
    Rank {
        /// First rank.
        start: i64,
        /// Last rank, inclusive.
        stop: i64,
    },
    /// `BYSCORE min max`. With `rev`, Redis takes `max min`: staunch always takes them as
    /// `min`, `max` and swaps for you.
    Score {
        /// Lowest score.
        min: ScoreBound,
        /// Highest score.
        max: ScoreBound,
    },
    /// `BYLEX min max` (meaningful when all scores are equal); swapped for `rev` as with scores.
    Lex {
        /// Lowest member.
        min: LexBound,
        /// Highest member.
        max: LexBound,
    },
}

/// Options of `ZRANGE`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ZRangeOptions {
    /// `REV`: highest first.
    pub rev: bool,
    /// `LIMIT offset count` (only with score or lex ranges; a negative count means all).
    pub limit: Option<(i64, i64)>,
    /// `WITHSCORES` (not with lex ranges).
    pub with_scores: bool,
}

impl ZRangeOptions {
    /// Ascending, no limit, members only.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `REV`.
    pub fn rev(mut self, rev: bool) -> Self {
        self.rev = rev;
        self
    }
    /// Sets `LIMIT`.
    pub fn limit(mut self, offset: i64, count: i64) -> Self {
        self.limit = Some((offset, count));
        self
    }
    /// Sets `WITHSCORES`.
    pub fn with_scores(mut self, with_scores: bool) -> Self {
        self.with_scores = with_scores;
        self
    }
}

/// `GT` or `LT` of `ZADD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZAddComparison {
    /// Only update when the new score is greater.
    Gt,
    /// Only update when the new score is less.
    Lt,
}

/// Options of `ZADD`, one flag per Redis word.
///
/// Every combination is representable, including the ones Redis refuses (`NX` with `XX`, `GT`
/// with `LT`, `GT`/`LT` with `NX`): those are rejected when the command runs, with Redis's
/// error, by every backend, exactly as Redis rejects the words.
///
/// The log and journal form is the one written before the flags existed (an optional
/// condition and an optional comparison), with one more variant in each for "both", so logs
/// written earlier read back unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ZAddWire", into = "ZAddWire")]
#[non_exhaustive]
pub struct ZAddOptions {
    /// `NX`: only add new members.
    pub nx: bool,
    /// `XX`: only update existing members.
    pub xx: bool,
    /// `GT`: only update when the new score is greater.
    pub gt: bool,
    /// `LT`: only update when the new score is less.
    pub lt: bool,
    /// `CH`: count changed members, not only added ones.
    pub ch: bool,
    /// `INCR`: behave like `ZINCRBY` (exactly one member; reply is the new score or nil).
    pub incr: bool,
}

impl ZAddOptions {
    /// Plain `ZADD`.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds the word `NX` or `XX` (adding both is representable; Redis refuses it).
    pub fn condition(mut self, condition: SetCondition) -> Self {
        match condition {
            SetCondition::Nx => self.nx = true,
            SetCondition::Xx => self.xx = true,
        }
        self
    }
    /// Adds the word `GT` or `LT` (adding both is representable; Redis refuses it).
    pub fn comparison(mut self, comparison: ZAddComparison) -> Self {
        match comparison {
            ZAddComparison::Gt => self.gt = true,
            ZAddComparison::Lt => self.lt = true,
        }
        self
    }
    /// Sets `NX`.
    pub fn nx(mut self, nx: bool) -> Self {
        self.nx = nx;
        self
    }
    /// Sets `XX`.
    pub fn xx(mut self, xx: bool) -> Self {
        self.xx = xx;
        self
    }
    /// Sets `GT`.
    pub fn gt(mut self, gt: bool) -> Self {
        self.gt = gt;
        self
    }
    /// Sets `LT`.
    pub fn lt(mut self, lt: bool) -> Self {
        self.lt = lt;
        self
    }
    /// Sets `CH`.
    pub fn ch(mut self, ch: bool) -> Self {
        self.ch = ch;
        self
    }
    /// Sets `INCR`.
    pub fn incr(mut self, incr: bool) -> Self {
        self.incr = incr;
        self
    }
    /// Redis's refusal of the word combinations it does not accept, checked in Redis's order
    /// (`zaddGenericCommand`): `NX` with `XX`, then `GT`/`LT`/`NX` together.
    pub fn check(&self) -> Result<(), crate::Error> {
        if self.nx && self.xx {
            return Err(crate::Error::invalid(
                "ERR XX and NX options at the same time are not compatible",
            ));
        }
        if (self.nx && (self.gt || self.lt)) || (self.gt && self.lt) {
            return Err(crate::Error::invalid(
                "ERR GT, LT, and/or NX options at the same time are not compatible",
            ));
        }
        Ok(())
    }
}

/// `NX`, `XX` or both, in the wire form of [`ZAddOptions`] (variant order frozen: `Nx` and
/// `Xx` are [`SetCondition`]'s, as written before the flags existed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum ConditionWire {
    Nx,
    Xx,
    NxXx,
}

/// `GT`, `LT` or both, in the wire form of [`ZAddOptions`] (frozen order, as [`ConditionWire`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum ComparisonWire {
    Gt,
    Lt,
    GtLt,
}

/// The log and journal form of [`ZAddOptions`] (see there).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct ZAddWire {
    condition: Option<ConditionWire>,
    comparison: Option<ComparisonWire>,
    ch: bool,
    incr: bool,
}

impl From<ZAddWire> for ZAddOptions {
    fn from(wire: ZAddWire) -> Self {
        let (nx, xx) = match wire.condition {
            None => (false, false),
            Some(ConditionWire::Nx) => (true, false),
            Some(ConditionWire::Xx) => (false, true),
            Some(ConditionWire::NxXx) => (true, true),
        };
        let (gt, lt) = match wire.comparison {
            None => (false, false),
            Some(ComparisonWire::Gt) => (true, false),
            Some(ComparisonWire::Lt) => (false, true),
            Some(ComparisonWire::GtLt) => (true, true),
        };
        ZAddOptions {
            nx,
            xx,
            gt,
            lt,
            ch: wire.ch,
            incr: wire.incr,
        }
    }
}

impl From<ZAddOptions> for ZAddWire {
    fn from(options: ZAddOptions) -> Self {
        let condition = match (options.nx, options.xx) {
            (false, false) => None,
            (true, false) => Some(ConditionWire::Nx),
            (false, true) => Some(ConditionWire::Xx),
            (true, true) => Some(ConditionWire::NxXx),
        };
        let comparison = match (options.gt, options.lt) {
            (false, false) => None,
            (true, false) => Some(ComparisonWire::Gt),
            (false, true) => Some(ComparisonWire::Lt),
            (true, true) => Some(ComparisonWire::GtLt),
        };
        ZAddWire {
            condition,
            comparison,
            ch: options.ch,
            incr: options.incr,
        }
    }
}

/// The score a member gets in the destination of [`crate::Command::ZMoveByScore`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MoveScore {
    /// Keep the score it had in the source.
    Keep,
    /// Give every moved member this score (a lease deadline, for example).
    Fixed(f64),
}

/// How long a blocking command waits; zero means forever, as in Redis.
pub type BlockTimeout = Duration;

/// The TTL rule of [`crate::Command::IncrByEx`] and friends: a TTL in milliseconds set only when
/// the write leaves the key without one.
pub type TtlMillis = u64;

/// Which members [`Atomic::zmove_by_score`](crate::Atomic::zmove_by_score) moves and what score they get.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ZMoveOptions {
    /// Lowest score moved (default `-inf`).
    pub min: ScoreBound,
    /// Highest score moved (default `+inf`).
    pub max: ScoreBound,
    /// At most this many (default: all in range).
    pub limit: Option<u64>,
    /// Score in the destination (default: keep).
    pub score: MoveScore,
}

impl Default for ZMoveOptions {
    fn default() -> Self {
        ZMoveOptions {
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
            limit: None,
            score: MoveScore::Keep,
        }
    }
}

impl ZMoveOptions {
    /// Everything, scores kept.
    pub fn new() -> Self {
        Self::default()
    }
    /// Members with scores at most `max` (due by a deadline, for example).
    pub fn up_to(mut self, max: ScoreBound) -> Self {
        self.max = max;
        self
    }
    /// Members with scores at least `min`.
    pub fn from(mut self, min: ScoreBound) -> Self {
        self.min = min;
        self
    }
    /// At most `limit` members.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }
    /// The score moved members get.
    pub fn score(mut self, score: MoveScore) -> Self {
        self.score = score;
        self
    }
}

/// What one [`crate::Command::QueueStep`] does: finish the job a worker holds (optionally),
/// then claim the next ones. See the command's documentation for the exact effects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QueueStepOptions {
    /// The job to complete first, if any.
    pub finish: Option<QueueFinish>,
    /// Claim up to this many pending jobs (0: claim none).
    pub claim: u64,
    /// The time of the step, Unix milliseconds (explicit, so the step replays the same).
    pub now_ms: i64,
    /// `now_ms` as the text written to `started_at` and `finished_at`.
    pub now_text: String,
    /// The lease deadline of claimed jobs, Unix milliseconds (their score in `processing`).
    pub until_ms: i64,
    /// The channel state changes are published on (`None`: publish nothing).
    pub events: Option<String>,
}

impl QueueStepOptions {
    /// A step at `now_ms` (formatted as `now_text`) claiming up to `claim` jobs leased until
    /// `until_ms`, finishing nothing and publishing nothing.
    pub fn new(now_ms: i64, now_text: impl Into<String>, claim: u64, until_ms: i64) -> Self {
        QueueStepOptions {
            finish: None,
            claim,
            now_ms,
            now_text: now_text.into(),
            until_ms,
            events: None,
        }
    }
    /// Completes `finish` before claiming.
    pub fn finish(mut self, finish: QueueFinish) -> Self {
        self.finish = Some(finish);
        self
    }
    /// Publishes state changes on `channel`.
    pub fn events(mut self, channel: impl Into<String>) -> Self {
        self.events = Some(channel.into());
        self
    }
}

/// The completion a [`QueueStepOptions`] applies before it claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QueueFinish {
    /// The job id.
    pub id: String,
    /// The fencing token the holder claimed it with; the completion applies only while the
    /// job's `token` field still equals it.
    pub token: u64,
    /// The result (JSON text) to keep in the `result` field.
    pub result: Option<bytes::Bytes>,
    /// The job's unique key (the part after the unique-key prefix), released if it still
    /// names this job.
    pub unique: Option<String>,
    /// How long to keep the completed job, in milliseconds (0: delete it at once).
    pub keep_ms: u64,
}

impl QueueFinish {
    /// Completes job `id` held with `token`, keeping it `keep_ms` milliseconds.
    pub fn new(id: impl Into<String>, token: u64, keep_ms: u64) -> Self {
        QueueFinish {
            id: id.into(),
            token,
            result: None,
            unique: None,
            keep_ms,
        }
    }
    /// Keeps `result` in the job's `result` field.
    pub fn result(mut self, result: impl Into<bytes::Bytes>) -> Self {
        self.result = Some(result.into());
        self
    }
    /// Releases unique key `unique` if it still names the job.
    pub fn unique(mut self, unique: impl Into<String>) -> Self {
        self.unique = Some(unique.into());
        self
    }
}

/// When a durable log is forced to disk, as Redis's `appendfsync`: the file store's log and
/// `Failover`'s journal file share this one setting.
///
/// Under every policy a write reaches the operating system (`write(2)`) before it is
/// acknowledged, so killing the process never loses an acknowledged write. The policies
/// differ in what a crash of the *machine* (power loss, kernel panic) can lose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FsyncPolicy {
    /// `fsync` before every acknowledgement: nothing acknowledged is ever lost. Concurrent
    /// writers share fsyncs (group commit): while one fsync runs, the writes that arrive are
    /// collected and made durable together by the next.
    Always,
    /// `fsync` in the background once a second (the default): a machine crash loses at most
    /// about the last second of writes.
    #[default]
    EverySec,
    /// Never `fsync` (except on close and compaction); the operating system decides.
    No,
}
