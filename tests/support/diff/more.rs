//! The differential generator's share of the sorted-set, hash and pub/sub commands added for
//! issue 11: `ZLEXCOUNT`, `ZREMRANGEBYLEX`, `ZUNION`/`ZINTER`/`ZDIFF` and their `STORE` forms,
//! `ZINTERCARD`, `ZRANGESTORE`, `ZRANDMEMBER`, `ZMPOP`/`BZMPOP`, `ZSCAN`, `ZRANK WITHSCORE`,
//! `HRANDFIELD`, `HMSET`, `HSCAN`, `PUBSUB CHANNELS|NUMSUB|NUMPAT`.
//!
//! Random commands are generated only where their outcome is determined: `ZRANDMEMBER` with a
//! count of 0, or at least the size of any generated set (whole set, compared unordered), or
//! without a count on a key that is missing or not a sorted set; `HRANDFIELD` likewise.
//! `HSCAN` pages are compared with their pairs sorted (see [`pairs_unordered`]).

use super::{KEYS, MEMBERS, Raw, b};
use staunch_core::{
    Command, LexBound, ScanOptions, ScoreBound, ZAggregate, ZCombineOptions, ZPopEnd, ZRangeBy,
    ZRangeOptions,
};
use std::time::Duration;

/// Commands whose reply order Redis leaves to chance.
pub(super) fn random_order(command: &Command) -> bool {
    matches!(
        command,
        Command::ZRandMember { .. } | Command::HRandField { .. }
    )
}

/// `HSCAN`'s page with its field/value pairs sorted: a hash that outgrew Redis's compact
/// encoding comes back in hash-table order, which no other store reproduces.
pub(super) fn pairs_unordered(
    command: &Command,
    reply: staunch_core::Reply,
) -> staunch_core::Reply {
    use staunch_core::Reply;
    if !matches!(command, Command::HScan { .. }) {
        return reply;
    }
    match reply {
        Reply::Array(mut page) if page.len() == 2 => {
            if let Reply::Array(flat) = &mut page[1] {
                let mut pairs: Vec<Vec<Reply>> = flat.chunks(2).map(<[Reply]>::to_vec).collect();
                pairs.sort_by_key(|pair| format!("{pair:?}"));
                *flat = pairs.into_iter().flatten().collect();
            }
            Reply::Array(page)
        }
        other => other,
    }
}

fn lex(i: usize, inclusive: bool) -> LexBound {
    match i {
        0 => LexBound::Min,
        5 => LexBound::Max,
        _ if inclusive => LexBound::Inclusive(b(MEMBERS[i])),
        _ => LexBound::Exclusive(b(MEMBERS[i])),
    }
}

fn combine_options(r: &Raw, keys: usize, store: bool) -> ZCombineOptions {
    let mut options = ZCombineOptions::new();
    match r.flag % 7 {
        0 | 1 => {}
        2 => options = options.weights((0..keys).map(|i| (i as f64 + 1.0) * 0.5)),
        3 => options = options.weights((0..keys).map(|i| if i == 0 { 2.0 } else { -1.0 })),
        // A wrong number of weights: a syntax error everywhere.
        4 => options = options.weights([1.0]),
        _ => {}
    }
    options.aggregate = match (r.flag / 7) % 4 {
        0 | 1 => None,
        2 => Some(ZAggregate::Min),
        _ => Some(ZAggregate::Max),
    };
    // `WITHSCORES` on a `STORE` form is refused; generate it there only now and then.
    options.with_scores = if store {
        r.flag.is_multiple_of(13)
    } else {
        r.flag.is_multiple_of(2)
    };
    options
}

