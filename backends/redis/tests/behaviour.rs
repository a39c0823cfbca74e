//! The Redis backend's own tests against a real `redis-server`: error kinds, the Lua compound
//! operations, batches, blocking pops, URLs and credentials, pub/sub.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{b, bulk, run, store};
use staunch_core::prelude::*;
use staunch_core::testkit::redis_server::{RedisServerOptions, test_redis_server};
use staunch_core::{GapReason, SubscriptionEvent};
use staunch_redis::{RedisOptions, RedisStore};

#[tokio::test]
async fn errors_have_the_right_kinds() {
    let Some((_target, s)) = store("error kinds").await else {
        return;
    };
    s.execute(Command::SAdd {
        key: "s".into(),
        members: vec![b("x")],
    })
    .await
    .unwrap();
    let e = s
        .execute(Command::Get { key: "s".into() })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongType, "{e}");
    let e = s
        .execute(Command::Rename {
            key: "missing".into(),
            new_key: "x".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    s.execute(Command::Set {
        key: "t".into(),
        value: b("text"),
        options: SetOptions::new(),
    })
    .await
    .unwrap();
    let e = s
        .execute(Command::IncrBy {
            key: "t".into(),
            delta: 1,
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    let e = s
        .execute(Command::CompareAndSet {
            key: "s".into(),
            expected: None,
            value: b("v"),
            expiry: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongType, "{e}");
}

#[tokio::test]
async fn compound_operations_run_as_scripts() {
    let Some((_target, s)) = store("compound operations").await else {
        return;
    };
    let members: Vec<(f64, Bytes)> = (0..5)
        .map(|i| (i as f64 + 0.5, b(&format!("m{i}"))))
        .collect();
    s.execute(Command::ZAdd {
        key: "{q}due".into(),
        members,
        options: ZAddOptions::new(),
    })
    .await
    .unwrap();
    let moved = run(
        &s,
        Command::ZMoveByScore {
            source: "{q}due".into(),
            destination: "{q}run".into(),
            min: ScoreBound::MIN,
            max: ScoreBound::Inclusive(2.5),
            limit: Some(2),
            score: MoveScore::Fixed(100.0),
        },
    )
    .await;
    assert_eq!(
        moved,
        Reply::Array(vec![
            Reply::Array(vec![bulk("m0"), Reply::Double(0.5)]),
            Reply::Array(vec![bulk("m1"), Reply::Double(1.5)]),
        ])
    );
    assert_eq!(
        run(
            &s,
            Command::ZScore {
                key: "{q}run".into(),
                member: b("m1")
            }
        )
        .await,
        Reply::Double(100.0)
    );
    let all = run(
        &s,
        Command::ZMoveByScore {
            source: "{q}due".into(),
            destination: "{q}run".into(),
            min: ScoreBound::MIN,
            max: ScoreBound::MAX,
            limit: None,
            score: MoveScore::Keep,
        },
    )
    .await;
    assert!(
        matches!(all, Reply::Array(ref v) if v.len() == 3),
        "{all:?}"
    );
    assert_eq!(
        run(
            &s,
            Command::Exists {
                keys: vec!["{q}due".into()]
            }
        )
        .await,
        Reply::Int(0)
    );

    let cas = |expected: Option<&str>, value: &str| Command::CompareAndSet {
        key: "lock".into(),
        expected: expected.map(b),
        value: b(value),
        expiry: Some(SetExpiry::Px(60_000)),
    };
    assert_eq!(run(&s, cas(None, "a")).await, Reply::Int(1));
    assert_eq!(run(&s, cas(None, "b")).await, Reply::Int(0));
    assert_eq!(run(&s, cas(Some("x"), "b")).await, Reply::Int(0));
    assert_eq!(run(&s, cas(Some("a"), "b")).await, Reply::Int(1));
    assert!(
        matches!(run(&s, Command::Pttl { key: "lock".into() }).await, Reply::Int(ms) if ms > 0)
    );
    assert_eq!(
        run(
            &s,
            Command::CompareAndDelete {
                key: "lock".into(),
                expected: b("a")
            }
        )
        .await,
        Reply::Int(0)
    );
    assert_eq!(
        run(
            &s,
            Command::CompareAndDelete {
                key: "lock".into(),
                expected: b("b")
            }
        )
        .await,
        Reply::Int(1)
    );

    let hcas = |expected: Option<&str>, value: &str| Command::HCompareAndSet {
        key: "bot".into(),
        field: "state".into(),
        expected: expected.map(b),
        value: b(value),
    };
    assert_eq!(run(&s, hcas(None, "idle")).await, Reply::Int(1));
    assert_eq!(run(&s, hcas(Some("busy"), "idle")).await, Reply::Int(0));
    assert_eq!(run(&s, hcas(Some("idle"), "busy")).await, Reply::Int(1));
    assert_eq!(
        run(
            &s,
            Command::HCompareAndDelete {
                key: "bot".into(),
                field: "state".into(),
                expected: b("busy")
            }
        )
        .await,
        Reply::Int(1)
    );
    assert_eq!(
        run(
            &s,
            Command::Exists {
                keys: vec!["bot".into()]
            }
        )
        .await,
        Reply::Int(0)
    );

    let incr = || Command::IncrByEx {
        key: "rate".into(),
        delta: i64::MAX - 1,
        ttl_ms: 10_000,
    };
    assert_eq!(run(&s, incr()).await, Reply::Int(i64::MAX - 1));
    let e = s.execute(incr()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "overflow: {e}");
    assert!(
        matches!(run(&s, Command::Pttl { key: "rate".into() }).await, Reply::Int(ms) if ms > 0)
    );

    // The scripts survive a SCRIPT FLUSH (EVALSHA falls back to EVAL).
    let raw = redis::Client::open(_target.target.url()).unwrap();
    let mut conn = raw.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(run(&s, cas(None, "c")).await, Reply::Int(1));
}

#[tokio::test]
async fn compare_and_set_is_won_once_under_contention() {
    let Some((_target, s)) = store("contended compare-and-set").await else {
        return;
    };
    let s = Arc::new(s);
    let mut tasks = Vec::new();
    for i in 0..32 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.execute(Command::CompareAndSet {
                key: "once".into(),
                expected: None,
                value: b(&i.to_string()),
                expiry: None,
            })
            .await
            .unwrap()
        }));
    }
    let mut wins = 0;
    for t in tasks {
        if t.await.unwrap() == Reply::Int(1) {
            wins += 1;
        }
    }
    assert_eq!(wins, 1);
}

