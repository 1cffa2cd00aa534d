//! Three environments provisioned at once by three executions: each complete, none sharing a
//! resource, and tearing one down (interrupted once, then again) leaves the other two as they were.

use super::{emulator_env, spec};
use env_core::spec::EnvironmentSuffix;
use integration_tests::leftovers::leftovers;
use integration_tests::workflow::{run, run_with_faults, Execution, INJECTED_ERROR};
use serde_json::json;
use std::collections::BTreeSet;
use std::thread;

/// Runs `workflow` for every suffix at once, one runner process each.
fn concurrently(
    workflow: &'static str,
    suffixes: &[EnvironmentSuffix],
    env: &[(&'static str, String)],
) -> Vec<Execution> {
    let handles: Vec<_> = suffixes
        .iter()
        .map(|suffix| {
            let input = json!({ "spec": spec(suffix) });
            let env = env.to_vec();
            thread::spawn(move || run(workflow, &input, &env, 0))
        })
        .collect();
    handles
        .into_iter()
        .map(|handle| handle.join().expect("the runner thread ends"))
        .collect()
}

#[tokio::test]
async fn three_environments_provisioned_at_once_are_complete_and_separate() {
    let suffixes: Vec<EnvironmentSuffix> =
        (0..3).map(|_| integration_tests::unique_suffix()).collect();
    let env = emulator_env().await;
    for execution in concurrently("provision", &suffixes, &env) {
        assert!(
            execution.succeeded,
            "{:?}: {}",
            execution.cause, execution.log
        );
    }
    let mut inventories = Vec::new();
    for suffix in &suffixes {
        inventories.push(leftovers(suffix).await);
    }
    // Same spec, same resources: each environment is as complete as the others …
    assert!(!inventories[0].is_empty());
    assert_eq!(
        inventories[1].len(),
        inventories[0].len(),
        "{inventories:#?}"
    );
    assert_eq!(
        inventories[2].len(),
        inventories[0].len(),
        "{inventories:#?}"
    );
    // … and no resource belongs to two of them.
    let all: BTreeSet<&String> = inventories.iter().flatten().collect();
    assert_eq!(all.len(), 3 * inventories[0].len(), "{inventories:#?}");

    // A teardown of the first, stopped at its load balancer, then started again.
    let first = json!({ "spec": spec(&suffixes[0]) });
    let stopped = run_with_faults("teardown", &first, &env, 0, &["edge:delete"]);
    assert_eq!(
        stopped.error.as_deref(),
        Some(INJECTED_ERROR),
        "{}",
        stopped.log
    );
    assert!(!leftovers(&suffixes[0]).await.is_empty());
    let finished = run("teardown", &first, &env, 0);
    assert!(finished.succeeded, "{:?}: {}", finished.cause, finished.log);
    assert_eq!(leftovers(&suffixes[0]).await, Vec::<String>::new());
    for (suffix, before) in suffixes.iter().zip(&inventories).skip(1) {
        assert_eq!(&leftovers(suffix).await, before, "{suffix:?} was touched");
    }

    for execution in concurrently("teardown", &suffixes[1..], &env) {
        assert!(
            execution.succeeded,
            "{:?}: {}",
            execution.cause, execution.log
        );
    }
    for suffix in &suffixes[1..] {
        assert_eq!(leftovers(suffix).await, Vec::<String>::new());
    }
}
