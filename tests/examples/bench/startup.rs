//! Start-up and memory of one function binary, run as Lambda runs it: no arguments, the Runtime API
//! address in `AWS_LAMBDA_RUNTIME_API`, one event. Start-up is the time from spawning the process to
//! its answer reaching the API (what a cold start adds to the first invocation, less the service's
//! own sandbox set-up); memory is the peak resident set (`VmHWM` in /proc/<pid>/status), read while
//! the process waits idle for its next event, after the event was handled.

use integration_tests::functions::binary;
use integration_tests::rotation::function_env;
use integration_tests::runtime_api::{FakeRuntimeApi, Reported};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One cold run: milliseconds to the first answer, peak RSS in MiB, and whether it answered with
/// a response (not an error).
#[derive(Debug, Clone, Copy)]
pub struct ColdRun {
    pub startup_ms: f64,
    pub peak_rss_mib: f64,
    pub answered: bool,
}

/// The function's memory size in deployment (bootstrap/src/deploy/aws.rs), as Lambda tells it.
const MEMORY_MB: &str = "256";

pub fn cold_run(function: &str, event: &Value) -> ColdRun {
    let api = FakeRuntimeApi::serve_and_hold(vec![event.clone()]);
    let started = Instant::now();
    let mut child = Command::new(binary(function))
        .envs(function_env())
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
    ColdRun {
        startup_ms: at.duration_since(started).as_secs_f64() * 1000.0,
        peak_rss_mib: peak_rss_kib(&status) / 1024.0,
        answered: matches!(reported, Reported::Response(_)),
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
