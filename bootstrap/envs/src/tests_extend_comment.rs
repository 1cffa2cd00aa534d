//! `env extend` and `env comment` against the in-memory fake.

use super::api::Execution;
use super::fake::FakeWorkflows;
use super::tests::{env, FAST};
use envctl_common::tagged::TaggedEnvironment;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

const PROVISION: &str = envctl_deploy::asl::PROVISION_NAME;
const TEARDOWN: &str = envctl_deploy::asl::TEARDOWN_NAME;

fn tagged(suffix: &str, expires_at: Option<&str>, pull_request: Option<&str>) -> TaggedEnvironment {
    TaggedEnvironment {
        suffix: suffix.into(),
        expires_at: expires_at.map(str::to_owned),
        pull_request: pull_request.map(str::to_owned),
    }
}

#[test]
fn extend_sets_the_vpcs_expiry_to_now_plus_the_ttl_for_a_suffix_or_a_pull_request() {
    let cloud = FakeWorkflows {
        environments: vec![tagged("pr-42", Some("2026-12-01T00:00:00Z"), Some("42"))],
        ..FakeWorkflows::default()
    };
    let before = SystemTime::now();
    let (result, out, _) = env(&cloud, &["--json", "extend", "--pr", "42", "--ttl", "2d"]);
    result.unwrap();
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["suffix"], "pr-42");
    let expiries = cloud.expiries.borrow().clone();
    assert_eq!(expiries.len(), 1);
    assert_eq!(expiries[0].0, "pr-42");
    assert_eq!(answer["expiresAt"], json!(expiries[0].1));
    let set = humantime::parse_rfc3339(&expiries[0].1).unwrap();
    let wanted = before + Duration::from_secs(48 * 3600);
    let off = set
        .duration_since(wanted)
        .unwrap_or_else(|early| early.duration());
    assert!(off < Duration::from_secs(5), "{expiries:?}");

    let (result, out, _) = env(&cloud, &["extend", "--suffix", "pr-42", "--ttl", "12h"]);
    result.unwrap();
    assert_eq!(
        out,
        format!("pr-42 expires at {}\n", cloud.expiries.borrow()[1].1)
    );
}

#[test]
fn extend_refuses_an_environment_provisioned_without_a_ttl() {
    let cloud = FakeWorkflows {
        environments: vec![tagged("pr-8", None, Some("8"))],
        expiry_tags: vec![("pr-8", None), ("pr-8", Some("2026-12-09T00:00:00Z"))],
        ..FakeWorkflows::default()
    };
    let (result, _, _) = env(&cloud, &["extend", "--pr", "8", "--ttl", "48h"]);
    assert_eq!(
        result.unwrap_err().to_string(),
        "pr-8 was provisioned without a TTL: the scheduled cleanup never removes it, and an expiry on its VPC would not change that; provision it again with --ttl, or remove it with `envctl env down`"
    );
    assert!(cloud.expiries.borrow().is_empty());
}

#[test]
fn extend_refuses_an_unknown_environment_and_a_ttl_out_of_bounds() {
    let cloud = FakeWorkflows::default();
    let (result, _, _) = env(&cloud, &["extend", "--pr", "7", "--ttl", "48h"]);
    assert_eq!(
        result.unwrap_err().to_string(),
        "no environment pr-7: no VPC carries the tag catalog:environment=pr-7 (see `envctl env list`)"
    );
    for (ttl, problem) in [
        (
            "31d",
            "31d: a whole number of hours from 1 to 720 (30 days); leave it out for no expiry",
        ),
        (
            "0h",
            "0h: a whole number of hours from 1 to 720 (30 days); leave it out for no expiry",
        ),
        (
            "soon",
            "\"soon\" is not a duration: use hours or days, such as 72h or 3d",
        ),
    ] {
        let error = super::expiry::parse_extension(ttl).unwrap_err();
        assert_eq!(error, problem);
    }
    assert!(cloud.expiries.borrow().is_empty());
}

#[test]
fn comment_of_a_ready_environment_gives_its_url_cost_and_expiry() {
    let cloud = FakeWorkflows {
        script: vec!["SUCCEEDED"],
        output: Some(
            json!({"outputs": {"httpsUrl": "https://alb-pr-42-1.us-west-2.elb.amazonaws.com"}}),
        ),
        environments: vec![tagged("pr-42", Some("2098-01-01T00:00:00Z"), Some("42"))],
        // The cleanup waits for the latest expiry of the environment's resources; another
        // environment's do not count.
        expiry_tags: vec![
            ("pr-42", Some("2098-01-01T00:00:00Z")),
            ("pr-42", Some("2099-01-01T00:00:00Z")),
            ("pr-7", Some("2200-01-01T00:00:00Z")),
        ],
        ..FakeWorkflows::default()
    };
    let (result, _, _) = env(
        &cloud,
        &["up", "--suffix", "pr-42", "--pr", "42", FAST[0], FAST[1]],
    );
    result.unwrap();
    let (result, out, _) = env(&cloud, &["comment", "--suffix", "pr-42"]);
    result.unwrap();
    assert!(
        out.starts_with(
            "<!-- catalog-environments:pr-42 -->\n**Preview environment `pr-42`: ready**\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("| URL | https://alb-pr-42-1.us-west-2.elb.amazonaws.com |\n"),
        "{out}"
    );
    // examples/pr.json's settings (the demo spec): the same figures `spec cost` prints.
    assert!(out.contains("| Cost | $0.19 per hour idle,"), "{out}");
    assert!(
        out.contains("| Expires | 2099-01-01T00:00:00Z (in "),
        "{out}"
    );
    // The pull request comes from the environment's tag when the command names the suffix.
    assert!(
        out.ends_with("To keep it longer: `envctl env extend --pr 42 --ttl 48h`.\n"),
        "{out}"
    );

    let (result, out, _) = env(
        &cloud,
        &[
            "--json",
            "comment",
            "--pr",
            "42",
            "--warn-before",
            "1000000h",
        ],
    );
    result.unwrap();
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["suffix"], "pr-42");
    assert!(answer["body"].as_str().unwrap().contains(
        "> **Warning:** the scheduled cleanup removes this environment at 2099-01-01T00:00:00Z"
    ));
}

