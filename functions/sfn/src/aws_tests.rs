//! Every SDK call driven through a stand-in HTTP connector that answers what Step Functions
//! answers (the awsJson1_0 protocol: `X-Amz-Target: AWSStepFunctions.<operation>`, errors as
//! `{"__type": <code>}` with HTTP 400): what is sent, and how the answers are read.

use super::*;
use aws_sdk_sfn::config::retry::RetryConfig;
use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpConnector, HttpConnectorFuture, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_types::body::SdkBody;
use env_core::error::ErrorName;
use env_core::NamedError;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

const MACHINE: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:provision";
const EXECUTION: &str = "arn:aws:states:us-west-2:123456789012:execution:provision:pr-42--a";

/// Answers each request with the next answer given, and keeps the requests (operation, body).
#[derive(Debug, Clone, Default)]
struct StandIn {
    answers: Arc<Mutex<VecDeque<(u16, Value)>>>,
    requests: Arc<Mutex<Vec<(String, Value)>>>,
}

impl HttpConnector for StandIn {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        let operation = target.trim_start_matches("AWSStepFunctions.").to_owned();
        let body = serde_json::from_slice(request.body().bytes().unwrap_or_default())
            .unwrap_or(Value::Null);
        self.requests.lock().unwrap().push((operation, body));
        let (status, answer) = self.answers.lock().unwrap().pop_front().unwrap();
        let response = HttpResponse::new(
            status.try_into().unwrap(),
            SdkBody::from(answer.to_string()),
        );
        HttpConnectorFuture::ready(Ok(response))
    }
}

/// A [`Sfn`] whose calls the stand-in answers with `answers`, in order.
fn sfn(answers: Vec<(u16, Value)>) -> (Sfn, StandIn) {
    let stand_in = StandIn::default();
    stand_in.answers.lock().unwrap().extend(answers);
    let connector = SharedHttpConnector::new(stand_in.clone());
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "tests"))
        .retry_config(RetryConfig::disabled())
        .http_client(http_client_fn(move |_, _| connector.clone()))
        .build();
    let sfn = Sfn::from_client(aws_sdk_sfn::Client::from_conf(config));
    (sfn, stand_in)
}

fn failure(code: &str) -> (u16, Value) {
    (
        400,
        json!({"__type": code, "message": "answered by the stand-in"}),
    )
}

fn requests(stand_in: &StandIn) -> Vec<(String, Value)> {
    stand_in.requests.lock().unwrap().clone()
}

#[tokio::test]
async fn executions_are_listed_a_page_at_a_time_running_ones_only_when_asked() {
    let page = json!({
        "executions": [
            {"executionArn": EXECUTION, "stateMachineArn": MACHINE, "name": "pr-42--a",
             "status": "RUNNING", "startDate": 1_800_000_000.25},
            {"executionArn": "arn:b", "stateMachineArn": MACHINE, "name": "pr-42--b",
             "status": "ABORTED", "startDate": 1_700_000_000.0, "stopDate": 1_700_000_060.5}
        ],
        "nextToken": "page-2"
    });
    let (sfn, stand_in) = sfn(vec![(200, page), (200, json!({"executions": []}))]);
    let first = sfn.executions(MACHINE, Listing::All, None).await.unwrap();
    assert_eq!(
        first.executions[0],
        ExecutionSummary {
            name: "pr-42--a".into(),
            arn: EXECUTION.into(),
            status: "RUNNING".into(),
            started: 1_800_000_000_250,
            stopped: None,
        }
    );
    assert_eq!(first.executions[1].status, "ABORTED");
    assert_eq!(first.executions[1].stopped, Some(1_700_000_060_500));
    assert_eq!(first.next.as_deref(), Some("page-2"));
    let last = sfn
        .executions(MACHINE, Listing::Running, Some("page-2"))
        .await
        .unwrap();
    assert_eq!(last, ExecutionPage::default());
    let sent = requests(&stand_in);
    assert_eq!(sent[0].0, "ListExecutions");
    assert_eq!(
        sent[0].1,
        json!({"stateMachineArn": MACHINE, "maxResults": 1000})
    );
    assert_eq!(
        sent[1].1,
        json!({"stateMachineArn": MACHINE, "maxResults": 1000, "statusFilter": "RUNNING", "nextToken": "page-2"})
    );
}

#[tokio::test]
async fn a_listing_refused_keeps_its_code_and_throttling_is_retryable() {
    let (sfn, _) = sfn(vec![
        failure("StateMachineDoesNotExist"),
        failure("ThrottlingException"),
    ]);
    let missing = sfn.executions(MACHINE, Listing::All, None).await;
    let missing = missing.unwrap_err();
    assert!(missing.is_code(crate::STATE_MACHINE_DOES_NOT_EXIST));
    assert_eq!(missing.error_name(), ErrorName::AwsRejected);
    assert_eq!(missing.operation(), "ListExecutions");
    let throttled = sfn.executions(MACHINE, Listing::Running, None).await;
    assert_eq!(throttled.unwrap_err().error_name(), ErrorName::Retryable);
}

