//! `env up --pr` with a warm pool, and `--pr` finding a claimed pool environment, on the fake.

use super::fake::FakeWorkflows;
use super::pool::claim_input;
use super::pool::tests_support::{block, pool_spec, pooled, pr_spec, record};
use super::stage::{Aftermath, Stage};
use super::tests::{env, FAST};
use envctl_common::tagged::TaggedEnvironment;
use serde_json::{json, Value};

/// A fake whose executions all succeed at once, answering `outputs`.
fn succeeding() -> FakeWorkflows {
    FakeWorkflows {
        script: vec!["SUCCEEDED"],
        output: Some(json!({"outputs": {"httpsUrl": "https://pool"}})),
        ..FakeWorkflows::default()
    }
}

/// `env up --pr <number> --ttl 3d` (a claim needs a time to live), `extra` after.
fn up_pr(cloud: &FakeWorkflows, number: &str, extra: &[&str]) -> (Value, String) {
    let mut args = vec![
        "--json", "up", "--pr", number, "--ttl", "3d", FAST[0], FAST[1],
    ];
    args.extend_from_slice(extra);
    let (result, out, err) = env(cloud, &args);
    result.unwrap();
    (serde_json::from_str(&out).unwrap(), err)
}

/// The provisions recorded, name and input.
fn provisions(cloud: &FakeWorkflows) -> Vec<(String, Value)> {
    let executions = cloud.executions.borrow();
    let provisions = executions
        .iter()
        .filter(|e| e.arn.contains(":execution:provision:"));
    provisions
        .map(|e| (e.name.clone(), e.input.clone()))
        .collect()
}

#[test]
fn up_with_a_pull_request_claims_a_pool_environment_and_starts_its_replacement() {
    let cloud = succeeding();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    let (execution, err) = up_pr(&cloud, "42", &[]);
    assert_eq!(execution["name"], "claim-pool-a");
    assert_eq!(execution["status"], "SUCCEEDED");
    assert_eq!(execution["input"]["spec"]["environmentSuffix"], "pool-a");
    assert_eq!(execution["input"]["spec"]["pullRequest"], 42);
    assert_eq!(execution["output"]["outputs"]["httpsUrl"], "https://pool");
    assert!(
        err.contains("claim claim-pool-a: pool environment pool-a\n"),
        "{err}"
    );
    assert!(err.contains("claim claim-pool-a: SUCCEEDED\n"), "{err}");
    let provisions = provisions(&cloud);
    assert_eq!(provisions.len(), 2, "{provisions:?}");
    let (name, input) = &provisions[1];
    let suffix = name.strip_suffix("--fill").unwrap();
    assert!(suffix.starts_with("pool-") && suffix != "pool-a", "{name}");
    assert!(
        err.contains(&format!("replacement {suffix}: provision started\n")),
        "{err}"
    );
    assert_eq!(input["spec"]["standby"], true);
    assert!(input["spec"].get("pullRequest").is_none(), "{input}");

    // The same trigger again: the claim it holds, nothing new.
    let (again, _) = up_pr(&cloud, "42", &[]);
    assert_eq!(again["name"], "claim-pool-a");
    assert_eq!(self::provisions(&cloud).len(), 2);
}

#[test]
fn no_refill_starts_no_replacement() {
    let cloud = succeeding();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    let (execution, err) = up_pr(&cloud, "42", &["--no-refill"]);
    assert_eq!(execution["name"], "claim-pool-a");
    assert_eq!(provisions(&cloud).len(), 1);
    assert!(!err.contains("replacement"), "{err}");
}

#[test]
fn a_later_push_provisions_the_claimed_environment_with_its_spec() {
    let cloud = succeeding();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    up_pr(&cloud, "42", &["--no-refill"]);
    let mut pushed = serde_json::to_value(pr_spec(42, json!({}))).unwrap();
    pushed["containerImage"] = json!("public.ecr.aws/acme/api:push-2");
    let file = std::env::temp_dir().join(format!("envctl-push-{}.json", std::process::id()));
    std::fs::write(&file, pushed.to_string()).unwrap();
    let (execution, _) = up_pr(&cloud, "42", &["--spec", file.to_str().unwrap()]);
    let name = execution["name"].as_str().unwrap();
    assert!(name.starts_with("pool-a--"), "{name}");
    assert!(execution["arn"]
        .as_str()
        .unwrap()
        .contains(":execution:provision:"));
    assert_eq!(execution["input"]["spec"]["environmentSuffix"], "pool-a");
    assert_eq!(
        execution["input"]["spec"]["containerImage"],
        "public.ecr.aws/acme/api:push-2"
    );
    assert!(execution["input"]["spec"].get("standby").is_none());
}

#[test]
fn a_pull_request_whose_own_environment_stands_keeps_it() {
    let cloud = succeeding();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    record(&cloud, "provision", "pr-42--first", "SUCCEEDED", json!({}));
    let (execution, _) = up_pr(&cloud, "42", &[]);
    assert!(
        execution["name"].as_str().unwrap().starts_with("pr-42--"),
        "{execution}"
    );
    assert!(cloud
        .executions
        .borrow()
        .iter()
        .all(|e| !e.name.starts_with("claim-")));
}

