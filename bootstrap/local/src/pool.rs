//! The warm pool in the emulator (docs/warm-pool-design.md): `local pool fill`, and the pool side of
//! `local up --pr N` and `local down --pr N`.
//!
//! Step Functions is the pool's only record, so every execution the pool reads goes through moto as
//! in AWS: started there by envctl-envs' pool code (StartExecution, whose name is the claim lock),
//! then run here by the local runner with the input it was started with (moto runs none), and its
//! outcome recorded in moto (`outcome`), so that "its latest provision SUCCEEDED" and "a claim
//! exists" read as they would in AWS.

use super::command::Setting;
use super::emulator::{self, Endpoints, REGION};
use super::outcome;
use super::runner::Finished;
use anyhow::Context;
use env_core::arn::ArnScope;
use env_core::pool::claim_execution_name;
use env_core::spec::EnvironmentSpec;
use envctl_common::progress::Progress;
use envctl_common::sdk::runtime;
use envctl_envs::api::{Execution, Workflows};
use envctl_envs::aws::AwsWorkflows;
use envctl_envs::pool::{self, execution_arn, owner, ClaimOutcome, Machines, PoolState};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

/// What every run of a recorded execution needs: the checkout, the deployed backend read back, and
/// the emulator.
pub(super) struct Run<'a> {
    pub setting: &'a Setting,
    pub manifest: &'a Path,
    pub endpoints: &'a Endpoints,
}

impl Run<'_> {
    /// Runs the execution `arn` of `workflow` (moto recorded it) here with its `input`, records how
    /// it ended, and fails unless it succeeded.
    pub(super) fn recorded(
        &self,
        workflow: &str,
        subject: &str,
        arn: &str,
        input: &Value,
        progress: &mut Progress<'_>,
    ) -> anyhow::Result<Finished> {
        let root = &self.setting.root;
        let endpoints = self.endpoints;
        let finished =
            super::runner::run(root, self.manifest, workflow, input, endpoints, progress)?;
        runtime()?.block_on(outcome::record(endpoints, arn, &finished))?;
        super::command::succeeded(workflow, subject, finished, progress)
    }
}

/// `spec` with `pullRequest` set to `number`, validated again.
pub(super) fn for_pull_request(
    spec: &EnvironmentSpec,
    number: u32,
) -> anyhow::Result<EnvironmentSpec> {
    let mut value = serde_json::to_value(spec)?;
    value["pullRequest"] = json!(number);
    EnvironmentSpec::from_value(&value).map_err(|invalid| {
        let problems: Vec<String> = invalid.problems().iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "--pr {number}: the spec is invalid:\n  {}",
            problems.join("\n  ")
        )
    })
}

/// The emulator's Step Functions through envctl-envs, and its three machines.
async fn connect(endpoints: &Endpoints) -> anyhow::Result<(AwsWorkflows, Machines)> {
    let config = emulator::sdk_config(endpoints).await;
    let cloud = AwsWorkflows::new(&config);
    let account = cloud.account().await?;
    let machines = Machines::new(&ArnScope::new(REGION, &account));
    Ok((cloud, machines))
}

/// Fills the pool to `size` with `spec` (the pool spec) and runs each provision it started;
/// answers their suffixes.
pub(super) fn fill(
    run: &Run<'_>,
    spec: &EnvironmentSpec,
    size: u32,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Vec<String>> {
    let runtime = runtime()?;
    let (cloud, machines) = runtime.block_on(connect(run.endpoints))?;
    let now = SystemTime::now();
    let started = runtime.block_on(pool::fill(&cloud, &machines, spec, size, now))?;
    let provisions = runtime.block_on(running_provisions(&cloud, &machines, &started))?;
    for (suffix, provision) in started.iter().zip(&provisions) {
        let arn = &provision.arn;
        let recorded = run.recorded("provision", suffix, arn, &provision.input, progress);
        recorded?;
    }
    Ok(started)
}

/// The running provision of each of `suffixes`, as StartExecution recorded it.
async fn running_provisions(
    cloud: &AwsWorkflows,
    machines: &Machines,
    suffixes: &[String],
) -> anyhow::Result<Vec<Execution>> {
    let listed = cloud.executions(&machines.provision).await?;
    let mut provisions = Vec::new();
    for suffix in suffixes {
        let summary = listed
            .iter()
            .find(|summary| owner(&summary.name) == Some(suffix) && summary.status == "RUNNING");
        let summary = summary.context(format!("no running provision of {suffix} is recorded"))?;
        provisions.push(cloud.describe(&summary.arn).await?);
    }
    Ok(provisions)
}

/// The environment `local up --pr` ended up with.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Held {
    pub suffix: String,
    /// `claimed` from the pool (by this command), `alreadyHeld` (claimed by an earlier or a
    /// concurrent one), or `provisioned` (the pool had none to give).
    pub how: &'static str,
    /// The claim execution's status: SUCCEEDED, or RUNNING while a concurrent command runs it.
    pub status: String,
    pub outputs: Value,
}

