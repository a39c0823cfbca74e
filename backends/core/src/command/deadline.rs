//! Making a command independent of when it runs: relative expiries become absolute.
//!
//! A command that says "expire in 10 s" means something different when it is replayed from a
//! log or a journal an hour later. Before a write is recorded anywhere, staunch rewrites it
//! with [`Command::with_absolute_expiry`](super::Command::with_absolute_expiry), so the recorded
//! form carries Unix-millisecond deadlines and replays to the same state whenever it is applied.
//! A row's `time` column names the field this applies to.

use crate::options::{Expiry, GetExExpiry, SetExpiry};

/// An expiry field of a command.
pub(crate) trait Deadline {
    /// True when the field sets a deadline (so the command depends on the current time).
    fn sets_deadline(&self) -> bool;

    /// Turns a relative expiry into an absolute one computed from `now_ms`.
    fn make_absolute(&mut self, now_ms: i64);
}

impl Deadline for SetExpiry {
    fn sets_deadline(&self) -> bool {
        *self != SetExpiry::KeepTtl
    }

    fn make_absolute(&mut self, now_ms: i64) {
        let now = now_ms.max(0) as u64;
        *self = match *self {
            SetExpiry::Ex(secs) => SetExpiry::PxAt(now.saturating_add(secs.saturating_mul(1000))),
            SetExpiry::Px(ms) => SetExpiry::PxAt(now.saturating_add(ms)),
            SetExpiry::ExAt(secs) => SetExpiry::PxAt(secs.saturating_mul(1000)),
            other => other,
        };
    }
}

impl Deadline for Expiry {
    fn sets_deadline(&self) -> bool {
        true
    }

    fn make_absolute(&mut self, now_ms: i64) {
        *self = match *self {
            Expiry::Seconds(secs) => {
                Expiry::AtMillis(now_ms.saturating_add(secs.saturating_mul(1000)))
            }
            Expiry::Millis(ms) => Expiry::AtMillis(now_ms.saturating_add(ms)),
            Expiry::AtSeconds(secs) => Expiry::AtMillis(secs.saturating_mul(1000)),
            other => other,
        };
    }
}

impl Deadline for GetExExpiry {
    fn sets_deadline(&self) -> bool {
        matches!(self, GetExExpiry::Set(expiry) if expiry.sets_deadline())
    }

    fn make_absolute(&mut self, now_ms: i64) {
        if let GetExExpiry::Set(expiry) = self {
            expiry.make_absolute(now_ms);
        }
    }
}

impl<T: Deadline> Deadline for Option<T> {
    fn sets_deadline(&self) -> bool {
        self.as_ref().is_some_and(T::sets_deadline)
    }

    fn make_absolute(&mut self, now_ms: i64) {
        if let Some(expiry) = self {
            expiry.make_absolute(now_ms);
        }
    }
}
