//! The claim workflow (statemachine/claim.asl.json, docs/warm-pool-design.md section 3.3): its
//! time to ready at the production poll intervals, its retire route, its rollback, and a claim of a
//! provisioned environment run for real against moto.

use super::{emulator_env, spec};
use integration_tests::leftovers::leftovers;
use integration_tests::workflow::{
    claim_input, injected_cause, run, run_simulated, run_simulated_with_faults, run_with_faults,
    simulated_lifecycle, time_to_ready, typical_times, typical_times_path, Execution,
    INJECTED_ERROR,
};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Runs the claim workflow simulated with `times`, and `faults` injected.
fn simulated_with(input: &Value, times: &Value, faults: &[&str]) -> Execution {
    let path = std::env::temp_dir().join(format!(
        "claim-test-{}-{}.json",
        std::process::id(),
        integration_tests::unique_suffix().as_str()
    ));
    std::fs::write(&path, times.to_string()).expect("the times file is written");
    let execution = run_simulated_with_faults("claim", input, &path, faults);
    std::fs::remove_file(&path).expect("the times file is removed");
    execution
}

#[test]
fn a_claim_from_the_pool_is_ready_in_69_seconds_and_113_at_the_upper_end() {
    let (provision, _) = simulated_lifecycle("pr-timing");
    let ready = time_to_ready(&typical_times(), &provision);
    println!("{ready:#?}");
    // The service (58 s) is seen at the third check: 45 s, then every 10 s.
    assert_eq!(ready.claim_ready_at["service"], 65.0);
    assert_eq!(ready.claim_ready_at["monitoring"], 5.0);
    assert_eq!(ready.claim_ready_at["network"], 0.0);
    assert_eq!(ready.claim_ready_at["database"], 0.0);
    // 1 s finding candidates + 0.5 s starting the claim + 65 s + 2.5 s following it.
    assert_eq!(ready.claim, 69.0);
    // The service at 105 s is seen at 105 s; envctl's upper ends 2 + 1 + 5.
    assert_eq!(ready.claim_upper_ready_at["service"], 105.0);
    assert_eq!(ready.claim_upper, 113.0);
    // Issue 21's target, at both ends.
    assert!(
        ready.claim <= 150.0 && ready.claim_upper <= 150.0,
        "{ready:?}"
    );
    assert_eq!(ready.cold_provision, 1085.0);
    assert_eq!(ready.empty_pool, 1086.5);
}

#[test]
fn a_simulated_claim_at_the_typical_times_takes_41_transitions() {
    let claim = run_simulated("claim", &claim_input(), &typical_times_path());
    assert!(claim.succeeded, "{:?}: {}", claim.cause, claim.log);
    assert_eq!(claim.output["environment"], "pool-sim");
    // validate, the guard's admission, network, 3 reads, service create + 3 converges,
    // monitoring create + check, outputs.
    assert_eq!(claim.invocations, 13, "{}", claim.log);
    assert_eq!(claim.transitions, 41, "{}", claim.log);
    assert!(!claim.log.contains("claim: Retire\n"), "{}", claim.log);
}

#[test]
fn a_retire_input_routes_to_the_teardown_and_nothing_is_claimed() {
    let mut input = claim_input();
    input["retire"] = json!(true);
    input["spec"].as_object_mut().unwrap().remove("pullRequest");
    let retire = run_simulated("claim", &input, &typical_times_path());
    assert!(retire.succeeded, "{:?}: {}", retire.cause, retire.log);
    assert_eq!(
        retire.output,
        json!({"environment": "pool-sim", "retired": true})
    );
    assert!(
        retire
            .log
            .starts_with("claim: Route\nclaim: Retire\nteardown: Start\n")
            && retire.log.contains("teardown: TornDown\nclaim: Retired\n"),
        "{}",
        retire.log
    );
    assert!(!retire.log.contains("claim: Validate"), "{}", retire.log);

    // `retire: false` is a claim like any other.
    input["retire"] = json!(false);
    let claim = run_simulated("claim", &input, &typical_times_path());
    assert!(claim.succeeded, "{:?}: {}", claim.cause, claim.log);
    assert!(claim.log.contains("claim: Claimed\n"), "{}", claim.log);
    assert!(!claim.log.contains("claim: Retire\n"), "{}", claim.log);
}

