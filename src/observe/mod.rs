//! Observability: `tracing` spans per command and per job, and (feature `metrics`) counters,
//! gauges and histograms through the [`metrics`](https://docs.rs/metrics) facade, for any
//! exporter (Prometheus, OpenTelemetry, StatsD, ...). `examples/metrics.rs` serves them in
//! Prometheus's text format.
//!
//! # Spans
//!
//! | span | level | fields | where |
//! |---|---|---|---|
//! | `staunch.command` | TRACE | `backend`, `command`, `database` | every command on a named database ([`crate::Staunch::db`]) or an [`Observed`] store |
//! | `staunch.batch` | TRACE | `backend`, `database`, `commands`, `atomic` | every pipeline or transaction on them |
//! | `staunch.job` | DEBUG | `queue`, `job_id`, `task_type`, `attempt` | every job a [`crate::queue::Worker`] runs, handler included (its own events carry the job) |
//!
//! They cost nothing when off: a span below the subscriber's level (or with no subscriber) is
//! not created, and the command runs as if unwrapped (one level check).
//!
//! # Metrics (feature `metrics`)
//!
//! | name | kind | labels | what |
//! |---|---|---|---|
//! | `staunch_commands_total` | counter | `backend`, `database` | commands run (a batch counts each of its commands) |
//! | `staunch_command_errors_total` | counter | `backend`, `database`, `kind` | failed commands by [`crate::ErrorKind`] (`unavailable`, `timeout`, `wrong_type`, ...) |
//! | `staunch_command_duration_seconds` | histogram | `backend`, `database` | time per round trip (a batch is one) |
//! | `staunch_failover_state` | gauge | | 0 healthy, 1 degraded, 2 recovering (the last state change of any `Failover`) |
//! | `staunch_failover_journal_length` | gauge | | writes waiting for replay: set at each state change, moved by each write journaled or replayed |
//! | `staunch_failover_events_total` | counter | `event` | `breaker_trip`, `served_locally`, `journaled`, `replayed`, `replay_skipped` |
//! | `staunch_queue_jobs` | gauge | `queue`, `state` | jobs `pending`, `scheduled`, `processing`, `dead` (set by each worker's maintenance pass) |
//! | `staunch_job_duration_seconds` | histogram | `queue`, `task_type`, `outcome` | a job's run, from claim to recorded outcome (`completed`, `failed`, `timed_out`, `lost`, `released`) |
//! | `staunch_cache_requests_total` | counter | `result` | cache reads: `hit`, `stale`, `miss` (found nothing), `coalesced` (of those misses, the ones that waited for another caller's fetch; [`crate::cache::CacheStats`] subtracts them from its misses, a counter cannot) |
//!
//! Handles are registered when a store or service is built: install the recorder (the
//! exporter) first, as every `metrics` exporter asks. Without the feature these calls compile
//! to nothing.
//!
//! The cost, measured with `cargo run --release --example bench_storage -- observe`: see
//! `CHANGELOG.md`/the issue note for the figures of this machine.

mod observed;
pub(crate) mod record;

pub use observed::Observed;
