//! The Lua scripts behind the contract's atomic compound operations.
//!
//! Redis runs a script without interleaving any other command, so each compound operation
//! (`ZMoveByScore`, compare-and-set/-delete on strings and hash fields, `IncrByEx`, the queue's
//! `QueueStep`) is one
//! script: no check-then-act race is possible. A connection remembers which scripts its server
//! has cached (an `EVAL` or `EVALSHA` of it succeeded there): those are invoked by SHA1
//! (`EVALSHA`), the others with `EVAL`, which sends the source and caches it. A `NOSCRIPT`
//! (after a `SCRIPT FLUSH`) is repeated once with `EVAL`. Inside `MULTI` scripts always go as
//! `EVAL`; see `batch.rs` for why and for plain pipelines.
//!
//! Every key a script touches is passed in `KEYS`, so Redis Cluster can route it once the keys
//! share a hash tag (`{name}`).
//!
//! Lua sees Redis numbers as doubles, which would round integers above 2^53 and scores printed
//! with too few digits. The scripts therefore hand back exact text (the value read with `GET`,
//! scores as Redis prints them with 17 significant digits) and [`Script::finish`] turns it into
//! the reply shape the command documents.

use std::sync::OnceLock;

use bytes::Bytes;
use staunch_core::{Error, ErrorKind, Reply, Result};

/// One compound operation's script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// `ZMoveByScore`.
    ZMove,
    /// `CompareAndSet`.
    Cas,
    /// `CompareAndDelete`.
    Cad,
    /// `HCompareAndSet`.
    HCas,
    /// `HCompareAndDelete`.
    HCad,
    /// `IncrByEx`.
    IncrByEx,
    /// `ZRANK`/`ZREVRANK ... WITHSCORE`, which Redis before 7.2 lacks.
    ZRankScore,
    /// `QueueStep`.
    QueueStep,
}

/// KEYS[1] source, KEYS[2] destination; ARGV: min, max, limit ('' for all), 'keep' or
/// 'fixed', fixed score. Returns the moved members and their old scores, flat.
const ZMOVE: &str = r#"
local src, dst = KEYS[1], KEYS[2]
for _, k in ipairs(KEYS) do
  local t = redis.call('TYPE', k).ok
  if t ~= 'zset' and t ~= 'none' then
    return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
  end
end
local items
if ARGV[3] == '' then
  items = redis.call('ZRANGE', src, ARGV[1], ARGV[2], 'BYSCORE', 'WITHSCORES')
else
  items = redis.call('ZRANGE', src, ARGV[1], ARGV[2], 'BYSCORE', 'LIMIT', 0, ARGV[3], 'WITHSCORES')
