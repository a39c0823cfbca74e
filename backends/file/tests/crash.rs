//! Crash test with real processes: a child writes self-checking data with `FsyncPolicy::Always`
//! and is SIGKILLed at random moments; after every kill the store is reopened and every write
//! the child acknowledged must be there, in order, with no gap.
//!
//! The child is this test binary started again with `--crash-writer` (`crash_writer/mod.rs`;
//! see its docs for the data), so the published crate ships no test binary. It runs
//! four concurrent writers, so kills land in the middle of group commits, and a tiny
//! compaction threshold, so they land in the middle of compactions too; some land while it is
//! still recovering from the previous kill.
//!
//! 200 kill cycles by default (and a quarter of that under each of `everysec` and `no`, where
//! a killed process must not lose acknowledged writes either); for longer runs set
//! `STAUNCH_CRASH_CYCLES`, e.g.
//!
//! ```text
//! STAUNCH_CRASH_CYCLES=5000 cargo test --release -p staunch-file --test crash -- --nocapture
//! ```

mod crash_writer;

use std::io::{BufRead, BufReader, Read};
use std::process::ExitCode;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;
use staunch_core::prelude::*;
use staunch_file::FileStore;

const WRITERS: usize = 4;

/// The tests here run one at a time. While this process holds a directory lock, a child being
/// spawned by another thread briefly holds a copy of the lock's file descriptor (between its
/// fork and its exec), so a concurrently spawned writer could see its directory as locked.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn cycles() -> usize {
    std::env::var("STAUNCH_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Checks the directory against what the child acknowledged; returns each writer's count.
async fn verify(dir: &std::path::Path, acked: &[u64], cycle: usize) -> Vec<u64> {
    let store = match FileStore::open(dir).await {
        Ok(store) => store,
        Err(e) => panic!("cycle {cycle}: reopening after a kill failed: {e}"),
    };
    let mut counts = Vec::new();
    for (t, &acked) in acked.iter().enumerate() {
        let items = store
            .lrange(&format!("seq:{t}"), 0, -1)
            .await
            .expect("lrange");
        let numbers: Vec<u64> = items
            .iter()
            .map(|b| {
                std::str::from_utf8(b)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| panic!("cycle {cycle}: seq:{t} holds {b:?}"))
            })
            .collect();
        let m = numbers.len() as u64;
        for (index, &n) in numbers.iter().enumerate() {
            assert_eq!(
                n,
                index as u64 + 1,
                "cycle {cycle}: seq:{t} is out of order or has a gap at index {index}"
            );
        }
        assert!(
            m >= acked,
            "cycle {cycle}: writer {t} had {acked} writes acknowledged, only {m} survived"
        );
        let counter = store
            .get_string(&format!("n:{t}"))
            .await
            .expect("get")
            .map_or(0, |s| s.parse::<u64>().expect("counter is a number"));
        assert!(
            counter == m || counter + 1 == m,
            "cycle {cycle}: writer {t}: counter {counter} does not match {m} list items"
        );
        counts.push(m);
    }
    let report = store.open_report().clone();
    store.close().await.expect("close");
    assert_eq!(report.repaired_bytes_dropped, 0);
    counts
}

async fn every_acknowledged_write_survives_sigkill() {
    kill_cycles("always", cycles()).await;
}

/// Under `everysec` and `no` a write reaches the operating system before it is acknowledged,
/// so killing the process (not the machine) loses nothing acknowledged either.
async fn every_acknowledged_write_survives_sigkill_under_everysec_and_no() {
    let cycles = (cycles() / 4).max(10);
    kill_cycles("everysec", cycles).await;
    kill_cycles("no", cycles).await;
}

