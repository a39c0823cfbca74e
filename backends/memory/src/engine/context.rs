//! What a command handler works with besides the keyspace: the write context it reports
//! effects through, and the error for a command a handler does not serve.
//!
//! A leaf module, so the family modules and the dispatch in `mod.rs` can both use it without
//! an import circle.

use staunch_core::{Bytes, Command, Error, ErrorKind};

/// State a write handler can leave for the log.
pub(crate) struct WriteCtx {
    /// The time the command runs at, in Unix milliseconds.
    pub(crate) now: i64,
    /// When set, the effects to log instead of the (normalized) command itself.
    pub(crate) rewrite: Option<Vec<Command>>,
    /// Messages the write publishes (the queue step's events), delivered once it succeeded.
    pub(crate) publish: Vec<(String, Bytes)>,
}

impl WriteCtx {
    pub(crate) fn new(now: i64) -> Self {
        WriteCtx {
            now,
            rewrite: None,
            publish: Vec::new(),
        }
    }
}

/// The error for a command sent to a handler that does not serve it.
pub(crate) fn unsupported(command: &Command) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("{} is not supported by the memory engine", command.name()),
    )
}