end
local n = #items
local i = 1
while i <= n do
  local add, rem = {}, {}
  local j = i
  while j <= n and #rem < 1000 do
    rem[#rem + 1] = items[j]
    if ARGV[4] == 'fixed' then add[#add + 1] = ARGV[5] else add[#add + 1] = items[j + 1] end
    add[#add + 1] = items[j]
    j = j + 2
  end
  if src ~= dst then redis.call('ZREM', src, unpack(rem)) end
  redis.call('ZADD', dst, unpack(add))
  i = j
end
return items
"#;

/// KEYS[1]; ARGV: 'nx' (must be missing) or 'eq', expected, value, then SET expiry words.
const CAS: &str = r#"
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == 'nx' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3], unpack(ARGV, 4))
return 1
"#;

/// KEYS[1]; ARGV: expected.
const CAD: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// KEYS[1]; ARGV: 'nx' or 'eq', field, expected, value.
const HCAS: &str = r#"
local cur = redis.call('HGET', KEYS[1], ARGV[2])
if ARGV[1] == 'nx' then
  if cur then return 0 end
elseif cur ~= ARGV[3] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
return 1
"#;

/// KEYS[1]; ARGV: field, expected.
const HCAD: &str = r#"
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
"#;

/// KEYS[1]; ARGV: delta, ttl in ms. Returns the new value as text (exact for any i64).
const INCRBYEX: &str = r#"
redis.call('INCRBY', KEYS[1], ARGV[1])
local v = redis.call('GET', KEYS[1])
if redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return v
"#;

/// KEYS[1]; ARGV: 'ZRANK' or 'ZREVRANK', member. Returns the rank and the score's text, or
/// nil.
const ZRANKSCORE: &str = r#"
local r = redis.call(ARGV[1], KEYS[1], ARGV[2])
if not r then return nil end
return {r, redis.call('ZSCORE', KEYS[1], ARGV[2])}
"#;

/// KEYS: pending, processing, scheduled, paused, stats, job-hash prefix, unique-key prefix,
/// completed.
/// ARGV: [1] id to finish ('' none), [2] its token, [3] '1' with a result, [4] the result,
/// [5] unique key ('' none), [6] keep ms ('0': delete), [7] expiry time (Unix ms), [8] claim
/// count, [9] now (Unix ms), [10] now as text, [11] lease deadline, [12] events channel (''
/// none), [13] the completion's event. See `Command::QueueStep` for what it does; the memory
/// engine's `queue_step.rs` is the same step.
const QUEUE_STEP: &str = r#"
local now = ARGV[9]
local finished = -1
if ARGV[1] ~= '' then
  local id = ARGV[1]
  local task = KEYS[6] .. id
  if redis.call('HGET', task, 'token') == ARGV[2] then
    redis.call('ZREM', KEYS[2], id)
    if ARGV[3] == '1' then
      redis.call('HSET', task, 'token', ARGV[2] .. ':completed', 'status', 'completed',
        'finished_at', ARGV[10], 'finished_ms', now, 'result', ARGV[4])
    else
      redis.call('HSET', task, 'token', ARGV[2] .. ':completed', 'status', 'completed',
        'finished_at', ARGV[10], 'finished_ms', now)
    end
    if ARGV[6] == '0' then
      redis.call('DEL', task)
    else
      redis.call('ZADD', KEYS[8], now, id)
      redis.call('PEXPIREAT', task, ARGV[7])
    end
    redis.call('HINCRBY', KEYS[5], 'completed', 1)
    if ARGV[5] ~= '' then
      local u = KEYS[7] .. ARGV[5]
      if redis.call('GET', u) == id then redis.call('DEL', u) end
    end
    if ARGV[12] ~= '' then redis.call('PUBLISH', ARGV[12], ARGV[13]) end
    finished = 1
  else
    finished = 0
  end
end
local paused = redis.call('EXISTS', KEYS[4])
local due = redis.call('ZCOUNT', KEYS[3], '-inf', now)
local jobs = {}
local claim = tonumber(ARGV[8])
if paused == 0 and due == 0 and claim > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[1], claim)
  local ids = {}
  for i = 1, #popped, 2 do
    redis.call('ZADD', KEYS[2], ARGV[11], popped[i])
  end
  for i = 1, #popped, 2 do
    local id = popped[i]
    local task = KEYS[6] .. id
    local t = redis.pcall('HINCRBY', task, 'token', 1)
    if type(t) ~= 'number' then t = 0 end
    redis.call('HINCRBY', task, 'attempts', 1)
    local fields = redis.call('HGETALL', task)
    redis.call('HSET', task, 'status', 'processing', 'started_at', ARGV[10])
    jobs[#jobs + 1] = {id, t, fields}
    ids[#ids + 1] = cjson.encode(id)
  end
  if ARGV[12] ~= '' and #ids > 0 then
    local msg
    if #ids == 1 then
      msg = '{"event":"status","id":' .. ids[1] .. ',"status":"processing","at":' .. now .. '}'
    else
      msg = '{"event":"statuses","ids":[' .. table.concat(ids, ',') ..
        '],"status":"processing","at":' .. now .. '}'
    end
    redis.call('PUBLISH', ARGV[12], msg)
  end
end
return {finished, paused, due, jobs}
"#;

impl Script {
    /// The Lua source.
    pub(crate) fn source(self) -> &'static str {
        match self {
            Script::ZMove => ZMOVE,
            Script::Cas => CAS,
            Script::Cad => CAD,
            Script::HCas => HCAS,
            Script::HCad => HCAD,
            Script::IncrByEx => INCRBYEX,
            Script::ZRankScore => ZRANKSCORE,
            Script::QueueStep => QUEUE_STEP,
        }
    }

    /// The SHA1 Redis knows the script by, computed once per process rather than on every
    /// call.
    pub(crate) fn sha(self) -> &'static str {
        static SHAS: OnceLock<[String; Script::ALL.len()]> = OnceLock::new();
        let shas = SHAS.get_or_init(|| {
            Script::ALL.map(|s| redis::Script::new(s.source()).get_hash().to_owned())
        });
        &shas[self.index()]
    }

    /// Every script, in [`Script::index`] order.
    const ALL: [Script; 8] = [
        Script::ZMove,
        Script::Cas,
        Script::Cad,
        Script::HCas,
        Script::HCad,
        Script::IncrByEx,
        Script::ZRankScore,
        Script::QueueStep,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// This script's bit in a set of scripts (see `connection::Handle`).
    pub(crate) fn bit(self) -> u32 {
        1 << self.index()
    }

    /// Shapes the script's raw reply as the command documents it.
    pub(crate) fn finish(self, reply: Reply) -> Result<Reply> {
        match self {
            Script::ZMove => {
                let flat = reply.into_items()?;
                let mut pairs = Vec::with_capacity(flat.len() / 2);
                let mut it = flat.into_iter();
                while let Some(member) = it.next() {
                    let score = it.next().ok_or_else(|| {
                        Error::new(ErrorKind::Protocol, "member without a score from ZMOVE")
                    })?;
                    pairs.push(Reply::Array(vec![
                        Reply::Bulk(member.into_bytes()?),
                        Reply::Double(score.into_double()?),
                    ]));
                }
                Ok(Reply::Array(pairs))
            }
            Script::IncrByEx => match reply {
                Reply::Bulk(text) => parse_int(&text).map(Reply::Int),
                Reply::Int(n) => Ok(Reply::Int(n)),
                other => Err(Error::unexpected_reply("an integer", &other)),
            },
            Script::ZRankScore => match reply {
                Reply::Nil => Ok(Reply::Nil),
                other => {
                    let mut items = other.into_items()?.into_iter();
                    match (items.next(), items.next()) {
                        (Some(Reply::Int(rank)), Some(score)) => Ok(Reply::Array(vec![
                            Reply::Int(rank),
                            Reply::Double(score.into_double()?),
                        ])),
                        _ => Err(Error::new(
                            ErrorKind::Protocol,
                            "expected [rank, score] from ZRANK WITHSCORE",
                        )),
                    }
                }
            },
            Script::Cas | Script::Cad | Script::HCas | Script::HCad | Script::QueueStep => {
                Ok(reply)
            }
        }
    }
}

fn parse_int(text: &Bytes) -> Result<i64> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::new(ErrorKind::Protocol, "INCRBYEX returned a non-integer"))
}
