//! Driving BullMQ for `queue_bench`: the Node script in `examples/queue_bench_bullmq/` (installed
//! with `npm install` on first use), run once per measurement against the benchmark's
//! redis-server. Included with `#[path = "support/bullmq.rs"] mod bullmq;`.

use std::path::PathBuf;
use std::process::Command;

/// The folder with `package.json` and `bench.mjs`.
fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/queue_bench_bullmq")
}

/// Makes sure BullMQ is installed; `Err` with the reason when Node or npm is missing or the
/// install failed (the benchmark then prints the staunch figures alone and says why).
pub fn ensure_installed() -> Result<(), String> {
    let dir = folder();
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Err("`node` is not on PATH (Node 20 or later runs the BullMQ side)".into());
    }
    if dir.join("node_modules/bullmq").is_dir() {
        return Ok(());
    }
    println!("installing BullMQ: npm install in {}", dir.display());
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("npm did not run: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("npm install failed ({status})"))
    }
}

/// Runs `node bench.mjs <port> <args...>` and returns the named number from its JSON line.
pub async fn run(port: u16, args: Vec<String>, key: &'static str) -> f64 {
    let values = run_many(port, args, &[key]).await;
    values[0]
}

/// Like [`run`], returning several numbers of the line.
pub async fn run_many(port: u16, args: Vec<String>, keys: &[&'static str]) -> Vec<f64> {
    let keys = keys.to_vec();
    tokio::task::spawn_blocking(move || {
        let output = Command::new("node")
            .arg("bench.mjs")
            .arg(port.to_string())
            .args(&args)
            .current_dir(folder())
            .output()
            .expect("run node bench.mjs");
        assert!(
            output.status.success(),
            "BullMQ bench failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8_lossy(&output.stdout);
        let line = text.lines().last().unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(line).expect("BullMQ bench JSON");
        keys.iter()
            .map(|k| {
                value[*k]
                    .as_f64()
                    .expect("a number in the BullMQ bench reply")
            })
            .collect()
    })
    .await
    .expect("BullMQ bench task")
}

/// The port of a `redis://host:port` URL.
pub fn port_of(url: &str) -> u16 {
    url.trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or(6379)
}
