//! The `tracing` spans of `staunch::observe`: one `staunch.command` span per command on a
//! named database (backend, command, database), `staunch.batch` per pipeline, one
//! `staunch.job` span per job (queue, job id, task type, attempt) with the handler's own
//! events inside it; and none at all when the subscriber's level is above them.
//!
//! A small capturing subscriber records span names, fields and the span each event is in.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use staunch::config::{Embedded, Settings, Staunch};
use staunch::prelude::*;
use staunch::queue::{HandlerError, JobContext, NewJob, Queue, Worker};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

#[derive(Default)]
struct Captured {
    /// Every span created: name and fields.
    spans: Vec<(String, BTreeMap<String, String>)>,
    /// Each event's message and the name of the span it happened in.
    events: Vec<(String, Option<String>)>,
}

struct Capture {
    max: Level,
    next: AtomicU64,
    names: Mutex<BTreeMap<u64, String>>,
    metadata: Mutex<BTreeMap<u64, &'static Metadata<'static>>>,
    stack: Mutex<Vec<u64>>,
    captured: Arc<Mutex<Captured>>,
}

struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_owned(),
            format!("{value:?}").trim_matches('"').to_owned(),
        );
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.max
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(self.max.into())
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = Fields(BTreeMap::new());
        span.record(&mut fields);
        let name = span.metadata().name().to_owned();
        self.names.lock().insert(id, name.clone());
        self.metadata.lock().insert(id, span.metadata());
        self.captured.lock().spans.push((name, fields.0));
        Id::from_u64(id)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(BTreeMap::new());
        event.record(&mut fields);
        let within = self
            .stack
            .lock()
            .last()
            .and_then(|id| self.names.lock().get(id).cloned());
        let message = fields.0.remove("message").unwrap_or_default();
        self.captured.lock().events.push((message, within));
    }
    // `Span::current()` (which the worker uses to carry the job's span into the handler's
    // task) asks the subscriber.
    fn current_span(&self) -> tracing_core::span::Current {
        let top = self.stack.lock().last().copied();
        match top.and_then(|id| self.metadata.lock().get(&id).map(|m| (id, *m))) {
            Some((id, metadata)) => tracing_core::span::Current::new(Id::from_u64(id), metadata),
            None => tracing_core::span::Current::none(),
        }
    }
    fn enter(&self, span: &Id) {
        self.stack.lock().push(span.into_u64());
    }
    fn exit(&self, span: &Id) {
        let mut stack = self.stack.lock();
        if let Some(at) = stack.iter().rposition(|id| *id == span.into_u64()) {
            stack.remove(at);
        }
    }
}

/// Runs the demo work under a subscriber at `max`; returns what it captured.
fn run_at(max: Level) -> Captured {
    let captured = Arc::new(Mutex::new(Captured::default()));
    let subscriber = Capture {
        max,
        next: AtomicU64::new(0),
        names: Mutex::new(BTreeMap::new()),
        metadata: Mutex::new(BTreeMap::new()),
        stack: Mutex::new(Vec::new()),
        captured: captured.clone(),
    };
    tracing::subscriber::with_default(subscriber, || {
        // One thread, so the default subscriber sees every task.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let app = Staunch::open(
                Settings::new()
                    .embedded(Embedded::Memory)
                    .only_databases(&["main", "tasks"]),
            )
            .await
            .unwrap();
            let main = app.db("main").unwrap();
            main.set("k", "v").await.unwrap();
            main.pipeline().get("k").incr("n").run().await.unwrap();
            let queue = Queue::new(app.db("tasks").unwrap());
            let id = queue.enqueue(NewJob::new("resize", 7u32)).await.unwrap().id;
            let worker = Worker::new(queue.clone())
                .handle("resize", |ctx: JobContext<u32>| async move {
                    tracing::info!("resizing image");
                    Ok::<_, HandlerError>(ctx.payload)
                })
                .start();
            for _ in 0..200 {
                if queue
                    .get(&id)
                    .await
                    .unwrap()
                    .is_some_and(|j| j.result.is_some())
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            worker.shutdown(Duration::from_secs(5)).await;
            app.close().await.unwrap();
        });
    });
    Arc::try_unwrap(captured).ok().unwrap().into_inner()
}

#[test]
fn command_and_job_spans() {
    let captured = run_at(Level::TRACE);
    let set = captured
        .spans
        .iter()
        .find(|(name, f)| {
            name == "staunch.command" && f.get("command").map(String::as_str) == Some("SET")
        })
        .unwrap_or_else(|| {
            panic!(
                "a SET span: {:?}",
                captured.spans.iter().take(5).collect::<Vec<_>>()
            )
        });
    assert_eq!(set.1["backend"], "memory");
    assert_eq!(set.1["database"], "main");
    let batch = captured
        .spans
        .iter()
        .find(|(name, _)| name == "staunch.batch")
        .expect("a batch span");
    assert_eq!(batch.1["commands"], "2");
    let job = captured
        .spans
        .iter()
        .find(|(name, _)| name == "staunch.job")
        .expect("a job span");
    assert_eq!(job.1["task_type"], "resize");
    assert_eq!(job.1["attempt"], "1");
    assert!(job.1.contains_key("job_id") && job.1.contains_key("queue"));
    // The handler's own event is inside the job's span.
    let inside = captured
        .events
        .iter()
        .find(|(message, _)| message == "resizing image")
        .expect("the handler's event");
    assert_eq!(inside.1.as_deref(), Some("staunch.job"));
}

#[test]
fn no_spans_below_the_subscribers_level() {
    let captured = run_at(Level::INFO);
    let ours: Vec<_> = captured
        .spans
        .iter()
        .filter(|(name, _)| name.starts_with("staunch."))
        .collect();
    assert!(ours.is_empty(), "{ours:?}");
    // The handler's INFO event still arrives (outside any span).
    assert!(captured.events.iter().any(|(m, _)| m == "resizing image"));
}
