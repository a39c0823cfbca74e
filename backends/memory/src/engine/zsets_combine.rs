//! Sorted-set commands over several keys: `ZUNION`, `ZINTER`, `ZDIFF`, their `STORE` forms,
//! `ZINTERCARD` and `ZRANGESTORE`, following `zunionInterDiffGenericCommand` and
//! `zrangeGenericCommand` of Redis 7.
//!
//! As in Redis, plain sets are accepted as inputs (every member scored 1), every input is
//! type-checked before the options are looked at (so `WRONGTYPE` wins over `ERR syntax
//! error`), a weighted score that is not a number (`0 × inf`) counts as 0, and a `SUM` of
//! `+inf` and `-inf` is 0. Inputs are combined smallest first, as Redis does, so sums of
//! inexact scores round the same way. A `STORE` replaces its destination whatever it held
//! (its TTL goes with it) and deletes it when the result is empty.

use staunch_core::command::Key;
use std::collections::HashMap;

use staunch_core::{Bytes, Command, Error, Reply, Result, ZAggregate, ZCombineOptions};

use super::context::unsupported;
use super::db::Db;
use super::keyspace::non_empty;
use super::sorted_set::ZSet;
use super::value::Value;
use super::zsets::{pair, zrange_selected};

/// Which combination.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

pub(crate) fn read(db: &Db, now: i64, command: &Command) -> Result<Reply> {
    match command {
        Command::ZUnion { keys, options } => reply(db, now, Op::Union, "zunion", keys, options),
        Command::ZInter { keys, options } => reply(db, now, Op::Inter, "zinter", keys, options),
        Command::ZDiff { keys, options } => reply(db, now, Op::Diff, "zdiff", keys, options),
        Command::ZInterCard { keys, limit } => {
            // `ZINTERCARD 0` is short of Redis's arity.
            non_empty(keys, "zintercard")?;
            let inputs = inputs(db, now, keys)?;
            let combined = combine(Op::Inter, inputs, &[], ZAggregate::Sum);
            let n = combined.len() as u64;
            let n = match limit {
                Some(limit) if *limit > 0 => n.min(*limit),
                _ => n,
            };
            Ok(Reply::Int(n as i64))
        }
        other => Err(unsupported(other)),
    }
}

pub(crate) fn write(db: &mut Db, now: i64, command: &Command) -> Result<Reply> {
    let (destination, result) = match command {
        Command::ZUnionStore {
            destination,
            keys,
            options,
        } => (
            destination,
            computed(db, now, Op::Union, "zunionstore", keys, options, true)?,
        ),
        Command::ZInterStore {
            destination,
            keys,
            options,
        } => (
            destination,
            computed(db, now, Op::Inter, "zinterstore", keys, options, true)?,
        ),
        Command::ZDiffStore {
            destination,
            keys,
            options,
        } => (
            destination,
            computed(db, now, Op::Diff, "zdiffstore", keys, options, true)?,
        ),
        Command::ZRangeStore {
            destination,
            source,
            by,
            options,
        } => {
            if options.with_scores {
                return Err(Error::invalid("ERR syntax error"));
            }
            (destination, zrange_selected(db, now, source, by, options)?)
        }
        other => return Err(unsupported(other)),
    };
    let stored = result.len();
    db.remove(destination);
    if !result.is_empty() {
        let mut z = ZSet::default();
        for (member, score) in &result {
            z.insert(member, *score);
        }
        db.insert(destination, Value::ZSet(z), None);
    }
    Ok(Reply::Int(stored as i64))
}

/// A non-`STORE` combination's reply.
fn reply(
    db: &Db,
    now: i64,
    op: Op,
    name: &str,
    keys: &[Key],
    options: &ZCombineOptions,
) -> Result<Reply> {
    let result = computed(db, now, op, name, keys, options, false)?;
    Ok(Reply::Array(if options.with_scores {
        result.into_iter().map(|(m, s)| pair(m, s)).collect()
    } else {
        result.into_iter().map(|(m, _)| Reply::Bulk(m)).collect()
    }))
}

/// Checks the arguments in Redis's order and combines the inputs; the result is sorted by
/// score, then member.
fn computed(
    db: &Db,
    now: i64,
    op: Op,
    name: &str,
    keys: &[Key],
    options: &ZCombineOptions,
    store: bool,
) -> Result<Vec<(Bytes, f64)>> {
    // `ZUNION 0` (`ZUNIONSTORE dst 0`) is short of Redis's arity.
    non_empty(keys, name)?;
    let inputs = inputs(db, now, keys)?;
    let syntax = || Error::invalid("ERR syntax error");
    let mut weights: Vec<f64> = vec![1.0; keys.len()];
    if let Some(given) = &options.weights {
        if op == Op::Diff || given.len() < keys.len() {
            return Err(syntax());
        }
        for (slot, weight) in weights.iter_mut().zip(given) {
            if weight.is_nan() {
                return Err(Error::invalid("ERR weight value is not a float"));
            }
            *slot = *weight;
        }
        if given.len() > keys.len() {
            return Err(syntax());
        }
    }
    if options.aggregate.is_some() && op == Op::Diff {
        return Err(syntax());
    }
    if options.with_scores && store {
        return Err(syntax());
    }
    let aggregate = options.aggregate.unwrap_or(ZAggregate::Sum);
    let mut result = combine(op, inputs, &weights, aggregate);
    result.sort_by(|(ma, sa), (mb, sb)| sa.total_cmp(sb).then_with(|| ma.cmp(mb)));
    Ok(result)
}

