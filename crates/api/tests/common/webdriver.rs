//! A W3C WebDriver client for headless Chromium through chromedriver,
//! speaking the protocol's JSON over HTTP with the test HTTP client, so the
//! tests need no WebDriver crate.
//!
//! Debian's `chromium` and `chromium-driver` packages provide the two
//! programs. Without them [`Browser::start`] prints that the test skipped,
//! unless `ROOMBRIDGE_REQUIRE_BROWSER=1` makes it fail.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use super::http::Client;

/// Environment variable that turns a missing browser into a failure.
pub const REQUIRE_BROWSER_VAR: &str = "ROOMBRIDGE_REQUIRE_BROWSER";

/// Key of an element reference in WebDriver JSON (W3C WebDriver, 12.1).
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Maximum wait for a DOM condition before the test fails.
pub const WAIT_LIMIT: Duration = Duration::from_secs(10);

/// Pause between two checks of a DOM condition.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Where the browser and its driver are installed by Debian's packages.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A headless Chromium session driven through chromedriver. Dropping it
/// ends the session and stops chromedriver.
pub struct Browser {
    driver: Client,
    session: String,
    process: Child,
    _profile: tempfile::TempDir,
}

/// Returns the program at `default` or the one named by `variable`, when
/// it exists.
fn program(variable: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    path.is_file().then_some(path)
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session whose time zone
    /// is `time_zone`, or returns `None` after printing why the calling
    /// test skipped.
    ///
    /// # Panics
    ///
    /// Panics when Chromium or chromedriver is missing and
    /// `ROOMBRIDGE_REQUIRE_BROWSER=1`, or when either fails to start.
    pub async fn start(what: &str, time_zone: &str) -> Option<Browser> {
        let chromium = program("ROOMBRIDGE_CHROMIUM", CHROMIUM);
        let chromedriver = program("ROOMBRIDGE_CHROMEDRIVER", CHROMEDRIVER);
        let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
            let required = std::env::var(REQUIRE_BROWSER_VAR).is_ok_and(|value| value == "1");
            assert!(
                !required,
                "{what} needs Chromium at {CHROMIUM} and chromedriver at {CHROMEDRIVER} \
                 (or ROOMBRIDGE_CHROMIUM and ROOMBRIDGE_CHROMEDRIVER); install them with \
                 `apt-get install chromium chromium-driver`"
            );
            roombridge_testkit::report_skip(&format!(
                "{what} (install Chromium and chromedriver with `apt-get install chromium \
                 chromium-driver`, or set {REQUIRE_BROWSER_VAR}=1 to make this a failure)"
            ));
            return None;
        };

        let port = free_port();
        let process = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .env("TZ", time_zone)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", chromedriver.display()));
        let driver = Client {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        let mut browser = Browser {
            driver,
            session: String::new(),
            process,
            _profile: tempfile::tempdir().expect("create a browser profile folder"),
        };
        browser.wait_for_driver().await;
        browser.session = browser.new_session(&chromium).await;
        Some(browser)
    }

    async fn wait_for_driver(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!("chromedriver exited at start with {status}");
            }
            if tokio::net::TcpStream::connect(self.driver.addr)
                .await
                .is_ok()
            {
                let reply = self.driver.get("/status").send().await;
                if reply.json()["value"]["ready"] == json!(true) {
                    return;
                }
            }
            assert!(
                started.elapsed() < WAIT_LIMIT,
                "chromedriver did not become ready within {WAIT_LIMIT:?}"
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    async fn new_session(&self, chromium: &Path) -> String {
        // The flags keep Chromium off the network except for the page under
        // test, and `--no-sandbox` lets it run as root in a container.
        let arguments = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            &format!("--user-data-dir={}", self._profile.path().display()),
        ];
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:loggingPrefs": { "browser": "ALL" },
                    "goog:chromeOptions": {
                        "binary": chromium.display().to_string(),
                        "args": arguments,
                    },
                },
            },
        });
        let reply = self
            .driver
            .post("/session")
            .json(&capabilities)
            .send()
            .await;
        let body = reply.json();
        body["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver did not create a session: {body}"))
            .to_owned()
    }

    /// Sends a WebDriver command for this session and returns its `value`.
    async fn command(&self, method: http::Method, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let call = self.driver.call(method.clone(), &path);
        let call = match body {
            Some(body) => call.json(&body),
            None => call,
        };
        let reply = call.send().await;
        let json = reply.json();
        assert!(
            reply.status.is_success(),
            "WebDriver {method} {path} failed with {}: {json}",
            reply.status
        );
        json["value"].clone()
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.command(http::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// Returns the URL of the page.
    pub async fn url(&self) -> String {
        let value = self.command(http::Method::GET, "/url", None).await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Runs `script` (a function body that may `return`) with `args`.
    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.command(
            http::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Runs `script` and returns the value it passes to its callback, the
    /// last of its `arguments`, which lets it wait for a promise.
    pub async fn async_script(&self, script: &str, args: Value) -> Value {
        self.command(
            http::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Runs `script` until it returns something other than `null`, `false`
    /// or an empty string, and returns that value. After [`WAIT_LIMIT`] the
    /// test fails with `what` and the page's status line.
    pub async fn wait_until(&self, what: &str, script: &str, args: Value) -> Value {
        let started = Instant::now();
        loop {
            let value = self.script(script, args.clone()).await;
            let done =
                !matches!(&value, Value::Null | Value::Bool(false)) && value.as_str() != Some("");
            if done {
                return value;
            }
            if started.elapsed() > WAIT_LIMIT {
                let status = self
                    .script(
                        "const s = document.getElementById('status'); return s ? s.textContent : '';",
                        json!([]),
                    )
                    .await;
                self.save_screenshot("timeout").await;
                panic!("timed out after {WAIT_LIMIT:?} waiting for {what}; status line: {status}");
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Waits until an element matching `css` is displayed and returns its
    /// WebDriver reference.
    pub async fn wait_for(&self, css: &str) -> Value {
        let script = "const e = document.querySelector(arguments[0]); \
                      return e && e.getClientRects().length > 0 ? e : null;";
        self.wait_until(&format!("a visible `{css}`"), script, json!([css]))
            .await
    }

    /// Clicks `element` the way a user would, with pointer events at its
    /// centre.
    pub async fn click(&self, element: &Value) {
        let id = element_id(element);
        self.command(
            http::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Waits for `css` and clicks it.
    pub async fn click_on(&self, css: &str) {
        let element = self.wait_for(css).await;
        self.click(&element).await;
    }

    /// Types `text` into `element` as key presses.
    pub async fn type_text(&self, element: &Value, text: &str) {
        let id = element_id(element);
        self.command(
            http::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Empties the input `element`.
    pub async fn clear(&self, element: &Value) {
        let id = element_id(element);
        self.command(
            http::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await;
    }

    /// Drags the mouse from one viewport point to another.
    pub async fn drag(&self, from: (f64, f64), to: (f64, f64)) {
        let point = |(x, y): (f64, f64)| json!({ "type": "pointerMove", "origin": "viewport", "x": x.round() as i64, "y": y.round() as i64, "duration": 0 });
        let actions = json!({
            "actions": [{
                "type": "pointer",
                "id": "mouse",
                "parameters": { "pointerType": "mouse" },
                "actions": [
                    point(from),
                    { "type": "pointerDown", "button": 0 },
                    point(((from.0 + to.0) / 2.0, to.1)),
                    point(to),
                    { "type": "pointerUp", "button": 0 },
                ],
            }],
        });
        self.command(http::Method::POST, "/actions", Some(actions))
            .await;
    }

    /// Returns the messages of the browser console since the last call,
    /// through chromedriver's log endpoint, which is not part of W3C
    /// WebDriver.
    pub async fn console_messages(&self) -> Vec<String> {
        let entries = self
            .command(
                http::Method::POST,
                "/se/log",
                Some(json!({ "type": "browser" })),
            )
            .await;
        entries
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| format!("{} {}", entry["level"], entry["message"]))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Resizes the browser window, in CSS pixels.
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.command(
            http::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// Saves a screenshot as `NAME.png` in the folder named by
    /// `ROOMBRIDGE_UI_SCREENSHOTS`, when it is set.
    pub async fn save_screenshot(&self, name: &str) {
        let Some(folder) = std::env::var_os("ROOMBRIDGE_UI_SCREENSHOTS") else {
            return;
        };
        let value = self.command(http::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().unwrap_or_default())
            .expect("WebDriver returns the screenshot as base64");
        let path = Path::new(&folder).join(format!("{name}.png"));
        std::fs::write(&path, png)
            .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
    }

    /// Ends the session, which closes Chromium.
    pub async fn quit(mut self) {
        let path = format!("/session/{}", self.session);
        self.driver.delete(&path).send().await;
        self.session.clear();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            // A test that failed halfway still closes Chromium: a plain
            // blocking request, because `Drop` cannot await.
            end_session_blocking(self.driver.addr, &self.session);
        }
        // OK to ignore: the driver may already have exited.
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn end_session_blocking(addr: SocketAddr, session: &str) {
    use std::io::{Read as _, Write as _};

    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request =
        format!("DELETE /session/{session} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
    }
}

fn element_id(element: &Value) -> String {
    element[ELEMENT_KEY]
        .as_str()
        .unwrap_or_else(|| panic!("expected a WebDriver element reference, but found {element}"))
        .to_owned()
}

/// Returns a port that was free a moment ago, for chromedriver.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}