#[test]
fn a_replacement_that_cannot_start_is_reported_and_the_claim_stands() {
    let cloud = FakeWorkflows {
        start_refused: Some("provision"),
        ..succeeding()
    };
    pooled_by_hand(&cloud, "pool-b");
    let (execution, err) = up_pr(&cloud, "42", &[]);
    assert_eq!(execution["name"], "claim-pool-b");
    assert_eq!(execution["status"], "SUCCEEDED");
    assert!(
        err.contains("no replacement started for pool-b (the hourly cleanup refills the pool): StartExecution failed: AccessDeniedException: not authorized\n"),
        "{err}"
    );
    assert_eq!(provisions(&cloud).len(), 1);
}

/// A succeeded standby provision of `suffix`, recorded as the fill would have started it.
fn pooled_by_hand(cloud: &FakeWorkflows, suffix: &str) {
    let mut spec = serde_json::to_value(claim_input(&pool_spec(), suffix).unwrap()).unwrap();
    spec["spec"]["standby"] = json!(true);
    record(
        cloud,
        "provision",
        &format!("{suffix}--fill"),
        "SUCCEEDED",
        spec,
    );
}

#[test]
fn up_with_a_pull_request_but_no_time_to_live_claims_nothing_and_provisions_its_own() {
    let cloud = succeeding();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    let (result, out, _) = env(&cloud, &["--json", "up", "--pr", "42", FAST[0], FAST[1]]);
    result.unwrap();
    let execution: Value = serde_json::from_str(&out).unwrap();
    let name = execution["name"].as_str().unwrap();
    assert!(name.starts_with("pr-42--"), "{name}");
    assert_eq!(execution["input"]["spec"]["environmentSuffix"], "pr-42");
    assert!(execution["input"]["spec"].get("ttlHours").is_none());
    assert!(cloud
        .executions
        .borrow()
        .iter()
        .all(|e| !e.name.starts_with("claim-")));
}

#[test]
fn a_failed_claim_is_the_commands_error() {
    let cloud = FakeWorkflows {
        script: vec!["FAILED"],
        ..FakeWorkflows::default()
    };
    pooled(&cloud, "pool-a", "SUCCEEDED");
    let (result, _, _) = env(
        &cloud,
        &["up", "--pr", "42", "--ttl", "3d", FAST[0], FAST[1]],
    );
    let error = result.unwrap_err().to_string();
    assert_eq!(
        error,
        "claim-pool-a FAILED: States.TaskFailed: network: AccessDenied"
    );
    assert_eq!(provisions(&cloud).len(), 1);
}

#[test]
fn a_pull_request_finds_its_pool_environment_by_tag_then_by_claim_else_its_own() {
    let mut cloud = succeeding();
    cloud.environments = vec![TaggedEnvironment {
        suffix: "pool-a".into(),
        expires_at: None,
        pull_request: Some("42".into()),
    }];
    record(
        &cloud,
        "claim",
        "claim-pool-b",
        "RUNNING",
        json!({"spec": {"pullRequest": 43}}),
    );
    let status = |number: &str| {
        let (result, out, _) = env(&cloud, &["--json", "status", "--pr", number]);
        result.unwrap();
        serde_json::from_str::<Value>(&out).unwrap()
    };
    assert_eq!(status("42")["suffix"], "pool-a");
    let claimed = status("43");
    assert_eq!(claimed["suffix"], "pool-b");
    assert_eq!(claimed["workflow"], "claim");
    assert_eq!(status("44")["suffix"], "pr-44");
}

#[test]
fn down_of_a_pull_request_tears_its_claimed_environment_down_with_the_claims_spec() {
    let cloud = succeeding();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    up_pr(&cloud, "42", &["--no-refill"]);
    let (result, _, err) = env(&cloud, &["down", "--pr", "42", FAST[0], FAST[1]]);
    result.unwrap();
    let executions = cloud.executions.borrow();
    let teardown = executions
        .iter()
        .find(|e| e.arn.contains(":execution:teardown:"))
        .expect(&err);
    assert!(teardown.name.starts_with("pool-a--"), "{}", teardown.name);
    assert_eq!(teardown.input["spec"]["pullRequest"], 42);
    drop(executions);
    // Torn down: the claim no longer holds an environment, and the pull request is pr-42 again.
    let (result, out, _) = env(&cloud, &["--json", "status", "--pr", "42"]);
    result.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["suffix"],
        "pr-42"
    );
}

#[test]
fn the_facts_of_a_claimed_environment_read_its_claim_and_a_claims_rollback() {
    let cloud = succeeding();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    up_pr(&cloud, "42", &["--no-refill"]);
    let facts = block(super::facts::facts(&cloud, "us-west-2", "pool-a", None)).unwrap();
    assert_eq!(facts.stage, Stage::Ready);
    assert_eq!(facts.url.as_deref(), Some("https://pool"));

    // Statuses as recorded: the claim failed, its rollback removed what it had.
    let failing = FakeWorkflows::default();
    let input = json!({"spec": {"pullRequest": 5}});
    record(&failing, "claim", "claim-pool-c", "FAILED", input);
    record(
        &failing,
        "teardown",
        "rollback-claim-pool-c",
        "SUCCEEDED",
        json!({}),
    );
    let facts = block(super::facts::facts(&failing, "us-west-2", "pool-c", None)).unwrap();
    let failed = Stage::Failed {
        error: "States.TaskFailed".into(),
        cause: "network: AccessDenied".into(),
        aftermath: Aftermath::NothingLeft,
    };
    assert_eq!(facts.stage, failed);
}