#[tokio::test]
async fn batches_return_one_result_per_command() {
    let Some((_target, s)) = store("batches").await else {
        return;
    };
    let commands = || {
        vec![
            Command::RPush {
                key: "l".into(),
                values: vec![b("a"), b("b")],
            },
            Command::Get { key: "l".into() },
            Command::BLPop {
                keys: vec!["l".into()],
                timeout: Duration::ZERO,
            },
            Command::BLPop {
                keys: vec!["empty".into()],
                timeout: Duration::ZERO,
            },
            Command::IncrByEx {
                key: "n".into(),
                delta: 2,
                ttl_ms: 5000,
            },
            Command::LLen { key: "l".into() },
        ]
    };
    for atomic in [false, true] {
        s.flushdb().await.unwrap();
        let started = Instant::now();
        let results = s.batch(commands(), atomic).await.expect("batch");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a batch never blocks"
        );
        assert_eq!(results.len(), 6);
        assert_eq!(results[0].as_ref().unwrap(), &Reply::Int(2));
        assert_eq!(
            results[1].as_ref().unwrap_err().kind(),
            ErrorKind::WrongType
        );
        assert_eq!(
            results[2].as_ref().unwrap(),
            &Reply::Array(vec![bulk("l"), bulk("a")]),
            "atomic={atomic}"
        );
        assert_eq!(results[3].as_ref().unwrap(), &Reply::Nil, "atomic={atomic}");
        assert_eq!(results[4].as_ref().unwrap(), &Reply::Int(2));
        assert_eq!(results[5].as_ref().unwrap(), &Reply::Int(1));
    }
    // A command Redis rejects while queueing aborts the whole transaction.
    let results = s
        .batch(
            vec![
                Command::Set {
                    key: "k".into(),
                    value: b("v"),
                    options: SetOptions::new(),
                },
                Command::Del { keys: vec![] },
            ],
            true,
        )
        .await
        .unwrap();
    assert_eq!(
        results[0].as_ref().unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        results[1].as_ref().unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        run(
            &s,
            Command::Exists {
                keys: vec!["k".into()]
            }
        )
        .await,
        Reply::Int(0)
    );
    assert!(s.batch(vec![], false).await.unwrap().is_empty());
}

