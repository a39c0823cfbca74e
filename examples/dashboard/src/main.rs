//! The bot dashboard: an HTTP API and a live page over staunch's bot, queue and events.
//!
//! ```text
//! # embedded (no Redis): data in ./staunch-data
//! cargo run --example dashboard
//! # on Redis, each database behind Failover (kill redis-server and watch the page)
//! REDIS_URL=redis://127.0.0.1:6379 cargo run --example dashboard --features redis
//! redis-cli HGETALL bot:state
//! redis-cli ZRANGE bot:tasks:queue 0 -1 WITHSCORES
//! redis-cli LRANGE bot:events 0 9
//! ```
//!
//! Listens on `127.0.0.1:$PORT` (default 8000; `PORT=0` takes any free port; `HOST` changes the
//! address) and prints the URL. Settings come from the environment as for every staunch
//! application (`REDIS_URL`, `STAUNCH_DATA_DIR`, `STAUNCH_FAILOVER`, ...). Ctrl-C stops it: open
//! pages are disconnected, running tasks get 5 s to finish, the stores are flushed and closed.

use std::net::SocketAddr;
use std::time::Duration;

use staunch::config::{Settings, Staunch};
use staunch::failover::{BreakerOptions, FailoverOptions, Policy};
use staunch_dashboard::{Dashboard, DashboardOptions};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("dashboard: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let address = listen_address()?;
    let options = DashboardOptions::new();
    let mut settings = Settings::load()?.only_databases(&[options.database.as_str()]);
    // The page must still show the bot's state during an outage (see the crate docs), and a
    // person watching should see recovery soon after Redis returns: probe a dead Redis every
    // 10 s rather than the async Redis manager's 60 s.
    if std::env::var_os("STAUNCH_FAILOVER").is_none() {
        settings = settings.failover_for(options.database.clone(), Some(Policy::Mirror));
    }
    settings = settings.failover_options(
        FailoverOptions::new().breaker(BreakerOptions::new().open_timeout(Duration::from_secs(10))),
    );
    let staunch = Staunch::open(settings).await?;
    let dashboard = Dashboard::start(staunch.clone(), options).await?;
    let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
        format!("cannot listen on {address}: {e} (set PORT to another port, or PORT=0)")
    })?;
    let local = listener.local_addr()?;
    println!("storage: {}", describe(staunch.mode()));
    println!("dashboard: http://{local}/");
    let router = dashboard.router();
    let stopping = dashboard.clone();
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            println!("stopping");
            // Ends the event streams, so the server is not kept waiting for open pages.
            stopping.shutdown(Duration::from_secs(5)).await;
        })
        .await?;
    dashboard.shutdown(Duration::from_secs(5)).await;
    staunch.close().await?;
    Ok(())
}

/// `HOST:PORT` from the environment (default `127.0.0.1:8000`).
fn listen_address() -> Result<SocketAddr, String> {
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = match std::env::var("PORT") {
        Ok(text) => text.trim().parse::<u16>().map_err(|_| {
            format!("invalid setting PORT: {text:?} is not a port number (0-65535)")
        })?,
        Err(_) => 8000,
    };
    format!("{host}:{port}")
        .parse()
        .or_else(|_| format!("[{host}]:{port}").parse())
        .map_err(|_| format!("invalid setting HOST: {host:?} is not an IP address"))
}

fn describe(mode: &staunch::config::Mode) -> String {
    match mode {
        staunch::config::Mode::Redis { url } => format!("Redis at {url}, behind Failover"),
        staunch::config::Mode::File { dir } => format!("embedded file store in {}", dir.display()),
        _ => "in memory".to_owned(),
    }
}
