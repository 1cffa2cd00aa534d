//! The AWS calls the `env` commands make, as one small trait: Step Functions executions, the
//! `outputs` function, and the environments found by tag.

use super::admission::{Limit, Usage};
pub use super::pool::Start;
use envctl_common::tagged::TaggedEnvironment;
use serde::Serialize;
use serde_json::Value;
use std::time::SystemTime;

pub type Result<T> = anyhow::Result<T>;

/// One execution as DescribeExecution reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    pub arn: String,
    pub name: String,
    /// RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED (API reference, DescribeExecution `status`).
    pub status: String,
    #[serde(serialize_with = "rfc3339")]
    pub started: SystemTime,
    pub input: Value,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

fn rfc3339<S: serde::Serializer>(
    time: &SystemTime,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(&humantime::format_rfc3339_seconds(*time).to_string())
}

impl Execution {
    pub fn is_running(&self) -> bool {
        self.status == "RUNNING"
    }
}

/// An execution in a listing (ListExecutions): enough to pick the latest of an environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionSummary {
    pub arn: String,
    pub name: String,
    pub status: String,
    pub started: SystemTime,
}

#[allow(async_fn_in_trait)] // used with concrete types only, never as `dyn`
pub trait Workflows {
    async fn account(&self) -> Result<String>;
    /// Starts an execution. An execution of that name that exists already is not an error: AWS
    /// answers the running one of the same input as started, anything else as
    /// [`Start::AlreadyExists`] (StartExecution API reference), and the caller decides.
    async fn start(&self, machine_arn: &str, name: &str, input: &Value) -> Result<Start>;
    async fn describe(&self, execution_arn: &str) -> Result<Execution>;
    /// Stops a running execution (StopExecution): it ends ABORTED where it stands.
    async fn stop(&self, execution_arn: &str) -> Result<()>;
    /// The state the execution entered last, from its history.
    async fn current_state(&self, execution_arn: &str) -> Result<Option<String>>;
    async fn executions(&self, machine_arn: &str) -> Result<Vec<ExecutionSummary>>;
    /// Invokes a function synchronously and returns what it answered.
    async fn invoke(&self, function: &str, payload: &Value) -> Result<Value>;
    async fn environments(&self) -> Result<Vec<TaggedEnvironment>>;
    /// Sets the expiry tag (RFC 3339) of the environment's VPC, which stands for the environment;
    /// `false` when no VPC carries the environment's tag.
    async fn set_expiry(&self, suffix: &str, expires_at: &str) -> Result<bool>;
    /// The expiry tag (`catalog:expires-at`) of every resource that carries the environment's tag,
    /// `None` for one without it.
    async fn expiry_tags(&self, suffix: &str) -> Result<Vec<Option<String>>>;
    /// The account's value of `limit`: applied, else AWS's default; `None` when Service Quotas
    /// knows neither.
    async fn quota(&self, limit: &Limit) -> Result<Option<u32>>;
    /// What the account uses of the limits an environment takes.
    async fn usage(&self) -> Result<Usage>;
}
