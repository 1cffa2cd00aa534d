//! `pool fill|status` against the in-memory fake.

use super::command::{run_with, PoolCommand};
use super::tests_support::{pooled, pr_spec, record};
use crate::fake::FakeWorkflows;
use clap::Parser;
use envctl_common::global::Global;
use serde_json::{json, Value};

/// Parses `pool …` as the CLI would, and runs it against `cloud`.
fn pool(cloud: &FakeWorkflows, args: &[&str]) -> (anyhow::Result<()>, String) {
    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        global: Global,
        #[command(subcommand)]
        command: PoolCommand,
    }
    let line = Line::try_parse_from(std::iter::once("pool").chain(args.iter().copied())).unwrap();
    let mut out = Vec::new();
    let result = envctl_common::sdk::runtime().unwrap().block_on(run_with(
        cloud,
        &line.global,
        line.command,
        &mut out,
    ));
    (result, String::from_utf8(out).unwrap())
}

#[test]
fn fill_prints_the_suffixes_it_started_then_that_the_pool_is_full() {
    let cloud = FakeWorkflows::default();
    let (result, out) = pool(&cloud, &["fill", "--size", "2"]);
    result.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines
        .iter()
        .all(|l| l.starts_with("pool-") && l.ends_with(": provision started")));
    let (result, out) = pool(&cloud, &["--json", "fill", "--size", "2"]);
    result.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        json!({"started": []})
    );
    let (result, out) = pool(&cloud, &["fill", "--size", "2"]);
    result.unwrap();
    assert_eq!(
        out,
        "the pool has 2 environments standing by or on the way\n"
    );
}

#[test]
fn fill_rejects_a_pool_spec_with_a_pull_request_before_any_call() {
    let cloud = FakeWorkflows::default();
    let dir = std::env::temp_dir().join(format!("envctl-pool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pr.json");
    std::fs::write(
        &file,
        r#"{"containerImage": "nginx", "selfSignedCertificate": true, "pullRequest": 5}"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (result, _) = pool(&cloud, &["fill", "--size", "1", "--spec", path]);
    let error = result.unwrap_err().to_string();
    assert!(
        error.starts_with("pullRequest 5: a pool spec has no pull request"),
        "{error}"
    );
    assert!(cloud.executions.borrow().is_empty());
}

#[test]
fn a_size_outside_the_bound_is_a_usage_error() {
    #[derive(Parser, Debug)]
    struct Line {
        #[command(subcommand)]
        command: PoolCommand,
    }
    let error = Line::try_parse_from(["pool", "fill", "--size", "21"]).unwrap_err();
    assert!(error.to_string().contains("21 is not in 0..=20"), "{error}");
}

#[test]
fn status_lists_the_environments_and_prices_those_standing_by() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    pooled(&cloud, "pool-b", "RUNNING");
    let (result, out) = pool(&cloud, &["--json", "status"]);
    result.unwrap();
    let body: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(body["environments"][0]["suffix"], "pool-a");
    assert_eq!(body["environments"][0]["state"], "available");
    assert_eq!(body["environments"][1]["state"], "refilling");
    assert_eq!(body["cost"]["size"], 2);
    let each = body["cost"]["standby"]["perHour"].as_f64().unwrap();
    let whole = body["cost"]["pool"]["perHour"].as_f64().unwrap();
    assert!(each > 0.0 && (whole - 2.0 * each).abs() < 1e-9, "{body}");
    let (result, out) = pool(&cloud, &["status"]);
    result.unwrap();
    assert!(
        out.starts_with("SUFFIX\tSTATE\tPR\tEXECUTION\npool-a\tavailable\t-\tpool-a--fill\n"),
        "{out}"
    );
    assert!(out.contains("pool of 2, per hour"), "{out}");

    // A claimed environment shows the pull request holding it.
    pooled(&cloud, "pool-c", "SUCCEEDED");
    let claim = super::claim_input(&pr_spec(7, json!({})), "pool-c").unwrap();
    record(&cloud, "claim", "claim-pool-c", "SUCCEEDED", claim);
    let (result, out) = pool(&cloud, &["status"]);
    result.unwrap();
    assert!(out.contains("pool-c\tclaimed\t7\tclaim-pool-c\n"), "{out}");
}

#[test]
fn status_of_an_empty_pool_prices_none_from_the_default_spec() {
    let cloud = FakeWorkflows::default();
    let (result, out) = pool(&cloud, &["--json", "status"]);
    result.unwrap();
    let body: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(body["environments"], json!([]));
    assert_eq!(body["cost"]["size"], 0);
    assert_eq!(body["cost"]["pool"]["perHour"], 0.0);
}