/// One command of this share.
pub(super) fn build(r: &Raw) -> Command {
    let key = KEYS[r.k1].to_owned();
    let key2 = KEYS[r.k2].to_owned();
    let member = b(MEMBERS[r.members[0]]);
    let keys: Vec<staunch_core::Name> = std::iter::once(key.clone().into())
        .chain(r.members.iter().map(|&i| KEYS[i % KEYS.len()].into()))
        .take(1 + (r.flag as usize % 3))
        .collect();
    let inclusive = r.flag & 1 == 1;
    let (lo, hi) = (r.members[0], *r.members.get(1).unwrap_or(&5));
    let (min, max) = (lex(lo.min(hi), inclusive), lex(lo.max(hi), r.flag & 2 == 2));
    let end = if r.flag & 4 == 0 {
        ZPopEnd::Min
    } else {
        ZPopEnd::Max
    };
    let count = (r.flag & 8 == 8).then_some(r.m.unsigned_abs() % 4);
    let fields: Vec<(staunch_core::Name, staunch_core::Bytes)> = r
        .members
        .iter()
        .map(|&i| (MEMBERS[i].into(), b(MEMBERS[(i + 1) % MEMBERS.len()])))
        .collect();
    match (r.pick as usize + r.k2) % 22 {
        0 => Command::ZLexCount {
            key: key.into(),
            min,
            max,
        },
        1 => Command::ZRemRangeByLex {
            key: key.into(),
            min,
            max,
        },
        2 => Command::ZUnion {
            options: combine_options(r, keys.len(), false),
            keys,
        },
        3 => Command::ZInter {
            options: combine_options(r, keys.len(), false),
            keys,
        },
        4 => Command::ZDiff {
            // Options other than WITHSCORES are refused here; mostly none.
            options: if r.flag.is_multiple_of(5) {
                combine_options(r, keys.len(), false)
            } else {
                ZCombineOptions::new().with_scores(r.flag.is_multiple_of(2))
            },
            keys,
        },
        5 => Command::ZUnionStore {
            destination: key2.into(),
            options: combine_options(r, keys.len(), true),
            keys,
        },
        6 => Command::ZInterStore {
            destination: key2.into(),
            options: combine_options(r, keys.len(), true),
            keys,
        },
        7 => Command::ZDiffStore {
            destination: key2.into(),
            options: ZCombineOptions::new(),
            keys,
        },
        8 => Command::ZInterCard {
            keys,
            limit: (!r.flag.is_multiple_of(3)).then_some(r.m.unsigned_abs() % 3),
        },
        9 => {
            let (by, options) = match r.flag % 3 {
                0 => (
                    ZRangeBy::Rank {
                        start: r.n,
                        stop: r.m,
                    },
                    ZRangeOptions::new().rev(r.flag & 8 == 8),
                ),
                1 => (
                    ZRangeBy::Score {
                        min: ScoreBound::Inclusive(r.n.min(r.m) as f64),
                        max: ScoreBound::MAX,
                    },
                    ZRangeOptions::new().limit(0, r.m.abs() % 3 + 1),
                ),
                _ => (
                    ZRangeBy::Lex { min, max },
                    ZRangeOptions::new().rev(r.flag & 8 == 8),
                ),
            };
            Command::ZRangeStore {
                destination: key2.into(),
                source: key.into(),
                by,
                options,
            }
        }
        10 => Command::ZRandMember {
            key: key.into(),
            // 0, or more than any generated set holds: the outcome is determined.
            count: Some(if r.flag.is_multiple_of(2) { 0 } else { 10 }),
            with_scores: r.flag & 2 == 2,
        },
        11 => Command::ZMPop {
            keys,
            end,
            count: count.map(|c| c % 3),
        },
        12 => Command::BZMPop {
            keys,
            end,
            count: count.map(|c| c.max(1)),
            timeout: Duration::from_millis(10),
        },
        13 => Command::ZScan {
            key: key.into(),
            cursor: 0,
            options: match r.flag % 4 {
                0 => ScanOptions::new(),
                1 => ScanOptions::new().pattern("m*"),
                2 => ScanOptions::new().count(2),
                _ => ScanOptions::new().pattern("*[12]"),
            },
        },
        14 => Command::ZRankWithScore {
            key: key.into(),
            member,
        },
        15 => Command::ZRevRankWithScore {
            key: key.into(),
            member,
        },
        16 => Command::HRandField {
            key: key.into(),
            // 0, or more than any generated hash holds: the outcome is determined.
            count: Some(if r.flag.is_multiple_of(2) { 0 } else { 10 }),
            with_values: r.flag & 2 == 2,
        },
        17 => Command::HMSet {
            key: key.into(),
            fields: if r.flag.is_multiple_of(17) {
                Vec::new()
            } else {
                fields
            },
        },
        18 => Command::HScan {
            key: key.into(),
            cursor: 0,
            options: match r.flag % 4 {
                0 => ScanOptions::new(),
                1 => ScanOptions::new().pattern("m*"),
                2 => ScanOptions::new().count(2),
                _ => ScanOptions::new().pattern("*[12]"),
            },
        },
        // No sequence subscribes, so these answer from empty registries on both sides; they
        // check the replies' shapes.
        19 => Command::PubSubNumSub {
            channels: keys.clone(),
        },
        20 => match r.flag % 3 {
            0 => Command::PubSubNumPat,
            1 => Command::PubSubChannels { pattern: None },
            _ => Command::PubSubChannels {
                pattern: Some("k*".into()),
            },
        },
        _ => Command::ZAdd {
            key: key.into(),
            members: r
                .members
                .iter()
                .map(|&i| (r.n as f64 + 0.5, b(MEMBERS[i])))
                .collect(),
            options: staunch_core::ZAddOptions::new(),
        },
    }
}
