//! Runs the real ASL workflows locally (tests/workflow/run.mjs, aws-local-stepfunctions), each Lambda
//! task bound to the function binary of this build, against the emulator.

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What one local execution ended with.
#[derive(Debug)]
pub struct Execution {
    pub succeeded: bool,
    pub output: Value,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// States entered, as Step Functions bills them (each counts as a transition).
    pub transitions: u64,
    /// Function invocations, retries included.
    pub invocations: u64,
    /// The runner's progress lines and the functions' logs.
    pub log: String,
}

pub fn runner_dir() -> PathBuf {
    crate::workspace_root().join("tests/workflow")
}

/// Runs `workflow` (`provision` or `teardown`) with `input`, Waits shortened to `wait_ms`.
pub fn run(workflow: &str, input: &Value, env: &[(&str, String)], wait_ms: u64) -> Execution {
    let dir = runner_dir();
    assert!(
        dir.join("node_modules/aws-local-stepfunctions").exists(),
        "the local workflow runner is not installed: run `bash .ci/test` (npm ci in tests/workflow)"
    );
    let functions = crate::functions::binary("validate")
        .parent()
        .expect("the binaries' directory")
        .to_path_buf();
    let mut child = Command::new("node")
        .arg(dir.join("run.mjs"))
        .args([workflow, "-", "--functions"])
        .arg(&functions)
        .args(["--wait-ms", &wait_ms.to_string()])
        .envs(env.iter().map(|(key, value)| (*key, value.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts the runner");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.to_string().as_bytes())
        .expect("the input is written");
    let output = child.wait_with_output().expect("the runner ends");
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    let body: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("the runner printed no result ({error}); its log:\n{log}"));
    let text = |key: &str| body[key].as_str().map(str::to_owned);
    Execution {
        succeeded: body["status"] == "SUCCEEDED" && output.status.success(),
        output: body["output"].clone(),
        error: text("error"),
        cause: text("cause"),
        transitions: body["transitions"].as_u64().unwrap_or(0),
        invocations: body["invocations"].as_u64().unwrap_or(0),
        log,
    }
}
