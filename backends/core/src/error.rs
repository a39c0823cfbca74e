//! The one public error type of staunch.
//!
//! Every backend converts its private failures (I/O errors, `redis` errors, decode errors) into
//! [`Error`], so callers match on an [`ErrorKind`] and never on a backend's types. The kinds are
//! chosen so that the question a caller actually asks can be answered: "was this my data or my
//! input?" (`WrongType`, `InvalidInput`, `NotFound`), "is the store there at all?"
//! (`Unavailable`, `Timeout`: see [`Error::is_outage`]) and "may I try again?"
//! ([`Error::is_retryable`]). An outage is never reported as a miss.

use std::fmt;
use std::sync::Arc;

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in terms a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The key holds a value of another type (Redis `WRONGTYPE`).
    WrongType,
    /// The key or element the operation needs does not exist (Redis `ERR no such key`).
    NotFound,
    /// The arguments or the stored value do not fit the operation: not an integer, overflow,
    /// index out of range, a bad option combination, an invalid setting.
    InvalidInput,
    /// The store cannot be reached or refuses service for now (connection refused or reset,
    /// Redis `LOADING`, `READONLY`, `MASTERDOWN`, a circuit breaker that is open).
    Unavailable,
    /// The store did not answer within the configured time.
    Timeout,
    /// Persisted data failed a checksum, a header or a decode; the message names file and offset.
    Corrupt,
    /// Another process or handle holds the exclusive lock on a data directory.
    Locked,
    /// The backend does not implement this operation (see [`crate::Capabilities`]).
    Unsupported,
    /// A local I/O error that is not corruption (permissions, disk full, ...).
    Io,
    /// The server answered with something the client did not expect.
    Protocol,
    /// A broken invariant inside staunch: a bug, reported instead of a panic.
    Internal,
}

impl ErrorKind {
    /// A short lower-case name for logs and metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::WrongType => "wrong_type",
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Locked => "locked",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Io => "io",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A staunch error: a [`kind`](Error::kind), a human message and, where there is one, the
/// underlying cause.
///
/// `Error` is cheap to clone (one shared allocation), so a pipeline can hand the same failure
/// to every command it carried. It is one pointer wide, so a `Result<T>` is barely larger than
/// `T`: results move through every layer of every call, errors are rare.
#[derive(Clone)]
pub struct Error(Arc<Inner>);

/// What an [`Error`] points to; `thiserror` writes its `Display` and `source`, which
/// [`Error`] forwards.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{kind}: {message}")]
struct Inner {
    kind: ErrorKind,
    message: String,
    #[source]
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.0)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.0.kind)
            .field("message", &self.0.message);
        if let Some(source) = &self.0.source {
            d.field("source", &format_args!("{source}"));
        }
        d.finish()
    }
}

impl Error {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Arc::new(Inner {
            kind,
            message: message.into(),
            source: None,
        }))
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Arc::make_mut(&mut self.0).source = Some(Arc::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message, without the kind prefix that `Display` adds.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// True when the store was not there to answer (`Unavailable`, `Timeout`): the failures a
    /// circuit breaker counts and a `Failover` store diverts around. Never true for errors in the
    /// data such as `WrongType`.
    pub fn is_outage(&self) -> bool {
        matches!(self.0.kind, ErrorKind::Unavailable | ErrorKind::Timeout)
    }

    /// True when the same call may succeed if tried again later. Whether it is *safe* to repeat
    /// depends on the operation too (see `Command::is_idempotent`).
    pub fn is_retryable(&self) -> bool {
        self.is_outage()
    }

    /// Shorthand for `Error::new(ErrorKind::WrongType, ..)` with Redis's wording.
    pub fn wrong_type() -> Self {
        Error::new(
            ErrorKind::WrongType,
            "WRONGTYPE Operation against a key holding the wrong kind of value",
        )
    }

    /// Shorthand for an [`ErrorKind::InvalidInput`] error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    /// Shorthand for an [`ErrorKind::Unsupported`] error naming the operation.
    pub fn unsupported(operation: impl fmt::Display) -> Self {
        Error::new(
            ErrorKind::Unsupported,
            format!("{operation} is not supported by this backend"),
        )
    }

    /// Shorthand for an [`ErrorKind::Protocol`] error about an unexpected reply shape.
    pub fn unexpected_reply(expected: &str, got: &crate::Reply) -> Self {
        Error::new(
            ErrorKind::Protocol,
            format!("expected {expected}, got {got:?}"),
        )
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        use std::io::ErrorKind as Io;
        let kind = match err.kind() {
            Io::TimedOut => ErrorKind::Timeout,
            Io::ConnectionRefused
            | Io::ConnectionReset
            | Io::ConnectionAborted
            | Io::NotConnected
            | Io::BrokenPipe
            | Io::UnexpectedEof => ErrorKind::Unavailable,
            Io::InvalidData => ErrorKind::Corrupt,
            _ => ErrorKind::Io,
        };
        Error::new(kind, err.to_string()).with_source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_kind_and_source_is_kept() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe gone");
        let err = Error::new(ErrorKind::Unavailable, "redis went away").with_source(io);
        assert_eq!(err.to_string(), "unavailable: redis went away");
        let source = std::error::Error::source(&err).expect("a source");
        assert_eq!(source.to_string(), "pipe gone");
        assert!(std::error::Error::source(&Error::invalid("x")).is_none());
        // One pointer: a Result of a small value stays small.
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
