//! Conformance cases for batches: pipelines and transactions return one result per command in
//! order, an error in one command does not stop the others, transactions are isolated, and
//! blocking commands inside a batch never block.

use std::time::{Duration, Instant};

use super::keyspace::assert_kind;
use super::{Case, TestStore, cases};
use crate::error::Result;
use crate::prelude::*;

/// Every batch case.
pub fn cases() -> Vec<Case> {
    let plain = cases![
        test_batch_pipeline_results_in_order,
        test_batch_pipeline_error_does_not_stop_the_rest,
        test_batch_invalid_input_in_the_middle,
        test_batch_empty,
        test_batch_pipeline_blpop_does_not_block,
        test_batch_blocking_pop_takes_available_element,
        test_batch_pipeline_many_commands,
        test_batch_ttl_commands,
        test_batch_compound_operations,
    ];
    let atomic = cases![requires Transactions:
        test_batch_transaction_results_in_order,
        test_batch_transaction_error_does_not_stop_the_rest,
        test_batch_transaction_blocking_pops_do_not_block,
        test_batch_transaction_is_isolated,
    ];
    [plain, atomic].concat()
}

fn get(key: &str) -> Command {
    Command::Get { key: key.into() }
}

fn set(key: &str, value: &str) -> Command {
    Command::Set {
        key: key.into(),
        value: Bytes::copy_from_slice(value.as_bytes()),
        options: SetOptions::new(),
    }
}

fn incr(key: &str, delta: i64) -> Command {
    Command::IncrBy {
        key: key.into(),
        delta,
    }
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn ok_replies(results: Vec<Result<Reply>>, rule: &str) -> Vec<Reply> {
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("{rule}: command {i} failed: {e}")))
        .collect()
}

async fn results_in_order(store: TestStore, atomic: bool) {
    let commands = vec![
        set("a", "1"),
        get("a"),
        incr("a", 41),
        get("a"),
        get("missing"),
        Command::Del {
            keys: vec!["a".into(), "missing".into()],
        },
        Command::Exists {
            keys: vec!["a".into()],
        },
    ];
    let results = store.batch(commands, atomic).await.unwrap();
    let rule = if atomic { "transaction" } else { "pipeline" };
    assert_eq!(
        ok_replies(results, rule),
        vec![
            Reply::ok(),
            bulk("1"),
            Reply::Int(42),
            bulk("42"),
            Reply::Nil,
            Reply::Int(1),
            Reply::Int(0),
        ],
        "a {rule} returns one reply per command, in order, each seeing the earlier writes"
    );
}

/// A pipeline returns one result per command, in order.
pub async fn test_batch_pipeline_results_in_order(store: TestStore) {
    results_in_order(store, false).await;
}

/// A transaction returns one result per command, in order.
pub async fn test_batch_transaction_results_in_order(store: TestStore) {
    results_in_order(store, true).await;
}

async fn error_does_not_stop_the_rest(store: TestStore, atomic: bool) {
    store.rpush_multiple("list", ["x"]).await.unwrap();
    let commands = vec![
        set("a", "1"),
        get("list"),
        incr("a", 1),
        Command::Append {
            key: "list".into(),
            value: Bytes::from("y"),
        },
        get("a"),
    ];
    let mut results = store.batch(commands, atomic).await.unwrap().into_iter();
    let rule = if atomic { "transaction" } else { "pipeline" };
    assert_eq!(results.len(), 5, "a {rule} returns one result per command");
    assert_eq!(
        results.next().unwrap().unwrap(),
        Reply::ok(),
        "{rule}: SET ran"
    );
    assert_kind(
        results.next().unwrap(),
        ErrorKind::WrongType,
        &format!("{rule}: GET of a list is that command's WRONGTYPE result"),
    );
    assert_eq!(
        results.next().unwrap().unwrap(),
        Reply::Int(2),
        "{rule}: the command after a WRONGTYPE still runs"
    );
    assert_kind(
        results.next().unwrap(),
        ErrorKind::WrongType,
        &format!("{rule}: APPEND to a list is WRONGTYPE"),
    );
    assert_eq!(
        results.next().unwrap().unwrap(),
        bulk("2"),
        "{rule}: the last command ran"
    );
    assert_eq!(
        store.llen("list").await.unwrap(),
        1,
        "{rule}: the list is unchanged"
    );
}

/// A `WRONGTYPE` in the middle of a pipeline is that command's result; the rest run.
pub async fn test_batch_pipeline_error_does_not_stop_the_rest(store: TestStore) {
    error_does_not_stop_the_rest(store, false).await;
}

/// A `WRONGTYPE` in the middle of a transaction does not roll back or stop the others, as in
/// Redis `MULTI`/`EXEC`.
pub async fn test_batch_transaction_error_does_not_stop_the_rest(store: TestStore) {
    error_does_not_stop_the_rest(store, true).await;
}

