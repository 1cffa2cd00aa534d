//! `local cleanup`: what the hourly schedule does in AWS, once, here. The deployed schedule's target
//! (the cleanup function) runs with the target's input and its deployed settings; it starts a
//! teardown execution in the emulator for each expired environment, and with a warm pool a claim
//! execution retiring each stale pool environment and a provision for each one the pool lacks.
//! moto records those but cannot run them, so each one it started is then run here, with the input
//! it was started with, as Step Functions would run it, and its outcome recorded in moto.

use super::command::{deploy_locally, run_workflow, Setting};
use super::emulator::{self, Endpoints, REGION};
use super::pool::Run;
use super::runner;
use anyhow::Context;
use env_core::arn::ArnScope;
use envctl_common::progress::Progress;
use envctl_common::sdk::runtime;
use envctl_deploy::api::Cloud;
use envctl_deploy::asl;
use serde_json::{json, Value};
use std::io::Write;

/// `entry[key]`, a member the cleanup function writes in every entry of its report's `list`
/// (functions/cleanup, report.rs): missing, it is an error naming it, never an empty name.
fn member<'a>(entry: &'a Value, list: &str, key: &str) -> anyhow::Result<&'a str> {
    let text = entry[key].as_str();
    text.with_context(|| format!("an entry of the cleanup report's {list} has no {key}: {entry}"))
}

/// The executions a cleanup report's `list` says it started: (environment, execution name).
pub fn started(report: &Value, list: &str) -> anyhow::Result<Vec<(String, String)>> {
    report[list]
        .as_array()
        .into_iter()
        .flatten()
        .map(|execution| {
            let text = |key: &str| member(execution, list, key).map(str::to_owned);
            Ok((text("environment")?, text("execution")?))
        })
        .collect()
}

/// The ARN and the input of each of `executions` (names of executions of `machine`).
async fn inputs(
    endpoints: &Endpoints,
    machine: &str,
    executions: &[(String, String)],
) -> anyhow::Result<Vec<(String, Value)>> {
    let config = emulator::sdk_config(endpoints).await;
    let account = envctl_deploy::aws::AwsCloud::new(&config, REGION)
        .account()
        .await?;
    let sfn = aws_sdk_sfn::Client::new(&config);
    let mut inputs = Vec::new();
    for (_, name) in executions {
        let execution = format!("execution:{machine}:{name}");
        let arn = ArnScope::new(REGION, &account).regional("states", &execution);
        let described = sfn
            .describe_execution()
            .execution_arn(&arn)
            .send()
            .await
            .context(format!("DescribeExecution {arn}"))?;
        let input = described.input().unwrap_or("{}");
        let input = serde_json::from_str(input).context(format!("the input of {arn}"))?;
        inputs.push((arn, input));
    }
    Ok(inputs)
}

/// `environment (execution), …`.
fn listed(executions: &[(String, String)]) -> String {
    let listed: Vec<String> = executions
        .iter()
        .map(|(environment, execution)| format!("{environment} ({execution})"))
        .collect();
    listed.join(", ")
}

pub(super) fn run(
    setting: &Setting,
    endpoints: &Endpoints,
    json: bool,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    runner::check_installed(&setting.root)?;
    let manifest = deploy_locally(setting, endpoints, progress)?;
    let schedule = envctl_deploy::resources::SCHEDULE;
    let input = json!({});
    let finished = run_workflow(
        setting, &manifest, "schedule", schedule, &input, endpoints, progress,
    );
    let report = finished?.body["output"].clone();
    let recorded = Run {
        setting,
        manifest: &manifest,
        endpoints,
    };
    // What the report lists that the cleanup started (functions/cleanup, report.rs), each on its
    // machine: expired environments torn down, stale pool environments retired under the claim's
    // lock, the pool refilled, and idle environments put to sleep.
    let mut run_started = |list: &str, machine: &str| {
        let executions = started(&report, list)?;
        let inputs = runtime()?.block_on(inputs(endpoints, machine, &executions))?;
        for ((environment, _), (arn, input)) in executions.iter().zip(&inputs) {
            recorded.recorded(machine, environment, arn, input, progress)?;
        }
        anyhow::Ok(executions)
    };
    let started = run_started("started", asl::TEARDOWN_NAME)?;
    let retired = run_started("retired", asl::CLAIM_NAME)?;
    let refilled = run_started("refilled", asl::PROVISION_NAME)?;
    let slept = run_started("slept", asl::PROVISION_NAME)?;
    if json {
        let body = json!({
            "report": report,
            "tornDown": started.len(),
            "retired": retired.len(),
            "refilled": refilled.len(),
            "slept": slept.len(),
        });
        writeln!(out, "{body}")?;
        return Ok(());
    }
    for (list, what) in [
        (&started, "expired, torn down"),
        (&slept, "idle, put to sleep"),
    ] {
        for (environment, execution) in list {
            writeln!(out, "{environment}: {what} ({execution})")?;
        }
    }
    for not_expired in report["notExpired"].as_array().into_iter().flatten() {
        let environment = member(not_expired, "notExpired", "environment")?;
        let expires_at = member(not_expired, "notExpired", "expiresAt")?;
        writeln!(out, "{environment}: expires {expires_at}")?;
    }
    for skipped in report["skipped"].as_array().into_iter().flatten() {
        // The environment, or the resource when it has no environment tag: one of them.
        let environment = member(skipped, "skipped", "environment");
        let which = environment.or(member(skipped, "skipped", "resource"))?;
        let reason = member(skipped, "skipped", "reason")?;
        writeln!(out, "{which}: left alone: {reason}")?;
    }
    if !(retired.is_empty() && refilled.is_empty()) {
        let retired = listed(&retired);
        let refilled = listed(&refilled);
        writeln!(out, "pool: retired [{retired}], provisioned [{refilled}]")?;
    }
    writeln!(out, "{} environment(s) torn down", started.len())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_started_teardowns_are_read_from_the_report() {
        let report = json!({
            "started": [{"environment": "pr-1", "execution": "cleanup-pr-1-20260101T000000Z"}],
            "alreadyStarted": [{"environment": "pr-2", "execution": "cleanup-pr-2-20260101T000000Z"}],
        });
        assert_eq!(
            started(&report, "started").unwrap(),
            [(
                "pr-1".to_owned(),
                "cleanup-pr-1-20260101T000000Z".to_owned()
            )]
        );
        assert_eq!(started(&json!({}), "refilled").unwrap(), []);
    }

    #[test]
    fn a_started_teardown_without_its_execution_is_an_error_naming_it() {
        let report = json!({"started": [{"environment": "pr-1"}]});
        assert_eq!(
            started(&report, "started").unwrap_err().to_string(),
            r#"an entry of the cleanup report's started has no execution: {"environment":"pr-1"}"#
        );
    }
}
