//! The argument writers `plan` (in `mod.rs`) builds commands with: numbers as Redis parses
//! them, expiry and condition words, key lists, and the shared argument shapes of the range,
//! combine, pop and scan commands.

use std::time::Duration;

use redis::Cmd;
use staunch_core::command::Key;
use staunch_core::float_text::{FloatText, float_text};
use staunch_core::options::*;

use super::Plan;
use crate::scripts::Script;

/// A float as Redis parses it (see [`FloatText`], which the local backends read too).
pub(crate) fn num(x: f64) -> String {
    float_text(x)
}

/// Appends float `x` to `cmd` exactly as [`num`] writes it, without a heap allocation (a bulk
/// enqueue writes one score per job).
pub(super) fn num_arg(cmd: &mut Cmd, x: f64) {
    cmd.arg(FloatText::new().format(x));
}

/// A command named `name` with room for `args` more arguments of `bytes` bytes in all, so a
/// large `HSET` or `ZADD` is written without growing its buffers step by step.
pub(super) fn sized_cmd(name: &str, key: &[u8], args: usize, bytes: usize) -> Cmd {
    let mut cmd = Cmd::with_capacity(args + 2, name.len() + key.len() + bytes);
    cmd.arg(name).arg(key);
    cmd
}

/// A blocking timeout in seconds with millisecond precision, rounded up so that a tiny
/// positive timeout never turns into zero ("forever").
pub(crate) fn block_secs(timeout: Duration) -> String {
    if timeout.is_zero() {
        return "0".to_owned();
    }
    let ms = timeout.as_micros().div_ceil(1000).max(1);
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

pub(super) fn set_expiry_args(cmd: &mut Cmd, expiry: SetExpiry) {
    match expiry {
        SetExpiry::Ex(s) => cmd.arg("EX").arg(s),
        SetExpiry::Px(ms) => cmd.arg("PX").arg(ms),
        SetExpiry::ExAt(s) => cmd.arg("EXAT").arg(s),
        SetExpiry::PxAt(ms) => cmd.arg("PXAT").arg(ms),
        SetExpiry::KeepTtl => cmd.arg("KEEPTTL"),
    };
}

pub(super) fn set_expiry_words(expiry: Option<SetExpiry>) -> Vec<Vec<u8>> {
    let pair = |word: &str, n: u64| vec![word.as_bytes().to_vec(), n.to_string().into_bytes()];
    match expiry {
        None => Vec::new(),
        Some(SetExpiry::Ex(s)) => pair("EX", s),
        Some(SetExpiry::Px(ms)) => pair("PX", ms),
        Some(SetExpiry::ExAt(s)) => pair("EXAT", s),
        Some(SetExpiry::PxAt(ms)) => pair("PXAT", ms),
        Some(SetExpiry::KeepTtl) => vec![b"KEEPTTL".to_vec()],
    }
}

pub(super) fn condition_word(condition: SetCondition) -> &'static str {
    match condition {
        SetCondition::Nx => "NX",
        SetCondition::Xx => "XX",
    }
}

/// `rcmd!("NAME", arg, ...)`: a command with its arguments.
macro_rules! rcmd {
    ($name:expr, $($arg:expr),+ $(,)?) => {{
        let mut cmd = redis::cmd($name);
        $(cmd.arg($arg);)+
        cmd
    }};
}

pub(super) fn named(name: &str) -> Cmd {
    redis::cmd(name)
}

pub(super) fn key_cmd(name: &str, key: &[u8]) -> Cmd {
    let mut cmd = redis::cmd(name);
    cmd.arg(key);
    cmd
}

/// `HRANDFIELD`/`ZRANDMEMBER key [count [WITHVALUES|WITHSCORES]]`.
pub(super) fn random_members_cmd(
    name: &str,
    key: &[u8],
    count: Option<i64>,
    with: Option<&str>,
) -> Cmd {
    let mut cmd = key_cmd(name, key);
    if let Some(count) = count {
        cmd.arg(count);
    }
    if let Some(with) = with {
        cmd.arg(with);
    }
    cmd
}

pub(super) fn keys_cmd(name: &str, keys: &[Key]) -> Cmd {
    let mut cmd = redis::cmd(name);
    cmd.arg(names(keys));
    cmd
}

/// Names as the arguments the `redis` crate writes (it cannot know [`Key`]).
pub(super) fn names(keys: &[Key]) -> Vec<&[u8]> {
    keys.iter().map(|k| k.as_bytes()).collect()
}