async fn kill_cycles(policy: &str, cycles: usize) {
    let _alone = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_arg = dir.path().to_str().expect("utf-8 temp dir").to_owned();
    let mut acked = vec![0u64; WRITERS];
    let mut rng = rand::rng();
    let started = Instant::now();
    let mut total_acks = 0u64;
    let mut kills_mid_write = 0usize;
    for cycle in 0..cycles {
        let mut child = Command::new(std::env::current_exe().expect("the test binary"))
            .args([
                crash_writer::ARG,
                "write",
                &dir_arg,
                &WRITERS.to_string(),
                policy,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the crash writer");
        let stdout = child.stdout.take().expect("child stdout");
        let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            // Only complete lines count: a line cut by the kill was never fully reported.
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            while let Ok(n) = reader.read_line(&mut line) {
                if n == 0
                    || !line.ends_with('\n')
                    || lines_tx.send(line.trim_end().to_owned()).is_err()
                {
                    break;
                }
                line.clear();
            }
        });
        let mut lines = Vec::new();
        if rng.random_range(0..4) == 0 {
            // Any moment, including while the child is still opening (recovering) the store.
            std::thread::sleep(Duration::from_micros(rng.random_range(0..60_000)));
        } else {
            // While it writes: after its first acknowledgement, a little later.
            if let Ok(first) = lines_rx.recv_timeout(Duration::from_secs(30)) {
                lines.push(first);
            }
            std::thread::sleep(Duration::from_micros(rng.random_range(0..20_000)));
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut stderr);
            }
            panic!("cycle {cycle}: the writer exited by itself ({status}): {stderr}");
        }
        child.kill().expect("SIGKILL the writer");
        child.wait().expect("reap the writer");
        reader.join().expect("stdout reader");
        lines.extend(lines_rx.try_iter());
        if !lines.is_empty() {
            kills_mid_write += 1;
        }
        for line in &lines {
            let mut parts = line.split(' ');
            let (Some(t), Some(i), None) = (parts.next(), parts.next(), parts.next()) else {
                panic!("cycle {cycle}: unexpected output {line:?}");
            };
            let t: usize = t.parse().expect("writer index");
            let i: u64 = i.parse().expect("sequence number");
            acked[t] = acked[t].max(i);
            total_acks += 1;
        }
        let counts = verify(dir.path(), &acked, cycle).await;
        // What survived beyond the acknowledgements is now the floor for the next cycle: the
        // child continues from it.
        for (a, c) in acked.iter_mut().zip(counts) {
            *a = (*a).max(c);
        }
    }
    println!(
        "crash test ({policy}): {cycles} SIGKILLs ({kills_mid_write} while writing), {total_acks} \
         acknowledged writes checked, final counts {acked:?}, {:.1?}",
        started.elapsed()
    );
    assert!(
        kills_mid_write * 2 >= cycles,
        "too few kills landed while the writer was writing ({kills_mid_write} of {cycles})"
    );
}

async fn a_second_process_gets_locked_naming_the_holder() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FileStore::open(dir.path()).await.expect("open");
    let try_open = || {
        let output = Command::new(std::env::current_exe().expect("the test binary"))
            .args([
                crash_writer::ARG,
                "try-open",
                dir.path().to_str().expect("utf-8"),
            ])
            .output()
            .expect("run the helper");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    let refused = try_open();
    assert!(
        refused.starts_with("error locked")
            && refused.contains(&format!("process {}", std::process::id())),
        "expected Locked naming pid {}, got {refused:?}",
        std::process::id()
    );
    store.close().await.expect("close");
    assert_eq!(try_open(), "ok");
    // And the other way round: the helper's lock is gone when it exits.
    let store = FileStore::open(dir.path())
        .await
        .expect("reopen after the helper");
    store.close().await.expect("close");
}

/// The harness (`harness = false`): the child when started with `--crash-writer`, the tests
/// otherwise (libtest's arguments and output, through libtest-mimic).
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(crash_writer::ARG) {
        return crash_writer::main(args);
    }
    type Case = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;
    let cases: [(&str, Case); 3] = [
        ("every_acknowledged_write_survives_sigkill", || {
            Box::pin(every_acknowledged_write_survives_sigkill())
        }),
        (
            "every_acknowledged_write_survives_sigkill_under_everysec_and_no",
            || Box::pin(every_acknowledged_write_survives_sigkill_under_everysec_and_no()),
        ),
        ("a_second_process_gets_locked_naming_the_holder", || {
            Box::pin(a_second_process_gets_locked_naming_the_holder())
        }),
    ];
    let trials = cases
        .into_iter()
        .map(|(name, case)| {
            libtest_mimic::Trial::test(name, move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .map_err(|e| format!("no runtime: {e}"))?;
                runtime.block_on(case());
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&libtest_mimic::Arguments::from_args(), trials).exit_code()
}
