//! Making a command independent of when it runs: relative expiries become absolute.
//!
//! A command that says "expire in 10 s" means something different when it is replayed from a
//! log or a journal an hour later. Before a write is recorded anywhere, staunch rewrites it
//! with [`Command::with_absolute_expiry`] so the recorded form carries Unix-millisecond
//! deadlines and replays to the same state whenever it is applied.

use crate::command::Command;
use crate::options::{Expiry, GetExExpiry, SetExpiry};

fn absolute_set_expiry(expiry: SetExpiry, now_ms: i64) -> SetExpiry {
    let now = now_ms.max(0) as u64;
    match expiry {
        SetExpiry::Ex(secs) => SetExpiry::PxAt(now.saturating_add(secs.saturating_mul(1000))),
        SetExpiry::Px(ms) => SetExpiry::PxAt(now.saturating_add(ms)),
        SetExpiry::ExAt(secs) => SetExpiry::PxAt(secs.saturating_mul(1000)),
        other => other,
    }
}

fn absolute_expiry(expiry: Expiry, now_ms: i64) -> Expiry {
    match expiry {
        Expiry::Seconds(secs) => Expiry::AtMillis(now_ms.saturating_add(secs.saturating_mul(1000))),
        Expiry::Millis(ms) => Expiry::AtMillis(now_ms.saturating_add(ms)),
        Expiry::AtSeconds(secs) => Expiry::AtMillis(secs.saturating_mul(1000)),
        other => other,
    }
}

impl Command {
    /// This command with every relative expiry (`EX`, `PX`, `EXPIRE`, `PEXPIRE`, `GETEX EX/PX`)
    /// turned into an absolute one (`PXAT`/`PEXPIREAT`) computed from `now_ms`. Commands
    /// without an expiry come back unchanged. `IncrByEx` keeps its relative TTL: whether it
    /// applies depends on the key's state when it runs, which a replay at the recorded time
    /// reproduces.
    pub fn with_absolute_expiry(&self, now_ms: i64) -> Command {
        let mut command = self.clone();
        match &mut command {
            Command::Set { options, .. } => {
                options.expiry = options.expiry.map(|e| absolute_set_expiry(e, now_ms));
            }
            Command::Expire { expiry, .. } => *expiry = absolute_expiry(*expiry, now_ms),
            Command::GetEx {
                expiry: Some(GetExExpiry::Set(e)),
                ..
            } => *e = absolute_set_expiry(*e, now_ms),
            Command::CompareAndSet { expiry, .. } => {
                *expiry = expiry.map(|e| absolute_set_expiry(e, now_ms));
            }
            _ => {}
        }
        command
    }
}
