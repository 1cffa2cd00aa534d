//! The guard's two actions against the in-memory Step Functions: which executions are whose, the
//! teardown's parent spared, every page read, the race between a listing and a stop, and how AWS
//! failures are named.

use super::*;
use crate::stop::parent_of;
use env_core::contract::Event;
use env_core::error::{ErrorName, NamedError};
use env_core::recorder::SharedRecorder;
use serde_json::{json, Value};
use sfn::fake::FakeSfn;
use sfn::RUNNING;

const PROVISION: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:provision";
const CLAIM: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:claim";
const TEARDOWN: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:teardown";
/// 2026-12-07T06:00:00Z, in milliseconds: the next execution the fake adds starts a second later.
const SIX_AM: i64 = 1_796_623_200_000;

fn settings() -> Settings {
    Settings {
        provision_arn: PROVISION.into(),
        claim_arn: CLAIM.into(),
        teardown_arn: TEARDOWN.into(),
    }
}

fn guard() -> Guard<FakeSfn> {
    let calls = FakeSfn::new(SharedRecorder::default());
    calls.world().clock = SIX_AM;
    Guard::new(calls, Ok(settings()))
}

fn event(action: &str, environment: &str, execution: &str) -> GuardEvent {
    GuardEvent::from_event(
        json!({"action": action, "environment": environment, "execution": execution}),
    )
    .unwrap()
}

async fn answer(guard: &Guard<FakeSfn>, event: GuardEvent) -> Value {
    serde_json::to_value(guard.handle(event).await.unwrap()).unwrap()
}

async fn refusal(guard: &Guard<FakeSfn>, event: GuardEvent) -> GuardError {
    guard.handle(event).await.unwrap_err()
}

fn status(guard: &Guard<FakeSfn>, name: &str) -> String {
    guard
        .calls
        .world()
        .named(name)
        .unwrap()
        .summary
        .status
        .clone()
}

