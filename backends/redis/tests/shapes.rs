//! Reply shapes of the Redis backend against a real `redis-server`, exactly as the `Command`
//! docs state them (Redis is the judge: a mismatch means the doc is fixed, not the reply).

mod common;

use std::time::Duration;

use common::{b, bulk, run, store};
use staunch_core::prelude::*;

#[tokio::test]
async fn reply_shapes_match_the_command_docs() {
    let Some((_target, s)) = store("reply shapes").await else {
        return;
    };
    let z = "z".to_owned();
    run(
        &s,
        Command::ZAdd {
            key: z.clone().into(),
            members: vec![(1.0, b("a")), (2.5, b("b")), (3.0, b("c"))],
            options: ZAddOptions::new(),
        },
    )
    .await;
    assert_eq!(
        run(
            &s,
            Command::ZPopMin {
                key: z.clone().into(),
                count: None
            }
        )
        .await,
        Reply::Array(vec![bulk("a"), Reply::Double(1.0)])
    );
    assert_eq!(
        run(
            &s,
            Command::ZPopMin {
                key: z.clone().into(),
                count: Some(1)
            }
        )
        .await,
        Reply::Array(vec![Reply::Array(vec![bulk("b"), Reply::Double(2.5)])])
    );
    assert_eq!(
        run(
            &s,
            Command::ZPopMax {
                key: "none".into(),
                count: None
            }
        )
        .await,
        Reply::Array(vec![])
    );
    assert_eq!(
        run(
            &s,
            Command::ZRange {
                key: z.clone().into(),
                by: ZRangeBy::Rank { start: 0, stop: -1 },
                options: ZRangeOptions::new().with_scores(true),
            }
        )
        .await,
        Reply::Array(vec![Reply::Array(vec![bulk("c"), Reply::Double(3.0)])])
    );
    assert_eq!(
        run(
            &s,
            Command::ZAdd {
                key: z.clone().into(),
                members: vec![(1.0, b("c"))],
                options: ZAddOptions::new().incr(true),
            }
        )
        .await,
        Reply::Double(4.0)
    );
    assert_eq!(
        run(
            &s,
            Command::ZAdd {
                key: z.clone().into(),
                members: vec![(1.0, b("c"))],
                options: ZAddOptions::new().incr(true).condition(SetCondition::Nx),
            }
        )
        .await,
        Reply::Nil
    );
    assert_eq!(
        run(
            &s,
            Command::ZMScore {
                key: z.clone().into(),
                members: vec![b("c"), b("x")]
            }
        )
        .await,
        Reply::Array(vec![Reply::Double(4.0), Reply::Nil])
    );
    assert_eq!(
        run(
            &s,
            Command::BZPopMin {
                keys: vec![z.clone().into()],
                timeout: Duration::from_millis(10)
            }
        )
        .await,
        Reply::Array(vec![bulk("z"), bulk("c"), Reply::Double(4.0)])
    );
    assert_eq!(
        run(
            &s,
            Command::Type {
                key: z.clone().into()
            }
        )
        .await,
        Reply::Status("none".into())
    );

    run(
        &s,
        Command::HSet {
            key: "h".into(),
            fields: vec![("f".into(), b("v"))],
        },
    )
    .await;
    assert_eq!(
        run(&s, Command::HGetAll { key: "h".into() }).await,
        Reply::Map(vec![(bulk("f"), bulk("v"))])
    );
    assert_eq!(
        run(&s, Command::HGetAll { key: "nope".into() }).await,
        Reply::Map(vec![])
    );
    assert_eq!(
        run(&s, Command::Type { key: "h".into() }).await,
        Reply::Status("hash".into())
    );

    run(
        &s,
        Command::SAdd {
            key: "s".into(),
            members: vec![b("x"), b("y")],
        },
    )
    .await;
    assert!(
        matches!(run(&s, Command::SMembers { key: "s".into() }).await, Reply::Set(m) if m.len() == 2)
    );
    assert!(matches!(
        run(&s, Command::SRandMember { key: "s".into(), count: Some(-3) }).await,
        Reply::Array(m) if m.len() == 3
    ));
    assert!(
        matches!(run(&s, Command::SPop { key: "s".into(), count: Some(1) }).await, Reply::Set(m) if m.len() == 1)
    );
    assert_eq!(
        run(
            &s,
            Command::SPop {
                key: "nope".into(),
                count: Some(2)
            }
        )
        .await,
        Reply::Set(vec![])
    );
    assert_eq!(
        run(
            &s,
            Command::SMIsMember {
                key: "s".into(),
                members: vec![b("q")]
            }
        )
        .await,
        Reply::Array(vec![Reply::Int(0)])
    );

    assert_eq!(
        run(
            &s,
            Command::LPop {
                key: "nol".into(),
                count: Some(2)
            }
        )
        .await,
        Reply::Nil
    );
    assert_eq!(
        run(
            &s,
            Command::LPop {
                key: "nol".into(),
                count: None
            }
        )
        .await,
        Reply::Nil
    );
    assert_eq!(
        run(
            &s,
            Command::IncrByFloat {
                key: "f".into(),
                delta: 1.5
            }
        )
        .await,
        bulk("1.5")
    );
    assert_eq!(
        run(
            &s,
            Command::Set {
                key: "k".into(),
                value: b("v"),
                options: SetOptions::new()
            }
        )
        .await,
        Reply::ok()
    );
    assert_eq!(
        run(
            &s,
            Command::Set {
                key: "k".into(),
                value: b("w"),
                options: SetOptions::new().get(true)
            }
        )
        .await,
        bulk("v")
    );
    let scan = run(
        &s,
        Command::Scan {
            cursor: 0,
            options: ScanOptions::new().count(100),
        },
    )
    .await;
    let Reply::Array(parts) = scan else {
        panic!("SCAN shape: {scan:?}")
    };
    assert_eq!(parts[0], bulk("0"));
    assert!(matches!(&parts[1], Reply::Array(keys) if !keys.is_empty()));
}

