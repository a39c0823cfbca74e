//! How writers reach the thread that makes records durable, when they do not lead a commit
//! themselves (see `log`'s `lead_commits` and `tasks`' committer).

use std::time::Instant;

use parking_lot::{Condvar, Mutex};

/// How writers under `Always`, and the store when it stops, reach the committer thread
/// (`tasks`' committer). A `parking_lot` condition variable rather than a tokio `Notify`:
/// the committer is a blocking thread (it calls `fdatasync`), and waking it this way costs
/// one futex call, where a round trip through an async task would cost runtime wake-ups.
#[derive(Debug, Default)]
pub(crate) struct CommitSignal {
    state: Mutex<SignalState>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct SignalState {
    requested: bool,
    stop: bool,
}

/// Why [`CommitSignal::wait_until`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wake {
    /// A writer asked for a commit.
    Requested,
    /// The deadline passed.
    Timeout,
    /// The store is stopping.
    Stop,
}

impl CommitSignal {
    /// Asks the committer for a round.
    pub(crate) fn request(&self) {
        self.state.lock().requested = true;
        self.wake.notify_one();
    }

    /// Tells the committer to finish.
    pub(crate) fn stop(&self) {
        self.state.lock().stop = true;
        self.wake.notify_all();
    }

    /// Waits for a request (consuming it), the stop signal or `deadline`.
    pub(crate) fn wait_until(&self, deadline: Instant) -> Wake {
        let mut state = self.state.lock();
        loop {
            if state.stop {
                return Wake::Stop;
            }
            if std::mem::take(&mut state.requested) {
                return Wake::Requested;
            }
            if self.wake.wait_until(&mut state, deadline).timed_out() {
                return if state.stop {
                    Wake::Stop
                } else if std::mem::take(&mut state.requested) {
                    Wake::Requested
                } else {
                    Wake::Timeout
                };
            }
        }
    }
}

/// True when this task runs on a multi-threaded tokio runtime, where
/// `tokio::task::block_in_place` may run blocking work (it panics on a current-thread one).
pub(crate) fn can_block_in_place() -> bool {
    tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
}
