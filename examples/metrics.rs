//! staunch's metrics in Prometheus's text format: the `metrics` feature feeds the `metrics`
//! facade, and `metrics-exporter-prometheus` (a dev-dependency, without its HTTP listener)
//! renders them.
//!
//! ```text
//! cargo run --example metrics --features metrics             # run some work, print the text
//! cargo run --example metrics --features metrics -- serve    # and serve it at /metrics (PORT, default any free port)
//! ```
//!
//! The work: commands on two named databases (in memory), a cache with 20 concurrent callers
//! of one missing key (1 miss, 19 coalesced), and a queue worker running jobs that succeed and
//! fail. The names and labels are listed in `staunch::observe`.

#[cfg(feature = "metrics")]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use std::time::Duration;

    use staunch::cache::{Cache, CacheKey, cache_type};
    use staunch::config::{Embedded, Settings, Staunch};
    use staunch::prelude::*;
    use staunch::queue::{HandlerError, JobContext, NewJob, Queue, Worker};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // The recorder first: handles registered before it would be no-ops.
    let prometheus = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;

    let app = Staunch::open(
        Settings::new()
            .embedded(Embedded::Memory)
            .only_databases(&["main", "cache", "tasks"]),
    )
    .await?;
    let main_db = app.db("main")?;
    for i in 0..100 {
        main_db.set(&format!("k:{i}"), i.to_string()).await?;
        main_db.get(&format!("k:{i}")).await?;
    }
    main_db.lpush("a-list", "x").await?;
    let _ = main_db.incr("a-list").await; // WRONGTYPE: counted by kind

    let cache = Cache::new(app.db("cache")?);
    let key = CacheKey::tenant("t1", cache_type::API_RESPONSE, "slow");
    let mut callers = Vec::new();
    for _ in 0..20 {
        let (cache, key) = (cache.clone(), key.clone());
        callers.push(tokio::spawn(async move {
            cache
                .get_or_fetch(&key, || async {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Ok::<_, std::io::Error>(42)
                })
                .await
        }));
    }
    for caller in callers {
        caller.await??;
    }

    let queue = Queue::new(app.db("tasks")?);
    for i in 0..10 {
        queue
            .enqueue(NewJob::new("resize", i).max_retries(0))
            .await?;
    }
    let worker = Worker::new(queue.clone())
        .concurrency(2)
        .maintenance_interval(Duration::from_millis(100))
        .handle("resize", |ctx: JobContext<u32>| async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if ctx.payload.is_multiple_of(3) {
                return Err(HandlerError::permanent("not an image"));
            }
            Ok::<_, HandlerError>(ctx.payload * 2)
        })
        .start();
    tokio::time::sleep(Duration::from_millis(800)).await;
    worker.shutdown(Duration::from_secs(5)).await;

    let text = prometheus.render();
    println!("{text}");
    if std::env::args().nth(1).as_deref() == Some("serve") {
        let port = std::env::var("PORT").unwrap_or_else(|_| "0".to_owned());
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
        println!("serving http://{}/metrics", listener.local_addr()?);
        loop {
            let (mut socket, _) = listener.accept().await?;
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            let body = prometheus.render();
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    }
    app.close().await?;
    Ok(())
}

#[cfg(not(feature = "metrics"))]
fn main() {
    eprintln!(
        "the metrics example needs the `metrics` feature: cargo run --example metrics --features metrics"
    );
}
