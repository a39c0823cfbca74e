//! Every typed method of the command table, called once: on its own, as a pipeline step and as
//! a batch step. For tests that check a wrapper sees every call a user can make (the list is
//! generated from the table, so a new command is covered without touching the test).

use std::future::Future;
use std::pin::Pin;

use crate::error::Result;
use crate::store::Store;

/// One typed call: the method (`"hget"`, `"pipeline hget"`, `"batch hget"`) and its future.
/// Errors are expected (the sample arguments collide on purpose: one key is a string, then a
/// hash); what matters is that the call is made.
pub type TypedCall<'a> = (
    String,
    Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>,
);

/// Every typed method called on `store` with sample arguments (key `"k"` or `"k2"`, field
/// `"f"`, short timeouts), not yet run.
pub fn every_typed_call<S: Store + ?Sized>(store: &S) -> Vec<TypedCall<'_>> {
    crate::families::every_typed_call(store)
}