/// An `InvalidInput` error (not an integer) in a batch is that command's result.
pub async fn test_batch_invalid_input_in_the_middle(store: TestStore) {
    for atomic in [false, true] {
        store.set("s", "abc").await.unwrap();
        let results = store
            .batch(vec![incr("n", 1), incr("s", 1), incr("n", 1)], atomic)
            .await
            .unwrap();
        let mut results = results.into_iter();
        assert_eq!(
            results.next().unwrap().unwrap(),
            Reply::Int(1),
            "first INCRBY ran"
        );
        assert_kind(
            results.next().unwrap(),
            ErrorKind::InvalidInput,
            "INCRBY of \"abc\" in a batch",
        );
        assert_eq!(
            results.next().unwrap().unwrap(),
            Reply::Int(2),
            "the INCRBY after the error ran (atomic: {atomic})"
        );
        store.del_multiple(&["n", "s"]).await.unwrap();
    }
}

/// An empty batch returns no results.
pub async fn test_batch_empty(store: TestStore) {
    assert!(
        store.batch(Vec::new(), false).await.unwrap().is_empty(),
        "an empty pipeline returns no results"
    );
    assert!(
        store.batch(Vec::new(), true).await.unwrap().is_empty(),
        "an empty transaction returns no results"
    );
    assert_eq!(
        store.dbsize().await.unwrap(),
        0,
        "an empty batch writes nothing"
    );
}

/// `BLPOP` on an empty list inside a pipeline returns nil at once instead of waiting.
pub async fn test_batch_pipeline_blpop_does_not_block(store: TestStore) {
    let started = Instant::now();
    let results = store
        .batch(
            vec![
                Command::BLPop {
                    keys: vec!["empty".into()],
                    timeout: Duration::from_secs(5),
                },
                set("after", "1"),
            ],
            false,
        )
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(2),
        "a blocking pop inside a pipeline does not block, took {elapsed:?}"
    );
    assert_eq!(
        ok_replies(results, "pipeline"),
        vec![Reply::Nil, Reply::ok()],
        "BLPOP of an empty list in a pipeline is nil, like its immediate timeout"
    );
}

/// Every blocking pop inside a transaction returns nil at once, as inside `MULTI`.
pub async fn test_batch_transaction_blocking_pops_do_not_block(store: TestStore) {
    let wait = Duration::from_secs(5);
    let started = Instant::now();
    let results = store
        .batch(
            vec![
                Command::BLPop {
                    keys: vec!["l".into()],
                    timeout: wait,
                },
                Command::BRPop {
                    keys: vec!["l".into(), "m".into()],
                    timeout: wait,
                },
                Command::BLMove {
                    source: "l".into(),
                    destination: "d".into(),
                    from: ListEnd::Left,
                    to: ListEnd::Right,
                    timeout: wait,
                },
                Command::BZPopMin {
                    keys: vec!["z".into()],
                    timeout: wait,
                },
                Command::BZPopMax {
                    keys: vec!["z".into()],
                    timeout: wait,
                },
            ],
            true,
        )
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(2),
        "blocking pops inside a transaction do not block, took {elapsed:?}"
    );
    assert_eq!(
        ok_replies(results, "transaction"),
        vec![Reply::Nil; 5],
        "blocking pops of empty keys inside a transaction are nil"
    );
    assert_eq!(store.dbsize().await.unwrap(), 0, "nothing was created");
}

/// A blocking pop inside a batch takes an element that is there.
pub async fn test_batch_blocking_pop_takes_available_element(store: TestStore) {
    for atomic in [false, true] {
        store.rpush_multiple("l", ["a", "b"]).await.unwrap();
        let results = store
            .batch(
                vec![
                    Command::BLPop {
                        keys: vec!["missing".into(), "l".into()],
                        timeout: Duration::from_secs(1),
                    },
                    Command::BRPop {
                        keys: vec!["l".into()],
                        timeout: Duration::from_secs(1),
                    },
                    Command::LLen { key: "l".into() },
                ],
                atomic,
            )
            .await
            .unwrap();
        assert_eq!(
            ok_replies(results, "batch"),
            vec![
                Reply::Array(vec![bulk("l"), bulk("a")]),
                Reply::Array(vec![bulk("l"), bulk("b")]),
                Reply::Int(0),
            ],
            "blocking pops in a batch pop what is there, naming the key (atomic: {atomic})"
        );
        assert_eq!(
            store.exists_multiple(&["l"]).await.unwrap(),
            0,
            "the emptied list is gone"
        );
    }
}

/// No other command runs between the commands of a transaction.
pub async fn test_batch_transaction_is_isolated(store: TestStore) {
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut pairs = Vec::new();
            for _ in 0..10 {
                let results = store
                    .batch(vec![incr("c", 1), incr("c", 1), incr("c", 1)], true)
                    .await
                    .unwrap();
                let values: Vec<Reply> = ok_replies(results, "transaction");
                pairs.push(values);
            }
            pairs
        }));
    }
    let mut firsts = Vec::new();
    for task in tasks {
        for values in task.await.unwrap() {
            let Reply::Int(first) = values[0] else {
                panic!("INCRBY replies an integer, got {values:?}");
            };
            assert_eq!(
                values,
                vec![
                    Reply::Int(first),
                    Reply::Int(first + 1),
                    Reply::Int(first + 2)
                ],
                "no other client's INCRBY runs inside a transaction"
            );
            firsts.push(first);
        }
    }
    firsts.sort();
    let want: Vec<i64> = (0..160).map(|i| i * 3 + 1).collect();
    assert_eq!(
        firsts, want,
        "every transaction ran exactly once, none overlapping"
    );
    assert_eq!(
        store.get("c").await.unwrap(),
        Some(Bytes::from("480")),
        "480 increments"
    );
}