#[tokio::test]
async fn an_execution_is_described_and_one_that_does_not_exist_is_none() {
    let described = json!({
        "executionArn": EXECUTION, "stateMachineArn": MACHINE, "name": "pr-42--a",
        "status": "SUCCEEDED", "startDate": 1_800_000_000.0, "input": "{\"spec\":{}}"
    });
    let without_input = json!({
        "executionArn": EXECUTION, "stateMachineArn": MACHINE, "name": "pr-42--a",
        "status": "RUNNING", "startDate": 1_800_000_000.0
    });
    let without_name = json!({
        "executionArn": EXECUTION, "stateMachineArn": MACHINE,
        "status": "RUNNING", "startDate": 1_800_000_000.0
    });
    let (sfn, stand_in) = sfn(vec![
        (200, described),
        (200, without_input),
        failure(EXECUTION_DOES_NOT_EXIST),
        failure("InvalidArn"),
        (200, without_name),
    ]);
    let found = sfn.describe_execution(EXECUTION).await.unwrap().unwrap();
    assert_eq!(
        found,
        Execution {
            name: "pr-42--a".into(),
            arn: EXECUTION.into(),
            status: "SUCCEEDED".into(),
            input: "{\"spec\":{}}".into(),
            started: 1_800_000_000_000,
        }
    );
    let found = sfn.describe_execution(EXECUTION).await.unwrap().unwrap();
    assert_eq!(found.input, "");
    assert_eq!(sfn.describe_execution(EXECUTION).await.unwrap(), None);
    let invalid = sfn.describe_execution("x").await.unwrap_err();
    assert!(invalid.is_code("InvalidArn"));
    let incomplete = sfn.describe_execution(EXECUTION).await.unwrap_err();
    assert!(
        incomplete
            .to_string()
            .contains("DescribeExecutionOutput.name"),
        "{incomplete}"
    );
    let sent = requests(&stand_in);
    assert_eq!(
        sent[0],
        (
            "DescribeExecution".into(),
            json!({"executionArn": EXECUTION})
        )
    );
}

#[tokio::test]
async fn a_start_answers_the_running_execution_or_that_the_name_is_taken() {
    let (sfn, stand_in) = sfn(vec![
        (
            200,
            json!({"executionArn": EXECUTION, "startDate": 1_800_000_000.0}),
        ),
        failure(EXECUTION_ALREADY_EXISTS),
        failure("ExecutionLimitExceeded"),
    ]);
    let started = sfn.start_execution(MACHINE, "pr-42--a", "{}").await;
    assert_eq!(
        started.unwrap(),
        Started::Running {
            arn: EXECUTION.into()
        }
    );
    let taken = sfn.start_execution(MACHINE, "pr-42--a", "{}").await;
    assert_eq!(taken.unwrap(), Started::NameTaken);
    let limited = sfn.start_execution(MACHINE, "pr-42--a", "{}").await;
    assert!(limited.unwrap_err().is_code("ExecutionLimitExceeded"));
    let sent = requests(&stand_in);
    assert_eq!(sent[0].0, "StartExecution");
    assert_eq!(
        sent[0].1,
        json!({"stateMachineArn": MACHINE, "name": "pr-42--a", "input": "{}"})
    );
}

#[tokio::test]
async fn a_stop_sends_neither_error_nor_cause_and_a_missing_execution_is_told_apart() {
    let (sfn, stand_in) = sfn(vec![
        (200, json!({"stopDate": 1_800_000_000.0})),
        failure(EXECUTION_DOES_NOT_EXIST),
        failure("ValidationException"),
    ]);
    let stopped = sfn.stop_execution(EXECUTION).await;
    assert_eq!(stopped.unwrap(), Stop::Accepted);
    let missing = sfn.stop_execution(EXECUTION).await;
    assert_eq!(missing.unwrap(), Stop::NoSuchExecution);
    let refused = sfn.stop_execution(EXECUTION).await.unwrap_err();
    assert!(refused.is_code("ValidationException"));
    assert_eq!(refused.operation(), "StopExecution");
    let sent = requests(&stand_in);
    assert_eq!(sent[0].0, "StopExecution");
    // Only the ARN: an error or cause would need the execution's KMS key.
    assert_eq!(sent[0].1, json!({"executionArn": EXECUTION}));
}

#[tokio::test]
async fn a_client_is_made_from_the_shared_configuration() {
    let config = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .build();
    let sfn = Sfn::new(&config);
    assert_eq!(
        sfn.client.config().region(),
        Some(&Region::new("us-west-2"))
    );
}
