//! The route gate: degraded calls run side by side; switching traffic back to Redis waits
//! until none is in flight.
//!
//! A degraded write must not be half done when traffic returns to Redis: the journal would
//! be declared drained while the write's record is still on its way. So every local call
//! holds a [`Pass`] while it runs, and the replayer, before it declares the journal drained,
//! [closes](RouteGate::close) the gate: new calls wait, and the replayer waits for the calls
//! inside to leave.
//!
//! This is a reader-writer lock specialised for a hot read side: entering and leaving cost
//! two atomic operations each and never touch a mutex (tokio's `RwLock` takes one on every
//! release, which showed up in degraded-call profiles). The two sides meet through
//! sequentially consistent operations on `inside` and `closing`: a caller increments
//! `inside` and then reads `closing`; the closer sets `closing` and then reads `inside`. In
//! the single total order of those operations at least one of the two sees the other, so a
//! caller is never inside while the closer believes the gate empty.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

use tokio::sync::Notify;

/// See the module docs.
#[derive(Default)]
pub(crate) struct RouteGate {
    /// Calls holding a pass.
    inside: AtomicUsize,
    /// A closer is waiting for `inside` to reach zero, or holds the gate closed.
    closing: AtomicBool,
    /// Signalled by the last call leaving while `closing`.
    emptied: Notify,
    /// Signalled when the gate opens again.
    reopened: Notify,
    /// One closer at a time.
    closer: tokio::sync::Mutex<()>,
}

/// Held by a call running on the local store; leaves the gate when dropped.
pub(crate) struct Pass<'a> {
    gate: &'a RouteGate,
}

/// Held by the closer; opens the gate when dropped (also if the closer is cancelled).
pub(crate) struct Closed<'a> {
    gate: &'a RouteGate,
    _one_closer: tokio::sync::MutexGuard<'a, ()>,
}

impl RouteGate {
    /// Enters, waiting while the gate is closed.
    pub(crate) async fn enter(&self) -> Pass<'_> {
        loop {
            self.inside.fetch_add(1, SeqCst);
            if !self.closing.load(SeqCst) {
                return Pass { gate: self };
            }
            // A closer is at work: step back out (it may be waiting for us) and wait for it.
            self.leave();
            let reopened = self.reopened.notified();
            tokio::pin!(reopened);
            reopened.as_mut().enable();
            if self.closing.load(SeqCst) {
                reopened.await;
            }
        }
    }

    fn leave(&self) {
        if self.inside.fetch_sub(1, SeqCst) == 1 && self.closing.load(SeqCst) {
            self.emptied.notify_waiters();
        }
    }

    /// Closes the gate and waits until no call is inside.
    pub(crate) async fn close(&self) -> Closed<'_> {
        let one_closer = self.closer.lock().await;
        // Built before `closing` is set, so a cancelled wait below still reopens the gate.
        let closed = Closed {
            gate: self,
            _one_closer: one_closer,
        };
        self.closing.store(true, SeqCst);
        loop {
            let emptied = self.emptied.notified();
            tokio::pin!(emptied);
            emptied.as_mut().enable();
            if self.inside.load(SeqCst) == 0 {
                return closed;
            }
            emptied.await;
        }
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        self.gate.leave();
    }
}

impl Drop for Closed<'_> {
    fn drop(&mut self) {
        self.gate.closing.store(false, SeqCst);
        self.gate.reopened.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    use super::*;

    /// The closer waits for every pass to be dropped, and callers wait while it holds the
    /// gate; many racing callers never overlap a closed gate.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn closing_excludes_every_call() {
        let gate = Arc::new(RouteGate::default());
        let closed_now = Arc::new(AtomicBool::new(false));
        let mut callers = Vec::new();
        for _ in 0..8 {
            let (gate, closed_now) = (gate.clone(), closed_now.clone());
            callers.push(tokio::spawn(async move {
                let mut overlaps = 0;
                for _ in 0..2000 {
                    let pass = gate.enter().await;
                    if closed_now.load(SeqCst) {
                        overlaps += 1;
                    }
                    tokio::task::yield_now().await;
                    drop(pass);
                }
                overlaps
            }));
        }
        for _ in 0..200 {
            let closed = gate.close().await;
            // `inside` itself may read 1 here: a caller that arrives while the gate is closed
            // counts itself in, sees `closing` and steps back out. Holding a pass is what must
            // not happen, and each caller checks that below.
            closed_now.store(true, SeqCst);
            tokio::task::yield_now().await;
            closed_now.store(false, SeqCst);
            drop(closed);
            tokio::task::yield_now().await;
        }
        for c in callers {
            assert_eq!(
                c.await.expect("caller"),
                0,
                "a call ran while the gate was closed"
            );
        }
    }

    /// A closer cancelled while it waits reopens the gate.
    #[tokio::test]
    async fn a_cancelled_close_reopens() {
        let gate = RouteGate::default();
        let pass = gate.enter().await;
        let timed_out = tokio::time::timeout(Duration::from_millis(20), gate.close()).await;
        assert!(timed_out.is_err(), "close waits for the pass");
        drop(pass);
        let again = tokio::time::timeout(Duration::from_secs(5), gate.enter()).await;
        assert!(again.is_ok(), "the gate was left closed");
    }
}