#[test]
fn a_service_failing_in_a_claim_is_rolled_back_with_the_original_error() {
    let claim = simulated_with(
        &claim_input(),
        &typical_times(),
        &["service:create@ConvergeService"],
    );
    assert!(!claim.succeeded, "{}", claim.log);
    assert_eq!(claim.error.as_deref(), Some(INJECTED_ERROR));
    assert_eq!(claim.cause, Some(injected_cause("service", "create")));
    assert_eq!(claim.injected, 1, "never retried");
    assert!(
        claim.log.contains("claim: Rollback\n")
            && claim.log.contains("teardown: TornDown\n")
            && claim.log.ends_with("claim: ClaimFailed\n"),
        "{}",
        claim.log
    );
}

#[test]
fn a_pool_environment_still_being_built_is_not_claimed_but_rolled_back() {
    let mut times = typical_times();
    times["claim"]["database"] = json!(600);
    let claim = simulated_with(&claim_input(), &times, &[]);
    assert!(!claim.succeeded, "{}", claim.log);
    assert_eq!(claim.error.as_deref(), Some("ComponentFailed"));
    let cause = claim.cause.unwrap_or_default();
    assert!(
        cause.starts_with("the database component of this pool environment is not READY"),
        "{cause}"
    );
    assert!(
        claim.log.contains("claim: DatabaseIncomplete\n")
            && claim.log.contains("teardown: TornDown\n")
            && !claim.log.contains("claim: CreateService\n"),
        "{}",
        claim.log
    );
}

#[tokio::test]
async fn a_claim_of_a_provisioned_environment_outputs_its_document_and_a_failed_one_leaves_nothing()
{
    let suffix = integration_tests::unique_suffix();
    let env = emulator_env().await;
    let provision = run("provision", &json!({ "spec": spec(&suffix) }), &env, 0);
    assert!(
        provision.succeeded,
        "{:?}: {}",
        provision.cause, provision.log
    );

    // The pull request's spec on that environment: what a claim may change differs.
    let mut pull_request = spec(&suffix);
    pull_request["pullRequest"] = json!(42);
    pull_request["containerImage"] = json!("public.ecr.aws/nginx/nginx:1.27");
    pull_request["maxTasks"] = json!(3);
    pull_request["ttlHours"] = json!(48);
    let input = json!({ "spec": pull_request });
    let claim = run("claim", &input, &env, 0);
    assert!(claim.succeeded, "{:?}: {}", claim.cause, claim.log);
    assert_eq!(claim.output["environment"], suffix.as_str());
    let keys = |execution: &Execution| -> BTreeSet<String> {
        execution.output["outputs"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(keys(&claim), keys(&provision), "{}", claim.output);
    assert_eq!(
        claim.output["outputs"]["vpcId"],
        provision.output["outputs"]["vpcId"]
    );
    // Nothing of database, cache or load balancer was created or converged: only read.
    for built in [
        "CreateDatabase",
        "ConvergeCache",
        "CreateEdge",
        "CreateNetwork",
    ] {
        assert!(!claim.log.contains(&format!("claim: {built}\n")), "{built}");
    }

    let failed = run_with_faults(
        "claim",
        &input,
        &env,
        0,
        &["service:create@ConvergeService"],
    );
    assert!(!failed.succeeded, "{}", failed.log);
    assert_eq!(failed.error.as_deref(), Some(INJECTED_ERROR));
    assert!(
        failed.log.contains("claim: Rollback\n") && failed.log.contains("teardown: TornDown\n"),
        "{}",
        failed.log
    );
    assert_eq!(leftovers(&suffix).await, Vec::<String>::new());
}
