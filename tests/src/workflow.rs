//! Runs the real ASL workflows locally (tools/workflow/run.mjs, aws-local-stepfunctions), each Lambda
//! task bound to the function binary of this build, against the emulator.

use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The error name of a fault the runner injects (`--fail`): a component's own terminal error for a
/// resource in a failed state, so no Retry matches it.
pub const INJECTED_ERROR: &str = "ComponentFailed";

/// The cause an injected fault of `function`'s `action` carries, as the runner words it.
pub fn injected_cause(function: &str, action: &str) -> String {
    format!("fault injected by the local runner: {function} {action} failed")
}

/// What one local execution ended with.
#[derive(Debug)]
pub struct Execution {
    pub succeeded: bool,
    pub output: Value,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// States entered, as Step Functions bills them (each counts as a transition).
    pub transitions: u64,
    /// Function invocations, retries and injected faults included.
    pub invocations: u64,
    /// Invocations answered by an injected fault instead of the function.
    pub injected: u64,
    /// With `--simulate`: per component, the simulated seconds at which it was last answered.
    pub simulated_seconds: BTreeMap<String, f64>,
    /// The runner's progress lines and the functions' logs.
    pub log: String,
}

pub fn runner_dir() -> PathBuf {
    crate::workspace_root().join("tools/workflow")
}

/// Runs `workflow` (`provision` or `teardown`) with `input`, Waits shortened to `wait_ms`.
pub fn run(workflow: &str, input: &Value, env: &[(&str, String)], wait_ms: u64) -> Execution {
    run_with_faults(workflow, input, env, wait_ms, &[])
}

/// [`run`], with each of `faults` (`<function>[:<action>]`, e.g. `edge:delete`) making that function's
/// Task fail with `ComponentFailed` instead of invoking it: the runner's test-only fault injection.
pub fn run_with_faults(
    workflow: &str,
    input: &Value,
    env: &[(&str, String)],
    wait_ms: u64,
    faults: &[&str],
) -> Execution {
    runner(workflow, input, env, &function_args(wait_ms, faults))
}

/// Runs `workflow` as deployed into the emulator (`--deployed`, see [`crate::backend::deploy_built`]):
/// the deployed definitions, each Task the deployed package with the deployed function's settings,
/// signing as its role. `env` gives the emulator's endpoints; Waits take no time.
pub fn run_deployed(
    workflow: &str,
    input: &Value,
    manifest: &Path,
    env: &[(&str, String)],
    faults: &[&str],
) -> Execution {
    let mut args: Vec<OsString> = vec!["--deployed".into(), manifest.into()];
    args.extend(["--wait-ms".into(), "0".into()]);
    for fault in faults {
        args.extend(["--fail".into(), OsString::from(fault)]);
    }
    runner(workflow, input, env, &args)
}

fn function_args(wait_ms: u64, faults: &[&str]) -> Vec<OsString> {
    let functions = crate::functions::binary("validate")
        .parent()
        .expect("the binaries' directory")
        .to_path_buf();
    let mut args: Vec<OsString> = vec!["--functions".into(), functions.into()];
    args.extend(["--wait-ms".into(), wait_ms.to_string().into()]);
    for fault in faults {
        args.extend(["--fail".into(), OsString::from(fault)]);
    }
    args
}

/// Runs `workflow` with no function at all: each component answers as if its resources took the
/// seconds `times` (a JSON file, see tools/workflow/typical-times.json) gives, measured in the ASL's
/// own Wait seconds, so the execution takes the transitions it would take in AWS.
pub fn run_simulated(workflow: &str, input: &Value, times: &Path) -> Execution {
    let args: Vec<OsString> = vec!["--simulate".into(), times.into()];
    runner(workflow, input, &[], &args)
}

/// tools/workflow/typical-times.json: how long each component's resources take in AWS (the upper
/// ends of the ranges in docs/aws-behaviour.md), as [`run_simulated`] reads it.
pub fn typical_times_path() -> PathBuf {
    runner_dir().join("typical-times.json")
}

pub fn typical_times() -> Value {
    let text =
        std::fs::read_to_string(typical_times_path()).expect("typical-times.json is readable");
    serde_json::from_str(&text).expect("typical-times.json is JSON")
}

/// A provision of the defaults for `suffix`, then its teardown, both at the production poll
/// intervals ([`run_simulated`] with [`typical_times`]); each must succeed.
pub fn simulated_lifecycle(suffix: &str) -> (Execution, Execution) {
    let input = serde_json::json!({"spec": {
        "environmentSuffix": suffix,
        "containerImage": "nginx",
        "selfSignedCertificate": true
    }});
    let provision = run_simulated("provision", &input, &typical_times_path());
    assert!(
        provision.succeeded,
        "{:?}: {}",
        provision.cause, provision.log
    );
    let teardown = run_simulated("teardown", &input, &typical_times_path());
    assert!(teardown.succeeded, "{:?}: {}", teardown.cause, teardown.log);
    (provision, teardown)
}

fn runner(workflow: &str, input: &Value, env: &[(&str, String)], args: &[OsString]) -> Execution {
    let dir = runner_dir();
    assert!(
        dir.join("node_modules/aws-local-stepfunctions").exists(),
        "the local workflow runner is not installed: run `bash .ci/test` (npm ci in tools/workflow)"
    );
    let mut child = Command::new("node")
        .arg(dir.join("run.mjs"))
        .args([workflow, "-"])
        .args(args)
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
        injected: body["injected"].as_u64().unwrap_or(0),
        simulated_seconds: body["simulatedSeconds"]
            .as_object()
            .map(|seconds| {
                seconds
                    .iter()
                    .filter_map(|(component, value)| Some((component.clone(), value.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default(),
        log,
    }
}
