use super::*;
use crate::decide::tests::{input, settings};
use crate::memo::REMEMBER;
use env_core::error::{ErrorName, NamedError};
use serde_json::json;
use sfn::fake::FakeSfn as FakeCloud;
use std::time::Duration;

const PROVISION: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:provision";
const TARGET_GROUP: &str =
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg-wake-pr-42/49e9d65c45c6791a";

fn event(method: &str) -> Value {
    json!({
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
        "httpMethod": method,
        "path": "/orders",
        "headers": {"host": "alb-pr-42.example"},
        "body": "",
        "isBase64Encoded": false
    })
}

fn asleep() -> Waker<FakeCloud> {
    let cloud = FakeCloud::default();
    cloud.world().add(
        PROVISION,
        "pr-42--sleep-1",
        &input(json!({"asleep": true})),
        "SUCCEEDED",
    );
    Waker::new(cloud, Ok(settings()))
}

#[tokio::test]
async fn a_request_to_a_sleeping_environment_starts_the_wake_and_a_flood_starts_nothing_more() {
    let waker = asleep();
    let start = Instant::now();
    let first = waker.handle(event("GET"), start).await.unwrap();
    assert_eq!(first.status_code, 503);
    assert!(first.body.contains("Waking up"), "{}", first.body);
    for second in 1..20 {
        let at = start + Duration::from_secs(second);
        let again = waker.handle(event("GET"), at).await.unwrap();
        assert_eq!(again, first);
    }
    assert_eq!(
        waker.cloud.calls("ListExecutions"),
        2,
        "one decision in 20 s"
    );
    assert_eq!(waker.cloud.calls("StartExecution"), 1);
    // Later, the memory expired: decided again from the running wake, which starts nothing.
    let later = waker.handle(event("GET"), start + REMEMBER).await.unwrap();
    assert!(later.body.contains("Waking up"));
    assert_eq!(waker.cloud.calls("ListExecutions"), 4);
    assert_eq!(waker.cloud.calls("StartExecution"), 1);
}

#[tokio::test]
async fn head_is_answered_like_get_without_a_body() {
    let waker = asleep();
    let now = Instant::now();
    let head = waker.handle(event("HEAD"), now).await.unwrap();
    let get = waker.handle(event("GET"), now).await.unwrap();
    assert_eq!(head.body, "");
    assert_eq!(head.status_code, get.status_code);
    assert_eq!(head.headers, get.headers);
    assert!(!get.body.is_empty());
}

#[tokio::test]
async fn a_request_for_no_environment_makes_no_aws_call() {
    let waker = asleep();
    let mut other = event("GET");
    other["requestContext"]["elb"]["targetGroupArn"] =
        json!(TARGET_GROUP.replace("tg-wake", "tg-blue"));
    let response = waker.handle(other, Instant::now()).await.unwrap();
    assert_eq!(response.status_code, 404);
    assert!(response.body.contains("tg-blue-pr-42"), "{}", response.body);
    assert_eq!(waker.cloud.calls("ListExecutions"), 0);
}

#[tokio::test]
async fn an_aws_failure_is_a_page_naming_it_and_is_remembered() {
    let waker = asleep();
    waker
        .cloud
        .recorder
        .lock()
        .fail("StartExecution", "AccessDeniedException");
    let now = Instant::now();
    let failed = waker.handle(event("GET"), now).await.unwrap();
    assert_eq!(failed.status_code, 503);
    assert!(
        failed
            .body
            .contains("Could not start the wake: AwsRejected (StartExecution)."),
        "{}",
        failed.body
    );
    let again = waker
        .handle(event("GET"), now + Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(again, failed);
    assert_eq!(waker.cloud.calls("StartExecution"), 1);
    let retried = waker.handle(event("GET"), now + REMEMBER).await.unwrap();
    assert!(retried.body.contains("Waking up"), "{}", retried.body);
}

#[tokio::test]
async fn misconfigured_settings_fail_every_invocation_before_any_aws_call() {
    let misconfigured = env_core::settings::Misconfigured::new(
        sfn::settings::TEARDOWN_STATE_MACHINE_ARN,
        None,
        sfn::settings::ALLOWED,
    );
    let waker = Waker::new(FakeCloud::default(), Err(misconfigured));
    let error = waker
        .handle(event("GET"), Instant::now())
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert!(error
        .to_string()
        .starts_with("TEARDOWN_STATE_MACHINE_ARN is (not set)"));
    assert_eq!(waker.cloud.calls("ListExecutions"), 0);
}