#[tokio::test]
async fn a_provision_is_admitted_when_no_teardown_of_its_environment_runs() {
    let guard = guard();
    {
        let mut world = guard.calls.world();
        world.add(TEARDOWN, "cleanup-pr-4-20261207T060000Z", "{}", RUNNING);
        world.add(TEARDOWN, "rollback-pr-42--old", "{}", "SUCCEEDED");
        world.add(TEARDOWN, "pr-420--down", "{}", RUNNING);
        world.add(PROVISION, "pr-42--run6", "{}", RUNNING);
    }
    let admitted = answer(&guard, event("admit", "pr-42", "pr-42--run7")).await;
    assert_eq!(admitted, json!({"admitted": true, "environment": "pr-42"}));
    assert_eq!(guard.calls.calls("ListExecutions"), 1);
    assert!(guard.calls.recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn a_provision_is_refused_while_a_teardown_of_its_environment_runs() {
    let guard = guard();
    let teardown = "cleanup-pr-42-20261207T060000Z";
    guard.calls.world().add(TEARDOWN, teardown, "{}", RUNNING);
    let refused = refusal(&guard, event("admit", "pr-42", "pr-42--run7")).await;
    assert_eq!(refused.error_name(), ErrorName::TeardownRunning);
    assert_eq!(
        refused.to_string(),
        "environment pr-42 is being torn down by execution cleanup-pr-42-20261207T060000Z (started 2026-12-07T06:00:01Z): the provision is refused; run it again once the teardown has ended"
    );
}

#[tokio::test]
async fn a_claim_is_refused_while_its_pool_environment_is_retired() {
    let guard = guard();
    guard
        .calls
        .world()
        .add(TEARDOWN, "retire-claim-pool-a", "{}", RUNNING);
    let refused = refusal(&guard, event("admit", "pool-a", "claim-pool-a")).await;
    assert!(
        refused.to_string().starts_with(
            "environment pool-a is being torn down by execution retire-claim-pool-a (started 2026-12-07T06:00:01Z): the claim is refused"
        ),
        "{refused}"
    );
}

#[tokio::test]
async fn every_page_of_running_teardowns_is_read() {
    let guard = guard();
    {
        let mut world = guard.calls.world();
        world.add(TEARDOWN, "pr-42--down1", "{}", RUNNING);
        for other in 0..5 {
            world.add(TEARDOWN, &format!("pr-{other}--down"), "{}", RUNNING);
        }
        world.page_size = 2;
    }
    let refused = refusal(&guard, event("admit", "pr-42", "pr-42--up2")).await;
    assert!(refused.to_string().contains("by execution pr-42--down1 "));
    assert_eq!(guard.calls.calls("ListExecutions"), 3);
}

#[tokio::test]
async fn a_teardown_stops_its_environments_running_provisions_and_claims_and_nothing_else() {
    let guard = guard();
    {
        let mut world = guard.calls.world();
        world.add(PROVISION, "pr-42--run6", "{}", "SUCCEEDED");
        world.add(PROVISION, "pr-42--run7", "{}", RUNNING);
        world.add(PROVISION, "pr-4--run1", "{}", RUNNING);
        world.add(PROVISION, "pr-42--sleep-20261207T050000Z", "{}", RUNNING);
        world.add(CLAIM, "claim-pool-a", "{}", RUNNING);
        world.add(TEARDOWN, "pr-42--old-down", "{}", RUNNING);
    }
    let teardown = "cleanup-pr-42-20261207T060000Z";
    let stopped = answer(&guard, event("stopProvisions", "pr-42", teardown)).await;
    assert_eq!(
        stopped,
        json!({"environment": "pr-42", "stopped": ["pr-42--sleep-20261207T050000Z", "pr-42--run7"]})
    );
    assert_eq!(status(&guard, "pr-42--run7"), "ABORTED");
    assert_eq!(status(&guard, "pr-42--sleep-20261207T050000Z"), "ABORTED");
    assert_eq!(status(&guard, "pr-42--run6"), "SUCCEEDED");
    for untouched in ["pr-4--run1", "claim-pool-a", "pr-42--old-down"] {
        assert_eq!(status(&guard, untouched), RUNNING, "{untouched}");
    }
    // The teardown machine is never listed for a stop: only provisions and claims are stopped.
    assert_eq!(guard.calls.calls("ListExecutions"), 2);
    // Once more (the teardown's second stop): nothing runs any more, nothing is stopped.
    let again = answer(&guard, event("stopProvisions", "pr-42", teardown)).await;
    assert_eq!(again, json!({"environment": "pr-42", "stopped": []}));
}

#[tokio::test]
async fn a_rollback_or_retirement_spares_the_execution_waiting_for_it() {
    let guard = guard();
    {
        let mut world = guard.calls.world();
        world.add(PROVISION, "pr-42--run7", "{}", RUNNING);
        world.add(PROVISION, "pr-42--run8", "{}", RUNNING);
        world.add(CLAIM, "claim-pool-a", "{}", RUNNING);
        world.add(PROVISION, "pool-a--standby", "{}", RUNNING);
        world.page_size = 1;
    }
    let rollback = answer(
        &guard,
        event("stopProvisions", "pr-42", "rollback-pr-42--run7"),
    )
    .await;
    assert_eq!(rollback["stopped"], json!(["pr-42--run8"]));
    assert_eq!(status(&guard, "pr-42--run7"), RUNNING);
    let retire = answer(
        &guard,
        event("stopProvisions", "pool-a", "retire-claim-pool-a"),
    )
    .await;
    assert_eq!(retire["stopped"], json!(["pool-a--standby"]));
    assert_eq!(status(&guard, "claim-pool-a"), RUNNING);
    let claim_rollback = answer(
        &guard,
        event("stopProvisions", "pool-a", "rollback-claim-pool-a"),
    )
    .await;
    assert_eq!(claim_rollback["stopped"], json!([]));
    assert_eq!(parent_of("cleanup-pr-42-20261207T060000Z"), None);
    assert_eq!(parent_of("pr-42--down"), None);
}

#[tokio::test]
async fn an_execution_that_ended_between_the_listing_and_the_stop_fails_nothing() {
    let guard = guard();
    {
        let mut world = guard.calls.world();
        world.add(PROVISION, "pr-42--a", "{}", RUNNING);
        world.add(PROVISION, "pr-42--b", "{}", RUNNING);
        world.add(PROVISION, "pr-42--c", "{}", RUNNING);
        // b ends on its own just before its stop arrives, which Step Functions refuses.
        world.ending.push("pr-42--b".into());
        world.closed_stop = Some("ValidationException");
    }
    // c is gone altogether by the time its stop arrives.
    guard
        .calls
        .recorder
        .lock()
        .fail("StopExecution", "ExecutionDoesNotExist");
    let stopped = answer(&guard, event("stopProvisions", "pr-42", "pr-42--down")).await;
    assert_eq!(stopped["stopped"], json!(["pr-42--a"]));
    assert_eq!(status(&guard, "pr-42--b"), "SUCCEEDED");
    // The provisions listed once, and once more to see that b no longer runs.
    assert_eq!(guard.calls.calls("ListExecutions"), 3);
}

#[tokio::test]
async fn a_refused_stop_of_an_execution_still_listed_running_is_asked_again() {
    let guard = guard();
    guard
        .calls
        .world()
        .add(CLAIM, "claim-pool-a", "{}", RUNNING);
    guard
        .calls
        .recorder
        .lock()
        .fail("StopExecution", "KmsAccessDeniedException");
    let refused = refusal(&guard, event("stopProvisions", "pool-a", "pool-a--down")).await;
    // Asked again by the workflow: the listing that shows it running may lag.
    assert_eq!(refused.error_name(), ErrorName::Retryable);
    assert!(
        refused
            .to_string()
            .starts_with("stopping claim-pool-a was refused while it is still listed running: ")
            && refused.to_string().contains("KmsAccessDeniedException"),
        "{refused}"
    );
    assert_eq!(guard.calls.calls("ListExecutions"), 3);
    guard
        .calls
        .recorder
        .lock()
        .fail("StopExecution", "ThrottlingException");
    let throttled = refusal(&guard, event("stopProvisions", "pool-a", "pool-a--down")).await;
    assert_eq!(throttled.error_name(), ErrorName::Retryable);
    // Retried by the workflow as it is, without a listing to check on it.
    assert_eq!(guard.calls.calls("ListExecutions"), 5);
    assert_eq!(status(&guard, "claim-pool-a"), RUNNING);
}

#[tokio::test]
async fn a_listing_that_fails_is_retryable_when_throttled_and_rejected_otherwise() {
    let guard = guard();
    guard
        .calls
        .world()
        .add(PROVISION, "pr-42--a", "{}", RUNNING);
    for (code, name) in [
        ("ThrottlingException", ErrorName::Retryable),
        ("AccessDeniedException", ErrorName::AwsRejected),
    ] {
        guard.calls.recorder.lock().fail("ListExecutions", code);
        let admit = refusal(&guard, event("admit", "pr-42", "pr-42--b")).await;
        assert_eq!(admit.error_name(), name, "{code}");
        // The claims' listing fails after the provisions': nothing is stopped before it.
        guard
            .calls
            .recorder
            .lock()
            .fail_after("ListExecutions", code, 1);
        let stop = refusal(&guard, event("stopProvisions", "pr-42", "pr-42--down")).await;
        assert_eq!(stop.error_name(), name, "{code}");
        assert!(
            stop.to_string().starts_with("ListExecutions failed"),
            "{stop}"
        );
    }
    // Stops happen per machine, as each is listed: the provision's, before the claims' failed.
    assert_eq!(status(&guard, "pr-42--a"), "ABORTED");
}

#[tokio::test]
async fn a_teardown_machine_that_does_not_exist_admits_and_other_listing_refusals_fail() {
    let guard = guard();
    guard
        .calls
        .recorder
        .lock()
        .fail("ListExecutions", "StateMachineDoesNotExist");
    let admitted = answer(&guard, event("admit", "pr-42", "pr-42--run7")).await;
    assert_eq!(admitted, json!({"admitted": true, "environment": "pr-42"}));
    // Only that answer means "no executions": an ARN Step Functions rejects still fails.
    guard
        .calls
        .recorder
        .lock()
        .fail("ListExecutions", "InvalidArn");
    let refused = refusal(&guard, event("admit", "pr-42", "pr-42--run7")).await;
    assert_eq!(refused.error_name(), ErrorName::AwsRejected);
    assert!(refused.to_string().contains("InvalidArn"), "{refused}");
    guard
        .calls
        .recorder
        .lock()
        .fail("ListExecutions", "InvalidArn");
    let stop = refusal(&guard, event("stopProvisions", "pr-42", "pr-42--down")).await;
    assert_eq!(stop.error_name(), ErrorName::AwsRejected);
    assert_eq!(guard.calls.calls("ListExecutions"), 3);
}

#[tokio::test]
async fn a_provision_or_claim_machine_that_does_not_exist_has_nothing_to_stop() {
    let guard = guard();
    {
        let mut world = guard.calls.world();
        world.add(PROVISION, "pool-a--standby", "{}", RUNNING);
        world.add(CLAIM, "claim-pool-a", "{}", RUNNING);
    }
    // The claims' listing (the second) answers that their machine does not exist.
    guard
        .calls
        .recorder
        .lock()
        .fail_after("ListExecutions", "StateMachineDoesNotExist", 1);
    let stopped = answer(&guard, event("stopProvisions", "pool-a", "pool-a--down")).await;
    assert_eq!(stopped["stopped"], json!(["pool-a--standby"]));
    assert_eq!(status(&guard, "claim-pool-a"), RUNNING);
    // The provisions' listing (the first) does.
    guard
        .calls
        .recorder
        .lock()
        .fail("ListExecutions", "StateMachineDoesNotExist");
    let stopped = answer(&guard, event("stopProvisions", "pool-a", "pool-a--down")).await;
    assert_eq!(stopped["stopped"], json!(["claim-pool-a"]));
    assert_eq!(status(&guard, "claim-pool-a"), "ABORTED");
    assert_eq!(guard.calls.calls("ListExecutions"), 4);
}

#[tokio::test]
async fn wrong_settings_fail_every_action_before_any_aws_call() {
    let misconfigured =
        Misconfigured::new("TEARDOWN_STATE_MACHINE_ARN", None, crate::settings::ALLOWED);
    let guard = Guard::new(FakeSfn::new(SharedRecorder::default()), Err(misconfigured));
    for action in ["admit", "stopProvisions"] {
        let error = refusal(&guard, event(action, "pr-42", "pr-42--a")).await;
        assert_eq!(error.error_name(), ErrorName::Misconfigured);
        assert!(
            error
                .to_string()
                .starts_with("TEARDOWN_STATE_MACHINE_ARN is (not set)"),
            "{error}"
        );
    }
    assert!(guard.calls.recorder.lock().calls.is_empty());
}
