//! `env sleep|wake` (README, "Sleep and wake"): a provision of the environment's current spec with
//! `asleep` set, through the same provision workflow; every component decides what asleep means for
//! itself. What to do is read from Step Functions alone (the environment's latest execution of any
//! workflow and its input), so `local sleep|wake` decides exactly as `env sleep|wake` does.

use super::api::{Execution, Workflows};
use super::commands::latest_of;
use super::pool::{execution_arn, CLAIM_MACHINE as CLAIM};
use anyhow::Context;
use env_core::arn::ArnScope;
use env_core::execution_name::{converge, Converge};
use env_core::spec::EnvironmentSpec;
use envctl_deploy::asl;
use serde_json::{json, Value};
use std::fmt;

/// The state `sleep` or `wake` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Asleep,
    Awake,
}

impl Wanted {
    /// The spec's `asleep` for this state.
    pub fn asleep(self) -> bool {
        self == Wanted::Asleep
    }

    pub fn word(self) -> &'static str {
        match self {
            Wanted::Asleep => "asleep",
            Wanted::Awake => "awake",
        }
    }

    /// The command that asks for it.
    pub fn command(self) -> &'static str {
        match self {
            Wanted::Asleep => "sleep",
            Wanted::Awake => "wake",
        }
    }
}

/// Why `sleep` or `wake` starts nothing: a typed error whose [`Refusal::name`] is stable, each
/// naming the environment, the execution it judged by and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No execution of any workflow names the environment.
    NotFound { suffix: String },
    /// Its latest execution is a teardown that runs (a provision's rollback included).
    BeingTornDown { suffix: String, execution: String },
    /// Its latest execution is a teardown that succeeded: nothing is left to sleep or wake.
    TornDown { suffix: String, execution: String },
    /// Its latest teardown did not succeed: what is left is for `env down` to remove.
    TeardownFailed {
        suffix: String,
        execution: String,
        status: String,
    },
    /// A warm-pool environment waits awake to be claimed (the spec rejects standby with asleep).
    Standby { suffix: String, execution: String },
    /// A provision of the other state (or an update) runs: two converges at once would undo each
    /// other's work.
    Busy {
        suffix: String,
        execution: String,
        asleep: bool,
    },
    /// Its latest provision ended without succeeding and no rollback followed: what it left is
    /// unknown, so neither state can be promised.
    ProvisionFailed {
        suffix: String,
        execution: String,
        status: String,
    },
}

impl Refusal {
    /// The stable name scripts can match on.
    pub fn name(&self) -> &'static str {
        match self {
            Refusal::NotFound { .. } => "EnvironmentNotFound",
            Refusal::BeingTornDown { .. } => "EnvironmentBeingTornDown",
            Refusal::TornDown { .. } => "EnvironmentTornDown",
            Refusal::TeardownFailed { .. } => "EnvironmentTeardownFailed",
            Refusal::Standby { .. } => "EnvironmentIsStandby",
            Refusal::Busy { .. } => "EnvironmentBusy",
            Refusal::ProvisionFailed { .. } => "EnvironmentFailed",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.name())?;
        match self {
            Refusal::NotFound { suffix } => write!(
                f,
                "no execution of any workflow names {suffix}: bring it up with `envctl env up` first"
            ),
            Refusal::BeingTornDown { suffix, execution } => write!(
                f,
                "{suffix} is being torn down ({execution}, RUNNING): nothing to sleep or wake"
            ),
            Refusal::TornDown { suffix, execution } => write!(
                f,
                "{suffix} was torn down ({execution}, SUCCEEDED): bring it up again with `envctl env up`"
            ),
            Refusal::TeardownFailed {
                suffix,
                execution,
                status,
            } => write!(
                f,
                "the teardown of {suffix} ({execution}) ended {status}: remove what is left with `envctl env down`"
            ),
            Refusal::Standby { suffix, execution } => write!(
                f,
                "{suffix} is a warm-pool environment (standby, {execution}): it waits awake to be claimed, and a spec may not be standby and asleep"
            ),
            Refusal::Busy {
                suffix,
                execution,
                asleep,
            } => write!(
                f,
                "{suffix} has a provision running that makes it {} ({execution}): try again once it has finished (`envctl env status --suffix {suffix}`)",
                if *asleep { "asleep" } else { "awake" }
            ),
            Refusal::ProvisionFailed {
                suffix,
                execution,
                status,
            } => write!(
                f,
                "the latest provision of {suffix} ({execution}) ended {status} without a rollback: bring it up again with `envctl env up` or remove it with `envctl env down`"
            ),
        }
    }
}

