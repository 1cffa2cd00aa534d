//! The warm pool from envctl's side (docs/warm-pool-design.md §3.1, §3.2): claiming a standby pool
//! environment for a pull request, filling the pool, and its status.
//!
//! Step Functions is the only record: a pool environment is one whose suffix starts with `pool-`,
//! available while its latest provision is a standby one that SUCCEEDED and no claim execution
//! `claim-<suffix>` exists (a claim ages out of the history after 90 days, the pull request's own
//! redeploys after it do not: they are never standby).
//! That execution's name is the lock (one execution of a name per state machine for 90 days,
//! StartExecution API reference), so two claimants never get the same environment.

pub mod command;
mod members;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_command;
#[cfg(test)]
pub(crate) mod tests_support;
pub mod up;

use super::api::Workflows;
use super::request::execution_name;
use anyhow::{bail, Context};
use env_core::arn::ArnScope;
use env_core::pool::{
    claim_execution_name, fixed_fingerprint, fnv1a, is_pool_suffix, pool_suffix, POOL_PREFIX,
};
use env_core::spec::{EnvironmentSpec, EnvironmentSuffix};
use envctl_deploy::asl;
use members::{Member, Members};
use serde::Serialize;
use serde_json::{json, Value};
use std::time::SystemTime;

pub use members::owner;

/// The claim state machine's name (statemachine/claim.asl.json, deployed beside `provision` and
/// `teardown`).
pub const CLAIM_MACHINE: &str = asl::CLAIM_NAME;

/// The most environments `pool fill` keeps standing: a bound on what a typo costs (each standby
/// environment costs about $0.14/h, docs/warm-pool-design.md §5) and on the VPCs it takes.
pub const MAX_POOL_SIZE: u32 = 20;

/// The request part of the provision names `pool fill` and `env up`'s replacement start.
pub const FILL_REQUEST: &str = "fill";

/// The ARNs of the deployed state machines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machines {
    pub provision: String,
    pub claim: String,
    pub teardown: String,
}

impl Machines {
    /// The machines `envctl deploy` creates in the account and region of `scope`.
    pub fn new(scope: &ArnScope) -> Self {
        Self {
            provision: scope.state_machine(asl::PROVISION_NAME),
            claim: scope.state_machine(CLAIM_MACHINE),
            teardown: scope.state_machine(asl::TEARDOWN_NAME),
        }
    }
}

/// What StartExecution answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A new execution, or the running one of the same name and input (AWS answers that with
    /// success: StartExecution API reference).
    Started,
    /// ExecutionAlreadyExists: an execution of that name exists with other input, or has closed.
    AlreadyExists,
}

/// What [`claim`] did for a pull request.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimOutcome {
    /// This call won `claim-<suffix>`: the claim execution runs with `input`.
    Claimed {
        suffix: String,
        execution_arn: String,
        input: Value,
    },
    /// The pull request holds that environment already (a retry, or a concurrent run of the same
    /// pull request).
    AlreadyHeld {
        suffix: String,
        execution_arn: String,
    },
    /// No available environment matches the spec: provision as without a pool.
    Empty,
}

/// Where one pool environment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PoolState {
    /// Standing by: its provision succeeded and nobody claimed it.
    Available,
    /// Its provision runs (a fill or a refill).
    Refilling,
    /// A pull request's claim runs.
    Claiming,
    /// A pull request's claim succeeded, or (its claim aged out of the history) the pull request's
    /// own provision is the latest: it is that pull request's environment.
    Claimed,
    /// The cleanup took its claim lock to tear it down.
    Retiring,
    /// Its provision or its claim did not succeed: never handed out (the claim's rollback tears
    /// it down).
    Failed,
}

/// One pool environment in [`PoolStatus`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolEnvironment {
    pub suffix: String,
    pub state: PoolState,
    /// The pull request whose claim holds it.
    pub pull_request: Option<u32>,
    /// The execution the state comes from: its claim, else its latest provision.
    pub execution: String,
}

/// Every pool environment that stands (none torn down), by suffix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolStatus {
    pub environments: Vec<PoolEnvironment>,
}

