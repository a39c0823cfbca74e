//! Application crashes: the process using `Failover` is SIGKILLed while degraded, and while
//! replaying. The test binary re-invokes itself (the `child_process` test, which does nothing
//! unless `STAUNCH_FAILOVER_CHILD` is set) to get a process it can kill.
//!
//! - `app_crash_while_degraded`: a child writes during an outage with the file store as local
//!   and prints every acknowledged write; it is killed mid-run. A new process (this one) opens
//!   the same directory, Redis comes back, the journal replays: every acknowledged write is in
//!   Redis.
//! - `crash_during_replay`: a child replays a large journal and is killed part-way, three times
//!   in a row; then replay finishes here and the counters are exact: no entry applied twice,
//!   none lost.

mod failover_support;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use staunch::failover::{
    BreakerOptions, Failover, FailoverOptions, FailoverState, RetryOptions, watermark_key,
};
use staunch::prelude::*;
use staunch_core::testkit::redis_server::{RedisServer, RedisServerOptions, test_redis_server};
use staunch_redis::{RedisOptions, RedisStore};

const CHILD_ENV: &str = "STAUNCH_FAILOVER_CHILD";

fn options() -> FailoverOptions {
    let mut o = FailoverOptions::new()
        .breaker(
            BreakerOptions::new()
                .failure_threshold(1)
                .open_timeout(Duration::from_millis(200)),
        )
        .retry(RetryOptions::none())
        .probe_intervals(Duration::from_millis(100), Duration::from_millis(50))
        .call_timeout(Duration::from_millis(500));
    o.replay_group = 1;
    o
}

async fn open(url: &str, dir: &Path) -> Failover {
    let redis = RedisStore::lazy(
        RedisOptions::new(url)
            .response_timeout(Duration::from_millis(500))
            .connect_timeout(Duration::from_millis(300)),
    )
    .expect("redis options");
    failover_support::failover(redis)
        .local_file(dir)
        .options(options())
        .open()
        .await
        .expect("open failover")
}

/// The child side: `degraded-writer` writes (Redis is down) and prints acknowledgements;
/// `replayer` opens the directory and replays until killed or done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_process() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let url = std::env::var("CHILD_URL").expect("CHILD_URL");
    let dir = std::env::var("CHILD_DIR").expect("CHILD_DIR");
    let count: u64 = std::env::var("CHILD_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(u64::MAX);
    // libtest printed "test child_process ... " without a newline: start on a fresh line.
    println!();
    let store = open(&url, Path::new(&dir)).await;
    match mode.as_str() {
        "degraded-writer" => {
            for i in 1..=count {
                match store.incr("crash:counter").await {
                    Ok(_) => println!("incr {i}"),
                    Err(e) => println!("error {e:?}"),
                }
                if store
                    .rpush_multiple("crash:list", [format!("e{i}")])
                    .await
                    .is_ok()
                {
                    println!("push {i}");
                }
            }
            store.close().await.expect("close");
            println!("done");
        }
        "replayer" => {
            let t = Instant::now();
            while store.state() != FailoverState::Healthy && t.elapsed() < Duration::from_secs(60) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            println!("healthy");
        }
        other => panic!("unknown child mode {other}"),
    }
}

