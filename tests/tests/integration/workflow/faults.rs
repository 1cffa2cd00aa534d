//! Failures injected by the local runner (never by the functions): each component failing in turn,
//! and a rollback stopped midway, must still end with nothing of the environment left.

use super::{emulator_env, spec};
use integration_tests::leftovers::leftovers;
use integration_tests::workflow::{injected_cause, run, run_with_faults, INJECTED_ERROR};
use serde_json::json;

/// Each component, the action and the Task state of its wait loop: the five that take time are
/// created again there (it converges); monitoring, made in one call, is read back (`status`).
const WAIT_LOOPS: [(&str, &str, &str); 6] = [
    ("network", "create", "ConvergeNetwork"),
    ("database", "create", "ConvergeDatabase"),
    ("cache", "create", "ConvergeCache"),
    ("edge", "create", "ConvergeEdge"),
    ("service", "create", "ConvergeService"),
    ("monitoring", "status", "CheckMonitoring"),
];

#[tokio::test]
async fn a_component_failing_in_its_wait_loop_is_rolled_back_to_nothing_with_the_original_error() {
    let env = emulator_env().await;
    for (component, action, state) in WAIT_LOOPS {
        let suffix = integration_tests::unique_suffix();
        // The wait loop runs after the first `create` made the component's resources: the rollback
        // must find them.
        let fault = format!("{component}:{action}@{state}");
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
            Some(injected_cause(component, action)),
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