impl PoolStatus {
    /// How many environments are in `state`.
    pub fn count(&self, state: PoolState) -> usize {
        self.environments
            .iter()
            .filter(|environment| environment.state == state)
            .count()
    }
}

/// The ARN of the execution of `machine_arn` called `name` (`…:stateMachine:<machine>` →
/// `…:execution:<machine>:<name>`, Step Functions ARN formats).
pub fn execution_arn(machine_arn: &str, name: &str) -> String {
    let execution = machine_arn.replacen(":stateMachine:", ":execution:", 1);
    format!("{execution}:{name}")
}

/// The pull request an execution's input carries (`spec.pullRequest`).
pub fn pull_request_of(input: &Value) -> Option<u32> {
    input["spec"]["pullRequest"]
        .as_u64()
        .and_then(|number| u32::try_from(number).ok())
}

/// Claims an available pool environment whose fixed fields match `spec` (the pull request's,
/// validated, `pullRequest` set), or reports the one the pull request holds already.
pub async fn claim(
    cloud: &impl Workflows,
    machines: &Machines,
    spec: &EnvironmentSpec,
) -> anyhow::Result<ClaimOutcome> {
    claim_with(cloud, machines, spec, true).await
}

/// [`claim`] as `env up --pr` runs it: a spec without `ttlHours` takes no new environment (it only
/// finds the one its pull request holds). The claimed VPC would keep the pool's expiry (the network
/// only moves it later, design §3.2) and the cleanup would tear the pull request's environment
/// down at the pool's age; its own environment, provisioned as without a pool, has no expiry.
pub async fn claim_expiring(
    cloud: &impl Workflows,
    machines: &Machines,
    spec: &EnvironmentSpec,
) -> anyhow::Result<ClaimOutcome> {
    let take = spec.fields().ttl_hours.is_some();
    claim_with(cloud, machines, spec, take).await
}

/// [`claim`], taking a new environment only when `take`.
async fn claim_with(
    cloud: &impl Workflows,
    machines: &Machines,
    spec: &EnvironmentSpec,
    take: bool,
) -> anyhow::Result<ClaimOutcome> {
    let Some(number) = spec.fields().pull_request else {
        bail!("pullRequest is not set: a claim takes a pull request's spec (give --pr N)");
    };
    let number = number.get();
    let members = Members::read(cloud, machines).await?;
    // A retry: the claim this pull request started before, still running or succeeded.
    if let Some((suffix, execution_arn)) = held_by(cloud, &members, number).await? {
        return Ok(ClaimOutcome::AlreadyHeld {
            suffix,
            execution_arn,
        });
    }
    if !take {
        return Ok(ClaimOutcome::Empty);
    }
    for suffix in candidates(&members, spec, number) {
        let input = claim_input(spec, &suffix)?;
        let name = claim_execution_name(&suffix);
        let arn = execution_arn(&machines.claim, &name);
        let started = cloud.start(&machines.claim, &name, &input).await?;
        if started == Start::Started {
            return Ok(ClaimOutcome::Claimed {
                suffix,
                execution_arn: arn,
                input,
            });
        }
        // Lost the race (design §3.1 a), unless the winner is this pull request (b).
        let holder = cloud.describe(&arn).await?;
        if pull_request_of(&holder.input) == Some(number) {
            return Ok(ClaimOutcome::AlreadyHeld {
                suffix,
                execution_arn: arn,
            });
        }
    }
    Ok(ClaimOutcome::Empty)
}

/// The standing pool environment pull request `number` holds, with its claim's ARN.
async fn held_by(
    cloud: &impl Workflows,
    members: &Members,
    number: u32,
) -> anyhow::Result<Option<(String, String)>> {
    for member in members.standing() {
        let Some(claim) = member.claim.as_ref().filter(|claim| holds(&claim.status)) else {
            continue;
        };
        let held = cloud.describe(&claim.arn).await?;
        if pull_request_of(&held.input) == Some(number) {
            return Ok(Some((member.suffix.clone(), held.arn)));
        }
    }
    Ok(None)
}

