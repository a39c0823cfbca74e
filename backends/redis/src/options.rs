//! [`RedisOptions`]: where the server is and how long to wait for it.
//!
//! The `redis` crate waits forever by default. A store that must notice an outage cannot, so
//! every wait here has a finite default and a zero duration is refused: a hung server turns into
//! an `ErrorKind::Timeout` after [`RedisOptions::response_timeout`], never into a hang.

use std::time::Duration;

use staunch_core::{Error, Result};

/// How to reach Redis and how long to wait for it. Build with [`RedisOptions::new`] and the
/// builder methods; every field has a documented default.
///
/// The URL carries the rest: `redis://[user[:password]@]host[:port][/db]`, or `rediss://` for
/// TLS (cargo feature `tls`). The logical database, the ACL user and the password come from it.
///
/// `Debug` shows the URL with its password replaced (see [`staunch_core::redact_url`]).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisOptions {
    /// The server URL (default `redis://127.0.0.1:6379`).
    pub url: String,
    /// Longest time to establish a connection, handshake (`HELLO 3`, `AUTH`, `SELECT`) included
    /// (default 5 s).
    pub connect_timeout: Duration,
    /// Longest time to wait for the reply to a command or a batch (default 5 s). Blocking
    /// commands wait their own timeout plus this.
    pub response_timeout: Duration,
    /// How many idle dedicated connections for blocking commands are kept for reuse
    /// (default 8). More blocking calls than this may run at once; the extra connections are
    /// closed when they finish.
    pub blocking_pool_size: usize,
    /// How many undelivered messages a subscription buffers before it drops messages and
    /// reports `GapReason::Lagged` (default 4096).
    pub subscription_buffer: usize,
    /// First delay between reconnection attempts of a subscription (default 50 ms); it doubles
    /// up to [`RedisOptions::reconnect_backoff_max`].
    pub reconnect_backoff_min: Duration,
    /// Longest delay between reconnection attempts of a subscription (default 2 s).
    pub reconnect_backoff_max: Duration,
    /// How often an idle subscription connection is checked with `PING` so a hung server is
    /// noticed (default 10 s).
    pub subscription_ping_interval: Duration,
    /// On Linux, how long sent data may stay unacknowledged by the peer's TCP stack before the
    /// kernel drops the connection (`TCP_USER_TIMEOUT`, default 20 s). A server that is merely
    /// slow or stopped still acknowledges, so this only replaces black-holed connections (a
    /// network partition), which would otherwise time out call after call.
    pub tcp_user_timeout: Duration,
    /// A custom CA and client certificates for `rediss://` (default none: the system roots).
    pub tls: crate::tls::TlsOptions,
}

impl std::fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisOptions")
            .field("url", &staunch_core::redact_url(&self.url))
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("blocking_pool_size", &self.blocking_pool_size)
            .field("subscription_buffer", &self.subscription_buffer)
            .field("reconnect_backoff_min", &self.reconnect_backoff_min)
            .field("reconnect_backoff_max", &self.reconnect_backoff_max)
            .field(
                "subscription_ping_interval",
                &self.subscription_ping_interval,
            )
            .field("tcp_user_timeout", &self.tcp_user_timeout)
            .finish()
    }
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            url: "redis://127.0.0.1:6379".to_owned(),
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(5),
            blocking_pool_size: 8,
            subscription_buffer: 4096,
            reconnect_backoff_min: Duration::from_millis(50),
            reconnect_backoff_max: Duration::from_secs(2),
            subscription_ping_interval: Duration::from_secs(10),
            tcp_user_timeout: Duration::from_secs(20),
            tls: crate::tls::TlsOptions::default(),
        }
    }
}

impl RedisOptions {
    /// The defaults with this URL.
    pub fn new(url: impl Into<String>) -> Self {
        RedisOptions {
            url: url.into(),
            ..Self::default()
        }
    }

    /// Sets [`RedisOptions::connect_timeout`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`RedisOptions::response_timeout`].
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// Sets [`RedisOptions::blocking_pool_size`].
    pub fn blocking_pool_size(mut self, size: usize) -> Self {
        self.blocking_pool_size = size;
        self
    }

    /// Sets [`RedisOptions::subscription_buffer`].
    pub fn subscription_buffer(mut self, messages: usize) -> Self {
        self.subscription_buffer = messages;
        self
    }

    /// Sets the reconnection backoff of subscriptions: first delay and longest delay.
    pub fn reconnect_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.reconnect_backoff_min = min;
        self.reconnect_backoff_max = max;
        self
    }

    /// Sets [`RedisOptions::subscription_ping_interval`].
    pub fn subscription_ping_interval(mut self, interval: Duration) -> Self {
        self.subscription_ping_interval = interval;
        self
    }

    /// Sets [`RedisOptions::tcp_user_timeout`].
    pub fn tcp_user_timeout(mut self, timeout: Duration) -> Self {
        self.tcp_user_timeout = timeout;
        self
    }

    /// Sets [`RedisOptions::tls`] (a custom CA, client certificates).
    pub fn tls(mut self, tls: crate::tls::TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// Checks the settings: timeouts and intervals must be positive, the buffer non-empty, the
    /// TLS certificates PEM.
    pub(crate) fn validate(&self) -> Result<()> {
        let positive = [
            ("connect_timeout", self.connect_timeout),
            ("response_timeout", self.response_timeout),
            ("reconnect_backoff_min", self.reconnect_backoff_min),
            ("reconnect_backoff_max", self.reconnect_backoff_max),
            (
                "subscription_ping_interval",
                self.subscription_ping_interval,
            ),
        ];
        for (name, value) in positive {
            if value.is_zero() {
                return Err(Error::invalid(format!(
                    "RedisOptions::{name} must be positive (a zero wait would mean waiting forever)"
                )));
            }
        }
        if self.subscription_buffer == 0 {
            return Err(Error::invalid(
                "RedisOptions::subscription_buffer must be at least 1",
            ));
        }
        self.tls.check()
    }
}