#[tokio::test]
async fn blocking_pop_is_woken_by_a_push_from_another_task() {
    let Some((_target, s)) = store("blocking pop wake-up").await else {
        return;
    };
    let s = Arc::new(s);
    let waiter = {
        let s = s.clone();
        tokio::spawn(async move {
            s.execute(Command::BLPop {
                keys: vec!["jobs".into()],
                timeout: Duration::from_secs(5),
            })
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The shared connection is not stalled by the waiting BLPOP.
    let started = Instant::now();
    assert_eq!(
        run(&s, Command::LLen { key: "jobs".into() }).await,
        Reply::Int(0)
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not stalled by BLPOP"
    );
    run(
        &s,
        Command::RPush {
            key: "jobs".into(),
            values: vec![b("job-1")],
        },
    )
    .await;
    let popped = tokio::time::timeout(Duration::from_secs(3), waiter)
        .await
        .expect("woken")
        .unwrap()
        .unwrap();
    assert_eq!(popped, Reply::Array(vec![bulk("jobs"), bulk("job-1")]));

    // Zero timeout waits forever, until woken.
    let waiter = {
        let s = s.clone();
        tokio::spawn(async move {
            s.execute(Command::BZPopMax {
                keys: vec!["zq".into()],
                timeout: Duration::ZERO,
            })
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    run(
        &s,
        Command::ZAdd {
            key: "zq".into(),
            members: vec![(7.0, b("m"))],
            options: ZAddOptions::new(),
        },
    )
    .await;
    let popped = tokio::time::timeout(Duration::from_secs(3), waiter)
        .await
        .expect("woken")
        .unwrap()
        .unwrap();
    assert_eq!(
        popped,
        Reply::Array(vec![bulk("zq"), bulk("m"), Reply::Double(7.0)])
    );
}

#[tokio::test]
async fn blocking_pop_times_out_with_nil() {
    let Some((_target, s)) = store("blocking pop timeout").await else {
        return;
    };
    let started = Instant::now();
    let reply = run(
        &s,
        Command::BRPop {
            keys: vec!["nothing".into()],
            timeout: Duration::from_millis(300),
        },
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(reply, Reply::Nil);
    assert!(
        elapsed >= Duration::from_millis(290) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
    let reply = run(
        &s,
        Command::BLMove {
            source: "nothing".into(),
            destination: "other".into(),
            from: ListEnd::Left,
            to: ListEnd::Right,
            timeout: Duration::from_millis(100),
        },
    )
    .await;
    assert_eq!(reply, Reply::Nil);

    // A dropped blocking call releases its connection: the element goes to the next caller.
    let s = Arc::new(s);
    let dropped = {
        let s = s.clone();
        tokio::spawn(async move {
            s.execute(Command::BLPop {
                keys: vec!["q".into()],
                timeout: Duration::ZERO,
            })
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    dropped.abort();
    tokio::time::sleep(Duration::from_millis(100)).await;
    run(
        &s,
        Command::RPush {
            key: "q".into(),
            values: vec![b("x")],
        },
    )
    .await;
    assert_eq!(
        run(
            &s,
            Command::LPop {
                key: "q".into(),
                count: None
            }
        )
        .await,
        bulk("x")
    );
}

#[tokio::test]
async fn url_selects_database_and_credentials() {
    let Some(server) = test_redis_server(
        "URL database and password",
        RedisServerOptions::new().arg("--requirepass").arg("s3cret"),
    )
    .await
    else {
        return;
    };
    let port = server.port();
    let db3 = RedisStore::connect(&format!("redis://:s3cret@127.0.0.1:{port}/3"))
        .await
        .expect("db 3");
    let db0 = RedisStore::connect(&format!("redis://:s3cret@127.0.0.1:{port}/0"))
        .await
        .expect("db 0");
    db3.set("where", "three").await.unwrap();
    assert_eq!(db0.get("where").await.unwrap(), None);
    assert_eq!(db3.get("where").await.unwrap(), Some(b("three")));
    assert_eq!(db0.dbsize().await.unwrap(), 0);
    // ACL user `default` named explicitly works too.
    let named = RedisStore::connect(&format!("redis://default:s3cret@127.0.0.1:{port}/3"))
        .await
        .expect("user");
    assert_eq!(named.get("where").await.unwrap(), Some(b("three")));

    let wrong = RedisStore::connect(&format!("redis://:wrong@127.0.0.1:{port}"))
        .await
        .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::InvalidInput, "{wrong}");
    assert!(wrong.to_string().contains("credentials"), "{wrong}");
    let none = RedisStore::connect(&format!("redis://127.0.0.1:{port}")).await;
    let err = match none {
        Ok(store) => store.get("x").await.unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");

    let bad = RedisStore::connect("not a url").await.unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidInput);
    if !cfg!(feature = "tls") {
        let tls = RedisStore::connect("rediss://127.0.0.1:1")
            .await
            .unwrap_err();
        assert_eq!(tls.kind(), ErrorKind::Unsupported, "{tls}");
        assert!(tls.to_string().contains("tls"), "{tls}");
    }
    let zero =
        RedisStore::connect_with(RedisOptions::new(server.url()).response_timeout(Duration::ZERO))
            .await
            .unwrap_err();
    assert_eq!(zero.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn subscriptions_receive_messages_and_patterns() {
    use futures_util::StreamExt;
    let Some((_target, s)) = store("pub/sub").await else {
        return;
    };
    let mut sub = s
        .subscribe(vec!["news".into()], vec!["ev.*".into()])
        .await
        .unwrap();
    assert_eq!(
        run(
            &s,
            Command::Publish {
                channel: "news".into(),
                message: b("hello")
            }
        )
        .await,
        Reply::Int(1)
    );
    assert_eq!(
        run(
            &s,
            Command::Publish {
                channel: "ev.1".into(),
                message: b("e")
            }
        )
        .await,
        Reply::Int(1)
    );
    let first = tokio::time::timeout(Duration::from_secs(2), sub.next())
        .await
        .unwrap()
        .unwrap();
    let second = tokio::time::timeout(Duration::from_secs(2), sub.next())
        .await
        .unwrap()
        .unwrap();
    let first = first.into_message().unwrap();
    assert_eq!(
        (first.channel.as_str(), first.payload.as_ref()),
        (Some("news"), b"hello".as_ref())
    );
    let second = second.into_message().unwrap();
    assert_eq!(second.pattern.as_deref(), Some(&b"ev.*"[..]));
    assert_eq!(second.channel, "ev.1");
    drop(sub);
    // Dropping the subscription unsubscribes.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let n = run(
            &s,
            Command::Publish {
                channel: "news".into(),
                message: b("x"),
            },
        )
        .await;
        if n == Reply::Int(0) {
            break;
        }
        assert!(Instant::now() < deadline, "still subscribed after drop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = GapReason::Reconnected;
    let _ = SubscriptionEvent::Gap(GapReason::Reconnected);
}

/// Plain pipelines invoke cached scripts by SHA1; a `SCRIPT FLUSH` under a live connection
/// must neither lose a script command silently nor run one out of order.
#[tokio::test]
async fn pipelined_scripts_survive_a_script_flush() {
    let Some((target, s)) = store("pipelined scripts after SCRIPT FLUSH").await else {
        return;
    };
    let add = |member: &str| Command::ZAdd {
        key: "{q}due".into(),
        members: vec![(1.0, b(member))],
        options: ZAddOptions::new(),
    };
    let mv = || Command::ZMoveByScore {
        source: "{q}due".into(),
        destination: "{q}run".into(),
        min: ScoreBound::MIN,
        max: ScoreBound::MAX,
        limit: Some(1),
        score: MoveScore::Keep,
    };
    let moved = |reply: staunch_core::Result<Reply>| -> Vec<Bytes> {
        reply
            .unwrap()
            .into_scored()
            .unwrap()
            .into_iter()
            .map(|(m, _)| m)
            .collect()
    };
    let flush = || async {
        let raw = redis::Client::open(target.target.url()).unwrap();
        let mut conn = raw.get_multiplexed_async_connection().await.unwrap();
        let _: () = redis::cmd("SCRIPT")
            .arg("FLUSH")
            .query_async(&mut conn)
            .await
            .unwrap();
    };
    // The first use sends the source, the second only the SHA1.
    for member in ["a", "b"] {
        let mut r = s.batch(vec![add(member), mv()], false).await.unwrap();
        assert_eq!(moved(r.remove(1)), vec![b(member)]);
    }
    // A script that was the pipeline's last command is repeated with its source.
    flush().await;
    let mut r = s.batch(vec![add("c"), mv()], false).await.unwrap();
    assert_eq!(moved(r.remove(1)), vec![b("c")]);
    // One followed by other commands did not run and says so; the next batch works again.
    flush().await;
    let mut r = s
        .batch(
            vec![
                add("d"),
                mv(),
                Command::ZCard {
                    key: "{q}due".into(),
                },
            ],
            false,
        )
        .await
        .unwrap();
    let e = r.remove(1).unwrap_err();
    assert!(e.message().starts_with("NOSCRIPT"), "{e}");
    assert_eq!(r.remove(1).unwrap(), Reply::Int(1), "d is still due");
    let mut r = s.batch(vec![mv()], false).await.unwrap();
    assert_eq!(moved(r.remove(0)), vec![b("d")]);
    // Inside MULTI scripts always carry their source, so a flush cannot split a transaction.
    flush().await;
    let mut r = s.batch(vec![add("e"), mv()], true).await.unwrap();
    assert_eq!(moved(r.remove(1)), vec![b("e")]);
}
