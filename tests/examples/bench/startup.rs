//! Start-up and memory of one function binary, run as Lambda runs it: no arguments, the Runtime API
//! address in `AWS_LAMBDA_RUNTIME_API`, one event. Two times from spawning the process: to its first
//! request for an event (initialisation: what a cold start adds, less the service's own sandbox
//! set-up), and to its answer reaching the API (the first invocation, its AWS calls to the emulator
//! included). Memory is the peak resident set (`VmHWM` in /proc/<pid>/status), read while the
//! process waits idle for its next event, after the event was handled.

use integration_tests::functions::binary;
use integration_tests::rotation::function_env;
use integration_tests::runtime_api::{FakeRuntimeApi, Reported};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One cold run: milliseconds to the first poll and to the first answer, peak RSS in MiB, and
/// what it answered.
#[derive(Debug, Clone)]
pub struct ColdRun {
    pub init_ms: f64,
    pub startup_ms: f64,
    pub peak_rss_mib: f64,
    /// `response`, or the error name the function answered with.
    pub answer: String,
}

/// The function's memory size in deployment (bootstrap/deploy/src/aws/functions.rs), as Lambda
/// tells it.
const MEMORY_MB: &str = "256";

pub fn cold_run(function: &str, event: &Value, extra_env: &[(&str, &str)]) -> ColdRun {
    // Read before the clock starts: the first call starts the emulator.
    let env = function_env();
    let api = FakeRuntimeApi::serve_and_hold(vec![event.clone()]);
    let started = Instant::now();
    let mut child = Command::new(binary(function))
        .envs(env)
        .envs(extra_env.iter().copied())
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", MEMORY_MB)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the function binary starts");
    let served = api.served();
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .expect("the process is alive, waiting for its next event");
    child.kill().expect("the idle function stops");
    child.wait().expect("the function is reaped");
    let (reported, at) = served
        .reported
        .first()
        .cloned()
        .expect("the function answered its event");
    let first_poll = served.first_poll.expect("the function asked for its event");
    ColdRun {
        init_ms: first_poll.duration_since(started).as_secs_f64() * 1000.0,
        startup_ms: at.duration_since(started).as_secs_f64() * 1000.0,
        peak_rss_mib: peak_rss_kib(&status) / 1024.0,
        answer: match reported {
            Reported::Response(_) => "response".to_owned(),
            Reported::Error(body) => body["errorType"].as_str().unwrap_or("error").to_owned(),
        },
    }
}

/// `VmHWM:   12345 kB`: the process's peak resident set size (proc(5)).
fn peak_rss_kib(status: &str) -> f64 {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .expect("/proc/<pid>/status has VmHWM")
}
