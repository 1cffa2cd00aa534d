//! The AWS calls the waker makes, as one small trait over plain types: the handler decides, and
//! [`crate::aws::AwsCloud`] (Step Functions, one SDK call per method) or the unit tests' in-memory
//! fake answers.

use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// Step Functions' answer to a StartExecution whose name is taken by an execution that is closed or
/// has another input ("Executions with the same name and input are considered idempotent":
/// StartExecution API reference, Errors).
pub const EXECUTION_ALREADY_EXISTS: &str = "ExecutionAlreadyExists";

/// DescribeExecution's answer for an execution that does not exist (API reference, Errors).
pub const EXECUTION_DOES_NOT_EXIST: &str = "ExecutionDoesNotExist";

/// One execution as ListExecutions lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionSummary {
    pub name: String,
    pub arn: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, `PENDING_REDRIVE` (API
    /// reference, ExecutionListItem `status`).
    pub status: String,
    /// When it started, in milliseconds since the epoch: a wake started within a second of the
    /// sleep it undoes still reads as the later one.
    pub started: i64,
}

/// One page of ListExecutions, and the token for the next one when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecutionPage {
    pub executions: Vec<ExecutionSummary>,
    pub next: Option<String>,
}

/// Everything the waker asks of AWS.
// Only this binary implements and calls it; the entry point does not need `Send` futures.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    /// The executions of the state machine, newest first (ListExecutions: "Results are sorted by
    /// time, with the most recent execution first"), one page from `token` on.
    async fn executions(
        &self,
        state_machine_arn: &str,
        token: Option<&str>,
    ) -> CallResult<ExecutionPage>;
    /// The execution's input (JSON text), `None` when it does not exist.
    async fn execution_input(&self, execution_arn: &str) -> CallResult<Option<String>>;
    /// Starts an execution named `name` with `input` (JSON); answers the execution's ARN.
    async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> CallResult<String>;
}
