//! What a request to a sleeping environment does, decided as `envctl env wake` decides
//! (bootstrap/envs, `sleep::plan`): from the environment's latest execution of the provision, claim
//! and teardown workflows, Step Functions being the record of every environment's state.
//!
//! Only a latest provision (or claim) that SUCCEEDED asleep starts anything: the provision of the
//! same spec awake, under the name `env wake` would give it ([`converge`]), so a wake from the
//! command line and one from a request at the same moment are one execution. A teardown as the
//! latest execution (running, done or failed) starts nothing: a provision beside a teardown could
//! make what the teardown has already deleted. Neither does a provision that runs: two converges
//! at once undo each other's work.

use crate::settings::Settings;
use env_core::execution_name::{converge, owner, Converge};
use env_core::pool::is_pool_suffix;
use env_core::spec::{EnvironmentSpec, EnvironmentSuffix, InvalidSpec};
use env_core::AwsCallError;
use serde_json::Value;
use sfn::{CallResult, ExecutionSummary, Listing, SfnCalls, Started};

/// An environment's state as its latest execution says, and what the request did about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// No execution of any workflow names it.
    NotFound,
    /// A provision that makes it awake runs: `started` when this request started it.
    Waking { execution: String, started: bool },
    /// A provision that puts it to sleep runs; a wake now would fight it.
    GoingToSleep { execution: String },
    /// Its latest provision made it awake: the load balancer's rules have not switched yet.
    Awake { execution: String },
    /// A warm-pool environment waiting to be claimed (never asleep).
    Standby { execution: String },
    /// Its latest execution is a teardown that runs (or a retirement of a pool environment).
    BeingTornDown { execution: String },
    /// Its latest execution is a teardown that succeeded.
    TornDown { execution: String },
    /// Its latest teardown ended without succeeding.
    TeardownFailed { execution: String, status: String },
    /// Its latest provision ended without succeeding and no teardown followed.
    ProvisionFailed { execution: String, status: String },
    /// Its latest provision's input holds no spec this waker can wake.
    Unreadable { execution: String, reason: String },
}

/// The state machines, in the order they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Machine {
    Provision,
    Claim,
    Teardown,
}

/// Statuses of an execution under way (Step Functions API reference, ExecutionListItem `status`;
/// a redrivable execution counts as under way, as envctl counts it).
fn running(status: &str) -> bool {
    matches!(status, "RUNNING" | "PENDING_REDRIVE")
}

/// Decides for `suffix`, starting the wake when its latest provision made it asleep.
pub async fn decide<C: SfnCalls>(
    cloud: &C,
    settings: &Settings,
    suffix: &EnvironmentSuffix,
) -> CallResult<State> {
    let latest = latest_of(cloud, settings, suffix.as_str()).await?;
    let Some((machine, latest)) = latest else {
        return Ok(State::NotFound);
    };
    let execution = latest.name.clone();
    if machine == Machine::Teardown {
        return Ok(match latest.status.as_str() {
            status if running(status) => State::BeingTornDown { execution },
            "SUCCEEDED" => State::TornDown { execution },
            status => State::TeardownFailed {
                execution,
                status: status.to_owned(),
            },
        });
    }
    let input = cloud
        .describe_execution(&latest.arn)
        .await?
        .map(|execution| execution.input);
    let (spec, awake) = match bring_up(input.as_deref(), &execution) {
        Ok(Some(found)) => found,
        // A claim with `retire` set is the cleanup retiring a pool environment: a teardown.
        Ok(None) => return Ok(State::BeingTornDown { execution }),
        Err(Unreadable(reason)) => return Ok(State::Unreadable { execution, reason }),
    };
    let asleep = spec.fields().asleep;
    Ok(match latest.status.as_str() {
        _ if spec.fields().standby => State::Standby { execution },
        status if running(status) && asleep => State::GoingToSleep { execution },
        status if running(status) => State::Waking {
            execution,
            started: false,
        },
        "SUCCEEDED" if asleep => return wake(cloud, settings, awake).await,
        "SUCCEEDED" => State::Awake { execution },
        status => State::ProvisionFailed {
            execution,
            status: status.to_owned(),
        },
    })
}

