//! The Step Functions calls of the functions that read, start or stop the environments' workflow
//! executions (the guard and the waker; the cleanup declares near-copies of them that this crate
//! is meant to replace): one capability, [`SfnCalls`], written once over the SDK ([`Sfn`])
//! and once in memory for the unit tests (`fake::FakeSfn`, feature `test-util`), with the paging
//! ([`all_executions`]) and the state machines' settings ([`settings`]) they share.

mod aws;
pub mod settings;
mod types;

pub use aws::Sfn;
pub use types::*;

use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// Step Functions' answer to a StartExecution whose name is taken by an execution that is closed
/// or has another input ("Executions with the same name and input are considered idempotent":
/// StartExecution API reference, Errors, ExecutionAlreadyExists).
pub const EXECUTION_ALREADY_EXISTS: &str = "ExecutionAlreadyExists";

/// DescribeExecution's and StopExecution's answer for an execution that does not exist (API
/// reference, DescribeExecution and StopExecution, Errors).
pub const EXECUTION_DOES_NOT_EXIST: &str = "ExecutionDoesNotExist";

/// ListExecutions' answer for a state machine that does not exist (API reference,
/// ListExecutions, Errors). Kept as an error by [`all_executions`]; whether it means "no
/// executions" is the caller's to say.
pub const STATE_MACHINE_DOES_NOT_EXIST: &str = "StateMachineDoesNotExist";

/// An execution's status while it runs (API reference, ExecutionListItem `status`).
pub const RUNNING: &str = "RUNNING";

/// Everything the functions ask of Step Functions.
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait SfnCalls {
    /// The executions of the state machine that `listing` asks for, newest first
    /// (ListExecutions: "Results are sorted by time, with the most recent execution first"), one
    /// page from `token` on. Eventually consistent (same reference): an execution started or
    /// ended a moment ago may be missing or still listed RUNNING.
    async fn executions(
        &self,
        state_machine_arn: &str,
        listing: Listing,
        token: Option<&str>,
    ) -> CallResult<ExecutionPage>;
    /// The execution, `None` when it does not exist.
    async fn describe_execution(&self, execution_arn: &str) -> CallResult<Option<Execution>>;
    /// Starts an execution named `name` with `input` (JSON).
    async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> CallResult<Started>;
    /// Stops the execution, which ends ABORTED, without error or cause: Step Functions encrypts
    /// those with the execution's KMS key when the state machine is encrypted, and a stop with
    /// both null needs no KMS permission (API reference, StopExecution). The caller logs why.
    async fn stop_execution(&self, execution_arn: &str) -> CallResult<Stop>;
}

/// Every execution of the state machine that `listing` asks for, all pages, newest first.
pub async fn all_executions<C: SfnCalls>(
    calls: &C,
    state_machine_arn: &str,
    listing: Listing,
) -> CallResult<Vec<ExecutionSummary>> {
    let mut executions = Vec::new();
    let mut token = None;
    loop {
        let page = calls
            .executions(state_machine_arn, listing, token.as_deref())
            .await?;
        executions.extend(page.executions);
        match page.next {
            Some(next) => token = Some(next),
            None => return Ok(executions),
        }
    }
}

/// The ARN of the execution `name` of the state machine `state_machine_arn`: `execution` for
/// `stateMachine`, the name appended (Service Authorization Reference, "Resource types defined by
/// AWS Step Functions", execution: `arn:${Partition}:states:${Region}:${Account}:execution:
/// ${StateMachineName}:${ExecutionId}`).
pub fn execution_arn(state_machine_arn: &str, name: &str) -> String {
    let base = state_machine_arn.replacen(":stateMachine:", ":execution:", 1);
    format!("{base}:{name}")
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
