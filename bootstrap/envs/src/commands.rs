//! `env up|down|status|outputs|list`: start the workflows in AWS, follow them, report.

use super::admission;
use super::api::{Execution, ExecutionSummary, Workflows};
use super::pool::{owner, CLAIM_MACHINE};
use super::request::{execution_name, suffix_of};
use anyhow::{bail, Context};
use env_core::spec::EnvironmentSpec;
use envctl_common::progress::Progress;
use envctl_deploy::asl::{self, ArnScope};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

/// How long and how often to follow an execution.
#[derive(Debug, Clone, Copy)]
pub struct Follow {
    /// None: start and return at once (`--no-wait`).
    pub timeout: Option<Duration>,
    pub poll: Duration,
}

async fn scope<C: Workflows>(cloud: &C, region: &str) -> anyhow::Result<ArnScope> {
    Ok(ArnScope::new(region, cloud.account().await?))
}

fn execution_arn(scope: &ArnScope, machine: &str, name: &str) -> String {
    scope.regional("states", &format!("execution:{machine}:{name}"))
}

/// Starts `machine` for `spec` (or finds the execution this request started before) and follows it.
///
/// The name is the request's (see [`execution_name`]) within the environment's current
/// generation: the latest execution of the other workflow. So a trigger repeated while the
/// environment lives finds the execution it started, and the same trigger after a teardown (or a
/// provision that rolled back) starts a new one: Step Functions keeps an execution's name for 90
/// days after it closes (Step Functions API reference, `StartExecution`), and a reused name would
/// report the old execution of an environment that no longer exists.
pub async fn start<C: Workflows>(
    cloud: &C,
    region: &str,
    machine: &str,
    spec: &EnvironmentSpec,
    request: Option<&str>,
    follow: Follow,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Execution> {
    let scope = scope(cloud, region).await?;
    let input = json!({ "spec": spec });
    let suffix = spec.suffix().as_str();
    // A claim brings a pool environment up as a provision does.
    let other: &[&'static str] = if machine == asl::PROVISION_NAME {
        &[asl::TEARDOWN_NAME]
    } else {
        &[asl::PROVISION_NAME, CLAIM_MACHINE]
    };
    let generation = latest_of(cloud, &scope, other, suffix)
        .await?
        .map(|(_, execution)| execution);
    if let Some(teardown) = generation
        .as_ref()
        .filter(|execution| machine == asl::PROVISION_NAME && execution.status == "RUNNING")
    {
        // A provision now would race the deletes: what it makes could be deleted under it.
        bail!(
            "{suffix} is being torn down ({}, RUNNING): bring it up again once that has finished (`envctl env status --suffix {suffix}`)",
            teardown.name
        );
    }
    let name = execution_name(
        spec.suffix(),
        request,
        &input,
        generation.as_ref().map(|execution| execution.name.as_str()),
    );
    // A name taken already is this request's execution (a repeated trigger): follow it.
    let _started = cloud
        .start(&scope.state_machine(machine), &name, &input)
        .await?;
    progress.done(&format!("{machine} {name}: started"));
    let arn = execution_arn(&scope, machine, &name);
    follow_execution(cloud, (machine, &name, &arn), suffix, follow, progress).await
}

/// Starts `machine` for `spec` under a name new in the environment's history (the request's name,
/// [`execution_name`], in the generation of the environment's latest execution of any workflow),
/// and answers the execution's ARN and input. For `envctl local`, whose every command is a new
/// request run there and then: moto records the execution and the local runner runs it, so that
/// Step Functions answers afterwards what AWS would (the latest provision, its spec and status).
pub async fn start_next<C: Workflows>(
    cloud: &C,
    region: &str,
    machine: &str,
    spec: &EnvironmentSpec,
) -> anyhow::Result<(String, Value)> {
    let scope = scope(cloud, region).await?;
    let input = json!({ "spec": spec });
    let machines = [asl::PROVISION_NAME, CLAIM_MACHINE, asl::TEARDOWN_NAME];
    let suffix = spec.suffix();
    let latest = latest_of(cloud, &scope, &machines, suffix.as_str()).await?;
    let generation = latest.map(|(_, execution)| execution.name);
    let name = execution_name(suffix, None, &input, generation.as_deref());
    let started = cloud
        .start(&scope.state_machine(machine), &name, &input)
        .await?;
    if started == super::api::Start::AlreadyExists {
        bail!("{machine} {name} exists already: another command started it meanwhile");
    }
    Ok((execution_arn(&scope, machine, &name), input))
}

/// Follows an execution (its machine's name, its name and ARN) of the environment `suffix` until it
/// closes, or until `follow` gives up on it.
pub async fn follow_execution<C: Workflows>(
    cloud: &C,
    (machine, name, arn): (&str, &str, &str),
    suffix: &str,
    follow: Follow,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Execution> {
    let deadline = follow
        .timeout
        .map(|timeout| (Instant::now() + timeout, timeout));
    loop {
        let execution = cloud.describe(arn).await?;
        let Some((deadline, timeout)) = deadline.filter(|_| execution.is_running()) else {
            progress.done(&format!("{machine} {name}: {}", execution.status));
            return Ok(execution);
        };
        let state = cloud.current_state(arn).await?;
        progress.state(&format!(
            "{machine} {name}: {}",
            state.as_deref().unwrap_or("starting")
        ));
        if Instant::now() >= deadline {
            bail!(
                "{machine} {name} is still RUNNING after {}; follow it with `envctl env status --suffix {suffix}`",
                humantime::format_duration(timeout),
            );
        }
        tokio::time::sleep(follow.poll).await;
    }
}

/// A finished execution that did not succeed is the command's error, with Step Functions' cause.
/// Quota admission ([`super::admission`]): refuses a new environment the account has no room for,
/// before anything starts. An environment that exists already (its VPC carries its tag) takes
/// nothing new, so provisioning it again is admitted without a look.
///
/// What cannot be read (a caller without the Service Quotas or EC2 read permissions, a throttled or
/// failing call) is warned about and left unchecked rather than failing `env up`: a default in its
/// place could refuse an account whose quota was raised, and a provision past a limit still rolls
/// back as before.
pub async fn admit<C: Workflows>(
    cloud: &C,
    spec: &EnvironmentSpec,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let suffix = spec.suffix().as_str();
    if cloud
        .environments()
        .await?
        .iter()
        .any(|environment| environment.suffix == suffix)
    {
        return Ok(());
    }
    let usage = match cloud.usage().await {
        Ok(usage) => usage,
        Err(error) => {
            progress.done(&format!(
                "quota admission skipped: the account's usage could not be read ({error:#})"
            ));
            return Ok(());
        }
    };
    let mut quotas = BTreeMap::new();
    let mut unread = Vec::new();
    for limit in admission::LIMITS {
        match cloud.quota(&limit).await {
            Ok(Some(value)) => {
                quotas.insert(limit.code, value);
            }
            Ok(None) => {}
            Err(error) => {
                progress.done(&format!(
                    "quota admission: {} not checked, its quota could not be read ({error:#})",
                    limit.name
                ));
                unread.push(limit.code);
            }
        }
    }
    let mut shortfalls = admission::shortfalls(spec, &usage, &quotas);
    shortfalls.retain(|shortfall| !unread.contains(&shortfall.limit.code));
    if !shortfalls.is_empty() {
        bail!("{}", admission::refusal(suffix, spec, &shortfalls));
    }
    Ok(())
}

pub fn succeeded(execution: Execution) -> anyhow::Result<Execution> {
    match execution.status.as_str() {
        "SUCCEEDED" | "RUNNING" => Ok(execution),
        status => bail!(
            "{} {status}: {}: {}",
            execution.name,
            execution.error.as_deref().unwrap_or("no error"),
            execution.cause.as_deref().unwrap_or("no cause")
        ),
    }
}

/// The latest execution of an environment on one state machine.
async fn latest<C: Workflows>(
    cloud: &C,
    scope: &ArnScope,
    machine: &str,
    suffix: &str,
) -> anyhow::Result<Option<ExecutionSummary>> {
    let all = cloud.executions(&scope.state_machine(machine)).await?;
    Ok(all
        .into_iter()
        .filter(|execution| belongs_to(&execution.name, suffix))
        .max_by_key(|execution| execution.started))
}

/// The latest execution of an environment on any of `machines`, with the machine's name.
pub(crate) async fn latest_of<C: Workflows>(
    cloud: &C,
    scope: &ArnScope,
    machines: &[&'static str],
    suffix: &str,
) -> anyhow::Result<Option<(&'static str, ExecutionSummary)>> {
    let mut newest: Option<(&'static str, ExecutionSummary)> = None;
    for machine in machines {
        if let Some(summary) = latest(cloud, scope, machine, suffix).await? {
            if newest
                .as_ref()
                .is_none_or(|(_, n)| summary.started > n.started)
            {
                newest = Some((machine, summary));
            }
        }
    }
    Ok(newest)
}

/// The machines that bring an environment up: provision, and claim for a pool environment.
const BRING_UP: [&str; 2] = [asl::PROVISION_NAME, CLAIM_MACHINE];

/// Whether an execution is the environment's: named by [`execution_name`] for it, its claim
/// (`claim-<suffix>`), or the rollback of either (`rollback-<name>`, provision.asl.json).
fn belongs_to(name: &str, suffix: &str) -> bool {
    owner(name) == Some(suffix)
}

/// Stops every running provision of the environment before its teardown starts, and answers their
/// names: a provision (an `up`, a `sleep` or a `wake`) converging while the teardown deletes could
/// make what the teardown has already passed (a NAT gateway, a cache) and leave it behind, or keep
/// the network from being deleted. A stopped execution ends ABORTED where it stands (Step
/// Functions API reference, StopExecution; DescribeExecution `status`) and runs no Catch, so no
/// rollback starts beside the teardown (see [`super::stage::Aftermath::NotRolledBack`]); the
/// teardown then removes whatever the provision had made. A Lambda invocation already under way
/// is not recalled by the stop: a component's `create` that was running finishes (within its
/// timeout), and the teardown's delete loops, which read before they delete and repeat until
/// nothing is left, take what it made. No `error` or `cause` is passed, so the caller needs no
/// KMS permission of an encrypted execution (Step Functions API reference, StopExecution).
pub async fn stop_running_provisions<C: Workflows>(
    cloud: &C,
    region: &str,
    suffix: &str,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Vec<String>> {
    let scope = scope(cloud, region).await?;
    let listed = cloud
        .executions(&scope.state_machine(asl::PROVISION_NAME))
        .await?;
    let mut stopped = Vec::new();
    for execution in listed {
        if belongs_to(&execution.name, suffix) && execution.status == "RUNNING" {
            cloud.stop(&execution.arn).await?;
            progress.done(&format!(
                "{} {}: stopped before the teardown",
                asl::PROVISION_NAME,
                execution.name
            ));
            stopped.push(execution.name);
        }
    }
    Ok(stopped)
}

/// The spec an environment was provisioned with (the input of its latest provision).
pub async fn provisioned_spec<C: Workflows>(
    cloud: &C,
    region: &str,
    suffix: &str,
) -> anyhow::Result<EnvironmentSpec> {
    let scope = scope(cloud, region).await?;
    let Some((_, summary)) = latest_of(cloud, &scope, &BRING_UP, suffix).await? else {
        bail!("no provision of {suffix} is recorded: pass its spec with --spec");
    };
    let execution = cloud.describe(&summary.arn).await?;
    EnvironmentSpec::from_value(&execution.input["spec"])
        .context(format!("the input of {}", execution.name))
}

/// The execution of `machine` called `name`.
pub async fn describe_named<C: Workflows>(
    cloud: &C,
    region: &str,
    machine: &str,
    name: &str,
) -> anyhow::Result<Execution> {
    let scope = scope(cloud, region).await?;
    cloud.describe(&execution_arn(&scope, machine, name)).await
}

/// The environment's latest provision that succeeded after its latest teardown (a rollback
/// included): the one whose outputs describe what stands now.
pub async fn last_succeeded_provision<C: Workflows>(
    cloud: &C,
    region: &str,
    suffix: &str,
) -> anyhow::Result<Option<Execution>> {
    let scope = scope(cloud, region).await?;
    let teardown = latest(cloud, &scope, asl::TEARDOWN_NAME, suffix).await?;
    let since = teardown.map_or(SystemTime::UNIX_EPOCH, |teardown| teardown.started);
    let mut provisions = Vec::new();
    for machine in BRING_UP {
        provisions.extend(cloud.executions(&scope.state_machine(machine)).await?);
    }
    let standing = provisions
        .into_iter()
        .filter(|provision| belongs_to(&provision.name, suffix) && provision.started > since)
        .filter(|provision| provision.status == "SUCCEEDED")
        .max_by_key(|provision| provision.started);
    match standing {
        Some(provision) => Ok(Some(cloud.describe(&provision.arn).await?)),
        None => Ok(None),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport {
    pub suffix: String,
    pub workflow: Option<&'static str>,
    pub execution: Option<Execution>,
    pub current_state: Option<String>,
    /// Its latest execution is a provision (or claim) that succeeded with `asleep`: it sleeps.
    pub asleep: bool,
}

/// The environment's latest execution, provision or teardown, and where it is.
pub async fn status<C: Workflows>(
    cloud: &C,
    region: &str,
    suffix: &str,
) -> anyhow::Result<StatusReport> {
    let scope = scope(cloud, region).await?;
    let machines = [asl::PROVISION_NAME, CLAIM_MACHINE, asl::TEARDOWN_NAME];
    let newest = latest_of(cloud, &scope, &machines, suffix).await?;
    let mut report = StatusReport {
        suffix: suffix.to_owned(),
        workflow: None,
        execution: None,
        current_state: None,
        asleep: false,
    };
    if let Some((machine, summary)) = newest {
        report.workflow = Some(machine);
        report.current_state = cloud.current_state(&summary.arn).await?;
        let execution = cloud.describe(&summary.arn).await?;
        report.asleep = machine != asl::TEARDOWN_NAME
            && super::stage::Stage::of_provision(&execution, None) == super::stage::Stage::Asleep;
        report.execution = Some(execution);
    }
    Ok(report)
}

/// What the `outputs` function answers for the environment.
pub async fn outputs<C: Workflows>(cloud: &C, spec: &EnvironmentSpec) -> anyhow::Result<Value> {
    let request = json!({"action": "status", "spec": spec, "outputs": {}});
    let answer = cloud.invoke("outputs", &request).await?;
    if let Some(error) = answer.get("errorType") {
        bail!(
            "the outputs function failed: {error}: {}",
            answer["errorMessage"]
        );
    }
    Ok(answer)
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    pub suffix: String,
    pub age: Option<String>,
    pub expires_at: Option<String>,
    pub pull_request: Option<String>,
    pub state: Option<String>,
}

/// Every environment found by tag, with the age of its latest provision and that execution's state.
pub async fn list<C: Workflows>(
    cloud: &C,
    region: &str,
    now: SystemTime,
) -> anyhow::Result<Vec<Listed>> {
    let scope = scope(cloud, region).await?;
    let provisions = cloud
        .executions(&scope.state_machine(asl::PROVISION_NAME))
        .await?;
    let mut listed = Vec::new();
    for environment in cloud.environments().await? {
        let latest = provisions
            .iter()
            .filter(|execution| suffix_of(&execution.name) == Some(environment.suffix.as_str()))
            .max_by_key(|execution| execution.started);
        let age = latest.map(|execution| {
            // A start after `now` (another machine's clock) reads as just now.
            let seconds = now
                .duration_since(execution.started)
                .unwrap_or_default()
                .as_secs();
            humantime::format_duration(Duration::from_secs(seconds / 60 * 60)).to_string()
        });
        listed.push(Listed {
            suffix: environment.suffix,
            age,
            expires_at: environment.expires_at,
            pull_request: environment.pull_request,
            state: latest.map(|execution| execution.status.clone()),
        });
    }
    Ok(listed)
}
