//! A real headless Chromium driven over WebDriver: `chromedriver` started on a free loopback
//! port, a fresh profile directory, and a [`fantoccini`] client.
//!
//! Debian's `chromium` and `chromium-driver` packages (`/usr/bin/chromium`,
//! `/usr/bin/chromedriver`; `.ci/run` installs them) are used, or the binaries named by
//! `STAUNCH_CHROMIUM` and `STAUNCH_CHROMEDRIVER`. When they are missing the test fails with how
//! to install them; `STAUNCH_SKIP_BROWSER=1` skips it, printing that it did.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Environment variable that skips browser tests (value `1`).
pub const SKIP_ENV: &str = "STAUNCH_SKIP_BROWSER";

const HOW_TO_INSTALL: &str = "install Chromium and its WebDriver (`apt-get install -y chromium \
     chromium-driver` on Debian), or point STAUNCH_CHROMIUM and STAUNCH_CHROMEDRIVER at the \
     binaries, or set STAUNCH_SKIP_BROWSER=1 to skip the browser tests";

/// The flags Chromium runs with: headless, no sandbox (tests run as root in CI), shared
/// memory in /tmp (containers have a small /dev/shm), and nothing that reaches the network by
/// itself.
const FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1400",
];

/// A browser session; the driver is killed when it is dropped.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        stop_driver(&mut self.driver);
    }
}

/// Kills chromedriver's process group: the driver and the browser it started, even when a
/// failed test never closed its session.
fn stop_driver(driver: &mut Child) {
    let group = format!("-{}", driver.id());
    let _ = Command::new("kill")
        .args(["-KILL", "--", &group])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = driver.kill();
    let _ = driver.wait();
}

fn binary(env: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    path.is_file().then_some(path)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session. `None` (after a `SKIPPED` line)
    /// when `STAUNCH_SKIP_BROWSER=1`.
    ///
    /// # Panics
    ///
    /// When Chromium or chromedriver is missing or does not start, saying how to install them.
    pub async fn start(what: &str) -> Option<Browser> {
        if std::env::var(SKIP_ENV).is_ok_and(|v| v == "1") {
            println!("SKIPPED ({SKIP_ENV}=1): {what}");
            return None;
        }
        let chromium = binary("STAUNCH_CHROMIUM", "/usr/bin/chromium");
        let driver = binary("STAUNCH_CHROMEDRIVER", "/usr/bin/chromedriver");
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            panic!(
                "{what} needs Chromium at /usr/bin/chromium and chromedriver at \
                 /usr/bin/chromedriver, and at least one is missing: {HOW_TO_INSTALL}"
            );
        };
        let profile = tempfile::Builder::new()
            .prefix("staunch-chromium-")
            .tempdir()
            .expect("a profile directory");
        let mut last_error = String::new();
        // A free port can be taken before chromedriver binds it: try a few.
        for _ in 0..3 {
            let port = free_port();
            let log = profile.path().join(format!("chromedriver-{port}.log"));
            let mut child = spawn_driver(&driver, port, &log, what);
            match connect(port, &chromium, profile.path()).await {
                Ok(client) => {
                    return Some(Browser {
                        client,
                        driver: child,
                        _profile: profile,
                    });
                }
                Err(e) => {
                    stop_driver(&mut child);
                    let output = std::fs::read_to_string(&log).unwrap_or_default();
                    last_error = format!("{e}\nchromedriver's log:\n{output}");
                }
            }
        }
        panic!(
            "{what}: Chromium did not start through chromedriver: {last_error}\n{HOW_TO_INSTALL}"
        );
    }

    /// Closes the session (the browser exits) and stops the driver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    /// The value of JavaScript `expression` in the page.
    pub async fn eval(&self, expression: &str) -> Value {
        self.client
            .execute(&format!("return ({expression});"), Vec::new())
            .await
            .unwrap_or_else(|e| panic!("evaluating {expression}: {e}"))
    }

    /// Waits until JavaScript `condition` is true in the page, looking every 100 ms, for up
    /// to `limit`. On timeout it saves a screenshot next to `shot` and fails with what the page
    /// showed.
    pub async fn wait_for(&self, what: &str, condition: &str, limit: Duration, shot: &Path) {
        let deadline = Instant::now() + limit;
        loop {
            if self.eval(condition).await == Value::Bool(true) {
                return;
            }
            if Instant::now() >= deadline {
                let failed = shot.with_file_name("dashboard-failure.png");
                self.screenshot(&failed).await;
                let text = self.eval("document.body.innerText").await;
                panic!(
                    "timed out after {limit:?} waiting for {what} ({condition}); screenshot in {}; \
                     the page showed:\n{}",
                    failed.display(),
                    text.as_str().unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element `css` selects.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("finding {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    /// Replaces the text of the input `css` selects.
    pub async fn type_into(&self, css: &str, text: &str) {
        let input = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("finding {css}: {e}"));
        input
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clearing {css}: {e}"));
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// Saves a PNG of the window at `path` (creating its directory).
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("a screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("the screenshot's directory");
        }
        std::fs::write(path, png).expect("the screenshot written");
    }
}

fn spawn_driver(driver: &Path, port: u16, log: &Path, what: &str) -> Child {
    let log_file = std::fs::File::create(log).expect("chromedriver's log file");
    let err_file = log_file.try_clone().expect("chromedriver's log file");
    // A process group of its own, so the browser it starts can be stopped with it.
    Command::new(driver)
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(err_file)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{what}: cannot run {}: {e}\n{HOW_TO_INSTALL}",
                driver.display()
            )
        })
}

/// Opens a session on the driver at `port`, retrying while the driver starts (up to 30 s).
async fn connect(port: u16, chromium: &Path, profile: &Path) -> Result<Client, String> {
    let mut args: Vec<String> = FLAGS.iter().map(|f| (*f).to_owned()).collect();
    args.push(format!(
        "--user-data-dir={}",
        profile.join("chromium").display()
    ));
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": chromium, "args": args },
    });
    let Value::Object(capabilities) = capabilities else {
        return Err("capabilities are not an object".to_owned());
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::new(connector.clone())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return Ok(client),
            Err(e) if Instant::now() >= deadline => return Err(e.to_string()),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}
