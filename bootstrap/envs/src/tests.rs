//! The `env` commands against the in-memory fake.

use super::api::Execution;
use super::cli::{run_with, WorkflowCommand};
use super::fake::FakeWorkflows;
use clap::Parser;
use envctl_common::global::Global;
use envctl_common::tagged::TaggedEnvironment;
use serde_json::{json, Value};

/// Parses `env …` as the CLI would, and runs it against `cloud`.
pub(crate) fn env(cloud: &FakeWorkflows, args: &[&str]) -> (anyhow::Result<()>, String, String) {
    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        global: Global,
        #[command(subcommand)]
        command: WorkflowCommand,
    }
    let line = Line::try_parse_from(std::iter::once("env").chain(args.iter().copied())).unwrap();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let result = envctl_common::sdk::runtime().unwrap().block_on(run_with(
        cloud,
        &line.global,
        line.command,
        &mut out,
        &mut err,
        false,
    ));
    (
        result,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

pub(crate) const FAST: [&str; 2] = ["--poll", "0s"];

#[test]
fn up_starts_a_named_provision_follows_it_and_prints_the_outputs() {
    let cloud = FakeWorkflows {
        script: vec!["RUNNING", "RUNNING", "SUCCEEDED"],
        output: Some(json!({"outputs": {"url": "https://alb-pr-42", "port": 3000}})),
        ..FakeWorkflows::default()
    };
    let (result, out, err) = env(
        &cloud,
        &[
            "up", "--suffix", "pr-42", "--pr", "42", "--ttl", "3d", FAST[0], FAST[1],
        ],
    );
    result.unwrap();
    let executions = cloud.executions.borrow();
    assert_eq!(executions.len(), 1);
    let execution = &executions[0];
    assert!(execution.name.starts_with("pr-42--"), "{}", execution.name);
    assert_eq!(execution.name.len(), "pr-42--".len() + 16);
    assert!(execution.arn.contains(":execution:provision:"));
    assert_eq!(execution.input["spec"]["pullRequest"], 42);
    assert_eq!(execution.input["spec"]["ttlHours"], 72);
    assert_eq!(
        out,
        format!(
            "{} SUCCEEDED\nport: 3000\nurl: https://alb-pr-42\n",
            execution.name
        )
    );
    let progress: Vec<&str> = err.lines().collect();
    assert_eq!(progress.len(), 4, "{err}");
    assert!(progress[1].ends_with(": Network"), "{err}");
    assert!(progress[3].ends_with(": SUCCEEDED"), "{err}");
}

#[test]
fn the_same_trigger_twice_starts_one_execution() {
    let cloud = FakeWorkflows {
        script: vec!["SUCCEEDED"],
        ..FakeWorkflows::default()
    };
    for _ in 0..2 {
        let (result, _, _) = env(
            &cloud,
            &["up", "--suffix", "pr-7", "--request-id", "abc123"],
        );
        result.unwrap();
    }
    let executions = cloud.executions.borrow();
    assert_eq!(executions.len(), 1);
    assert_eq!(executions[0].name, "pr-7--abc123");
}

#[test]
fn a_failed_provision_is_the_commands_error_with_its_cause() {
    let cloud = FakeWorkflows {
        script: vec!["FAILED"],
        ..FakeWorkflows::default()
    };
    let (result, out, _) = env(&cloud, &["up", "--suffix", "pr-8", "--request-id", "r1"]);
    assert_eq!(
        result.unwrap_err().to_string(),
        "pr-8--r1 FAILED: States.TaskFailed: network: AccessDenied"
    );
    assert!(out.is_empty());
}

#[test]
fn an_execution_still_running_at_the_timeout_is_an_error_and_no_wait_returns_at_once() {
    let cloud = FakeWorkflows {
        script: vec!["RUNNING"],
        ..FakeWorkflows::default()
    };
    let (result, _, _) = env(
        &cloud,
        &["up", "--suffix", "pr-9", "--timeout", "0s", "--poll", "0s"],
    );
    let error = result.unwrap_err().to_string();
    assert!(
        error.ends_with(
            "is still RUNNING after 0s; follow it with `envctl env status --suffix pr-9`"
        ),
        "{error}"
    );
    let (result, out, _) = env(&cloud, &["--json", "up", "--suffix", "pr-9", "--no-wait"]);
    result.unwrap();
    let body: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(body["status"], "RUNNING");
    assert_eq!(body["input"]["spec"]["environmentSuffix"], "pr-9");
    assert_eq!(body["started"], "1970-01-01T00:16:40Z");
    assert_eq!(body["output"], Value::Null);
}

#[test]
fn an_invalid_spec_fails_before_any_call() {
    let dir = std::env::temp_dir().join(format!("envctl-envs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("bad.json");
    std::fs::write(
        &spec,
        r#"{"containerImage": "nginx", "natGateways": "many"}"#,
    )
    .unwrap();
    let cloud = FakeWorkflows::default();
    let (result, _, _) = env(
        &cloud,
        &["up", "--suffix", "pr-1", "--spec", spec.to_str().unwrap()],
    );
    let error = result.unwrap_err().to_string();
    assert!(
        error.starts_with("the spec is invalid:\n  natGateways"),
        "{error}"
    );
    assert!(cloud.executions.borrow().is_empty());
    let (result, _, _) = env(
        &cloud,
        &["down", "--suffix", "pr-1", "--spec", spec.to_str().unwrap()],
    );
    assert!(result.is_err());
}

#[test]
fn down_tears_down_with_the_spec_of_the_last_provision() {
    let cloud = FakeWorkflows {
        script: vec!["SUCCEEDED"],
        ..FakeWorkflows::default()
    };
    env(&cloud, &["up", "--suffix", "pr-5", "--pr", "5"])
        .0
        .unwrap();
    let (result, out, _) = env(&cloud, &["down", "--suffix", "pr-5"]);
    result.unwrap();
    let executions = cloud.executions.borrow();
    let teardown = &executions[1];
    assert!(teardown.arn.contains(":execution:teardown:pr-5--"));
    assert_eq!(teardown.input["spec"]["pullRequest"], 5);
    assert_eq!(out, format!("{} SUCCEEDED\n", teardown.name));
    drop(executions);
    let (result, _, _) = env(&cloud, &["down", "--suffix", "pr-6"]);
    assert_eq!(
        result.unwrap_err().to_string(),
        "no provision of pr-6 is recorded: pass its spec with --spec"
    );
    let dir = std::env::temp_dir().join(format!("envctl-down-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.json");
    std::fs::write(
        &spec,
        r#"{"containerImage": "nginx", "selfSignedCertificate": true}"#,
    )
    .unwrap();
    let (result, _, _) = env(
        &cloud,
        &["down", "--suffix", "pr-6", "--spec", spec.to_str().unwrap()],
    );
    result.unwrap();
}

#[test]
fn the_same_trigger_after_a_teardown_provisions_again_and_waits_for_a_running_one() {
    let cloud = FakeWorkflows {
        script: vec!["SUCCEEDED"],
        ..FakeWorkflows::default()
    };
    let up = || env(&cloud, &["up", "--suffix", "pr-9", "--request-id", "c1"]);
    let provisions = || -> Vec<String> {
        cloud
            .executions
            .borrow()
            .iter()
            .filter(|execution| execution.arn.contains(":execution:provision:"))
            .map(|execution| execution.name.clone())
            .collect()
    };
    up().0.unwrap();
    up().0.unwrap();
    assert_eq!(provisions(), ["pr-9--c1"]);
    // Torn down twice over: one teardown, named within the provision's generation.
    for _ in 0..2 {
        env(&cloud, &["down", "--suffix", "pr-9"]).0.unwrap();
    }
    assert_eq!(cloud.executions.borrow().len(), 2);
    let teardown = cloud.executions.borrow()[1].name.clone();
    assert!(
        teardown.starts_with("pr-9--") && teardown.contains("-g"),
        "{teardown}"
    );
    // The same trigger (a reopened pull request at the same commit) provisions again, once.
    up().0.unwrap();
    up().0.unwrap();
    let names = provisions();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[1].starts_with("pr-9--c1-g"), "{names:?}");

    // The rollback of that provision, still deleting: a new provision would race it.
    let rollback = format!("rollback-{}", names[1]);
    cloud.executions.borrow_mut().push(Execution {
        arn: format!("arn:aws:states:us-west-2:123456789012:execution:teardown:{rollback}"),
        name: rollback.clone(),
        status: "RUNNING".into(),
        started: std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(9_999),
        input: json!({}),
        output: None,
        error: None,
        cause: None,
    });
    let (result, _, _) = up();
    assert_eq!(
        result.unwrap_err().to_string(),
        format!("pr-9 is being torn down ({rollback}, RUNNING): bring it up again once that has finished (`envctl env status --suffix pr-9`)")
    );
    cloud.executions.borrow_mut().last_mut().unwrap().status = "SUCCEEDED".into();
    up().0.unwrap();
    assert_eq!(provisions().len(), 3);
}

#[test]
fn status_reports_the_latest_execution_of_either_workflow() {
    let cloud = FakeWorkflows {
        script: vec!["SUCCEEDED"],
        ..FakeWorkflows::default()
    };
    let (result, out, _) = env(&cloud, &["status", "--suffix", "pr-3"]);
    result.unwrap();
    assert_eq!(out, "pr-3: no executions\n");
    env(&cloud, &["up", "--suffix", "pr-3", "--request-id", "one"])
        .0
        .unwrap();
    let (_, out, _) = env(&cloud, &["status", "--suffix", "pr-3"]);
    assert_eq!(
        out,
        "pr-3: provision pr-3--one SUCCEEDED (state Network, started 1970-01-01T00:16:40Z)\n"
    );
    env(&cloud, &["down", "--suffix", "pr-3", "--request-id", "two"])
        .0
        .unwrap();
    let (_, out, _) = env(&cloud, &["--json", "status", "--suffix", "pr-3"]);
    let body: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(body["workflow"], "teardown");
    // The teardown is named within the provision's generation (`-g` and its hash).
    let name = body["execution"]["name"].as_str().unwrap();
    assert!(
        name.starts_with("pr-3--two-g") && name.len() == "pr-3--two-g".len() + 8,
        "{name}"
    );
    assert_eq!(body["currentState"], Value::Null);
    let (_, out, _) = env(&cloud, &["status", "--suffix", "pr-3"]);
    assert!(out.contains("(state -,"), "{out}");
}

#[test]
fn outputs_invokes_the_outputs_function_with_a_status_request() {
    let cloud = FakeWorkflows {
        script: vec!["SUCCEEDED"],
        answer: json!({"status": "READY", "outputs": {"url": "https://x"}}),
        ..FakeWorkflows::default()
    };
    env(&cloud, &["up", "--suffix", "pr-4"]).0.unwrap();
    let (result, out, _) = env(&cloud, &["outputs", "--suffix", "pr-4"]);
    result.unwrap();
    assert_eq!(out, "url: https://x\n");
    let (function, payload) = cloud.invoked.borrow()[0].clone();
    assert_eq!(function, "outputs");
    assert_eq!(payload["action"], "status");
    assert_eq!(payload["spec"]["environmentSuffix"], "pr-4");
    let (_, out, _) = env(&cloud, &["--json", "outputs", "--suffix", "pr-4"]);
    assert_eq!(out, "{\"url\":\"https://x\"}\n");
    let dir = std::env::temp_dir().join(format!("envctl-outputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.json");
    std::fs::write(
        &spec,
        r#"{"containerImage": "nginx", "selfSignedCertificate": true}"#,
    )
    .unwrap();
    let failing = FakeWorkflows {
        answer: json!({"errorType": "AwsRejected", "errorMessage": "DescribeVpcs failed"}),
        ..FakeWorkflows::default()
    };
    let (result, _, _) = env(
        &failing,
        &[
            "outputs",
            "--suffix",
            "pr-4",
            "--spec",
            spec.to_str().unwrap(),
        ],
    );
    assert_eq!(
        result.unwrap_err().to_string(),
        "the outputs function failed: \"AwsRejected\": \"DescribeVpcs failed\""
    );
}

#[test]
fn list_shows_each_tagged_environment_with_age_expiry_and_state() {
    let cloud = FakeWorkflows {
        script: vec!["SUCCEEDED"],
        environments: vec![
            TaggedEnvironment {
                suffix: "pr-1".into(),
                expires_at: Some("2026-11-29T00:00:00Z".into()),
                pull_request: Some("1".into()),
            },
            TaggedEnvironment {
                suffix: "orphan".into(),
                expires_at: None,
                pull_request: None,
            },
        ],
        ..FakeWorkflows::default()
    };
    env(&cloud, &["up", "--suffix", "pr-1"]).0.unwrap();
    let (result, out, _) = env(&cloud, &["--json", "list"]);
    result.unwrap();
    let body: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(body[0]["suffix"], "pr-1");
    assert_eq!(body[0]["expiresAt"], "2026-11-29T00:00:00Z");
    assert_eq!(body[0]["pullRequest"], "1");
    assert_eq!(body[0]["state"], "SUCCEEDED");
    assert!(
        body[0]["age"].as_str().unwrap().ends_with('m')
            || body[0]["age"].as_str().unwrap().contains('y')
    );
    assert_eq!(body[1]["age"], Value::Null);
    let (_, out, _) = env(&cloud, &["list"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "SUFFIX\tAGE\tEXPIRES\tPR\tSTATE");
    assert!(lines[1].starts_with("pr-1\t"));
    assert!(lines[1].ends_with("\t2026-11-29T00:00:00Z\t1\tSUCCEEDED"));
    assert_eq!(lines[2], "orphan\t-\t-\t-\t-");
}

#[test]
fn an_execution_serialises_with_camel_case_fields() {
    let execution = Execution {
        arn: "a".into(),
        name: "n".into(),
        status: "RUNNING".into(),
        started: std::time::SystemTime::UNIX_EPOCH,
        input: json!({}),
        output: None,
        error: None,
        cause: None,
    };
    let value = serde_json::to_value(&execution).unwrap();
    let mut keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["arn", "cause", "error", "input", "name", "output", "started", "status"]
    );
}

/// An account whose five Elastic IPs are taken, in a region with three zones (the default spec,
/// examples/pr.json's, has one NAT gateway).
fn full_account(quotas: &[(&'static str, u32)]) -> FakeWorkflows {
    FakeWorkflows {
        script: vec!["SUCCEEDED"],
        output: Some(json!({"outputs": {}})),
        quotas: quotas.iter().copied().collect(),
        usage: super::admission::Usage {
            elastic_ips: 5,
            zones: vec![
                "us-west-2a".into(),
                "us-west-2b".into(),
                "us-west-2c".into(),
            ],
            ..super::admission::Usage::default()
        },
        ..FakeWorkflows::default()
    }
}

#[test]
fn up_is_refused_naming_the_limit_when_the_account_has_no_room_and_nothing_starts() {
    let cloud = full_account(&[]);
    let (result, _, _) = env(&cloud, &["up", "--suffix", "pr-42", FAST[0], FAST[1]]);
    let error = result.unwrap_err().to_string();
    assert_eq!(
        error,
        "the account has no room for environment pr-42, so nothing was started: EC2-VPC Elastic IPs (Service Quotas ec2 L-0263D0A3): 5 of 5 in use, the environment needs 1; raise the quota in Service Quotas, or tear an environment down (`envctl env list`)"
    );
    assert!(cloud.executions.borrow().is_empty());
    // The account's applied quota is what counts.
    let raised = full_account(&[("L-0263D0A3", 8)]);
    let (result, _, _) = env(&raised, &["up", "--suffix", "pr-42", FAST[0], FAST[1]]);
    result.unwrap();
    assert_eq!(raised.executions.borrow().len(), 1);
}

#[test]
fn an_environment_that_exists_already_is_admitted_without_a_look() {
    let cloud = FakeWorkflows {
        environments: vec![TaggedEnvironment {
            suffix: "pr-42".into(),
            expires_at: None,
            pull_request: None,
        }],
        ..full_account(&[])
    };
    let (result, _, _) = env(&cloud, &["up", "--suffix", "pr-42", FAST[0], FAST[1]]);
    result.unwrap();
    assert_eq!(cloud.executions.borrow().len(), 1);
}

#[test]
fn what_the_caller_may_not_read_is_warned_about_and_left_unchecked() {
    // Quotas unreadable: no limit is checked (a default could refuse a raised account); it starts.
    let cloud = FakeWorkflows {
        quotas_refused: true,
        ..full_account(&[])
    };
    let (result, _, err) = env(&cloud, &["up", "--suffix", "pr-42", FAST[0], FAST[1]]);
    result.unwrap();
    assert!(
        err.contains("quota admission: EC2-VPC Elastic IPs not checked, its quota could not be read (GetServiceQuota failed: AccessDeniedException"),
        "{err}"
    );
    assert_eq!(cloud.executions.borrow().len(), 1);
    // Usage unreadable: admission skipped as a whole.
    let cloud = FakeWorkflows {
        usage_refused: true,
        ..full_account(&[])
    };
    let (result, _, err) = env(&cloud, &["up", "--suffix", "pr-42", FAST[0], FAST[1]]);
    result.unwrap();
    assert!(
        err.contains("quota admission skipped: the account's usage could not be read (DescribeAddresses failed: UnauthorizedOperation"),
        "{err}"
    );
    assert_eq!(cloud.executions.borrow().len(), 1);
}
