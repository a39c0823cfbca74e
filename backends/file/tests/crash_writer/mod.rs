//! The child process of the crash tests: the crash test binary itself, started again with
//! [`ARG`] as its first argument (kept out of the published `staunch-file` crate: it is
//! test code, not a binary for users).
//!
//! ```text
//! crash --crash-writer write <dir> <writers> [always|everysec|no]
//!                                      # write self-checking data until killed
//! crash --crash-writer try-open <dir>  # open once, print "ok" or "error <kind> <msg>"
//! ```
//!
//! `write` opens `<dir>` with `FsyncPolicy::Always` (or the policy named) and a tiny compaction
//! threshold (so kills also land in the middle of compactions), then runs `<writers>`
//! concurrent tasks. Task `t` repeatedly does `RPUSH seq:t i` then `INCR n:t` for
//! `i = 1, 2, ...` and, once both are acknowledged, prints `t i` on a line of its own. Whoever
//! kills it can then check that `seq:t` is exactly `1..=m` with `m` at least the last `i`
//! printed for `t`, and that `n:t` is `m` or `m - 1` (the kill may land between the two
//! writes). On start it continues where the directory left off, first bringing `n:t` up to
//! `m`.

use std::io::Write;
use std::process::ExitCode;

use staunch_core::Result;
use staunch_core::prelude::*;
use staunch_file::{FileOptions, FileStore, FsyncPolicy};

/// The first argument that makes the crash test binary the child.
pub const ARG: &str = "--crash-writer";

/// Runs the child with `args` (the program name and [`ARG`] first, as `std::env::args`).
pub fn main(args: Vec<String>) -> ExitCode {
    // Drop the program name so the indices below read as the child's own arguments.
    let args: Vec<String> = args.into_iter().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("crash writer: no runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(args))
}

async fn run(args: Vec<String>) -> ExitCode {
    let result = match args.get(1).map(String::as_str) {
        Some("write") if args.len() == 4 || args.len() == 5 => {
            let policy = match args.get(4).map(String::as_str) {
                None | Some("always") => Ok(FsyncPolicy::Always),
                Some("everysec") => Ok(FsyncPolicy::EverySec),
                Some("no") => Ok(FsyncPolicy::No),
                Some(other) => Err(Error::invalid(format!("unknown fsync policy {other}"))),
            };
            match (args[3].parse::<usize>(), policy) {
                (Ok(writers), Ok(policy)) => write(&args[2], writers, policy).await,
                (Err(e), _) => Err(Error::invalid(format!("bad writer count: {e}"))),
                (_, Err(e)) => Err(e),
            }
        }
        Some("try-open") if args.len() == 3 => match FileStore::open(&args[2]).await {
            Ok(store) => {
                println!("ok");
                store.close().await
            }
            Err(e) => {
                println!("error {} {}", e.kind(), e.message());
                Ok(())
            }
        },
        _ => Err(Error::invalid(
            "usage: crash --crash-writer write <dir> <writers> [always|everysec|no] \
             | try-open <dir>",
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crash writer: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn write(dir: &str, writers: usize, policy: FsyncPolicy) -> Result<()> {
    let options = FileOptions::new()
        .fsync(policy)
        .compact_min_bytes(32 << 10)
        .compact_ratio(1.0);
    let store = FileStore::open_with(dir, options).await?;
    let mut tasks = Vec::new();
    for t in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { writer(store, t).await }));
    }
    for task in tasks {
        match task.await {
            Ok(result) => result?,
            Err(e) => return Err(Error::new(ErrorKind::Internal, e.to_string())),
        }
    }
    Ok(())
}

async fn writer(store: FileStore, t: usize) -> Result<()> {
    let list = format!("seq:{t}");
    let counter = format!("n:{t}");
    let done = store.llen(&list).await?;
    let count = match store.get_string(&counter).await? {
        Some(text) => text
            .parse::<u64>()
            .map_err(|e| Error::invalid(format!("{counter} is {text:?}: {e}")))?,
        None => 0,
    };
    if count < done {
        store.set(&counter, done.to_string()).await?;
    }
    let mut i = done;
    loop {
        i += 1;
        store.rpush_multiple(&list, [i.to_string()]).await?;
        store.incr(&counter).await?;
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{t} {i}").and_then(|()| out.flush()).is_err() {
            // Whoever reads us is gone; nothing left to prove.
            return Ok(());
        }
    }
}