/// One input: a sorted set, a plain set (scores 1) or nothing (a missing key).
enum Input<'a> {
    Missing,
    Sorted(&'a ZSet),
    Plain(&'a super::set_value::SetValue),
}

impl Input<'_> {
    fn len(&self) -> usize {
        match self {
            Input::Missing => 0,
            Input::Sorted(z) => z.len(),
            Input::Plain(s) => s.len(),
        }
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Input::Missing => None,
            Input::Sorted(z) => z.score(member),
            Input::Plain(s) => s.contains(member).then_some(1.0),
        }
    }

    fn members(&self) -> Box<dyn Iterator<Item = (&[u8], f64)> + '_> {
        match self {
            Input::Missing => Box::new(std::iter::empty()),
            Input::Sorted(z) => Box::new(z.iter()),
            Input::Plain(s) => Box::new(s.iter().map(|m| (m, 1.0))),
        }
    }
}

/// The inputs, type-checked in key order.
fn inputs<'a>(db: &'a Db, now: i64, keys: &[Key]) -> Result<Vec<Input<'a>>> {
    keys.iter()
        .map(|key| match db.value(key, now) {
            None => Ok(Input::Missing),
            Some(Value::ZSet(z)) => Ok(Input::Sorted(z)),
            Some(Value::Set(s)) => Ok(Input::Plain(s)),
            Some(_) => Err(Error::wrong_type()),
        })
        .collect()
}

/// A weighted score; `0 × ±inf` is 0, as in Redis.
fn weighted(score: f64, weight: f64) -> f64 {
    let value = score * weight;
    if value.is_nan() { 0.0 } else { value }
}

/// Redis's `zunionInterAggregate`.
fn aggregate_into(target: &mut f64, value: f64, aggregate: ZAggregate) {
    match aggregate {
        ZAggregate::Sum => {
            *target += value;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        ZAggregate::Min => *target = target.min(value),
        ZAggregate::Max => *target = target.max(value),
    }
}

/// The combination, unsorted (`weights` is empty for `ZINTERCARD`, which needs no scores).
fn combine(
    op: Op,
    inputs: Vec<Input<'_>>,
    weights: &[f64],
    aggregate: ZAggregate,
) -> Vec<(Bytes, f64)> {
    let weight = |i: usize| weights.get(i).copied().unwrap_or(1.0);
    match op {
        Op::Diff => {
            let (first, rest) = match inputs.split_first() {
                Some(split) => split,
                None => return Vec::new(),
            };
            first
                .members()
                .filter(|(m, _)| rest.iter().all(|other| other.score(m).is_none()))
                .map(|(m, s)| (Bytes::copy_from_slice(m), s))
                .collect()
        }
        Op::Inter => {
            // Smallest first, as Redis sorts its inputs by size (stable for equal sizes).
            let mut order: Vec<(usize, Input<'_>)> = inputs.into_iter().enumerate().collect();
            order.sort_by_key(|(_, input)| input.len());
            let Some(((first_index, first), rest)) = order.split_first() else {
                return Vec::new();
            };
            let mut result = Vec::new();
            'members: for (member, score) in first.members() {
                let mut total = weighted(score, weight(*first_index));
                for (index, other) in rest {
                    let Some(s) = other.score(member) else {
                        continue 'members;
                    };
                    aggregate_into(&mut total, weighted(s, weight(*index)), aggregate);
                }
                result.push((Bytes::copy_from_slice(member), total));
            }
            result
        }
        Op::Union => {
            let mut order: Vec<(usize, Input<'_>)> = inputs.into_iter().enumerate().collect();
            order.sort_by_key(|(_, input)| input.len());
            let mut totals: HashMap<&[u8], f64> = HashMap::new();
            let mut seen: Vec<&[u8]> = Vec::new();
            for (index, input) in &order {
                for (member, score) in input.members() {
                    let value = weighted(score, weight(*index));
                    match totals.get_mut(member) {
                        Some(total) => aggregate_into(total, value, aggregate),
                        None => {
                            totals.insert(member, value);
                            seen.push(member);
                        }
                    }
                }
            }
            seen.into_iter()
                .map(|m| (Bytes::copy_from_slice(m), totals[m]))
                .collect()
        }
    }
}
