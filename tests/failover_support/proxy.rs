//! A fault-injection TCP proxy on loopback, between staunch and `redis-server`, in the spirit
//! of toxiproxy: partial network failures made deterministic.
//!
//! The proxy listens on `127.0.0.1:<free port>` and forwards every accepted connection to the
//! upstream address. [`FaultProxy::set`] changes the fault for every connection at once, those
//! open now and those accepted later:
//!
//! - [`Fault::None`]: plain forwarding.
//! - [`Fault::Latency`]: every chunk, in both directions, waits that long before it is passed on.
//! - [`Fault::BlackHole`]: nothing gets through in either direction; connections stay open
//!   and new ones are accepted (so a connection attempt hangs in its handshake). The bytes
//!   are held, not discarded, and delivered once the fault is lifted (see [`pump`]).
//! - [`Fault::Reset`]: open connections are closed with a TCP reset, new ones are reset as soon
//!   as they are accepted.
//! - [`Fault::StallMidReply`]: the next reply chunk from upstream is cut in half, the first
//!   half is delivered and then nothing more until the fault is lifted (the client holds half
//!   a reply and waits).
//! - [`Fault::DropAfter`]: after `n` more bytes from upstream the connection is closed.
//!
//! Connection tasks stop when the proxy is dropped.
//!
//! `examples/failover_faults_bench.rs` compiles this file too (`#[path]`), so it uses only
//! what examples can: the crate's dev-dependencies, nothing from the tests' other modules.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A network fault the proxy applies (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Plain forwarding.
    None,
    /// Each chunk waits this long in each direction.
    Latency(Duration),
    /// Nothing gets through (held until lifted); connections stay open.
    BlackHole,
    /// Connections are reset, open ones now and new ones when accepted.
    Reset,
    /// The next reply chunk is delivered half, then nothing more until lifted.
    StallMidReply,
    /// The connection is closed after this many more bytes from upstream.
    DropAfter(usize),
}

/// The proxy. See the module docs.
pub struct FaultProxy {
    addr: SocketAddr,
    fault: watch::Sender<(u64, Fault)>,
    tasks: Arc<parking_lot::Mutex<JoinSet<()>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.tasks.lock().abort_all();
    }
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`host:port`).
    pub async fn start(upstream: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (fault, _) = watch::channel((0, Fault::None));
        let tasks = Arc::new(parking_lot::Mutex::new(JoinSet::new()));
        let accept = {
            let fault = fault.clone();
            let tasks = tasks.clone();
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let rx = fault.subscribe();
                    tasks.lock().spawn(connection(client, upstream, rx));
                }
            })
        };
        Ok(FaultProxy {
            addr,
            fault,
            tasks,
            accept,
        })
    }

    /// Starts a proxy to the Redis at `url` (`redis://host:port...`).
    pub async fn for_redis_url(url: &str) -> std::io::Result<FaultProxy> {
        let rest = url.trim_start_matches("redis://");
        let hostport = rest.split(['/', '?']).next().unwrap_or(rest);
        let hostport = hostport.rsplit('@').next().unwrap_or(hostport);
        let upstream: SocketAddr = hostport
            .parse()
            .map_err(|e| std::io::Error::other(format!("not host:port: {hostport}: {e}")))?;
        Self::start(upstream).await
    }

    /// The address clients should connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `redis://127.0.0.1:<proxy port>`.
    pub fn url(&self) -> String {
        format!("redis://{}", self.addr)
    }

    /// Applies `fault` to every connection, open and future.
    pub fn set(&self, fault: Fault) {
        self.fault.send_modify(|(generation, f)| {
            *generation += 1;
            *f = fault;
        });
    }
}

async fn connection(
    client: TcpStream,
    upstream: SocketAddr,
    mut rx: watch::Receiver<(u64, Fault)>,
) {
    let fault = rx.borrow_and_update().1;
    match fault {
        Fault::Reset => {
            reset(client);
            return;
        }
        Fault::BlackHole => {
            // Accepted, never answered until the fault changes (a handshake that hangs).
            loop {
                if rx.changed().await.is_err() {
                    return;
                }
                match rx.borrow_and_update().1 {
                    Fault::BlackHole => continue,
                    Fault::Reset => {
                        reset(client);
                        return;
                    }
                    _ => break,
                }
            }
        }
        _ => {}
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        reset(client);
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = pump(client_read, server_write, rx.clone(), false);
    let down = pump(server_read, client_write, rx, true);
    // Either direction ending (EOF, reset, drop-after) ends the connection: dropping the
    // halves closes both sockets (with a reset if a pump set zero linger on them).
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}

/// Closes a stream with a TCP reset (zero linger) instead of a FIN.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// Forwards `from` to `to` under the current fault, until either side closes or the fault
/// ends the connection (a reset sets zero linger on both sockets first).
///
/// Nothing is ever discarded inside a live connection: TCP does not lose bytes, it delays
/// them, and a client matching replies to requests in order relies on that. A black hole or a
/// stall therefore *holds* the bytes (stops reading, keeps the cut-off half of a reply) and
/// delivers them when the fault is lifted, as a healed partition would.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut rx: watch::Receiver<(u64, Fault)>,
    downstream: bool,
) {
    let mut buf = vec![0u8; 16 * 1024];
    let (mut generation, mut fault) = *rx.borrow_and_update();
    // Bytes still allowed under `DropAfter`, counted from when that fault was set.
    let mut budget = match fault {
        Fault::DropAfter(n) => Some(n),
        _ => None,
    };
    // The held back rest of a stalled reply.
    let mut held: Option<Vec<u8>> = None;
    loop {
        let holding = fault == Fault::BlackHole || held.is_some();
        let read = async {
            if holding {
                std::future::pending::<std::io::Result<usize>>().await
            } else {
                from.read(&mut buf).await
            }
        };
        // Biased, fault first: a fault set before the bytes arrived applies to them even when
        // both are ready at once (an unbiased select would forward some of them unfaulted).
        let n = tokio::select! {
            biased;
            changed = rx.changed() => {
                if changed.is_err() {
                    return;
                }
                let (g, f) = *rx.borrow_and_update();
                if g != generation {
                    generation = g;
                    fault = f;
                    budget = match fault {
                        Fault::DropAfter(n) => Some(n),
                        _ => None,
                    };
                    if fault != Fault::StallMidReply
                        && let Some(rest) = held.take()
                        && to.write_all(&rest).await.is_err()
                    {
                        return;
                    }
                }
                if fault == Fault::Reset {
                    let _ = from.as_ref().set_zero_linger();
                    let _ = to.as_ref().set_zero_linger();
                    return;
                }
                continue;
            }
            r = read => match r {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            },
        };
        let chunk = &buf[..n];
        match fault {
            Fault::None | Fault::BlackHole | Fault::Reset => {}
            Fault::Latency(d) => tokio::time::sleep(d).await,
            Fault::StallMidReply if downstream => {
                let half = if n > 1 { n / 2 } else { n };
                if to.write_all(&chunk[..half]).await.is_err() {
                    return;
                }
                held = Some(chunk[half..].to_vec());
                continue;
            }
            Fault::StallMidReply => {}
            Fault::DropAfter(_) if downstream => {
                let left = budget.unwrap_or(0);
                if n >= left {
                    let _ = to.write_all(&chunk[..left]).await;
                    let _ = to.flush().await;
                    return;
                }
                budget = Some(left - n);
            }
            Fault::DropAfter(_) => {}
        }
        if to.write_all(chunk).await.is_err() {
            return;
        }
    }
}