fn spawn_child(mode: &str, url: &str, dir: &Path, count: Option<u64>) -> Child {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = Process::new(exe);
    cmd.args([
        "child_process",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, mode)
    .env("CHILD_URL", url)
    .env("CHILD_DIR", dir)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    if let Some(c) = count {
        cmd.env("CHILD_COUNT", c.to_string());
    }
    cmd.spawn().expect("spawn child process")
}

async fn down_redis(what: &str) -> Option<RedisServer> {
    let mut server = test_redis_server(what, RedisServerOptions::new()).await?;
    server.kill();
    Some(server)
}

async fn wait_healthy(store: &Failover) {
    let t = Instant::now();
    while store.state() != FailoverState::Healthy {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "replay did not finish: {:?}, journal {}",
            store.state(),
            store.journal_len()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn strings(v: Vec<Bytes>) -> Vec<String> {
    v.into_iter()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

async fn counter(direct: &RedisStore) -> i64 {
    direct
        .get("crash:counter")
        .await
        .expect("GET")
        .map(|b| String::from_utf8_lossy(&b).parse().unwrap_or(-1))
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_crash_while_degraded() {
    let Some(mut server) = down_redis("failover app crash while degraded").await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let url = server.url();
    let mut child = spawn_child("degraded-writer", &url, dir.path(), None);
    let stdout = child.stdout.take().expect("child stdout");
    let reader = std::thread::spawn(move || {
        let (mut incr, mut pushed) = (0i64, Vec::new());
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(i) = line.strip_prefix("incr ") {
                incr = incr.max(i.parse::<i64>().unwrap_or(0));
                let _ = i;
            } else if let Some(i) = line.strip_prefix("push ") {
                pushed.push(format!("e{i}"));
            }
        }
        (incr, pushed)
    });
    // Let it write for a while, then kill it mid-run.
    let t = Instant::now();
    while t.elapsed() < Duration::from_millis(2500) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap child");
    let (incr_acked, pushed) = reader.join().expect("reader");
    assert!(
        incr_acked > 100,
        "the child acknowledged only {incr_acked} writes"
    );

    server.restart().await.expect("restart redis");
    let store = open(&url, dir.path()).await;
    wait_healthy(&store).await;
    let direct = RedisStore::connect(&url).await.expect("connect");
    let c = counter(&direct).await;
    assert!(
        c >= incr_acked && c <= incr_acked + 1,
        "counter {c}, acknowledged increments {incr_acked}"
    );
    let list = strings(direct.lrange("crash:list", 0, -1).await.expect("LRANGE"));
    let set: HashSet<&String> = list.iter().collect();
    assert_eq!(set.len(), list.len(), "an element was replayed twice");
    for p in &pushed {
        assert!(set.contains(p), "acknowledged push {p} is missing");
    }
    assert!(list.len() <= pushed.len() + 1);
    println!(
        "app crash while degraded: child killed after {incr_acked} acknowledged INCRs and {} pushes; \
         Redis has counter {c} and {} elements after replay",
        pushed.len(),
        list.len()
    );
    store.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_during_replay() {
    const COUNT: u64 = 4000;
    let Some(mut server) = down_redis("failover crash during replay").await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let url = server.url();
    // Phase 1: a journal of 2 * COUNT entries, written during the outage.
    let child = spawn_child("degraded-writer", &url, dir.path(), Some(COUNT));
    let out = child.wait_with_output().expect("writer child");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("done"), "writer child failed: {text}");
    for l in text.lines().filter(|l| l.starts_with("error")) {
        println!("writer child: {l}");
    }
    assert_eq!(
        text.lines().filter(|l| l.starts_with("incr ")).count() as u64,
        COUNT
    );

    server.restart().await.expect("restart redis");
    let direct = RedisStore::connect(&url).await.expect("connect");
    let node = std::fs::read_to_string(dir.path().join("NODE")).expect("NODE");
    let key = watermark_key(node.trim());
    // Phase 2: kill replaying children part-way, three times.
    let mut kills = Vec::new();
    for round in 1..=3u64 {
        let mut child = spawn_child("replayer", &url, dir.path(), None);
        let target = round * 2 * COUNT / 5;
        let t = Instant::now();
        let mark = loop {
            let mark: u64 = direct
                .get(&key)
                .await
                .expect("GET watermark")
                .and_then(|b| String::from_utf8_lossy(&b).parse().ok())
                .unwrap_or(0);
            if mark >= target || t.elapsed() > Duration::from_secs(60) {
                break mark;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        child.kill().expect("SIGKILL replayer");
        child.wait().expect("reap");
        assert!(mark >= target, "replay did not reach {target}");
        kills.push(mark);
    }
    let partial = counter(&direct).await;
    assert!(
        partial < COUNT as i64,
        "replay was already complete: {partial}"
    );
    // Phase 3: finish here.
    let store = open(&url, dir.path()).await;
    wait_healthy(&store).await;
    let c = counter(&direct).await;
    assert_eq!(c, COUNT as i64, "counter after replay (exactly once)");
    let list = strings(direct.lrange("crash:list", 0, -1).await.expect("LRANGE"));
    let set: HashSet<&String> = list.iter().collect();
    assert_eq!(list.len() as u64, COUNT, "list length after replay");
    assert_eq!(set.len(), list.len(), "an element was replayed twice");
    // Pushes were replayed in order.
    let expected: Vec<String> = (1..=COUNT).map(|i| format!("e{i}")).collect();
    assert_eq!(list, expected, "replay order");
    println!(
        "crash during replay: {} entries; replayers killed at watermarks {kills:?}; \
         counter {c} == {COUNT}, list exact and in order",
        2 * COUNT
    );
    store.close().await.expect("close");
}