pub(super) fn blocking_keys(name: &str, keys: &[Key], timeout: Duration) -> Plan {
    let mut cmd = keys_cmd(name, keys);
    cmd.arg(block_secs(timeout));
    Plan::Blocking {
        cmd,
        block: timeout,
    }
}

pub(super) fn bytes_list(values: &[bytes::Bytes]) -> Vec<&[u8]> {
    values.iter().map(|v| v.as_ref()).collect()
}

pub(super) fn script(script: Script, keys: &[&[u8]], args: Vec<Vec<u8>>) -> Plan {
    Plan::Script {
        script,
        keys: keys.iter().map(|k| k.to_vec()).collect(),
        args,
    }
}

/// The arguments of `ZRANGE`/`ZRANGESTORE` after the key(s).
pub(super) fn zrange_args(cmd: &mut Cmd, by: &ZRangeBy, options: &ZRangeOptions) {
    match by {
        ZRangeBy::Rank { start, stop } => {
            cmd.arg(*start).arg(*stop);
        }
        ZRangeBy::Score { min, max } => {
            let (first, second) = if options.rev { (max, min) } else { (min, max) };
            cmd.arg(first.to_arg()).arg(second.to_arg()).arg("BYSCORE");
        }
        ZRangeBy::Lex { min, max } => {
            let (first, second) = if options.rev { (max, min) } else { (min, max) };
            cmd.arg(first.to_arg()).arg(second.to_arg()).arg("BYLEX");
        }
    }
    if options.rev {
        cmd.arg("REV");
    }
    if let Some((offset, count)) = options.limit {
        cmd.arg("LIMIT").arg(offset).arg(count);
    }
    if options.with_scores {
        cmd.arg("WITHSCORES");
    }
}

/// `ZUNION`/`ZINTER`/`ZDIFF` and the `STORE` forms: every option word that is set, also the
/// ones Redis refuses for the command (it answers with its own error).
pub(super) fn combine_cmd(
    name: &str,
    destination: Option<&Key>,
    keys: &[Key],
    options: &ZCombineOptions,
) -> Cmd {
    let mut cmd = named(name);
    if let Some(destination) = destination {
        cmd.arg(destination.as_bytes());
    }
    cmd.arg(keys.len()).arg(names(keys));
    if let Some(weights) = &options.weights {
        cmd.arg("WEIGHTS");
        for weight in weights {
            cmd.arg(num(*weight));
        }
    }
    if let Some(aggregate) = options.aggregate {
        cmd.arg("AGGREGATE").arg(aggregate.as_str());
    }
    if options.with_scores {
        cmd.arg("WITHSCORES");
    }
    cmd
}

/// `numkeys key... MIN|MAX [COUNT n]` of `ZMPOP`/`BZMPOP` (and the list forms).
pub(super) fn mpop_args(cmd: &mut Cmd, keys: &[Key], end: &str, count: Option<u64>) {
    cmd.arg(keys.len()).arg(names(keys)).arg(end);
    if let Some(count) = count {
        cmd.arg("COUNT").arg(count);
    }
}

/// `EXPIRE`, `PEXPIRE`, `EXPIREAT` or `PEXPIREAT` with its key and time.
pub(super) fn expire_cmd(key: &[u8], expiry: Expiry) -> Cmd {
    let (name, t) = match expiry {
        Expiry::Seconds(s) => ("EXPIRE", s),
        Expiry::Millis(ms) => ("PEXPIRE", ms),
        Expiry::AtSeconds(s) => ("EXPIREAT", s),
        Expiry::AtMillis(ms) => ("PEXPIREAT", ms),
    };
    let mut cmd = key_cmd(name, key);
    cmd.arg(t);
    cmd
}

/// `numkeys key... LEFT|RIGHT [COUNT n]`, the tail of `LMPOP` and `BLMPOP`.
pub(super) fn lmpop_args(cmd: &mut Cmd, keys: &[Key], end: ListEnd, count: Option<u64>) {
    cmd.arg(keys.len()).arg(names(keys)).arg(end.as_str());
    if let Some(count) = count {
        cmd.arg("COUNT").arg(count);
    }
}

/// `[MATCH pattern] [COUNT n] [TYPE t]` of the scan commands (`TYPE` only `SCAN` accepts;
/// the others answer it with Redis's error).
pub(super) fn scan_args(cmd: &mut Cmd, options: &ScanOptions) {
    if let Some(pattern) = &options.pattern {
        cmd.arg("MATCH").arg(pattern.as_bytes());
    }
    if let Some(count) = options.count {
        cmd.arg("COUNT").arg(count);
    }
    if let Some(key_type) = options.key_type {
        cmd.arg("TYPE").arg(key_type.as_str());
    }
}
