//! The conformance suite as one test per case: a `harness = false` test target hands its store
//! factory to [`run`], and `cargo test` lists, counts, filters and reports the cases like any
//! other tests (through [`libtest_mimic`]).
//!
//! ```no_run
//! // tests/conformance.rs of a backend, with `harness = false` in Cargo.toml
//! use std::sync::Arc;
//! use staunch_core::testkit::{harness, TestStore};
//! # struct MyStore;
//! # impl MyStore { fn new() -> Self { MyStore } }
//! # fn as_store(_: MyStore) -> TestStore { unimplemented!() }
//!
//! fn main() -> std::process::ExitCode {
//!     harness::run(harness::Backend::new("mine", || async { as_store(MyStore::new()) }))
//! }
//! ```
//!
//! Each case is named `<backend>::<case>` (`memory::test_get_missing`), so
//! `cargo test -p staunch-memory -- memory::test_zadd` runs the `ZADD` cases and
//! `cargo test -p staunch-memory -- --list` lists them all. A case whose [`Requires`](super::Requires) the
//! backend's declared [`Capabilities`](crate::Capabilities) do not meet is reported ignored,
//! as is every case of a backend that cannot be had (Redis with `STAUNCH_SKIP_REDIS=1`), with a
//! line saying why.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::{Arguments, Failed, Trial};

use super::{Case, TestStore, all_cases};

/// How long one case may take before it fails as hung.
const CASE_TIMEOUT: Duration = Duration::from_secs(60);

type Fresh = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = TestStore> + Send>> + Send + Sync>;

type Check = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send>;

/// A backend under test: its name and how to get an empty store for each case.
pub struct Backend {
    name: String,
    fresh: Option<Fresh>,
    skipped: Option<String>,
    shared: bool,
    after: Vec<(String, Check)>,
}

impl Backend {
    /// A backend named `name` whose `fresh` hands out an empty store per case. Cases run in
    /// parallel unless [`Backend::shared`] says they share one server.
    pub fn new<F, Fut>(name: impl Into<String>, fresh: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = TestStore> + Send + 'static,
    {
        Backend {
            name: name.into(),
            fresh: Some(Arc::new(move || Box::pin(fresh()))),
            skipped: None,
            shared: false,
            after: Vec::new(),
        }
    }

    /// A backend that cannot be tested here (`why` is printed): every case is listed and
    /// reported ignored.
    pub fn skipped(name: impl Into<String>, why: impl Into<String>) -> Self {
        Backend {
            name: name.into(),
            fresh: None,
            skipped: Some(why.into()),
            shared: false,
            after: Vec::new(),
        }
    }

    /// The stores of this backend share one server (emptied before each case), so its cases
    /// run one at a time.
    pub fn shared(mut self) -> Self {
        self.shared = true;
        self
    }

    /// One more test, `<backend>::<name>`, after the cases: for what must hold once the whole
    /// suite ran (a `Failover` that never left the healthy state). It runs last when the cases
    /// run one at a time ([`Backend::shared`]).
    pub fn then<F, Fut>(mut self, name: impl Into<String>, check: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.after
            .push((name.into(), Box::new(move || Box::pin(check()))));
        self
    }
}

/// Runs every case against each backend as its own test (parsing `cargo test`'s arguments),
/// on `runtime` (where the backends' connections live); returns the exit code.
pub fn run_on(runtime: &tokio::runtime::Runtime, backends: Vec<Backend>) -> ExitCode {
    let mut args = Arguments::from_args();
    let mut trials = Vec::new();
    for backend in backends {
        if backend.shared {
            args.test_threads = Some(1);
        }
        trials.extend(backend_trials(runtime, backend));
    }
    libtest_mimic::run(&args, trials).exit_code()
}

/// [`run_on`] with a runtime of its own, for backends that need none at construction.
pub fn run(backend: Backend) -> ExitCode {
    run_with(|_| (vec![backend], ()))
}

/// Makes the suite's runtime, lets `setup` build the backends on it (connecting to servers, for
/// example), and runs every case; `setup`'s second value (a server, say) is kept alive until
/// the last case ran.
pub fn run_with<G>(setup: impl FnOnce(&tokio::runtime::Runtime) -> (Vec<Backend>, G)) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start a tokio runtime for the conformance suite: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (backends, keep) = setup(&runtime);
    let code = run_on(&runtime, backends);
    drop(keep);
    code
}

/// A multi-threaded runtime for the suite: cases run on it from the harness's threads, and
/// connections made on it keep being served meanwhile.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

fn backend_trials(runtime: &tokio::runtime::Runtime, backend: Backend) -> Vec<Trial> {
    let cases = all_cases();
    let name = backend.name;
    let Some(fresh) = backend.fresh else {
        let why = backend.skipped.unwrap_or_default();
        println!("SKIPPED {name}: {} conformance cases: {why}", cases.len());
        let after = backend.after.into_iter().map(|(check, _)| check);
        return cases
            .iter()
            .map(|case| case.name.to_owned())
            .chain(after)
            .map(|test| Trial::test(format!("{name}::{test}"), || Ok(())).with_ignored_flag(true))
            .collect();
    };
    // The capabilities a backend declares decide which cases apply to it.
    let capabilities = runtime.block_on(async { fresh().await.capabilities() });
    let mut trials: Vec<Trial> = cases
        .into_iter()
        .map(|case: Case| {
            let applies = case.requires.met_by(&capabilities);
            if !applies {
                println!(
                    "{name}::{} needs {:?}, which {name} does not declare: ignored",
                    case.name, case.requires
                );
            }
            let (fresh, handle) = (fresh.clone(), runtime.handle().clone());
            Trial::test(format!("{name}::{}", case.name), move || {
                run_case(&handle, &fresh, case)
            })
            .with_ignored_flag(!applies)
        })
        .collect();
    for (check_name, check) in backend.after {
        let handle = runtime.handle().clone();
        trials.push(Trial::test(format!("{name}::{check_name}"), move || {
            handle.block_on(check()).map_err(Failed::from)
        }));
    }
    trials
}

fn run_case(handle: &tokio::runtime::Handle, fresh: &Fresh, case: Case) -> Result<(), Failed> {
    let fresh = fresh.clone();
    let outcome = handle.block_on(async move {
        let store = fresh().await;
        tokio::time::timeout(CASE_TIMEOUT, tokio::spawn((case.run)(store))).await
    });
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(join_error)) => Err(match join_error.try_into_panic() {
            Ok(payload) => super::panic_message(payload).into(),
            Err(e) => e.to_string().into(),
        }),
        Err(_) => Err(format!("timed out after {CASE_TIMEOUT:?}").into()),
    }
}
