//! `admit`: the step after Validate of a provision or claim. While a teardown of the environment
//! runs, going on would recreate what the teardown removes and leave it behind, so the execution is
//! refused with `TeardownRunning` naming the teardown; the workflow ends there, without rollback.

use crate::error::GuardError;
use crate::event::GuardEvent;
use crate::running::running;
use crate::settings::Settings;
use env_core::execution_name::owner;
use env_core::pool::claimed_suffix;
use sfn::SfnCalls;

/// What an admitted execution answers: `{"admitted": true, "environment": "pr-42"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Admitted {
    pub admitted: bool,
    pub environment: String,
}

pub async fn admit<C: SfnCalls>(
    calls: &C,
    settings: &Settings,
    event: &GuardEvent,
) -> Result<Admitted, GuardError> {
    let environment = event.environment.as_str();
    // Every page: an environment's teardown may be listed after many others' (newest first).
    let teardowns = running(calls, &settings.teardown_arn).await?;
    // ListExecutions is eventually consistent: its status is checked too, not only filtered on.
    let teardown = teardowns
        .iter()
        .find(|teardown| teardown.is_running() && owner(&teardown.name) == Some(environment));
    if let Some(teardown) = teardown {
        tracing::warn!(environment, execution = %event.execution, teardown = %teardown.name, "refused: a teardown runs");
        return Err(GuardError::TeardownRunning {
            environment: environment.to_owned(),
            teardown: teardown.name.clone(),
            started: humantime::format_rfc3339_seconds(teardown.started_at()).to_string(),
            refused: refused(&event.execution),
        });
    }
    Ok(Admitted {
        admitted: true,
        environment: environment.to_owned(),
    })
}

/// What the execution asking to be admitted is, by its name: a claim is `claim-<pool suffix>`
/// (env_core::pool), anything else a provision.
fn refused(execution: &str) -> &'static str {
    match claimed_suffix(execution) {
        Some(_) => "claim",
        None => "provision",
    }
}
