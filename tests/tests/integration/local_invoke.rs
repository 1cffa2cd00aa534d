//! `<binary> invoke`: the contract the local workflow runner, the CLI and outside checkers rely on.

use integration_tests::functions::{invoke, run};
use serde_json::json;

#[test]
fn a_valid_spec_comes_back_with_every_default_written_out() {
    let result = invoke(
        "validate",
        &json!({"environmentSuffix": "pr-42", "containerImage": "nginx", "selfSignedCertificate": true}),
        &[],
    );
    assert!(result.success, "{}", result.stderr);
    assert_eq!(result.body["environmentSuffix"], "pr-42");
    assert_eq!(result.body["minTasks"], 2);
    assert_eq!(result.body["maxTasks"], 10);
    assert_eq!(result.body["cpuTargetPercent"], 70);
    assert_eq!(result.body["dbMinCapacity"], 0.5);
    assert_eq!(result.body["cacheShards"], 2);
    assert_eq!(result.body["region"], "us-west-2");
    assert!(
        result.stderr.contains("\"spec is valid\""),
        "logs are JSON on stderr: {}",
        result.stderr
    );
}

#[test]
fn an_invalid_spec_fails_with_the_invalid_spec_name_and_every_problem() {
    let result = invoke(
        "validate",
        &json!({"environmentSuffix": "PR-42", "natGateways": "none"}),
        &[],
    );
    assert!(!result.success);
    assert_eq!(result.exit_code, Some(1));
    assert_eq!(result.body["errorType"], "InvalidSpec");
    let message = result.body["errorMessage"].as_str().unwrap();
    assert!(
        message.starts_with("the environment spec has 4 invalid fields: "),
        "{message}"
    );
    assert!(
        message.contains(
            "natGateways = \"none\": \"perAz\" (one NAT gateway per AZ) or \"single\" (one shared)"
        ),
        "{message}"
    );
}

#[test]
fn input_that_is_not_json_fails_as_an_invalid_event() {
    let output = run("validate", &["invoke"], "not json", &[]);
    assert_eq!(output.status.code(), Some(1));
    let body: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(body["errorType"], "InvalidEvent");
}

#[test]
fn an_unknown_argument_prints_usage_and_exits_2() {
    let output = run("validate", &["serve"], "", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("invoke         read one event as JSON on stdin"));
}
