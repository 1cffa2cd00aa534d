//! The in-memory Step Functions answers as Step Functions does for its callers.

use super::*;
use crate::all_executions;

const MACHINE: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:provision";
const CLAIM: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:claim";

fn fake() -> FakeSfn {
    FakeSfn::default()
}

fn names(executions: &[ExecutionSummary]) -> Vec<&str> {
    executions.iter().map(|e| e.name.as_str()).collect()
}

#[tokio::test]
async fn a_repeated_start_is_idempotent_only_while_running_with_the_same_input() {
    let sfn = fake();
    let first = sfn.start_execution(MACHINE, "run", "{}").await.unwrap();
    let arn = "arn:aws:states:us-west-2:123456789012:execution:provision:run";
    assert_eq!(first, Started::Running { arn: arn.into() });
    assert_eq!(
        sfn.start_execution(MACHINE, "run", "{}").await.unwrap(),
        first
    );
    let other = sfn.start_execution(MACHINE, "run", "[]").await.unwrap();
    assert_eq!(other, Started::NameTaken);
    sfn.world().executions[0].summary.status = "SUCCEEDED".to_owned();
    let closed = sfn.start_execution(MACHINE, "run", "{}").await.unwrap();
    assert_eq!(closed, Started::NameTaken);
    // The same name on another state machine is another execution.
    let claim = sfn.start_execution(CLAIM, "run", "{}").await.unwrap();
    assert_ne!(claim, first);
    assert_eq!(sfn.world().executions.len(), 2);
    assert_eq!(sfn.calls("StartExecution"), 5);
}

#[tokio::test]
async fn executions_are_listed_per_machine_newest_first_in_pages_running_ones_when_asked() {
    let sfn = fake();
    {
        let mut world = sfn.world();
        world.add(MACHINE, "a", "{}", "SUCCEEDED");
        world.add(MACHINE, "b", "{}", RUNNING);
        world.add(MACHINE, "c", "{}", "FAILED");
        world.add(MACHINE, "d", "{}", RUNNING);
        world.add(CLAIM, "e", "{}", RUNNING);
        world.page_size = 2;
    }
    let first = sfn.executions(MACHINE, Listing::All, None).await.unwrap();
    assert_eq!(names(&first.executions), ["d", "c"]);
    assert_eq!(first.next.as_deref(), Some("2"));
    let all = all_executions(&sfn, MACHINE, Listing::All).await.unwrap();
    assert_eq!(names(&all), ["d", "c", "b", "a"]);
    assert_eq!(all[3].stopped, Some(all[3].started));
    assert_eq!(all[0].stopped, None);
    let running = all_executions(&sfn, MACHINE, Listing::Running)
        .await
        .unwrap();
    assert_eq!(names(&running), ["d", "b"]);
    assert_eq!(sfn.calls("ListExecutions"), 4);
}

#[tokio::test]
async fn a_listing_fails_as_a_test_asks_and_all_executions_passes_it_on() {
    let sfn = fake();
    sfn.world().add(MACHINE, "a", "{}", RUNNING);
    sfn.world().page_size = 1;
    sfn.world().add(MACHINE, "b", "{}", RUNNING);
    sfn.recorder
        .lock()
        .fail_after("ListExecutions", "ThrottlingException", 1);
    let error = all_executions(&sfn, MACHINE, Listing::All)
        .await
        .unwrap_err();
    assert!(error.is_code("ThrottlingException"));
}

#[tokio::test]
async fn an_execution_is_described_and_an_unknown_one_is_none() {
    let sfn = fake();
    let arn = sfn.world().add(MACHINE, "a", "{\"spec\":1}", RUNNING);
    let described = sfn.describe_execution(&arn).await.unwrap().unwrap();
    assert_eq!(described.name, "a");
    assert_eq!(described.arn, arn);
    assert_eq!(described.status, RUNNING);
    assert_eq!(described.input, "{\"spec\":1}");
    assert_eq!(described.started, 1_800_000_001_000);
    let unknown = execution_arn(MACHINE, "z");
    assert_eq!(sfn.describe_execution(&unknown).await.unwrap(), None);
}

#[tokio::test]
async fn a_stop_aborts_a_running_execution() {
    let sfn = fake();
    let arn = sfn.world().add(MACHINE, "a", "{}", RUNNING);
    let stopped = sfn.stop_execution(&arn).await.unwrap();
    assert_eq!(stopped, Stop::Accepted);
    let world = sfn.world();
    let execution = world.named("a").unwrap();
    assert_eq!(execution.summary.status, "ABORTED");
    assert!(execution.summary.stopped.is_some());
    assert!(world.named("b").is_none());
}

#[tokio::test]
async fn a_stop_of_an_ended_or_unknown_execution_answers_as_the_test_says() {
    let sfn = fake();
    let done = sfn.world().add(MACHINE, "done", "{}", "SUCCEEDED");
    let ending = sfn.world().add(MACHINE, "ending", "{}", RUNNING);
    sfn.world().ending.push("ending".into());
    // Accepted, and nothing changes.
    assert_eq!(sfn.stop_execution(&done).await.unwrap(), Stop::Accepted);
    assert_eq!(
        sfn.world().named("done").unwrap().summary.status,
        "SUCCEEDED"
    );
    sfn.world().closed_stop = Some("ValidationException");
    let refused = sfn.stop_execution(&ending).await.unwrap_err();
    assert!(refused.is_code("ValidationException"));
    // It ended on its own: SUCCEEDED, not ABORTED.
    assert_eq!(
        sfn.world().named("ending").unwrap().summary.status,
        "SUCCEEDED"
    );
    let unknown = execution_arn(MACHINE, "never");
    assert_eq!(
        sfn.stop_execution(&unknown).await.unwrap(),
        Stop::NoSuchExecution
    );
}

#[tokio::test]
async fn injected_not_found_and_name_taken_answers_read_as_the_sdks_do() {
    let sfn = fake();
    let arn = sfn.world().add(MACHINE, "a", "{}", RUNNING);
    {
        let mut recorder = sfn.recorder.lock();
        recorder.fail("DescribeExecution", "ExecutionDoesNotExist");
        recorder.fail("StopExecution", "ExecutionDoesNotExist");
        recorder.fail("StartExecution", "ExecutionAlreadyExists");
        recorder.fail("StopExecution", "KmsThrottlingException");
    }
    assert_eq!(sfn.describe_execution(&arn).await.unwrap(), None);
    let stop = sfn.stop_execution(&arn).await.unwrap();
    assert_eq!(stop, Stop::NoSuchExecution);
    let start = sfn.start_execution(MACHINE, "b", "{}").await.unwrap();
    assert_eq!(start, Started::NameTaken);
    let throttled = sfn.stop_execution(&arn).await.unwrap_err();
    assert!(throttled.is_code("KmsThrottlingException"));
    assert_eq!(sfn.world().named("a").unwrap().summary.status, RUNNING);
    assert!(sfn.world().named("b").is_none());
}
