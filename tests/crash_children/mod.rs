//! Worker processes for the queue crash tests: copies of the running test binary, each started
//! on one test (the child's entry point) with the Redis URL in an environment variable, and
//! killed when the set is dropped, so a failing test never leaves workers behind.

use std::process::{Child, Command, Stdio};

/// Child worker processes, killed (SIGKILL) and reaped on drop.
pub struct Children {
    /// The test function the children run (it reads [`Children::env`] and works until killed).
    entry: &'static str,
    /// The environment variable that hands a child the Redis URL.
    env: &'static str,
    url: String,
    /// The live children; a test kills and replaces them as it goes.
    pub children: Vec<Child>,
}

impl Children {
    /// An empty set whose children run test `entry` with `env` set to `url`.
    pub fn new(entry: &'static str, env: &'static str, url: impl Into<String>) -> Self {
        Children {
            entry,
            env,
            url: url.into(),
            children: Vec::new(),
        }
    }

    /// Starts one more child (not added to [`Children::children`]; the caller places it).
    pub fn spawn_one(&self) -> Child {
        let exe = std::env::current_exe().expect("current exe");
        Command::new(exe)
            .args(["--exact", self.entry, "--nocapture", "--test-threads", "1"])
            .env(self.env, &self.url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child worker")
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