/// Starts `awake`, the provision of the environment's spec awake.
async fn wake<C: SfnCalls>(cloud: &C, settings: &Settings, awake: Converge) -> CallResult<State> {
    let input = awake.input.to_string();
    let started = cloud
        .start_execution(&settings.provision_arn, &awake.name, &input)
        .await?;
    let execution = awake.name;
    match started {
        Started::Running { .. } => Ok(State::Waking {
            execution,
            started: true,
        }),
        // Taken by the same wake from another container or `env wake` (with an input written
        // differently), or already finished: it is this wake either way.
        Started::NameTaken => Ok(State::Waking {
            execution,
            started: false,
        }),
    }
}

/// The spec of a provision's or claim's input (`latest` names it) and the provision that wakes
/// it, in `latest`'s generation; `None` for a retirement (`"retire": true`).
fn bring_up(
    input: Option<&str>,
    latest: &str,
) -> Result<Option<(EnvironmentSpec, Converge)>, Unreadable> {
    let input: Value = input
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| Unreadable("its input is not JSON".to_owned()))?;
    if input["retire"] == Value::Bool(true) {
        return Ok(None);
    }
    let spec = EnvironmentSpec::from_value(&input["spec"])?;
    // Valid as recorded is valid awake (`asleep` excludes only `standby`, which stays as it was).
    let awake = converge(&spec, false, latest)?;
    Ok(Some((spec, awake)))
}

/// Why a provision's input cannot be woken from.
#[derive(Debug)]
struct Unreadable(String);

impl From<InvalidSpec> for Unreadable {
    fn from(invalid: InvalidSpec) -> Self {
        Self(invalid.to_string())
    }
}

/// The environment's latest execution on any of the machines, with the machine. Claims exist for
/// pool environments only (env_core::pool), so the claim machine is read for those alone.
async fn latest_of<C: SfnCalls>(
    cloud: &C,
    settings: &Settings,
    suffix: &str,
) -> CallResult<Option<(Machine, ExecutionSummary)>> {
    let mut machines = vec![(Machine::Provision, &settings.provision_arn)];
    if is_pool_suffix(suffix) {
        machines.push((Machine::Claim, &settings.claim_arn));
    }
    machines.push((Machine::Teardown, &settings.teardown_arn));
    let mut newest: Option<(Machine, ExecutionSummary)> = None;
    for (machine, arn) in machines {
        let found = latest_on(cloud, arn, suffix).await?;
        let newer = found.filter(|found| {
            newest
                .as_ref()
                .is_none_or(|(_, known)| found.started > known.started)
        });
        if let Some(found) = newer {
            newest = Some((machine, found));
        }
    }
    Ok(newest)
}

/// The environment's latest execution of one machine. ListExecutions lists the newest first, so
/// the first page that holds one of the environment's executions holds its latest: the pages
/// after it are not read, which keeps a request to a few calls however long the history is.
/// ListExecutions "is eventually consistent" (same reference): a wake started a moment ago may be
/// missing, and the wake is then asked for again under the same name and input, which Step
/// Functions answers with the running execution.
async fn latest_on<C: SfnCalls>(
    cloud: &C,
    machine: &str,
    suffix: &str,
) -> Result<Option<ExecutionSummary>, AwsCallError> {
    let mut token: Option<String> = None;
    loop {
        let page = cloud
            .executions(machine, Listing::All, token.as_deref())
            .await?;
        let latest = page
            .executions
            .into_iter()
            .filter(|execution| owner(&execution.name) == Some(suffix))
            .max_by_key(|execution| execution.started);
        if latest.is_some() || page.next.is_none() {
            return Ok(latest);
        }
        token = page.next;
    }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
pub(crate) mod tests;
