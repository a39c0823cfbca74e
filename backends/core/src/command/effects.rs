//! Turning a write that ran into the commands that replay *what it did*.
//!
//! Used by the replay journal of `staunch::failover` and by the file store's log while it
//! journals for a `Failover`.
//!
//! The journal records operations, not values, so that replay merges with what other nodes
//! wrote to Redis meanwhile. Most writes can be recorded as they are (`INCRBY`, `SADD`,
//! `RPUSH`, `HSET`, `SET PXAT`). A few cannot, because what they do depends on the state they
//! met, and that state is not Redis's:
//!
//! - **Pops** (`LPOP`, `BLPOP`, `LMPOP`, `BLMPOP`, `SPOP`, `ZPOPMIN`, `BZPOPMAX`, ...) took particular elements
//!   from the local store. Replaying "pop one" would take a *different* element from Redis (a
//!   job another node enqueued) and lose it. They are recorded as removals of exactly the
//!   elements they returned: `LREM key ±1 v`, `SREM`, `ZREM` (`ZMPOP`/`BZMPOP` too).
//! - **Moves** (`LMOVE`, `BLMOVE`, `SMOVE`, the atomic `ZMoveByScore`) become a removal plus an
//!   add of the same elements (with the scores they got).
//! - `GETDEL` that returned a value becomes `DEL` (last-replayed-wins, as `DEL` itself).
//! - Writes that compute from other keys (`SINTERSTORE`, `SUNIONSTORE`, `SDIFFSTORE`, `COPY`,
//!   `LINSERT`, `SETRANGE`, `SETBIT`) are recorded as they are: replay recomputes them from what
//!   Redis holds then, so they merge with other nodes' writes like `RENAME` does. `COPY`,
//!   `MSETNX`, `SETNX`, `LPUSHX`/`RPUSHX` that did nothing (answered 0) are not recorded.
//! - **Conditional writes** that did nothing locally (`SET NX` answered nil, a compare-and-set
//!   answered 0, a pop found nothing) are not recorded at all; those that did something are
//!   recorded as they are and re-check their condition against Redis on replay.
//! - Failed writes (an error reply) are not recorded: the caller was told they failed.
//! - The queue's atomic step (`QueueStep`) becomes the plain writes it made (see
//!   `command::queue_step`): a fenced completion re-checks nothing on replay, but every claim
//!   is recorded as the removal and add of exactly the jobs it took.
//!
//! The same resolution serves `Mirror`, which copies each write Redis acknowledged into the
//! local store: copying `LPOP` literally would pop a different local element.
//!
//! Which of these a command follows is its row's `effects` column ([`Rule`]); the commands
//! whose row says `custom` have their rule in [`custom`] below.

use bytes::Bytes;

use super::{Command, Key};
use crate::error::Result;
use crate::options::{ListEnd, MoveScore, SetOptions, ZAddOptions};
use crate::reply::Reply;

impl Command {
    /// The commands that reproduce the effect this command had, given the reply it got (see
    /// the module docs of `command::effects`). Reads, publishes, failed writes and
    /// conditional writes that did nothing give nothing.
    ///
    /// # Behavior
    ///
    /// - Pops become removals of exactly the elements they returned (`LREM ±1`, `SREM`,
    ///   `ZREM`); moves become a removal plus an add.
    /// - Applying the result to the state the command met reproduces the state it left, so
    ///   the same effects serve a local log and a replay into Redis.
    /// - Relative expiries are kept as they are: call [`Command::with_absolute_expiry`] first.
    pub fn resolve_effects(self, reply: &Result<Reply>) -> Vec<Command> {
        resolve(self, reply)
    }
}

/// How a successful write is recorded for replay: a row's `effects` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Reads and publishes: nothing to record.
    None,
    /// Recorded as it is.
    AsIs,
    /// Recorded as it is when it changed something (it answered other than `Int 0`).
    IfChanged,
    /// A rule of its own in [`custom`].
    Custom,
}

fn resolve(command: Command, reply: &Result<Reply>) -> Vec<Command> {
    let Ok(reply) = reply else {
        return Vec::new();
    };
    // `GETEX` without an expiry is a read whatever its row's rule says.
    if !command.is_write() {
        return Vec::new();
    }
    match command.effects_rule() {
        Rule::None => Vec::new(),
        Rule::AsIs => vec![command],
        Rule::IfChanged if matches!(reply, Reply::Int(0)) => Vec::new(),
        Rule::IfChanged => vec![command],
        Rule::Custom => custom(command, reply),
    }
}

