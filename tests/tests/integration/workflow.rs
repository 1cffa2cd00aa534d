//! The ASL files themselves: valid, their placeholders all known, and executed for real through the
//! local runner against moto; the submodules run whole lifecycles and check what is left behind.

mod claim;
mod cost;
mod exclusion;
mod faults;
mod isolation;
mod lifecycle;

use integration_tests::leftovers::leftovers;
use integration_tests::workflow::{run, runner_dir};
use integration_tests::workspace_root;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::Command;

/// Every workflow in statemachine/, as deployed (bootstrap/deploy's asl names them the same).
const WORKFLOWS: [&str; 3] = ["provision", "teardown", "claim"];

fn definition(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join(format!("statemachine/{name}.asl.json")))
        .expect("the workflow file exists")
}

fn placeholders_in(text: &str) -> BTreeSet<String> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split('}').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_workflow_passes_asl_validator() {
    let validator = runner_dir().join("node_modules/.bin/asl-validator");
    let mut command = Command::new(validator);
    for name in WORKFLOWS {
        command
            .arg("--json-path")
            .arg(workspace_root().join(format!("statemachine/{name}.asl.json")));
    }
    let output = command.output().expect("asl-validator runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(report.matches("is valid").count(), 3, "{report}");
}

#[test]
fn every_placeholder_is_one_the_table_substitutes_and_every_entry_is_used_or_deployed() {
    let table: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("statemachine/placeholders.json")).unwrap(),
    )
    .unwrap();
    let known: BTreeSet<String> = ["functions", "stateMachines"]
        .iter()
        .flat_map(|group| table[group].as_object().unwrap().keys().cloned())
        .collect();
    let used: BTreeSet<String> = WORKFLOWS
        .iter()
        .flat_map(|name| placeholders_in(&definition(name)))
        .collect();
    assert!(used.is_subset(&known), "{used:?} not all in {known:?}");
    // The stateMachines group lists every deployed machine (the cleanup starts provision and
    // claim; no ASL names them), the functions group only what the ASL files use.
    let machines: BTreeSet<&str> = table["stateMachines"]
        .as_object()
        .unwrap()
        .values()
        .map(|name| name.as_str().unwrap())
        .collect();
    assert_eq!(machines, WORKFLOWS.into_iter().collect());
    let unused: BTreeSet<&str> = known.difference(&used).map(String::as_str).collect();
    assert_eq!(
        unused,
        BTreeSet::from(["ClaimStateMachineArn", "ProvisionStateMachineArn"])
    );
    assert_eq!(known.len(), 12);
}

#[test]
fn every_component_loop_is_bounded_and_every_task_retries_lambda_and_retryable_errors() {
    for name in WORKFLOWS {
        let text = definition(name);
        let doc: Value = serde_json::from_str(&text).unwrap();
        let mut tasks = 0;
        let mut stack = vec![doc];
        while let Some(machine) = stack.pop() {
            for (state_name, state) in machine["States"].as_object().unwrap() {
                if let Some(branches) = state["Branches"].as_array() {
                    stack.extend(branches.iter().cloned());
                }
                if state["Type"] == "Wait" {
                    assert!(
                        state["Seconds"].as_u64().unwrap() <= 360,
                        "{name}/{state_name}"
                    );
                }
                let is_component = state["Type"] == "Task"
                    && state["Resource"].as_str().unwrap().contains("FunctionArn");
                if !is_component {
                    continue;
                }
                tasks += 1;
                let retried: Vec<&str> = state["Retry"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|rule| {
                        rule["ErrorEquals"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|e| e.as_str().unwrap())
                    })
                    .collect();
                assert!(
                    retried.contains(&"Lambda.TooManyRequestsException"),
                    "{name}/{state_name}"
                );
                for terminal in ["InvalidSpec", "DeletionProtected", "States.ALL"] {
                    assert!(
                        !retried.contains(&terminal),
                        "{name}/{state_name} retries {terminal}"
                    );
                }
                if state_name != "Validate" {
                    assert!(retried.contains(&"Retryable"), "{name}/{state_name}");
                }
            }
        }
        // provision: validate, the guard's admission, the network's status before anything
        // changes (whether a failure rolls back) + create and status for 6 components + the edge
        // once more after the service (the wake rule, README "Wake on request") + the outputs
        // document; teardown: the guard stopping provisions twice + delete for 6; claim: validate,
        // the guard's admission, network, 3 reads, create and status for service and monitoring,
        // the outputs document.
        let (expected_tasks, loops) = match name {
            "provision" => (17, 7),
            "teardown" => (8, 6),
            _ => (11, 2),
        };
        assert_eq!(tasks, expected_tasks, "{name}");
        // Every poll loop is bounded by a count compared in a Choice.
        assert_eq!(text.matches("NumericLessThan").count(), loops, "{name}");
    }
}

#[tokio::test]
async fn an_invalid_spec_fails_the_provision_before_any_component_runs_and_creates_nothing() {
    let suffix = integration_tests::unique_suffix();
    let mut invalid = spec(&suffix);
    invalid["minTasks"] = json!(0);
    let env = emulator_env().await;
    let execution = run("provision", &json!({ "spec": invalid }), &env, 0);
    assert!(!execution.succeeded, "{}", execution.log);
    assert_eq!(execution.error.as_deref(), Some("InvalidSpec"));
    let cause = execution.cause.unwrap();
    assert!(cause.contains("minTasks = 0"), "{cause}");
    assert_eq!(
        execution.invocations, 1,
        "only validate ran: {}",
        execution.log
    );
    assert_eq!(execution.transitions, 1);
    assert_eq!(leftovers(&suffix).await, Vec::<String>::new());
}

#[test]
fn tearing_down_an_environment_that_never_existed_succeeds_through_every_component() {
    let spec = json!({
        "environmentSuffix": integration_tests::unique_suffix().as_str(),
        "containerImage": "nginx",
        "selfSignedCertificate": true
    });
    let env = integration_tests::emulator::emulator().env();
    let execution = run("teardown", &json!({ "spec": spec }), &env, 0);
    assert!(
        execution.succeeded,
        "{:?}: {}",
        execution.cause, execution.log
    );
    assert_eq!(execution.output["status"], "DELETED");
    // The guard twice (nothing to stop, so no wait) and one delete per component, each answering
    // DELETED at once: 8 invocations, and 25 states (start, the guard and its choice, 3 per
    // component outside the parallel, the guard and its choice again, the parallel, 3 per
    // component inside, the end).
    assert_eq!(execution.invocations, 8, "{}", execution.log);
    assert_eq!(execution.transitions, 25, "{}", execution.log);
}

/// The spec every lifecycle test provisions: the smallest environment that still has every kind of
/// resource (one NAT gateway, one shard), removable at teardown without manual steps.
pub(crate) fn spec(suffix: &env_core::spec::EnvironmentSuffix) -> Value {
    json!({
        "environmentSuffix": suffix.as_str(),
        "containerImage": "nginx",
        "selfSignedCertificate": true,
        "forceDestroy": true,
        "natGateways": "single",
        "cacheShards": 1,
        "minTasks": 1,
        "maxTasks": 2
    })
}

/// The environment the function binaries need against the emulator (the launcher has put the
/// stand-in rotation package where that environment points the database function).
pub(crate) async fn emulator_env() -> Vec<(&'static str, String)> {
    integration_tests::emulator::emulator().env()
}