impl std::error::Error for Refusal {}

/// What `sleep` or `wake` does.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// The latest provision succeeded in the wanted state: nothing starts.
    AlreadyThere(Execution),
    /// A provision (or claim) of the wanted state runs already (a repeated `sleep`): follow it.
    Running {
        machine: &'static str,
        execution: Execution,
    },
    /// Start a provision named `name` with `input` (the current spec, `asleep` set).
    Start { name: String, input: Value },
}

/// Decides from the environment's latest execution of any workflow. A new provision's name is the
/// request's ([`converge`]: a hash of the input) in the generation of the execution it changes,
/// so it is deterministic for (suffix, spec, what it changes) and never the name of the provision
/// that made the environment (whose input a wake repeats: StartExecution would answer
/// that closed execution's ExecutionAlreadyExists for 90 days, Step Functions API reference).
pub async fn plan<C: Workflows>(
    cloud: &C,
    scope: &ArnScope,
    suffix: &str,
    wanted: Wanted,
) -> anyhow::Result<Plan> {
    let machines = [asl::PROVISION_NAME, CLAIM, asl::TEARDOWN_NAME];
    let Some((machine, summary)) = latest_of(cloud, scope, &machines, suffix).await? else {
        return Err(Refusal::NotFound {
            suffix: suffix.to_owned(),
        }
        .into());
    };
    let (suffix, execution) = (suffix.to_owned(), summary.name.clone());
    if machine == asl::TEARDOWN_NAME {
        let refusal = match summary.status.as_str() {
            "RUNNING" | "PENDING_REDRIVE" => Refusal::BeingTornDown { suffix, execution },
            "SUCCEEDED" => Refusal::TornDown { suffix, execution },
            status => Refusal::TeardownFailed {
                suffix,
                execution,
                status: status.to_owned(),
            },
        };
        return Err(refusal.into());
    }
    let latest = cloud.describe(&summary.arn).await?;
    let spec = EnvironmentSpec::from_value(&latest.input["spec"])
        .context(format!("the input of {}", latest.name))?;
    let fields = spec.fields();
    if fields.standby {
        return Err(Refusal::Standby { suffix, execution }.into());
    }
    let there = fields.asleep == wanted.asleep();
    let status = latest.status.clone();
    match (status.as_str(), there) {
        ("RUNNING" | "PENDING_REDRIVE", true) => Ok(Plan::Running {
            machine,
            execution: latest,
        }),
        ("RUNNING" | "PENDING_REDRIVE", false) => Err(Refusal::Busy {
            suffix,
            execution,
            asleep: fields.asleep,
        }
        .into()),
        ("SUCCEEDED", true) => Ok(Plan::AlreadyThere(latest)),
        ("SUCCEEDED", false) => {
            // The same name and input the waker function computes for a request (env_core), so a
            // wake from here and one from a request at the same moment start one execution.
            let Converge { name, input } = converge(&spec, wanted.asleep(), &latest.name)
                .context(format!("the spec of {} with asleep set", latest.name))?;
            Ok(Plan::Start { name, input })
        }
        (status, _) => {
            let status = status.to_owned();
            let refusal = Refusal::ProvisionFailed {
                suffix,
                execution,
                status,
            };
            Err(refusal.into())
        }
    }
}

/// The ARN of the provision [`Plan::Start`] starts.
pub fn provision_arn(scope: &ArnScope, name: &str) -> String {
    execution_arn(&scope.state_machine(asl::PROVISION_NAME), name)
}

/// What `sleep` or `wake` says when it starts nothing: the environment is in the wanted state.
pub fn already(suffix: &str, wanted: Wanted, execution: &Execution) -> Value {
    json!({
        "suffix": suffix,
        "state": wanted.word(),
        "started": false,
        "execution": execution.name,
    })
}

/// The line of [`already`].
pub fn already_line(suffix: &str, wanted: Wanted, execution: &Execution) -> String {
    format!(
        "{suffix} is already {} ({} SUCCEEDED): nothing started",
        wanted.word(),
        execution.name
    )
}

#[cfg(test)]
#[path = "sleep_tests.rs"]
mod tests;
