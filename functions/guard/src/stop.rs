//! `stopProvisions`: a teardown's first step (and again once the service is deleted, since a
//! provision started a moment before may not be listed yet: ListExecutions "is eventually
//! consistent", API reference). It stops every running provision and claim of the environment, so
//! none recreates what the teardown removes. A stopped execution ends ABORTED where it stands and
//! runs no Catch, so no rollback starts beside the teardown (API reference, StopExecution;
//! DescribeExecution `status`). It is stopped without error or cause, which Step Functions would
//! encrypt with the execution's KMS key and so need the guard's KMS permissions (API reference,
//! StopExecution); the guard's log names the teardown that stopped it.
//!
//! The teardown's parent is spared: a rollback `rollback-<name>` is started by the provision or
//! claim `<name>`, a retirement `retire-<name>` by the claim `<name>`, and each parent waits for
//! its teardown (`.sync`): stopping it would abort the very workflow waiting for this teardown.

use crate::error::GuardError;
use crate::event::GuardEvent;
use crate::running::running;
use crate::settings::Settings;
use env_core::execution_name::owner;
use sfn::{SfnCalls, Stop};

/// What a teardown's stop answers: `{"environment": "pr-42", "stopped": ["pr-42--run7"]}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stopped {
    pub environment: String,
    /// The executions this call stopped, provisions first, each newest first.
    pub stopped: Vec<String>,
}

pub async fn stop_provisions<C: SfnCalls>(
    calls: &C,
    settings: &Settings,
    event: &GuardEvent,
) -> Result<Stopped, GuardError> {
    let environment = event.environment.as_str();
    let teardown = event.execution.as_str();
    let parent = parent_of(teardown);
    let mut stopped = Vec::new();
    for machine in [&settings.provision_arn, &settings.claim_arn] {
        let listed = running(calls, machine).await?;
        let targets = listed.iter().filter(|execution| {
            execution.is_running()
                && owner(&execution.name) == Some(environment)
                && Some(execution.name.as_str()) != parent
        });
        for execution in targets {
            let name = &execution.name;
            match calls.stop_execution(&execution.arn).await {
                Ok(Stop::Accepted) => {
                    tracing::info!(environment, teardown, stopped = %name, "stopped for the teardown");
                    stopped.push(name.clone());
                }
                Ok(Stop::NoSuchExecution) => {
                    tracing::info!(environment, teardown, execution = %name, "gone before it could be stopped");
                }
                Err(error) => {
                    // The API reference (StopExecution, Errors) names ExecutionDoesNotExist for a
                    // missing execution (read as `NoSuchExecution` above) and no error for one
                    // that ended between the listing and the stop: one that no longer runs is
                    // what the stop wanted, whatever the refusal; one still listed running (the
                    // listing may lag) is asked again by the workflow's retry. A throttled call
                    // is retried by the workflow, the whole step being idempotent, without a
                    // listing to check on it.
                    if error.is_retryable() {
                        return Err(error.into());
                    }
                    if still_running(calls, machine, &execution.arn).await? {
                        return Err(GuardError::StopRefused {
                            execution: name.clone(),
                            source: error,
                        });
                    }
                    tracing::info!(environment, teardown, execution = %name, %error, "ended before it could be stopped");
                }
            }
        }
    }
    Ok(Stopped {
        environment: environment.to_owned(),
        stopped,
    })
}

/// The execution that started the teardown `teardown` and waits for it, if one did: the name
/// without its `rollback-` or `retire-` prefix (statemachine/*.asl.json name them so).
pub fn parent_of(teardown: &str) -> Option<&str> {
    teardown
        .strip_prefix("rollback-")
        .or_else(|| teardown.strip_prefix("retire-"))
}

/// Whether the execution `arn` of `machine` is still listed running.
async fn still_running<C: SfnCalls>(
    calls: &C,
    machine: &str,
    arn: &str,
) -> Result<bool, GuardError> {
    let listed = running(calls, machine).await?;
    Ok(listed.iter().any(|execution| execution.arn == arn))
}
