//! Child processes of the sync benchmark: the simulator, and one measured
//! run of a system with its wall time and peak resident memory.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The simulator running as `roombridge simulate` in its own process.
pub(crate) struct SimulatorProcess {
    child: Child,
    /// EWS endpoint, `http://127.0.0.1:PORT/EWS/Exchange.asmx`.
    pub(crate) ews_url: String,
    /// Admin interface, `http://127.0.0.1:PORT/admin`.
    pub(crate) admin_url: String,
}

impl SimulatorProcess {
    /// Starts the simulator with a generated organisation and waits until it listens.
    pub(crate) fn start(
        roombridge: &Path,
        rooms: usize,
        bookings: usize,
    ) -> Result<SimulatorProcess, String> {
        let mut child = Command::new(roombridge)
            .args(["simulate", "--listen", "127.0.0.1:0", "--generate-rooms"])
            .arg(rooms.to_string())
            .arg("--generate-bookings")
            .arg(bookings.to_string())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot start {}: {error}", roombridge.display()))?;
        let stderr = child.stderr.take().ok_or("the simulator has no stderr")?;
        let mut lines = BufReader::new(stderr).lines();
        let mut urls = None;
        for line in lines.by_ref() {
            let line =
                line.map_err(|error| format!("cannot read the simulator's output: {error}"))?;
            if let Some(rest) = line.strip_prefix("Exchange simulator: EWS at ")
                && let Some((ews, admin)) = rest.split_once(", admin at ")
            {
                urls = Some((ews.to_owned(), admin.to_owned()));
                break;
            }
            eprintln!("simulator: {line}");
        }
        let Some((ews_url, admin_url)) = urls else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the simulator stopped before it listened; see its output above".into());
        };
        // Keep draining stderr so the simulator never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(SimulatorProcess {
            child,
            ews_url,
            admin_url,
        })
    }
}

impl Drop for SimulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One finished run of a measured system.
pub(crate) struct Measured {
    /// Wall time from spawn to exit.
    pub(crate) seconds: f64,
    /// Highest VmHWM seen in /proc/PID/status, in MB.
    pub(crate) peak_rss_mb: f64,
    /// Everything the process wrote to stdout.
    pub(crate) stdout: String,
}

/// Runs `command` to the end, sampling its peak resident memory every 10 ms.
pub(crate) fn measure(mut command: Command, what: &str) -> Result<Measured, String> {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| format!("cannot start {what}: {error}"))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let status = loop {
        if let Some(kb) = vm_hwm_kb(&status_path) {
            peak_kb = peak_kb.max(kb);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(error) => return Err(format!("cannot wait for {what}: {error}")),
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let stdout = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("{what} failed ({status}); its output:\n{stdout}"));
    }
    Ok(Measured {
        seconds,
        peak_rss_mb: peak_kb as f64 / 1024.0,
        stdout,
    })
}

/// Reads `VmHWM` (peak resident set, kB) from a /proc status file.
fn vm_hwm_kb(path: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