/// The rules of the commands whose effect depends on the state they met.
fn custom(command: Command, reply: &Reply) -> Vec<Command> {
    use Command::*;
    match command {
        LPop { key, .. } => list_removals(key, 1, reply),
        RPop { key, .. } => list_removals(key, -1, reply),
        BLPop { .. } | BRPop { .. } => {
            let count = if matches!(command, BLPop { .. }) {
                1
            } else {
                -1
            };
            match reply {
                Reply::Array(items) if items.len() == 2 => match (&items[0], &items[1]) {
                    (Reply::Bulk(k), Reply::Bulk(v)) => vec![LRem {
                        key: Key::from(k),
                        count,
                        value: v.clone(),
                    }],
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            }
        }
        LMove {
            source,
            destination,
            from,
            to,
        }
        | BLMove {
            source,
            destination,
            from,
            to,
            ..
        } => match reply {
            Reply::Bulk(v) => {
                let count = if from == ListEnd::Left { 1 } else { -1 };
                let push = match to {
                    ListEnd::Left => LPush {
                        key: destination,
                        values: vec![v.clone()],
                    },
                    ListEnd::Right => RPush {
                        key: destination,
                        values: vec![v.clone()],
                    },
                };
                vec![
                    LRem {
                        key: source,
                        count,
                        value: v.clone(),
                    },
                    push,
                ]
            }
            _ => Vec::new(),
        },
        LMPop { end, .. } | BLMPop { end, .. } => match reply {
            Reply::Array(items) if items.len() == 2 => match (&items[0], &items[1]) {
                (Reply::Bulk(k), popped) => list_removals(
                    Key::from(k),
                    if end == ListEnd::Left { 1 } else { -1 },
                    popped,
                ),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
        SMove {
            source,
            destination,
            member,
        } => {
            // Recorded as what it did locally, so a replay moves this member even where Redis
            // meanwhile lost it from the source (the same rule as `LMOVE`).
            if !matches!(reply, Reply::Int(1)) || source == destination {
                return Vec::new();
            }
            vec![
                SRem {
                    key: source,
                    members: vec![member.clone()],
                },
                SAdd {
                    key: destination,
                    members: vec![member],
                },
            ]
        }
        SPop { key, .. } => {
            let members = bulks(reply);
            if members.is_empty() {
                Vec::new()
            } else {
                vec![SRem { key, members }]
            }
        }
        ZPopMin { key, .. } | ZPopMax { key, .. } => {
            let members: Vec<Bytes> = scored(reply).into_iter().map(|(m, _)| m).collect();
            if members.is_empty() {
                Vec::new()
            } else {
                vec![ZRem { key, members }]
            }
        }
        BZPopMin { .. } | BZPopMax { .. } => match reply {
            Reply::Array(items) if items.len() == 3 => match (&items[0], &items[1]) {
                (Reply::Bulk(k), Reply::Bulk(m)) => vec![ZRem {
                    key: Key::from(k),
                    members: vec![m.clone()],
                }],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
        ZMoveByScore {
            source,
            destination,
            score,
            ..
        } => {
            let moved = scored(reply);
            if moved.is_empty() {
                return Vec::new();
            }
            let members = moved
                .iter()
                .map(|(m, old)| {
                    let s = match score {
                        MoveScore::Fixed(s) => s,
                        _ => *old,
                    };
                    (s, m.clone())
                })
                .collect();
            vec![
                ZRem {
                    key: source,
                    members: moved.into_iter().map(|(m, _)| m).collect(),
                },
                ZAdd {
                    key: destination,
                    members,
                    options: ZAddOptions::default(),
                },
            ]
        }
        ZMPop { .. } | BZMPop { .. } => match reply {
            Reply::Array(items) if items.len() == 2 => match (&items[0], &items[1]) {
                (Reply::Bulk(k), popped) => {
                    let members: Vec<Bytes> = scored(popped).into_iter().map(|(m, _)| m).collect();
                    if members.is_empty() {
                        Vec::new()
                    } else {
                        vec![ZRem {
                            key: Key::from(k),
                            members,
                        }]
                    }
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
        GetDel { key } => match reply {
            Reply::Bulk(_) => vec![Del { keys: vec![key] }],
            _ => Vec::new(),
        },
        GetEx { .. } if reply.is_nil() => Vec::new(),
        Set {
            key,
            value,
            options,
        } => {
            let did_nothing = options.condition.is_some() && reply.is_nil() && !options.get;
            if did_nothing {
                Vec::new()
            } else {
                // `GET` only changes the reply; replaying without it is the same write.
                let mut options: SetOptions = options;
                options.get = false;
                vec![Set {
                    key,
                    value,
                    options,
                }]
            }
        }
        GetEx { .. } => vec![command],
        QueueStep { keys, step } => super::queue_step::effects(&keys, &step, reply),
        // A row that says `custom` without a rule here is recorded as it is.
        other => vec![other],
    }
}

fn list_removals(key: Key, count: i64, reply: &Reply) -> Vec<Command> {
    bulks(reply)
        .into_iter()
        .map(|value| Command::LRem {
            key: key.clone(),
            count,
            value,
        })
        .collect()
}

fn bulks(reply: &Reply) -> Vec<Bytes> {
    match reply {
        Reply::Bulk(b) => vec![b.clone()],
        Reply::Array(items) | Reply::Set(items) => items
            .iter()
            .filter_map(|r| match r {
                Reply::Bulk(b) => Some(b.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn scored(reply: &Reply) -> Vec<(Bytes, f64)> {
    // `ZPOPMIN key` without a count answers one flat `[member, score]` pair.
    if let Reply::Array(items) = reply
        && let [Reply::Bulk(m), Reply::Double(s)] = items.as_slice()
    {
        return vec![(m.clone(), *s)];
    }
    reply.clone().into_scored().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_become_removals_of_what_they_took() {
        let c = Command::LPop {
            key: "q".into(),
            count: None,
        };
        let r = resolve(c, &Ok(Reply::Bulk(Bytes::from_static(b"a"))));
        assert_eq!(
            r,
            vec![Command::LRem {
                key: "q".into(),
                count: 1,
                value: Bytes::from_static(b"a")
            }]
        );
        let none = resolve(
            Command::RPop {
                key: "q".into(),
                count: None,
            },
            &Ok(Reply::Nil),
        );
        assert!(none.is_empty());
    }

    #[test]
    fn failed_conditions_and_reads_are_not_recorded() {
        let mut options = SetOptions::new();
        options.condition = Some(crate::options::SetCondition::Nx);
        let set_nx = Command::Set {
            key: "k".into(),
            value: Bytes::from_static(b"v"),
            options,
        };
        assert!(resolve(set_nx, &Ok(Reply::Nil)).is_empty());
        assert!(resolve(Command::Get { key: "k".into() }, &Ok(Reply::Nil)).is_empty());
        let incr = Command::IncrBy {
            key: "c".into(),
            delta: 2,
        };
        assert_eq!(resolve(incr.clone(), &Ok(Reply::Int(2))), vec![incr]);
    }

    #[test]
    fn multi_key_pops_and_smove_become_what_they_did() {
        let a = Bytes::from_static(b"a");
        let b = Bytes::from_static(b"b");
        let lmpop = Command::LMPop {
            keys: vec!["x".into(), "q".into()],
            end: ListEnd::Right,
            count: Some(2),
        };
        let reply = Reply::Array(vec![
            Reply::Bulk(Bytes::from_static(b"q")),
            Reply::Array(vec![Reply::Bulk(b.clone()), Reply::Bulk(a.clone())]),
        ]);
        let removal = |value: &Bytes| Command::LRem {
            key: "q".into(),
            count: -1,
            value: value.clone(),
        };
        assert_eq!(
            resolve(lmpop.clone(), &Ok(reply)),
            vec![removal(&b), removal(&a)]
        );
        assert!(resolve(lmpop, &Ok(Reply::Nil)).is_empty());
        let smove = Command::SMove {
            source: "s".into(),
            destination: "d".into(),
            member: a.clone(),
        };
        assert_eq!(
            resolve(smove.clone(), &Ok(Reply::Int(1))),
            vec![
                Command::SRem {
                    key: "s".into(),
                    members: vec![a.clone()],
                },
                Command::SAdd {
                    key: "d".into(),
                    members: vec![a],
                },
            ]
        );
        assert!(resolve(smove, &Ok(Reply::Int(0))).is_empty());
        let copy = Command::Copy {
            source: "s".into(),
            destination: "d".into(),
            replace: false,
        };
        assert!(resolve(copy.clone(), &Ok(Reply::Int(0))).is_empty());
        assert_eq!(resolve(copy.clone(), &Ok(Reply::Int(1))), vec![copy]);
    }
}
