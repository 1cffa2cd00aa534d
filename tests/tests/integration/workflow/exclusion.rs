//! A teardown and a provision of one environment never run together (README, "Teardown racing a
//! wake"): the teardown first stops the environment's running provisions and claims, and a
//! provision is refused while a teardown of its environment runs, both through the guard function
//! reading Step Functions. moto records executions and runs none, so a "running" execution here is
//! one started in moto and left RUNNING, as a wake the waker started is until it ends. Also: a
//! failed provision of an environment that existed keeps it instead of tearing it down.

use super::{emulator_env, spec};
use aws_sdk_sfn::Client;
use integration_tests::emulator::Emulator;
use integration_tests::leftovers::{leftovers, leftovers_in};
use integration_tests::workflow::{run, run_with_faults, INJECTED_ERROR};
use serde_json::json;

/// The three workflows as `envctl deploy` names them, which the guard reads (the runner's
/// settings name them so too): here stand-ins that only hold executions.
async fn state_machines(client: &Client) -> [String; 3] {
    let mut arns = Vec::new();
    for name in ["provision", "claim", "teardown"] {
        let made = client
            .create_state_machine()
            .name(name)
            .definition(r#"{"StartAt": "Hold", "States": {"Hold": {"Type": "Pass", "End": true}}}"#)
            .role_arn("arn:aws:iam::123456789012:role/catalog-environments-states")
            .send()
            .await
            .expect("the emulator makes the state machine");
        arns.push(made.state_machine_arn().to_owned());
    }
    arns.try_into().expect("three machines")
}

async fn start(client: &Client, machine: &str, name: &str, input: &serde_json::Value) -> String {
    client
        .start_execution()
        .state_machine_arn(machine)
        .name(name)
        .input(input.to_string())
        .send()
        .await
        .expect("the emulator records the execution")
        .execution_arn()
        .to_owned()
}

async fn status(client: &Client, execution: &str) -> String {
    client
        .describe_execution()
        .execution_arn(execution)
        .send()
        .await
        .expect("the emulator describes the execution")
        .status()
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn a_teardown_first_stops_its_environments_running_provision_and_claim_and_nothing_else() {
    // A moto of its own: the state machines it makes are no other test's.
    let emulator = Emulator::own();
    let client = Client::new(&emulator.sdk_config().await);
    let [provision, claim, _] = state_machines(&client).await;
    // A pool environment (`pool-…`): the one kind a claim holds, under `claim-<suffix>`.
    let unique = integration_tests::unique_suffix();
    let suffix = env_core::spec::EnvironmentSuffix::parse(&format!("pool-{unique}"))
        .expect("a valid pool suffix");
    let other = integration_tests::unique_suffix();
    let input = json!({ "spec": spec(&suffix) });
    // A wake of this environment, a claim of it, and another environment's provision, all running.
    let wake = start(&client, &provision, &format!("{suffix}--wake-1"), &input).await;
    let claimed = start(&client, &claim, &format!("claim-{suffix}"), &input).await;
    let elsewhere = start(
        &client,
        &provision,
        &format!("{other}--up-1"),
        &json!({ "spec": spec(&other) }),
    )
    .await;

    let teardown = run("teardown", &input, &emulator.env(), 0);
    assert!(teardown.succeeded, "{:?}: {}", teardown.cause, teardown.log);
    assert!(
        teardown.log.contains("teardown: StopProvisions\n")
            && teardown.log.contains("teardown: StopLateProvisions\n"),
        "{}",
        teardown.log
    );
    // Having stopped something, it let the stopped calls under way end before deleting.
    assert!(
        teardown.log.contains("teardown: LetStoppedCallsEnd\n"),
        "{}",
        teardown.log
    );
    for (execution, expected) in [
        (&wake, "ABORTED"),
        (&claimed, "ABORTED"),
        (&elsewhere, "RUNNING"),
    ] {
        assert_eq!(
            status(&client, execution).await,
            expected,
            "{execution}: {}",
            teardown.log
        );
    }
    assert_eq!(
        leftovers_in(&emulator.sdk_config().await, &suffix).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_provision_is_refused_while_a_teardown_of_its_environment_runs_and_makes_nothing() {
    let emulator = Emulator::own();
    let client = Client::new(&emulator.sdk_config().await);
    let [_, _, teardown] = state_machines(&client).await;
    let suffix = integration_tests::unique_suffix();
    let input = json!({ "spec": spec(&suffix) });
    // The scheduled cleanup's expiry teardown, running.
    let name = format!("cleanup-{suffix}-20261207T060000Z");
    start(&client, &teardown, &name, &input).await;

    let provision = run("provision", &input, &emulator.env(), 0);
    assert!(!provision.succeeded, "{}", provision.log);
    assert_eq!(provision.error.as_deref(), Some("TeardownRunning"));
    let cause = provision.cause.expect("a cause");
    assert!(
        cause.contains(suffix.as_str()) && cause.contains(&name),
        "{cause}"
    );
    // Validate and the guard ran, the guard 5 times (its refusal retried 4 times: a teardown
    // that has just ended may still be listed); no component did, and no rollback.
    assert_eq!(provision.invocations, 6, "{}", provision.log);
    assert!(!provision.log.contains("Rollback"), "{}", provision.log);
    assert_eq!(
        leftovers_in(&emulator.sdk_config().await, &suffix).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_failed_provision_of_an_environment_that_exists_keeps_it_and_a_teardown_removes_it() {
    let suffix = integration_tests::unique_suffix();
    let input = json!({ "spec": spec(&suffix) });
    let env = emulator_env().await;
    let made = run("provision", &input, &env, 0);
    assert!(made.succeeded, "{:?}: {}", made.cause, made.log);

    // The same environment provisioned again (an update, a sleep or a wake), failing at the service.
    let again = run_with_faults("provision", &input, &env, 0, &["service:create"]);
    assert!(!again.succeeded, "{}", again.log);
    assert_eq!(again.error.as_deref(), Some(INJECTED_ERROR));
    let cause = again.cause.expect("a cause");
    assert!(
        cause.starts_with("fault injected by the local runner: service create failed")
            && cause.contains("kept as the failure left it, not rolled back"),
        "{cause}"
    );
    assert!(
        again.log.contains("provision: ReprovisionFailed\n") && !again.log.contains("teardown: "),
        "no rollback ran: {}",
        again.log
    );
    // Kept: its network, data and edge are all still there.
    let left = leftovers(&suffix).await;
    for kind in ["vpc ", "aurora-cluster ", "load-balancer "] {
        assert!(
            left.iter().any(|resource| resource.starts_with(kind)),
            "{kind} kept: {left:?}"
        );
    }

    let teardown = run("teardown", &input, &env, 0);
    assert!(teardown.succeeded, "{:?}: {}", teardown.cause, teardown.log);
    assert_eq!(leftovers(&suffix).await, Vec::<String>::new());
}