#[tokio::test]
async fn more_reply_shapes_match_the_command_docs() {
    let Some((_target, s)) = store("more reply shapes").await else {
        return;
    };
    run(
        &s,
        Command::SAdd {
            key: "a".into(),
            members: vec![b("x"), b("y")],
        },
    )
    .await;
    run(
        &s,
        Command::SAdd {
            key: "c".into(),
            members: vec![b("y")],
        },
    )
    .await;
    for command in [
        Command::SInter {
            keys: vec!["a".into(), "c".into()],
        },
        Command::SUnion {
            keys: vec!["a".into(), "c".into()],
        },
        Command::SDiff {
            keys: vec!["a".into(), "c".into()],
        },
    ] {
        let reply = run(&s, command).await;
        assert!(
            matches!(reply, Reply::Set(ref m) if m.len() == 1 || m.len() == 2),
            "{reply:?}"
        );
    }
    run(
        &s,
        Command::HSet {
            key: "h".into(),
            fields: vec![("f".into(), b("1"))],
        },
    )
    .await;
    assert_eq!(
        run(&s, Command::HKeys { key: "h".into() }).await,
        Reply::Array(vec![bulk("f")])
    );
    assert_eq!(
        run(&s, Command::HVals { key: "h".into() }).await,
        Reply::Array(vec![bulk("1")])
    );
    assert_eq!(
        run(
            &s,
            Command::HIncrByFloat {
                key: "h".into(),
                field: "f".into(),
                delta: 0.5
            }
        )
        .await,
        bulk("1.5")
    );
    assert_eq!(
        run(
            &s,
            Command::HMGet {
                key: "h".into(),
                fields: vec!["f".into(), "g".into()]
            }
        )
        .await,
        Reply::Array(vec![bulk("1.5"), Reply::Nil])
    );
    assert_eq!(
        run(
            &s,
            Command::ZIncrBy {
                key: "z".into(),
                delta: 2.0,
                member: b("m")
            }
        )
        .await,
        Reply::Double(2.0)
    );
    assert_eq!(
        run(
            &s,
            Command::ZScore {
                key: "z".into(),
                member: b("m")
            }
        )
        .await,
        Reply::Double(2.0)
    );
    assert_eq!(
        run(
            &s,
            Command::ZRank {
                key: "z".into(),
                member: b("m")
            }
        )
        .await,
        Reply::Int(0)
    );
    assert_eq!(
        run(
            &s,
            Command::ZRevRank {
                key: "z".into(),
                member: b("q")
            }
        )
        .await,
        Reply::Nil
    );
    assert_eq!(
        run(
            &s,
            Command::MGet {
                keys: vec!["h".into(), "none".into()]
            }
        )
        .await,
        Reply::Array(vec![Reply::Nil, Reply::Nil])
    );
    run(
        &s,
        Command::RPush {
            key: "l".into(),
            values: vec![b("1"), b("2")],
        },
    )
    .await;
    assert_eq!(
        run(
            &s,
            Command::LSet {
                key: "l".into(),
                index: 0,
                value: b("0")
            }
        )
        .await,
        Reply::ok()
    );
    let e = s
        .execute(Command::LSet {
            key: "l".into(),
            index: 9,
            value: b("0"),
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    let e = s
        .execute(Command::LSet {
            key: "nol".into(),
            index: 0,
            value: b("0"),
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(
        run(
            &s,
            Command::LMove {
                source: "l".into(),
                destination: "l2".into(),
                from: ListEnd::Left,
                to: ListEnd::Right,
            }
        )
        .await,
        bulk("0")
    );
    assert_eq!(
        run(
            &s,
            Command::ZRange {
                key: "z".into(),
                by: ZRangeBy::Score {
                    min: ScoreBound::Exclusive(1.0),
                    max: ScoreBound::MAX
                },
                options: ZRangeOptions::new().rev(true).limit(0, 1),
            }
        )
        .await,
        Reply::Array(vec![bulk("m")])
    );
    assert_eq!(
        run(
            &s,
            Command::ZRange {
                key: "z".into(),
                by: ZRangeBy::Lex {
                    min: LexBound::Min,
                    max: LexBound::Inclusive(b("m"))
                },
                options: ZRangeOptions::new().rev(true),
            }
        )
        .await,
        Reply::Array(vec![bulk("m")])
    );
    assert_eq!(
        run(
            &s,
            Command::GetEx {
                key: "none".into(),
                expiry: Some(GetExExpiry::Persist)
            }
        )
        .await,
        Reply::Nil
    );
    assert_eq!(run(&s, Command::FlushDb).await, Reply::ok());
    assert_eq!(run(&s, Command::DbSize).await, Reply::Int(0));
}
