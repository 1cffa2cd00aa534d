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

/// Runs `workflow` (`provision`, `teardown` or `claim`) with `input`, Waits shortened to `wait_ms`.
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
    run_simulated_with_faults(workflow, input, times, &[])
}

/// [`run_simulated`], with `faults` injected as [`run_with_faults`] injects them.
pub fn run_simulated_with_faults(
    workflow: &str,
    input: &Value,
    times: &Path,
    faults: &[&str],
) -> Execution {
    let mut args: Vec<OsString> = vec!["--simulate".into(), times.into()];
    for fault in faults {
        args.extend(["--fail".into(), OsString::from(fault)]);
    }
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

/// The input of a simulated claim: the defaults of a pull request's spec on pool environment
/// `pool-sim`, as `envctl env up` sends it (standby off, the pull request set).
pub fn claim_input() -> Value {
    serde_json::json!({"spec": {
        "environmentSuffix": "pool-sim",
        "pullRequest": 42,
        "containerImage": "nginx",
        "selfSignedCertificate": true
    }})
}

/// A claim at the production poll intervals with the `claim` table of `times`; it must succeed.
pub fn simulated_claim(times: &Path) -> Execution {
    let claim = run_simulated("claim", &claim_input(), times);
    assert!(claim.succeeded, "{:?}: {}", claim.cause, claim.log);
    claim
}

/// The design's upper end for the service in a claim (docs/warm-pool-design.md section 4, upper
/// column of steps 5-8): 60 s task start, 10 s API listening, 20 s to the first passing health
/// check, 15 s until the rollout is seen COMPLETED.
pub const CLAIM_SERVICE_UPPER_SECONDS: f64 = 105.0;
/// The upper column of steps 1, 2 and 12 of the same table: finding candidates, starting the
/// claim, the follow poll.
pub const ENVCTL_UPPER_SECONDS: [f64; 3] = [2.0, 1.0, 5.0];

/// Time to a ready environment for a pull request, three ways, and what each is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeToReady {
    /// A provision from nothing: the provision workflow's critical path.
    pub cold_provision: f64,
    /// A claim from the pool: envctl's steps plus the claim workflow's critical path.
    pub claim: f64,
    /// The same with the design's upper-end inputs.
    pub claim_upper: f64,
    /// The pool is empty: envctl looks and tries, then falls back to a cold provision.
    pub empty_pool: f64,
    /// When the simulated claim saw each component READY, and the upper-end run's.
    pub claim_ready_at: BTreeMap<String, f64>,
    pub claim_upper_ready_at: BTreeMap<String, f64>,
    /// The `envctl` table used (findCandidates, startClaim, followPoll).
    pub envctl: [f64; 3],
}

/// [`TimeToReady`] from `times` (typical-times.json's layout) and the provision run `provision`
/// already simulated with it: the claim is simulated at p50 and at the upper end.
pub fn time_to_ready(times: &Value, provision: &Execution) -> TimeToReady {
    let definition = |name: &str| -> Value {
        let path = crate::workspace_root().join(format!("statemachine/{name}.asl.json"));
        serde_json::from_str(&std::fs::read_to_string(path).expect("the workflow file exists"))
            .expect("the workflow is JSON")
    };
    let envctl_table = &times["envctl"];
    let envctl = ["findCandidates", "startClaim", "followPoll"].map(|step| {
        envctl_table[step]
            .as_f64()
            .unwrap_or_else(|| panic!("typical-times.json: envctl.{step} is a number"))
    });
    let claim_definition = definition("claim");
    let claim = simulated_claim_with(times);
    let mut upper_times = times.clone();
    upper_times["claim"]["service"] = serde_json::json!(CLAIM_SERVICE_UPPER_SECONDS);
    let upper = simulated_claim_with(&upper_times);
    let cold_provision = expected_seconds(&definition("provision"), &provision.simulated_seconds);
    TimeToReady {
        cold_provision,
        claim: envctl.iter().sum::<f64>()
            + expected_seconds(&claim_definition, &claim.simulated_seconds),
        claim_upper: ENVCTL_UPPER_SECONDS.iter().sum::<f64>()
            + expected_seconds(&claim_definition, &upper.simulated_seconds),
        // With no candidate there is no claim to follow: only the look and the attempt come first.
        empty_pool: envctl[0] + envctl[1] + cold_provision,
        claim_ready_at: claim.simulated_seconds,
        claim_upper_ready_at: upper.simulated_seconds,
        envctl,
    }
}

/// [`simulated_claim`] with the times given as a document, written to a file of this process.
fn simulated_claim_with(times: &Value) -> Execution {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("claim-times-{}-{n}.json", std::process::id()));
    std::fs::write(&path, times.to_string()).expect("the times file is written");
    let claim = simulated_claim(&path);
    std::fs::remove_file(&path).expect("the times file is removed");
    claim
}

/// A workflow's expected time to READY: the states of one collection run one after another, a
/// Parallel of several branches takes its slowest branch, and each component takes the time at
/// which the simulated run saw it READY (its typical time rounded up to the next poll). That time
/// counts where the component is seen READY, at its wait loop's Tasks, not at the `Create…` Task
/// that starts its clock: the claim starts the service before the Parallel that waits for it.
pub fn expected_seconds(definition: &Value, ready_at: &BTreeMap<String, f64>) -> f64 {
    collection_seconds(&definition["States"], ready_at)
}

fn collection_seconds(states: &Value, ready_at: &BTreeMap<String, f64>) -> f64 {
    let states = states.as_object().expect("States is an object");
    let mut components: Vec<String> = Vec::new();
    let mut total = 0.0;
    for (name, state) in states {
        match state["Type"].as_str() {
            // `ConvergeEdgeAfterService` only takes the wake rule away once the service serves:
            // the edge's own time is already counted in the parallel branch. `Survey` only reads
            // whether the network exists before anything changes (one answer, no wait).
            Some("Task")
                if !name.starts_with("Create")
                    && !name.ends_with("AfterService")
                    && name != "Survey" =>
            {
                if let Some(component) = component_of(state) {
                    if !components.contains(&component) {
                        total += ready_at.get(&component).copied().unwrap_or(0.0);
                        components.push(component);
                    }
                }
            }
            Some("Parallel") => {
                total += state["Branches"]
                    .as_array()
                    .expect("Branches is an array")
                    .iter()
                    .map(|branch| collection_seconds(&branch["States"], ready_at))
                    .fold(0.0, f64::max);
            }
            _ => {}
        }
    }
    total
}

/// `${NetworkFunctionArn}` → `network`.
fn component_of(task: &Value) -> Option<String> {
    let resource = task["Resource"].as_str()?;
    let name = resource.strip_prefix("${")?.strip_suffix("FunctionArn}")?;
    Some(name.to_lowercase())
}
