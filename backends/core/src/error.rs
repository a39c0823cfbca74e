//! The one public error type of staunch.
//!
//! Every backend converts its private failures (I/O errors, `redis` errors, decode errors) into
//! [`Error`], so callers match on an [`ErrorKind`] and never on a backend's types. The kinds are
//! chosen so that the question a caller actually asks can be answered: "was this my data or my
//! input?" (`WrongType`, `InvalidInput`, `NotFound`), "is the store there at all?"
//! (`Unavailable`, `Timeout`: see [`Error::is_outage`]), "is it there but refusing?"
//! (`Refused`: out of memory, read-only, loading, no permission), "did my write happen?"
//! (`OutcomeUnknown`) and "may I try again?" ([`Error::is_retryable`]). An outage is never
//! reported as a miss.
//!
//! An error may also say that the operation provably never reached the server
//! ([`Error::is_not_sent`]): the connection was refused, the connection attempt timed out, or
//! the server rejected the command before running it. Such an operation may be repeated or
//! served elsewhere without any risk of applying it twice.

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
    /// The store cannot be reached (connection refused, reset or closed, Redis `MASTERDOWN`,
    /// `TRYAGAIN`, `CLUSTERDOWN`, a circuit breaker that is open).
    Unavailable,
    /// The store is there and answered, but refused to run this command in its present state:
    /// Redis `OOM` (`maxmemory` reached under `noeviction`: writes refused, reads still
    /// served), `MISCONF` (it cannot persist, so it refuses writes), `READONLY` (a replica),
    /// `LOADING` (still loading its dataset), `BUSY` (a script is running), `NOPERM` (the ACL
    /// user may not run it or touch that key). The command did not run, so repeating it later
    /// is safe; it is *not* an outage: a circuit breaker does not count it and a `Failover`
    /// does not serve around it (the server still holds the data).
    Refused,
    /// A write was sent and no reply came back (the connection broke, or the reply timed
    /// out): the server may or may not have applied it. Returned instead of an outage error
    /// for a write that is not safe to repeat (`INCR`, `RPUSH`, ...), so the caller knows to
    /// check before trying again. Counts as an outage ([`Error::is_outage`]) but is never
    /// [retryable](Error::is_retryable).
    OutcomeUnknown,
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
            ErrorKind::Refused => "refused",
            ErrorKind::OutcomeUnknown => "outcome_unknown",
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
    /// The operation provably never reached the server (see [`Error::is_not_sent`]).
    not_sent: bool,
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
        if self.0.not_sent {
            d.field("not_sent", &true);
        }
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
            not_sent: false,
            source: None,
        }))
    }

    /// Marks the error as proof that the operation never reached the server (see
    /// [`Error::is_not_sent`]). Backends set it only when they know: the connection was
    /// never established, or the server rejected the command unexecuted.
    pub fn not_sent(mut self) -> Self {
        Arc::make_mut(&mut self.0).not_sent = true;
        self
    }

    /// True when the operation provably never reached the server (a refused connection, a
    /// connection attempt that timed out, a command the server rejected before running it),
    /// so repeating it or serving it elsewhere cannot apply it twice. False means "maybe
    /// sent", not "sent".
    pub fn is_not_sent(&self) -> bool {
        self.0.not_sent
    }

    /// An [`ErrorKind::OutcomeUnknown`] error for a write that failed with `cause` after it
    /// may have been sent. The message says so and quotes the cause once.
    pub fn outcome_unknown(cause: &Error) -> Self {
        Error::new(
            ErrorKind::OutcomeUnknown,
            format!(
                "the write was sent but no reply came back, so it may or may not have been applied ({}: {})",
                cause.kind(),
                cause.message()
            ),
        )
        .with_source(cause.clone())
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
    ///
    /// [`ErrorKind::OutcomeUnknown`] is an outage too (the store stopped answering), but not
    /// retryable. [`ErrorKind::Refused`] is not an outage: the store answered.
    pub fn is_outage(&self) -> bool {
        matches!(
            self.0.kind,
            ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::OutcomeUnknown
        )
    }

    /// True when the same call may succeed if tried again later (an outage, or a refusal of
    /// the server's present state). Whether it is *safe* to repeat depends on the operation
    /// too (see `Command::is_idempotent`) unless [`Error::is_not_sent`]; an
    /// [`ErrorKind::OutcomeUnknown`] write is never retryable.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.0.kind,
            ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::Refused
        )
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
        // Marks survive cloning and show in Debug.
        let unsent = Error::new(ErrorKind::Unavailable, "refused").not_sent();
        assert!(unsent.clone().is_not_sent());
        assert!(format!("{unsent:?}").contains("not_sent"));
        assert!(!err.is_not_sent());
        // An unknown outcome names its cause once and is never retryable.
        let unknown = Error::outcome_unknown(&err);
        assert_eq!(unknown.kind(), ErrorKind::OutcomeUnknown);
        assert!(unknown.is_outage() && !unknown.is_retryable());
        assert_eq!(unknown.to_string().matches("unavailable").count(), 1);
        assert!(
            unknown
                .to_string()
                .contains("may or may not have been applied")
        );
        // One pointer: a Result of a small value stays small.
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
