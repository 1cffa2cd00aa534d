//! The running executions of one of the three state machines, as both actions read them.

use env_core::error::found;
use sfn::STATE_MACHINE_DOES_NOT_EXIST;
use sfn::{all_executions, CallResult, ExecutionSummary, Listing, SfnCalls};

/// Every execution of `machine` listed RUNNING, all pages, newest first; none when the state
/// machine does not exist (ListExecutions answers `StateMachineDoesNotExist`: API reference,
/// ListExecutions, Errors): it has no running teardown to refuse for and no running provision to
/// stop. A deployed backend always has all three (`envctl deploy` makes them, and only their
/// executions invoke the guard); the local workflow runner's functions mode runs the workflows
/// against moto without a deploy, where none of them exists.
pub async fn running<C: SfnCalls>(calls: &C, machine: &str) -> CallResult<Vec<ExecutionSummary>> {
    let listed = all_executions(calls, machine, Listing::Running).await;
    Ok(found(listed, &[STATE_MACHINE_DOES_NOT_EXIST])?.unwrap_or_default())
}
