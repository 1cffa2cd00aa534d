//! The benchmark: what the Rust functions cost to ship, start and run, and what a lifecycle costs.
//!
//!   bash scripts/bench.sh [--runs N]      (builds the release packages, then runs this)
//!   FUNCTION_BINARIES=DIR cargo run --example bench -- --packages DIR [--runs N] [--json FILE]
//!   FUNCTION_BINARIES=DIR cargo run --example bench -- --rotation-only [--runs N]
//!       (only the rotation figures, against the `rotation` binary in DIR: no packages needed)
//!   cargo run --example bench -- --timing-only
//!       (only time to ready: cold provision, claim from the warm pool, pool empty; needs only the
//!       workflow runner in tools/workflow)
//!
//! Prints a table and writes the same figures as JSON. Every repeated measurement is given as
//! median (min–max) over the runs, so two runs can be compared against their own noise.

mod packages;
mod rotation;
mod startup;
mod stats;
mod workflows;

use integration_tests::functions::PACKAGED;
use serde_json::{json, Value};
use stats::Summary;
use std::path::PathBuf;

/// Issue 11's targets.
const PACKAGE_TARGET_MB: f64 = 15.0;
const STARTUP_TARGET_MS: f64 = 50.0;
const RSS_TARGET_MB: f64 = 40.0;
const TRANSITIONS_TARGET: u64 = 400;
const LIFECYCLE_COST_TARGET: f64 = 0.01;
/// Issue 21's target: a pull request's environment ready within 150 s when the pool has one.
const CLAIM_TARGET_SECONDS: f64 = 150.0;

#[derive(Debug)]
struct Options {
    packages: PathBuf,
    runs: usize,
    json: PathBuf,
    rotation_only: bool,
    timing_only: bool,
}

fn options() -> Options {
    let root = integration_tests::workspace_root();
    let mut options = Options {
        packages: root.join("target/lambda"),
        runs: 10,
        json: root.join(".local/bench.json"),
        rotation_only: false,
        timing_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--packages" => options.packages = PathBuf::from(value()),
            "--runs" => {
                options.runs = value()
                    .parse()
                    .ok()
                    .filter(|runs| *runs >= 1)
                    .expect("--runs is a whole number ≥ 1")
            }
            "--json" => options.json = PathBuf::from(value()),
            "--rotation-only" => options.rotation_only = true,
            "--timing-only" => options.timing_only = true,
            other => panic!(
                "unknown argument {other}: --packages DIR, --runs N, --json FILE, --rotation-only, --timing-only"
            ),
        }
    }
    options
}

/// What a function needs set besides the emulator's endpoint and credentials: the cleanup
/// function refuses to run without the teardown workflow it starts.
fn extra_env(function: &str) -> Vec<(&'static str, &'static str)> {
    match function {
        "cleanup" => vec![(
            "TEARDOWN_STATE_MACHINE_ARN",
            "arn:aws:states:us-west-2:123456789012:stateMachine:teardown",
        )],
        _ => Vec::new(),
    }
}