/// The environment of pull request `number` (design §3.2, "--pr N resolution"): a pool environment
/// whose VPC carries its tag; else one its claim holds (the tag may lag: EC2 is eventually
/// consistent); else `pr-<number>`.
pub async fn environment_of(
    cloud: &impl Workflows,
    machines: &Machines,
    number: u32,
) -> anyhow::Result<String> {
    let tag = number.to_string();
    let tagged = cloud.environments().await?;
    if let Some(found) = tagged.into_iter().find(|environment| {
        is_pool_suffix(&environment.suffix) && environment.pull_request.as_deref() == Some(&tag)
    }) {
        return Ok(found.suffix);
    }
    let members = Members::read(cloud, machines).await?;
    let held = held_by(cloud, &members, number).await?;
    Ok(held.map_or_else(|| format!("pr-{number}"), |(suffix, _)| suffix))
}

/// A claim that holds its environment: running or done. A failed one burnt it (design §3.1 d).
fn holds(status: &str) -> bool {
    matches!(status, "RUNNING" | "SUCCEEDED")
}

/// The available environments whose pool spec has the fixed fields of `spec`, in the pull
/// request's rendezvous order (FNV-1a of number ‖ suffix, highest first): different pull requests
/// mostly try different environments first, so they seldom collide.
fn candidates(members: &Members, spec: &EnvironmentSpec, number: u32) -> Vec<String> {
    let wanted = fixed_fingerprint(spec.fields());
    let mut found = Vec::new();
    for member in members.standing() {
        let Some(provisioned) = member.available() else {
            continue;
        };
        if pool_fingerprint(provisioned) == Some(wanted) {
            let key = fnv1a(
                fnv1a(FNV_OFFSET, number.to_string().as_bytes()),
                member.suffix.as_bytes(),
            );
            found.push((key, member.suffix.clone()));
        }
    }
    found.sort_by(|a, b| b.cmp(a));
    found.into_iter().map(|(_, suffix)| suffix).collect()
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The fingerprint of the spec a pool provision ran with (its input); none when it is not a spec.
fn pool_fingerprint(input: &Value) -> Option<u64> {
    let spec = EnvironmentSpec::from_value(&input["spec"]).ok()?;
    Some(fixed_fingerprint(spec.fields()))
}

/// The claim's input: the pull request's spec on the pool environment, no longer standby. Built
/// from the spec alone (no time), so a retry sends the same input and finds its running claim.
pub fn claim_input(spec: &EnvironmentSpec, suffix: &str) -> anyhow::Result<Value> {
    let claimed = respec(spec, suffix, false)?;
    Ok(json!({ "spec": claimed }))
}

/// `spec` with another suffix and standby setting, validated again.
pub(crate) fn respec(
    spec: &EnvironmentSpec,
    suffix: &str,
    standby: bool,
) -> anyhow::Result<EnvironmentSpec> {
    let mut value = serde_json::to_value(spec)?;
    value["environmentSuffix"] = json!(suffix);
    value["standby"] = json!(standby);
    EnvironmentSpec::from_value(&value).map_err(|invalid| {
        let problems: Vec<String> = invalid.problems().iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "the spec is invalid for {suffix}:\n  {}",
            problems.join("\n  ")
        )
    })
}

/// Starts pool provisions (standby, under new `pool-` suffixes) until `size` environments are
/// available or being provisioned; answers the suffixes it started.
pub async fn fill(
    cloud: &impl Workflows,
    machines: &Machines,
    pool_spec: &EnvironmentSpec,
    size: u32,
    now: SystemTime,
) -> anyhow::Result<Vec<String>> {
    fill_with(cloud, machines, pool_spec, size, now, entropy(now)).await
}

/// Fresh entropy for new pool suffixes: std's per-process random hash keys, so two envctl runs in
/// the same second differ.
fn entropy(now: SystemTime) -> u32 {
    std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), now) as u32
}

/// A new pool suffix for now.
pub fn new_suffix(now: SystemTime) -> EnvironmentSuffix {
    pool_suffix(unix_seconds(now), entropy(now))
}

