//! What a process holds in memory, and running a measurement in a fresh child process.
//!
//! Memory per key is a resident-set delta: the RSS after loading N keys minus before, divided
//! by N. Each such figure is taken in a child process of its own (this same program, started
//! with `--child ...`), because memory freed by an earlier measurement stays in the allocator's
//! free lists and would make a later one look smaller than it is.

use std::process::Command;

/// Resident set size of this process in bytes, or `None` where `/proc` is not available.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The first argument that starts a measuring child process.
pub const CHILD_FLAG: &str = "--child";

/// Runs this program again with `--child` and `args`, and returns what it printed on its
/// last line, parsed as whitespace-separated numbers.
pub fn run_child(args: &[String]) -> Result<Vec<f64>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("own executable: {e}"))?;
    let output = Command::new(exe)
        .arg(CHILD_FLAG)
        .args(args)
        .output()
        .map_err(|e| format!("starting a child: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "child {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    last.split_whitespace()
        .map(|n| {
            n.parse::<f64>()
                .map_err(|e| format!("child printed {last:?}: {e}"))
        })
        .collect()
}
