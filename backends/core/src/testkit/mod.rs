//! The conformance testkit: one `pub async fn test_<op>_<case>` per behaviour, run against every
//! backend.
//!
//! Each case takes a fresh, empty store and panics with a message naming the rule when the
//! backend breaks it. [`all_cases`] lists every case; a backend's `harness = false` test hands a
//! factory of empty stores to [`harness::run`], which makes each case a test of its own. A case
//! that needs an ability some backends may lack says so ([`Requires`]) and is reported ignored
//! where the backend's declared [`Capabilities`](crate::Capabilities) lack it. Real Redis is the judge: every case must pass against a
//! `redis-server` before a local backend is held to it, and a case is never loosened to hide a
//! local backend's difference.
//!
//! Cases use only the public contract ([`crate::Store`] and the family traits), so a third-party
//! backend can run the same suite.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::store::Store;

pub mod atomic;
pub mod batch;
pub mod harness;
pub mod hashes;
pub mod keyspace;
pub mod lists;
pub mod pubsub;
pub mod redis_cluster;
pub mod redis_server;
pub mod sets;
pub mod strings;
pub mod typed_calls;
pub mod zsets;

/// A shared store handed to a case.
pub type TestStore = Arc<dyn Store>;

/// The future a case returns.
pub type CaseFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One conformance case: its name, what it needs, and the function that runs it.
#[derive(Clone, Copy)]
pub struct Case {
    /// `test_<op>_<case>`.
    pub name: &'static str,
    /// The declared capability the case needs.
    pub requires: Requires,
    /// Runs the case on an empty store; panics on a violation.
    pub run: fn(TestStore) -> CaseFuture,
}

/// A declared capability a case needs ([`Capabilities`](crate::Capabilities)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Requires {
    /// Nothing beyond the contract.
    Nothing,
    /// Blocking pops (`Capabilities::blocking`).
    Blocking,
    /// Atomic batches (`Capabilities::transactions`).
    Transactions,
}

impl Requires {
    /// True when a backend declaring `capabilities` can run the case.
    pub fn met_by(self, capabilities: &crate::Capabilities) -> bool {
        match self {
            Requires::Nothing => true,
            Requires::Blocking => capabilities.blocking,
            Requires::Transactions => capabilities.transactions,
        }
    }
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Builds a `Vec<Case>` from case function names: `cases![test_get_missing, ...]`, or
/// `cases![requires Blocking: test_blpop_times_out, ...]` for cases that need a capability.
#[macro_export]
#[doc(hidden)]
macro_rules! __testkit_cases {
    (requires $requires:ident: $($name:ident),* $(,)?) => {
        vec![$($crate::testkit::Case {
            name: stringify!($name),
            requires: $crate::testkit::Requires::$requires,
            run: |store| Box::pin($name(store)),
        }),*]
    };
    ($($name:ident),* $(,)?) => {
        $crate::testkit::cases![requires Nothing: $($name),*]
    };
}
pub use crate::__testkit_cases as cases;

/// Every case of the suite.
pub fn all_cases() -> Vec<Case> {
    let mut all = Vec::new();
    // Each family module contributes its list; see the modules for the cases themselves.
    all.extend(registered());
    all
}

fn registered() -> Vec<Case> {
    [
        keyspace::cases(),
        strings::cases(),
        hashes::cases(),
        lists::cases(),
        sets::cases(),
        zsets::cases(),
        pubsub::cases(),
        batch::cases(),
        atomic::cases(),
    ]
    .concat()
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}