fn unix_seconds(now: SystemTime) -> u64 {
    now.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// [`fill`] with the entropy of the new suffixes given (the tests').
async fn fill_with(
    cloud: &impl Workflows,
    machines: &Machines,
    pool_spec: &EnvironmentSpec,
    size: u32,
    now: SystemTime,
    entropy: u32,
) -> anyhow::Result<Vec<String>> {
    check_pool(pool_spec, size)?;
    let members = Members::read(cloud, machines).await?;
    let standing = members
        .standing()
        .filter(|member| matches!(member.state(), PoolState::Available | PoolState::Refilling))
        .count();
    let missing = size.saturating_sub(u32::try_from(standing).unwrap_or(u32::MAX));
    let seconds = unix_seconds(now);
    let mut started = Vec::new();
    for offset in 0..missing {
        // Distinct within a call: pool_suffix keeps entropy modulo 36², far above MAX_POOL_SIZE.
        let suffix = pool_suffix(seconds, entropy.wrapping_add(offset));
        if provision_standby(cloud, machines, pool_spec, &suffix).await? == Start::Started {
            started.push(suffix.to_string());
        }
    }
    Ok(started)
}

/// Rejects a pool size or pool spec before any AWS call.
pub(crate) fn check_pool(pool_spec: &EnvironmentSpec, size: u32) -> anyhow::Result<()> {
    if size > MAX_POOL_SIZE {
        bail!("--size {size} is too large: a pool holds 0 to {MAX_POOL_SIZE} environments");
    }
    if let Some(number) = pool_spec.fields().pull_request {
        bail!(
            "pullRequest {}: a pool spec has no pull request (the claim sets it); remove the field",
            number.get()
        );
    }
    Ok(())
}

/// Starts the standby provision of the pool environment `suffix`. [`Start::AlreadyExists`] when a
/// provision of that name exists: another fill took the same suffix in the same second.
pub async fn provision_standby(
    cloud: &impl Workflows,
    machines: &Machines,
    pool_spec: &EnvironmentSpec,
    suffix: &EnvironmentSuffix,
) -> anyhow::Result<Start> {
    let spec = respec(pool_spec, suffix.as_str(), true)?;
    let input = json!({ "spec": spec });
    let name = execution_name(suffix, Some(FILL_REQUEST), &input, None);
    cloud.start(&machines.provision, &name, &input).await
}

/// Every standing pool environment and where it is.
pub async fn status(cloud: &impl Workflows, machines: &Machines) -> anyhow::Result<PoolStatus> {
    let members = Members::read(cloud, machines).await?;
    let mut environments = Vec::new();
    for member in members.standing() {
        environments.push(describe_member(cloud, member).await?);
    }
    Ok(PoolStatus { environments })
}

async fn describe_member(
    cloud: &impl Workflows,
    member: &Member,
) -> anyhow::Result<PoolEnvironment> {
    let mut environment = PoolEnvironment {
        suffix: member.suffix.clone(),
        state: member.state(),
        // A redeploy's, when the claim aged out; a standby provision has none.
        pull_request: member.provision_input.as_ref().and_then(pull_request_of),
        execution: member.latest_name().to_owned(),
    };
    if let Some(claim) = &member.claim {
        let held = cloud.describe(&claim.arn).await?;
        environment.pull_request = pull_request_of(&held.input);
        if held.input["retire"] == json!(true) {
            environment.state = PoolState::Retiring;
        }
    }
    Ok(environment)
}

/// The pool spec of the environment `suffix`: the input of its first standby provision.
pub async fn pool_spec_of(
    cloud: &impl Workflows,
    machines: &Machines,
    suffix: &str,
) -> anyhow::Result<EnvironmentSpec> {
    let provisions = cloud.executions(&machines.provision).await?;
    for summary in provisions
        .iter()
        .filter(|summary| owner(&summary.name) == Some(suffix))
    {
        let execution = cloud.describe(&summary.arn).await?;
        if execution.input["spec"]["standby"] == json!(true) {
            return EnvironmentSpec::from_value(&execution.input["spec"])
                .context(format!("the input of {}", execution.name));
        }
    }
    bail!("no standby provision of {suffix} is recorded: it is not a {POOL_PREFIX} environment")
}
