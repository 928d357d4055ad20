//! Runs the built `roombridge demo`: once to the end, and once with
//! `--keep-running`, using the printed API address and token before
//! stopping it with SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_roombridge");

/// Maximum time the demo may take. It took about one second in a debug
/// build on a two-core machine.
const DEMO_LIMIT: Duration = Duration::from_secs(90);

/// Builds `roombridge demo` with roombridge settings in the environment
/// that point elsewhere: the demo must ignore them and use its own.
fn demo_command(args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    for (name, _) in std::env::vars() {
        if name.starts_with("ROOMBRIDGE_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
        .env(
            "ROOMBRIDGE_DATABASE_URL",
            "sqlite:///nonexistent-folder/demo.db",
        )
        .env(
            "ROOMBRIDGE_EXCHANGE_URL",
            "http://127.0.0.1:9/EWS/Exchange.asmx",
        )
        .env("ROOMBRIDGE_LISTEN", "127.0.0.1:9")
        .arg("demo")
        .args(args);
    command
}

/// Returns the numbers in the summary line `N of M steps passed`.
fn summary_counts(stdout: &str) -> (usize, usize) {
    let line = stdout
        .lines()
        .find(|line| line.contains(" steps passed"))
        .unwrap_or_else(|| panic!("no summary line in the output:\n{stdout}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let passed = words[0].parse().expect("passed count");
    let total = words[2].parse().expect("step count");
    (passed, total)
}

/// Returns the labels of the summary's step lines (`passed`, `FAILED`, ...).
fn summary_labels(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .skip_while(|line| *line != "Summary")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .map(|line| {
            line.trim_start()
                .split("  ")
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

#[test]
fn demo_passes_every_step() {
    let started = Instant::now();
    let output = demo_command(&[]).output().expect("run roombridge demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(
        output.status.success(),
        "demo exited with {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    let (passed, total) = summary_counts(&stdout);
    assert_eq!(passed, total, "not every step passed:\n{stdout}");
    assert!(total >= 10, "the demo ran only {total} steps:\n{stdout}");
    let labels = summary_labels(&stdout);
    assert_eq!(labels.len(), total, "summary lines:\n{stdout}");
    assert!(
        labels.iter().all(|label| label == "passed"),
        "summary labels {labels:?}:\n{stdout}"
    );
    // The level may be wrapped in colour codes, so only its leading space
    // is matched.
    assert!(
        !stderr.contains(" INFO"),
        "info logs are shown by default:\n{stderr}"
    );
    assert!(
        !stderr.contains(" DEBUG"),
        "debug logs are shown by default:\n{stderr}"
    );
    assert!(
        started.elapsed() < DEMO_LIMIT,
        "the demo took {:?}",
        started.elapsed()
    );
}

/// Writes simulator fault settings to a file and runs the demo with them.
fn run_with_faults(faults: &str) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("faults.json");
    std::fs::write(&path, faults).expect("write the fault file");
    let path = path.to_str().expect("UTF-8 path");
    demo_command(&["--exchange-faults", path])
        .output()
        .expect("run roombridge demo --exchange-faults")
}

#[test]
fn failing_step_is_named_and_exits_nonzero() {
    let output = run_with_faults(r#"{"rules": [{"kind": "http500", "operation": "UpdateItem"}]}"#);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stderr.contains("demo step 3 failed: Alice moves her booking to another time"),
        "the failed step is named:\n{stderr}"
    );
    let (passed, total) = summary_counts(&stdout);
    assert_eq!(
        passed, 2,
        "the steps before the first update passed:\n{stdout}"
    );
    let labels = summary_labels(&stdout);
    assert_eq!(labels.len(), total, "summary lines:\n{stdout}");
    assert_eq!(labels[0], "passed");
    assert_eq!(labels[1], "passed");
    assert_eq!(labels[2], "FAILED");
    assert!(
        labels[3..].iter().all(|label| label == "not run"),
        "later steps do not run: {labels:?}"
    );
}

#[test]
fn throttled_exchange_still_passes() {
    let output =
        run_with_faults(r#"{"back_off_ms": 50, "rules": [{"kind": "server_busy", "count": 3}]}"#);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(
        output.status.success(),
        "demo exited with {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    let (passed, total) = summary_counts(&stdout);
    assert_eq!(passed, total, "not every step passed:\n{stdout}");
}

#[test]
fn invalid_fault_file_is_rejected() {
    let output = run_with_faults(r#"{"rules": [{"kind": "nonsense"}]}"#);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains("invalid fault file"), "stderr:\n{stderr}");
    assert!(
        stderr.contains("nonsense"),
        "the bad value is named:\n{stderr}"
    );
}

/// Reads lines of a child's output on a thread.
fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Returns the text after `label` in the first line that contains it.
fn value_after<'a>(lines: &'a [String], label: &str) -> Option<&'a str> {
    lines.iter().find_map(|line| {
        line.split_once(label)
            .and_then(|(_, rest)| rest.split_whitespace().next())
    })
}

/// Sends a request without body and with a bearer token; returns the
/// status and body.
fn request(address: &str, method: &str, path: &str, token: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect to the demo's API");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A running demo, stopped when dropped so that a failed test leaves no
/// process behind: SIGTERM first, which lets it remove its temporary
/// folder, and SIGKILL when it is still running five seconds later.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if !matches!(self.0.try_wait(), Ok(None)) {
            return;
        }
        let _ = terminate(&self.0);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if !matches!(self.0.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends SIGTERM to `child` with the `kill` command.
fn terminate(child: &Child) -> std::io::Result<std::process::ExitStatus> {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
}

/// Waits for the child to exit; fails after `limit`.
fn wait_with_limit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("poll the demo") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the demo did not stop within {limit:?} after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn keep_running_serves_until_sigterm() {
    let mut demo = Running(
        demo_command(&["--keep-running"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start roombridge demo --keep-running"),
    );
    let stdout = lines_of(demo.0.stdout.take().expect("stdout"));
    let stderr = lines_of(demo.0.stderr.take().expect("stderr"));

    let mut seen: Vec<String> = Vec::new();
    while !seen
        .iter()
        .any(|line| line.starts_with("Waiting for Ctrl-C"))
    {
        match stdout.recv_timeout(DEMO_LIMIT) {
            Ok(line) => seen.push(line),
            Err(_) => {
                let errors: Vec<String> = stderr.try_iter().collect();
                panic!(
                    "the demo did not report that it keeps running; stdout: {seen:#?}\nstderr: {errors:#?}"
                );
            }
        }
    }
    let output = seen.join("\n");
    let (passed, total) = summary_counts(&output);
    assert_eq!(passed, total, "not every step passed:\n{output}");

    let url = value_after(&seen, "roombridge API:").expect("API address printed");
    let address = url
        .strip_prefix("http://")
        .and_then(|rest| rest.strip_suffix("/api/v1"))
        .unwrap_or_else(|| panic!("unexpected API address `{url}`"));
    let token = value_after(&seen, "API token:").expect("token printed");
    let ews = value_after(&seen, "Exchange EWS:").expect("EWS address printed");
    assert!(ews.starts_with("http://127.0.0.1:"), "EWS address `{ews}`");
    assert!(
        output.contains("alice@example.com / alice-password"),
        "sample sign-in printed:\n{output}"
    );

    let (status, body) = request(address, "GET", "/api/v1/rooms", token);
    assert_eq!(status, 200, "GET /api/v1/rooms: {body}");
    assert!(body.contains("room-101@example.com"), "rooms: {body}");
    let (status, _) = request(address, "GET", "/api/v1/rooms", "rb_not-a-token");
    assert_eq!(status, 401, "an unknown token is rejected");
    let (status, body) = request(address, "POST", "/api/v1/sync", token);
    assert_eq!(status, 200, "POST /api/v1/sync: {body}");
    assert!(
        body.contains("\"room\":\"room-101@example.com\""),
        "sync report: {body}"
    );

    let signal = terminate(&demo.0).expect("send SIGTERM");
    assert!(signal.success(), "kill -TERM failed");
    let status = wait_with_limit(&mut demo.0, Duration::from_secs(30));
    assert!(
        status.success(),
        "the demo exited with {status} after SIGTERM"
    );
}