/// The event each function is started with: for the components, `delete` of an environment that
/// does not exist (every lookup runs against the emulator, nothing is changed, the answer is
/// DELETED); the spec for `validate`; the hourly schedule's event for `cleanup`; a rotation step
/// for a secret that does not exist for `rotation` (looked up, answered with an error).
fn event(function: &str) -> Value {
    let spec = json!({
        "environmentSuffix": "bench-1",
        "containerImage": "nginx",
        "selfSignedCertificate": true
    });
    match function {
        "validate" => spec,
        "outputs" => json!({"action": "status", "spec": spec, "outputs": {}}),
        "cleanup" => json!({"source": "aws.scheduler", "detail": {}}),
        "rotation" => json!({
            "SecretId": "secret-db-app-bench-1",
            "ClientRequestToken": "00000000-0000-4000-8000-000000000001",
            "Step": "testSecret"
        }),
        _ => json!({"action": "delete", "spec": spec, "outputs": {}}),
    }
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

#[tokio::main]
async fn main() {
    let options = options();
    let runs = options.runs;
    if options.timing_only {
        let lifecycle = workflows::lifecycle();
        let typical = integration_tests::workflow::typical_times();
        print_time_to_ready(&integration_tests::workflow::time_to_ready(
            &typical,
            &lifecycle.provision,
        ));
        return;
    }
    println!("catalog-envs benchmark: {runs} runs per figure, median (min–max)\n");
    if options.rotation_only {
        rotation_figures(runs).await;
        return;
    }

    let sizes = packages::sizes(&options.packages, &PACKAGED);
    println!(
        "{:<11} {:>9} {:>20} {:>22} {:>18}  answer",
        "function", "zip (MB)", "init (ms)", "first answer (ms)", "peak RSS (MiB)"
    );
    let mut per_function = Vec::new();
    let mut slowest_median_ms: f64 = 0.0;
    for (function, bytes) in &sizes {
        let cold: Vec<_> = (0..runs)
            .map(|_| startup::cold_run(function, &event(function), &extra_env(function)))
            .collect();
        let init = Summary::of(&cold.iter().map(|run| run.init_ms).collect::<Vec<_>>());
        let startup = Summary::of(&cold.iter().map(|run| run.startup_ms).collect::<Vec<_>>());
        let rss = Summary::of(&cold.iter().map(|run| run.peak_rss_mib).collect::<Vec<_>>());
        let mut answers: Vec<&str> = cold.iter().map(|run| run.answer.as_str()).collect();
        answers.dedup();
        let answers = answers.join(", ");
        let megabytes = *bytes as f64 / 1_000_000.0;
        slowest_median_ms = slowest_median_ms.max(startup.median);
        println!(
            "{function:<11} {megabytes:>9.2} {:>20} {:>22} {:>18}  {answers}",
            init.text(1),
            startup.text(1),
            rss.text(1),
        );
        per_function.push(json!({
            "function": function,
            "zipBytes": bytes,
            "zipMB": megabytes,
            "initMs": init.to_json(),
            "firstAnswerMs": startup.to_json(),
            "peakRssMiB": rss.to_json(),
            "answeredWith": answers,
            "targets": {
                "zip": mark(megabytes <= PACKAGE_TARGET_MB),
                "startup": mark(startup.median <= STARTUP_TARGET_MS),
                "rss": mark(rss.max * 1.048_576 <= RSS_TARGET_MB),
            }
        }));
    }

    println!();
    let rotation = rotation_figures(runs).await;

    let lifecycle = workflows::lifecycle();
    // Every invocation billed as long as the slowest function's median cold start: an upper bound,
    // since most invocations are warm status polls.
    let billed_ms = slowest_median_ms.ceil();
    let (step_functions, lambda) = lifecycle.cost(billed_ms);
    let transitions = lifecycle.transitions();
    let total_cost = step_functions + lambda;
    println!(
        "\nlifecycle at production poll intervals: provision {} transitions / {} invocations, \
         teardown {} / {}; {transitions} transitions [{}], ${:.4} Step Functions + ${:.6} Lambda \
         ({billed_ms} ms billed per invocation) = ${total_cost:.4} [{}]",
        lifecycle.provision.transitions,
        lifecycle.provision.invocations,
        lifecycle.teardown.transitions,
        lifecycle.teardown.invocations,
        mark(transitions <= TRANSITIONS_TARGET),
        step_functions,
        lambda,
        mark(total_cost <= LIFECYCLE_COST_TARGET),
    );

    let root = integration_tests::workspace_root();
    let read = |path: &str| -> Value {
        let text = std::fs::read_to_string(root.join(path)).expect("readable");
        serde_json::from_str(&text).expect("JSON")
    };
    let definition = read("statemachine/provision.asl.json");
    let typical = integration_tests::workflow::typical_times();
    let expected = integration_tests::workflow::expected_seconds(
        &definition,
        &lifecycle.provision.simulated_seconds,
    );
    let floor = workflows::floor_seconds(&typical);
    println!(
        "provision critical path: {expected:.0} s expected to READY (components seen READY at {:?}), \
         floor network + max(database, cache, edge) + service = {floor:.0} s [{}]",
        lifecycle.provision.simulated_seconds,
        mark(expected <= floor),
    );

    let ready = integration_tests::workflow::time_to_ready(&typical, &lifecycle.provision);
    print_time_to_ready(&ready);

    let report = json!({
        "runs": runs,
        "machine": machine(),
        "functions": per_function,
        "rotationMs": rotation,
        "lifecycle": {
            "provision": {"transitions": lifecycle.provision.transitions, "invocations": lifecycle.provision.invocations},
            "teardown": {"transitions": lifecycle.teardown.transitions, "invocations": lifecycle.teardown.invocations},
            "transitions": transitions,
            "billedMsPerInvocation": billed_ms,
            "costUsd": {"stepFunctions": step_functions, "lambda": lambda, "total": total_cost},
        },
        "criticalPath": {
            "expectedSeconds": expected,
            "floorSeconds": floor,
            "readyAtSeconds": lifecycle.provision.simulated_seconds,
        },
        "timeToReady": {
            "coldProvisionSeconds": ready.cold_provision,
            "claimSeconds": ready.claim,
            "claimUpperSeconds": ready.claim_upper,
            "emptyPoolSeconds": ready.empty_pool,
            "inputs": {
                "claim": typical["claim"],
                "claimServiceUpper": integration_tests::workflow::CLAIM_SERVICE_UPPER_SECONDS,
                "envctl": typical["envctl"],
                "envctlUpper": integration_tests::workflow::ENVCTL_UPPER_SECONDS,
                "claimReadyAtSeconds": ready.claim_ready_at,
                "claimUpperReadyAtSeconds": ready.claim_upper_ready_at,
            },
        },
    });
    if let Some(dir) = options.json.parent() {
        std::fs::create_dir_all(dir).expect("the JSON's directory can be made");
    }
    std::fs::write(&options.json, format!("{report:#}\n")).expect("the JSON is written");
    println!("\nJSON: {}", options.json.display());
}

/// Time to a ready environment for a pull request: cold, from the warm pool, and with the pool
/// empty (docs/warm-pool-design.md section 4), each with the inputs it is computed from.
fn print_time_to_ready(ready: &integration_tests::workflow::TimeToReady) {
    let [find, start, follow] = ready.envctl;
    println!(
        "time to ready: cold provision {:.0} s; claim from the pool {:.1} s (find {find} + start \
         {start} + claim workflow, components seen READY at {:?}, + follow poll {follow}) [{}], \
         upper inputs (service {} s, envctl {:?}) {:.1} s [{}]; pool empty {:.1} s (find + start + \
         cold provision)",
        ready.cold_provision,
        ready.claim,
        ready.claim_ready_at,
        mark(ready.claim <= CLAIM_TARGET_SECONDS),
        integration_tests::workflow::CLAIM_SERVICE_UPPER_SECONDS,
        integration_tests::workflow::ENVCTL_UPPER_SECONDS,
        ready.claim_upper,
        mark(ready.claim_upper <= CLAIM_TARGET_SECONDS),
        ready.empty_pool,
    );
}

/// Milliseconds per full rotation for each strategy, printed and returned for the JSON.
async fn rotation_figures(runs: usize) -> serde_json::Map<String, Value> {
    println!("rotation, four steps against PostgreSQL and the emulator (ms):");
    let mut rotation = serde_json::Map::new();
    for (strategy, alternating) in [("singleUser", false), ("alternatingUsers", true)] {
        let summary = Summary::of(&rotation::rotations(alternating, runs).await);
        println!("  {strategy:<17} {}", summary.text(1));
        rotation.insert(strategy.into(), summary.to_json());
    }
    rotation
}

/// What the numbers were measured on.
fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map(|(_, model)| model.trim().to_owned())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    json!({"cpu": model, "cores": cores})
}
