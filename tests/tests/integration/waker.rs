//! The waker function against moto, through its binary (issue 22, "Sleep and wake"): a request
//! through an environment's wake target group while its latest provision made it asleep starts
//! the provision of the same spec awake, named as `envctl env wake` names it; a second request (a
//! new process, so nothing remembered) finds that wake running and starts nothing; a request
//! through another target group makes no call; settings missing fail the invocation, named.
//!
//! The state machines are stand-ins of this test's own (the function only lists, reads and starts
//! executions; moto runs none), so other modules' executions on the shared moto server are not
//! seen.

use env_core::execution_name::converge;
use env_core::spec::EnvironmentSpec;
use integration_tests::emulator::emulator;
use integration_tests::functions::invoke;
use integration_tests::unique_suffix;
use serde_json::{json, Value};

/// Marks the execution `arn` SUCCEEDED in the emulator (tools/emulator/executions.py, the outcome
/// path `envctl local` reports a finished execution on).
fn succeeded(endpoint: &str, arn: &str) {
    use std::io::{Read, Write};
    let host = endpoint.trim_start_matches("http://");
    let body = json!({"executionArn": arn, "status": "SUCCEEDED"}).to_string();
    let mut connection = std::net::TcpStream::connect(host).expect("the emulator listens");
    write!(
        connection,
        "POST /_emulator/execution-outcome HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("the outcome is sent");
    let mut reply = String::new();
    connection
        .read_to_string(&mut reply)
        .expect("the emulator replies");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

/// The load balancer's event for a request through the target group named `target_group`.
fn request(target_group: &str, method: &str) -> Value {
    json!({
        "requestContext": {"elb": {"targetGroupArn": format!(
            "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/{target_group}/49e9d65c45c6791a"
        )}},
        "httpMethod": method,
        "path": "/",
        "queryStringParameters": {},
        "headers": {"host": "alb.example", "user-agent": "integration-test"},
        "body": "",
        "isBase64Encoded": false
    })
}

#[tokio::test]
async fn a_request_to_a_sleeping_environment_starts_one_wake_named_as_env_wake_names_it() {
    let emulator = emulator();
    let config = emulator.sdk_config().await;
    let sfn = aws_sdk_sfn::Client::new(&config);
    let suffix = unique_suffix();
    let definition = json!({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}});
    let mut machines = Vec::new();
    for workflow in ["provision", "claim", "teardown"] {
        let created = sfn
            .create_state_machine()
            .name(format!("{workflow}-waker-{suffix}"))
            .definition(definition.to_string())
            .role_arn("arn:aws:iam::123456789012:role/workflow")
            .send()
            .await
            .expect("moto creates the state machine");
        machines.push(created.state_machine_arn().to_owned());
    }
    let provision = machines[0].clone();
    let spec = EnvironmentSpec::from_value(&json!({
        "environmentSuffix": suffix.as_str(),
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true,
        "asleep": true
    }))
    .expect("a valid spec");
    let sleep = format!("{suffix}--sleep-1");
    let slept = sfn
        .start_execution()
        .state_machine_arn(&provision)
        .name(&sleep)
        .input(json!({ "spec": spec }).to_string())
        .send()
        .await
        .expect("moto starts the sleep");
    succeeded(emulator.endpoint(), slept.execution_arn());

    let mut env = emulator.env();
    env.push(("PROVISION_STATE_MACHINE_ARN", provision.clone()));
    env.push(("CLAIM_STATE_MACHINE_ARN", machines[1].clone()));
    env.push(("TEARDOWN_STATE_MACHINE_ARN", machines[2].clone()));
    let target_group = format!("tg-wake-{suffix}");

    let first = invoke("waker", &request(&target_group, "GET"), &env);
    assert!(first.success, "{} {}", first.body, first.stderr);
    assert_eq!(first.body["statusCode"], 503, "{}", first.body);
    assert_eq!(first.body["headers"]["Cache-Control"], "no-store");
    let page = first.body["body"].as_str().unwrap_or_default();
    assert!(page.contains("Waking up"), "{page}");
    assert!(page.contains(suffix.as_str()), "{page}");

    let wake = converge(&spec, false, &sleep).expect("the spec can be awake");
    let listed = sfn
        .list_executions()
        .state_machine_arn(&provision)
        .send()
        .await
        .expect("moto lists the executions");
    let names: Vec<&str> = listed.executions().iter().map(|e| e.name()).collect();
    assert!(names.contains(&wake.name.as_str()), "{names:?}");
    assert_eq!(names.len(), 2, "{names:?}");
    let started = listed
        .executions()
        .iter()
        .find(|execution| execution.name() == wake.name)
        .expect("the wake is listed");
    let described = sfn
        .describe_execution()
        .execution_arn(started.execution_arn())
        .send()
        .await
        .expect("moto describes the wake");
    let input: Value = serde_json::from_str(described.input().unwrap_or_default()).expect("JSON");
    assert_eq!(input, wake.input);

    // A new process remembers nothing: it decides again, from the running wake.
    let second = invoke("waker", &request(&target_group, "HEAD"), &env);
    assert!(second.success, "{} {}", second.body, second.stderr);
    assert_eq!(second.body["statusCode"], 503);
    assert_eq!(second.body["body"], "");
    let listed = sfn
        .list_executions()
        .state_machine_arn(&provision)
        .send()
        .await
        .expect("moto lists the executions");
    assert_eq!(listed.executions().len(), 2, "no second wake");

    let elsewhere = invoke("waker", &request(&format!("tg-blue-{suffix}"), "GET"), &env);
    assert!(elsewhere.success, "{}", elsewhere.body);
    assert_eq!(elsewhere.body["statusCode"], 404);
}

#[tokio::test]
async fn the_waker_without_its_machines_is_misconfigured() {
    let emulator = emulator();
    let mut env = emulator.env();
    env.push((
        "PROVISION_STATE_MACHINE_ARN",
        "arn:aws:states:us-west-2:123456789012:stateMachine:provision".to_owned(),
    ));
    let result = invoke("waker", &request("tg-wake-pr-1", "GET"), &env);
    assert!(!result.success);
    assert_eq!(result.body["errorType"], "Misconfigured");
    let message = result.body["errorMessage"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("CLAIM_STATE_MACHINE_ARN is (not set)"),
        "{message}"
    );
}

#[tokio::test]
async fn state_machines_that_do_not_exist_make_a_page_naming_the_failure() {
    let emulator = emulator();
    let suffix = unique_suffix();
    let mut env = emulator.env();
    for (variable, workflow) in [
        ("PROVISION_STATE_MACHINE_ARN", "provision"),
        ("CLAIM_STATE_MACHINE_ARN", "claim"),
        ("TEARDOWN_STATE_MACHINE_ARN", "teardown"),
    ] {
        env.push((
            variable,
            format!(
                "arn:aws:states:us-west-2:123456789012:stateMachine:{workflow}-absent-{suffix}"
            ),
        ));
    }
    let result = invoke("waker", &request(&format!("tg-wake-{suffix}"), "GET"), &env);
    assert!(result.success, "{}", result.body);
    // moto answers ListExecutions of a machine that does not exist with StateMachineDoesNotExist:
    // the page names the failure.
    assert_eq!(result.body["statusCode"], 503, "{}", result.body);
    let page = result.body["body"].as_str().unwrap_or_default();
    assert!(
        page.contains("Could not start the wake: AwsRejected (ListExecutions)"),
        "{page}"
    );
}