#[test]
fn comment_of_a_failed_provision_or_an_unknown_environment_says_so() {
    let cloud = FakeWorkflows {
        script: vec!["FAILED"],
        ..FakeWorkflows::default()
    };
    let (result, out, _) = env(&cloud, &["comment", "--pr", "9"]);
    result.unwrap();
    assert!(
        out.contains("**Preview environment `pr-9`: not provisioned yet**"),
        "{out}"
    );

    let (result, _, _) = env(&cloud, &["up", "--suffix", "pr-9", FAST[0], FAST[1]]);
    assert!(result.is_err());
    let (result, out, _) = env(&cloud, &["comment", "--pr", "9"]);
    result.unwrap();
    assert!(
        out.contains("| State | failed without a rollback: resources may be left (remove them with `envctl env down`): `States.TaskFailed`: network: AccessDenied |"),
        "{out}"
    );
    assert!(out.contains("| URL | - |"), "{out}");
    // What may be left may cost.
    assert!(out.contains("| Cost | $0.19 per hour idle"), "{out}");
}

/// An execution of the fake's `machine` (provision or teardown) named `name`, `seconds` after the epoch.
fn execution(machine: &str, name: &str, status: &str, seconds: u64) -> Execution {
    Execution {
        arn: format!("arn:aws:states:us-west-2:123456789012:execution:{machine}:{name}"),
        name: name.into(),
        status: status.into(),
        started: SystemTime::UNIX_EPOCH + Duration::from_secs(seconds),
        input: json!({"spec": {"environmentSuffix": "pr-9"}}),
        output: None,
        // The fake gives a FAILED execution its error and cause.
        error: None,
        cause: None,
    }
}

fn comment_on(executions: Vec<Execution>) -> String {
    let cloud = FakeWorkflows {
        executions: executions.into(),
        // What a succeeded execution answers (the fake gives every one the same).
        output: Some(json!({"outputs": {"httpsUrl": "https://pr-9.example"}})),
        ..FakeWorkflows::default()
    };
    let (result, out, _) = env(&cloud, &["comment", "--pr", "9"]);
    result.unwrap();
    out
}

#[test]
fn comment_tells_a_rollback_as_its_provisions_failure_not_as_a_teardown() {
    let first = || execution(PROVISION, "pr-9--a", "SUCCEEDED", 10);
    // A second provision (an update) failed and its rollback is running.
    let out = comment_on(vec![
        first(),
        execution(PROVISION, "pr-9--b", "RUNNING", 20),
        execution(TEARDOWN, "rollback-pr-9--b", "RUNNING", 30),
    ]);
    assert!(out.contains("`pr-9`: failed, rolling back**"), "{out}");
    // The rollback removes what the first provision made too: no URL.
    assert!(out.contains("| URL | - |"), "{out}");

    let out = comment_on(vec![
        first(),
        execution(PROVISION, "pr-9--b", "FAILED", 20),
        execution(TEARDOWN, "rollback-pr-9--b", "SUCCEEDED", 30),
    ]);
    assert!(out.contains(
        "| State | failed and rolled back, nothing is left: `States.TaskFailed`: network: AccessDenied |"
    ), "{out}");

    // An update in progress: the first provision's version still serves its URL.
    let out = comment_on(vec![
        first(),
        execution(PROVISION, "pr-9--b", "RUNNING", 20),
    ]);
    assert!(
        out.contains("| URL | https://pr-9.example (being updated) |"),
        "{out}"
    );
    // After a teardown, a provision under way serves nothing yet.
    let out = comment_on(vec![
        first(),
        execution(TEARDOWN, "pr-9--closed", "SUCCEEDED", 20),
        execution(PROVISION, "pr-9--c", "RUNNING", 30),
    ]);
    assert!(out.contains("| URL | - |"), "{out}");
    assert!(
        out.contains("| State | provisioning (now at `Network`) |"),
        "{out}"
    );
    let out = comment_on(vec![
        first(),
        execution(TEARDOWN, "pr-9--closed", "SUCCEEDED", 20),
    ]);
    assert!(out.contains("`pr-9`: removed**"), "{out}");
}

#[test]
fn comment_of_an_expired_environment_with_an_unreadable_expiry_or_pull_request_tag() {
    let cloud = FakeWorkflows {
        script: vec!["RUNNING"],
        environments: vec![tagged("pr-5", Some("yesterday"), Some("five"))],
        expiry_tags: vec![("pr-5", Some("yesterday"))],
        ..FakeWorkflows::default()
    };
    let (result, _, _) = env(&cloud, &["up", "--suffix", "pr-5", "--no-wait"]);
    result.unwrap();
    let (result, out, _) = env(&cloud, &["comment", "--suffix", "pr-5"]);
    result.unwrap();
    assert!(
        out.contains("| State | provisioning (now at `Network`) |"),
        "{out}"
    );
    // Neither tag reads: no expiry, and the extend command names the suffix.
    assert!(out.contains("| Expires | never: no TTL"), "{out}");
    assert!(!out.contains("extend"), "{out}");
}