impl Held {
    pub fn print(&self, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
        if json {
            let body = json!({
                "environment": self.suffix,
                "pool": self.how,
                "status": self.status,
                "outputs": self.outputs,
            });
            writeln!(out, "{body}")?;
            return Ok(());
        }
        let (suffix, how, status) = (&self.suffix, self.how, &self.status);
        writeln!(out, "environment: {suffix} ({how}, {status})")?;
        envctl_envs::cli::print_outputs(&self.outputs, false, out)
    }
}

/// Claims a pool environment for `spec` (a pull request's) and runs the claim here; `None` when
/// the pool has none to give (the caller provisions as without a pool).
pub(super) fn claim(
    run: &Run<'_>,
    spec: &EnvironmentSpec,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Option<Held>> {
    let runtime = runtime()?;
    let (cloud, machines) = runtime.block_on(connect(run.endpoints))?;
    match runtime.block_on(pool::claim(&cloud, &machines, spec))? {
        ClaimOutcome::Claimed {
            suffix,
            execution_arn,
            input,
        } => {
            progress.done(&format!("claimed {suffix} from the pool ({execution_arn})"));
            let finished = run.recorded("claim", &suffix, &execution_arn, &input, progress)?;
            Ok(Some(Held {
                suffix,
                how: "claimed",
                status: "SUCCEEDED".to_owned(),
                outputs: finished.body["output"]["outputs"].clone(),
            }))
        }
        ClaimOutcome::AlreadyHeld {
            suffix,
            execution_arn,
        } => {
            let claim = runtime.block_on(cloud.describe(&execution_arn))?;
            progress.done(&format!(
                "{suffix} is this pull request's already ({execution_arn})"
            ));
            Ok(Some(Held {
                suffix,
                how: "alreadyHeld",
                outputs: claim.output.unwrap_or_default()["outputs"].clone(),
                status: claim.status,
            }))
        }
        ClaimOutcome::Empty => {
            progress.done("no pool environment is available for this spec: provisioning");
            Ok(None)
        }
    }
}

/// Tears down the pool environment pull request `number` holds, recording the teardown in moto;
/// answers its suffix, or `None` when it holds none.
pub(super) fn tear_down_held(
    run: &Run<'_>,
    number: u32,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Option<String>> {
    let runtime = runtime()?;
    let (cloud, machines) = runtime.block_on(connect(run.endpoints))?;
    let Some((suffix, input)) = runtime.block_on(held_by(&cloud, &machines, number))? else {
        return Ok(None);
    };
    let name = format!("{suffix}--down");
    // Started: `held_by` finds only environments not torn down since their claim, so the only
    // execution of this name there can be is a running one of the same input (a concurrent
    // `down`), which StartExecution answers as started.
    runtime.block_on(cloud.start(&machines.teardown, &name, &input))?;
    let arn = execution_arn(&machines.teardown, &name);
    run.recorded("teardown", &suffix, &arn, &input, progress)?;
    Ok(Some(suffix))
}

/// The standing pool environment whose claim carries pull request `number`, and the input its
/// teardown takes (the spec it was claimed with).
async fn held_by(
    cloud: &AwsWorkflows,
    machines: &Machines,
    number: u32,
) -> anyhow::Result<Option<(String, Value)>> {
    let status = pool::status(cloud, machines).await?;
    let held = status.environments.into_iter().find(|environment| {
        environment.pull_request == Some(number) && environment.state != PoolState::Retiring
    });
    let Some(held) = held else {
        return Ok(None);
    };
    let claim = execution_arn(&machines.claim, &claim_execution_name(&held.suffix));
    let claim = cloud.describe(&claim).await?;
    Ok(Some((held.suffix, json!({ "spec": claim.input["spec"] }))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use envctl_envs::request::{spec_for, Overrides};

    #[test]
    fn a_pull_request_number_is_set_on_the_spec_and_checked_as_the_spec_checks_it() {
        let spec = spec_for("pr-7", None, &Overrides::default()).unwrap();
        let numbered = for_pull_request(&spec, 7).unwrap();
        assert_eq!(numbered.fields().pull_request.map(|n| n.get()), Some(7));
        assert_eq!(numbered.suffix().as_str(), "pr-7");
        let error = for_pull_request(&spec, 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "--pr 0: the spec is invalid:\n  pullRequest = 0: a positive whole pull request number"
        );
    }

    #[test]
    fn what_local_up_ended_up_with_prints_as_json_or_as_lines() {
        let held = Held {
            suffix: "pool-abc".into(),
            how: "claimed",
            status: "SUCCEEDED".into(),
            outputs: json!({"url": "https://pool-abc.example"}),
        };
        let mut out = Vec::new();
        held.print(true, &mut out).unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&out).unwrap(),
            json!({
                "environment": "pool-abc",
                "pool": "claimed",
                "status": "SUCCEEDED",
                "outputs": {"url": "https://pool-abc.example"},
            })
        );
        let mut out = Vec::new();
        held.print(false, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "environment: pool-abc (claimed, SUCCEEDED)\nurl: https://pool-abc.example\n"
        );
    }
}
