//! `Engine::execute_ref` (borrowed commands) answers and changes state exactly as the owned
//! command through `Engine::execute_now` does, from every kind of starting state, and declines
//! where the owned path has work to do (bounded engines).

use std::sync::Arc;

use staunch_core::{
    Bytes, Command, CommandRef, Expiry, ManualClock, Reply, ZRangeBy, ZRangeOptions,
};
use staunch_memory::Engine;

const T0: i64 = 1_700_000_000_000;

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn owned(key: &str, make: impl Fn(String) -> Command) -> Command {
    make(key.to_owned())
}

/// Starting states of key `k`: each value type, with and without a TTL, and expired.
fn setups() -> Vec<(&'static str, Vec<Command>, i64)> {
    let string = vec![owned("k", |key| Command::Set {
        key: key.into(),
        value: b("12"),
        options: Default::default(),
    })];
    let hash = vec![owned("k", |key| Command::HSet {
        key: key.into(),
        fields: vec![("f".into(), b("1")), ("g".into(), b("2"))],
    })];
    let list = vec![owned("k", |key| Command::RPush {
        key: key.into(),
        values: vec![b("a"), b("b")],
    })];
    let single = vec![owned("k", |key| Command::RPush {
        key: key.into(),
        values: vec![b("a")],
    })];
    let set = vec![owned("k", |key| Command::SAdd {
        key: key.into(),
        members: vec![b("a"), b("b")],
    })];
    let zset = vec![owned("k", |key| Command::ZAdd {
        key: key.into(),
        members: vec![(1.0, b("a")), (2.0, b("b"))],
        options: Default::default(),
    })];
    let ttl = |mut commands: Vec<Command>| {
        commands.push(Command::Expire {
            key: b"k".into(),
            expiry: Expiry::Millis(10_000),
            condition: None,
        });
        commands
    };
    let mut out = vec![("missing", Vec::new(), 0)];
    for (name, commands) in [
        ("string", string),
        ("hash", hash),
        ("list", list),
        ("single", single),
        ("set", set),
        ("zset", zset),
    ] {
        out.push((name, commands.clone(), 0));
        out.push((name, ttl(commands.clone()), 0));
        out.push((name, ttl(commands), 20_000));
    }
    out
}

fn commands() -> Vec<CommandRef<'static>> {
    let mut out = vec![
        CommandRef::Get { key: b"k" },
        CommandRef::Set {
            key: b"k",
            value: b("v"),
        },
        CommandRef::LPop { key: b"k" },
        CommandRef::RPop { key: b"k" },
        CommandRef::LPush {
            key: b"k",
            value: b("v"),
        },
        CommandRef::RPush {
            key: b"k",
            value: b("v"),
        },
    ];
    for field in [&b"f"[..], b"new"] {
        out.push(CommandRef::HGet { key: b"k", field });
        out.push(CommandRef::HSet {
            key: b"k",
            field,
            value: b("v"),
        });
    }
    for member in ["a", "new"] {
        out.push(CommandRef::SAdd {
            key: b"k",
            member: b(member),
        });
        out.push(CommandRef::SIsMember {
            key: b"k",
            member: b(member),
        });
        out.push(CommandRef::ZScore {
            key: b"k",
            member: b(member),
        });
        for score in [1.0, 5.0, -0.0] {
            out.push(CommandRef::ZAdd {
                key: b"k",
                score,
                member: b(member),
            });
        }
    }
    out
}

/// Everything observable about key `k`, from whichever command applies to its type.
fn state(engine: &Engine) -> Vec<Reply> {
    let key = || "k".to_owned();
    let probes = [
        Command::Type { key: key().into() },
        Command::Pttl { key: key().into() },
        Command::Get { key: key().into() },
        Command::HGetAll { key: key().into() },
        Command::LRange {
            key: key().into(),
            start: 0,
            stop: -1,
        },
        Command::SMembers { key: key().into() },
        Command::ZRange {
            key: key().into(),
            by: ZRangeBy::Rank { start: 0, stop: -1 },
            options: ZRangeOptions::new().with_scores(true),
        },
        Command::DbSize,
    ];
    probes
        .iter()
        .map(|c| match engine.execute_now(c).expect("reads run now") {
            Ok(reply) => reply.normalized(),
            Err(e) => Reply::Status(format!("error {:?}", e.kind())),
        })
        .collect()
}

fn engine_at(setup: &[Command], advance: i64) -> Engine {
    let clock = Arc::new(ManualClock::new(T0));
    let engine = Engine::new(clock.clone());
    for command in setup {
        engine
            .execute_now(command)
            .expect("runs now")
            .expect("setup succeeds");
    }
    clock.advance(advance);
    engine
}

fn outcome(result: staunch_core::Result<Reply>) -> Result<Reply, String> {
    result.map_err(|e| format!("{:?}: {}", e.kind(), e))
}

#[test]
fn borrowed_commands_match_their_owned_form_from_every_state() {
    for (name, setup, advance) in setups() {
        for command in commands() {
            let borrowed = engine_at(&setup, advance);
            let reference = engine_at(&setup, advance);
            let got = borrowed
                .execute_ref(&command)
                .expect("an unbounded engine without a log runs borrowed commands");
            let want = reference
                .execute_now(&command.clone().into_command())
                .expect("runs now");
            let context = format!("{command:?} on {name} (advanced {advance} ms)");
            assert_eq!(outcome(got), outcome(want), "reply of {context}");
            assert_eq!(state(&borrowed), state(&reference), "state after {context}");
        }
    }
}

#[test]
fn bounded_engines_decline_borrowed_commands() {
    let engine = Engine::with_bound(Arc::new(ManualClock::new(T0)), Some(1 << 20));
    for command in commands() {
        assert!(engine.execute_ref(&command).is_none(), "{command:?}");
    }
}

/// A log that accepts everything at once.
struct NullLog;

#[staunch_core::async_trait]
impl staunch_memory::WriteLog for NullLog {
    fn append(
        &self,
        _now_ms: i64,
        _effects: Vec<Command>,
        _journaled: bool,
    ) -> staunch_core::Result<u64> {
        Ok(0)
    }

    async fn wait_durable(&self, _ticket: u64) -> staunch_core::Result<()> {
        Ok(())
    }
}

#[test]
fn logged_engines_run_borrowed_reads_and_decline_borrowed_writes() {
    let engine = Engine::new(Arc::new(ManualClock::new(T0)));
    engine.set_write_log(Some(Arc::new(NullLog)));
    for command in commands() {
        let ran = engine.execute_ref(&command).is_some();
        assert_eq!(
            ran,
            !command.clone().into_command().is_write(),
            "{command:?}"
        );
    }
}