/// A large pipeline returns every reply in order.
pub async fn test_batch_pipeline_many_commands(store: TestStore) {
    let mut commands = Vec::new();
    for i in 0..300 {
        commands.push(Command::RPush {
            key: "l".into(),
            values: vec![Bytes::from(i.to_string())],
        });
    }
    commands.push(Command::LRange {
        key: "l".into(),
        start: 0,
        stop: 2,
    });
    let replies = ok_replies(store.batch(commands, false).await.unwrap(), "pipeline");
    assert_eq!(replies.len(), 301, "one reply per command");
    for (i, reply) in replies.iter().take(300).enumerate() {
        assert_eq!(
            *reply,
            Reply::Int(i as i64 + 1),
            "pipelined RPUSH {i} ran in order"
        );
    }
    assert_eq!(
        replies[300],
        Reply::Array(vec![bulk("0"), bulk("1"), bulk("2")]),
        "pipelined pushes applied in order"
    );
}

/// TTL commands in a batch behave as outside one.
pub async fn test_batch_ttl_commands(store: TestStore) {
    let replies = ok_replies(
        store
            .batch(
                vec![
                    set("k", "v"),
                    Command::Expire {
                        key: "k".into(),
                        expiry: Expiry::Seconds(100),
                        condition: None,
                    },
                    Command::Ttl { key: "k".into() },
                    Command::Persist { key: "k".into() },
                    Command::Ttl { key: "k".into() },
                    Command::Ttl {
                        key: "missing".into(),
                    },
                ],
                true,
            )
            .await
            .unwrap(),
        "transaction",
    );
    assert_eq!(
        replies,
        vec![
            Reply::ok(),
            Reply::Int(1),
            Reply::Int(100),
            Reply::Int(1),
            Reply::Int(-1),
            Reply::Int(-2),
        ],
        "EXPIRE, TTL and PERSIST in a transaction"
    );
}

/// Compound operations and `PUBLISH` run inside batches with their usual replies.
pub async fn test_batch_compound_operations(store: TestStore) {
    for atomic in [false, true] {
        store.flushdb().await.unwrap();
        store.zadd("src", 1.0, "a").await.unwrap();
        store.zadd("src", 9.0, "z").await.unwrap();
        let commands = vec![
            Command::CompareAndSet {
                key: "lock".into(),
                expected: None,
                value: Bytes::from("t1"),
                expiry: Some(SetExpiry::Px(60_000)),
            },
            Command::CompareAndSet {
                key: "lock".into(),
                expected: None,
                value: Bytes::from("t2"),
                expiry: None,
            },
            Command::CompareAndDelete {
                key: "lock".into(),
                expected: Bytes::from("t1"),
            },
            Command::HCompareAndSet {
                key: "h".into(),
                field: "f".into(),
                expected: None,
                value: Bytes::from("v"),
            },
            Command::HCompareAndDelete {
                key: "h".into(),
                field: "f".into(),
                expected: Bytes::from("other"),
            },
            Command::IncrByEx {
                key: "rl".into(),
                delta: 2,
                ttl_ms: 60_000,
            },
            Command::ZMoveByScore {
                source: "src".into(),
                destination: "dst".into(),
                min: ScoreBound::MIN,
                max: ScoreBound::Inclusive(5.0),
                limit: None,
                score: MoveScore::Fixed(100.0),
            },
            Command::Publish {
                channel: super::keyspace::unique("batch").into(),
                message: Bytes::from("m"),
            },
        ];
        let replies = ok_replies(store.batch(commands, atomic).await.unwrap(), "batch");
        assert_eq!(
            replies,
            vec![
                Reply::Int(1),
                Reply::Int(0),
                Reply::Int(1),
                Reply::Int(1),
                Reply::Int(0),
                Reply::Int(2),
                Reply::Array(vec![Reply::Array(vec![bulk("a"), Reply::Double(1.0)])]),
                Reply::Int(0),
            ],
            "compound operations in a batch (atomic: {atomic})"
        );
        assert_eq!(
            store.exists_multiple(&["lock"]).await.unwrap(),
            0,
            "CAD in the batch deleted"
        );
        assert_eq!(
            store.hget("h", "f").await.unwrap(),
            Some(Bytes::from("v")),
            "HCAS in the batch wrote"
        );
        let ttl = store.ttl("rl").await.unwrap();
        assert!(
            (59..=60).contains(&ttl),
            "IncrByEx in a batch set the TTL, got {ttl}"
        );
        assert_eq!(
            store.zscore("dst", "a").await.unwrap(),
            Some(100.0),
            "ZMoveByScore in a batch moved with the fixed score"
        );
    }
}
