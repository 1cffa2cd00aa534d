//! Failures injected by the local runner (never by the functions): each component failing in turn,
//! and a rollback stopped midway, must still end with nothing of the environment left.

use super::{emulator_env, spec};
use integration_tests::leftovers::leftovers;
use integration_tests::workflow::{injected_cause, run, run_with_faults, INJECTED_ERROR};
use serde_json::json;

const COMPONENTS: [&str; 6] = [
    "network",
    "database",
    "cache",
    "edge",
    "service",
    "monitoring",
];

#[tokio::test]
async fn a_component_failing_its_status_check_is_rolled_back_to_nothing_with_the_original_error() {
    let env = emulator_env().await;
    for component in COMPONENTS {
        let suffix = integration_tests::unique_suffix();
        // `status` runs after `create` made the component's resources: the rollback must find them.
        let fault = format!("{component}:status");
        let execution = run_with_faults(
            "provision",
            &json!({ "spec": spec(&suffix) }),
            &env,
            0,
            &[&fault],
        );
        assert!(!execution.succeeded, "{component}: {}", execution.log);
        assert_eq!(
            execution.error.as_deref(),
            Some(INJECTED_ERROR),
            "{component}: {:?}\n{}",
            execution.cause,
            execution.log
        );
        assert_eq!(
            execution.cause,
            Some(injected_cause(component, "status")),
            "{component}"
        );
        assert_eq!(execution.injected, 1, "{component}: never retried");
        assert!(
            execution.log.contains("provision: Rollback\n")
                && execution.log.contains("teardown: TornDown\n"),
            "{component}: the rollback ran to its end\n{}",
            execution.log
        );
        assert_eq!(
            leftovers(&suffix).await,
            Vec::<String>::new(),
            "{component}"
        );
        println!(
            "{component} failing: {} transitions, {} invocations, provision and rollback",
            execution.transitions, execution.invocations
        );
    }
}

#[tokio::test]
async fn a_rollback_stopped_at_the_edge_reports_both_failures_and_a_second_teardown_finishes_it() {
    let suffix = integration_tests::unique_suffix();
    let input = json!({ "spec": spec(&suffix) });
    let env = emulator_env().await;
    let execution = run_with_faults(
        "provision",
        &input,
        &env,
        0,
        &["service:create", "edge:delete"],
    );
    assert!(!execution.succeeded, "{}", execution.log);
    assert_eq!(execution.error.as_deref(), Some("RollbackFailed"));
    let cause = execution.cause.unwrap_or_default();
    assert!(
        cause.contains(&injected_cause("service", "create"))
            && cause.contains(&injected_cause("edge", "delete")),
        "{cause}"
    );
    assert_eq!(execution.injected, 2);
    // The teardown stopped before the network: the environment is half gone.
    let stopped = leftovers(&suffix).await;
    assert!(
        stopped.iter().any(|entry| entry.starts_with("vpc ")),
        "{stopped:#?}"
    );
    assert!(
        stopped
            .iter()
            .any(|entry| entry.starts_with("load-balancer ")),
        "{stopped:#?}"
    );

    let again = run("teardown", &input, &env, 0);
    assert!(again.succeeded, "{:?}: {}", again.cause, again.log);
    assert_eq!(leftovers(&suffix).await, Vec::<String>::new());
}
