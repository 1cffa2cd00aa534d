//! The AWS calls the cleanup function makes, as one small trait over plain types.
//!
//! The handler decides (which environments exist, which are expired or idle, what to start) and
//! talks only to [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the Resource Groups Tagging
//! API, Step Functions and CloudWatch clients, one SDK call per method, and the unit tests implement
//! it with an in-memory fake.

use env_core::tags::Tag;
use env_core::AwsCallError;
use std::time::SystemTime;

pub type CallResult<T> = Result<T, AwsCallError>;

pub use env_core::error::found;

/// Step Functions' answer to a second StartExecution with a name already used on the state machine
/// (API reference, StartExecution, Errors).
pub const EXECUTION_ALREADY_EXISTS: &str = "ExecutionAlreadyExists";

/// DescribeExecution's answer for a name never started (API reference, DescribeExecution, Errors).
pub const EXECUTION_DOES_NOT_EXIST: &str = "ExecutionDoesNotExist";

/// A resource and all its tags, as GetResources lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedResource {
    pub arn: String,
    pub tags: Vec<(String, String)>,
}

impl TaggedResource {
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| value.as_str())
    }
}

/// One page of GetResources, and the token for the next one when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourcePage {
    pub resources: Vec<TaggedResource>,
    pub next: Option<String>,
}

/// One execution as ListExecutions lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionSummary {
    pub name: String,
    pub arn: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED` … (API reference, ExecutionStatus).
    pub status: String,
    /// When it started, in seconds since the epoch.
    pub started: i64,
    /// When it ended, in seconds since the epoch; `None` while it runs.
    pub stopped: Option<i64>,
}

/// One page of ListExecutions, and the token for the next one when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecutionPage {
    pub executions: Vec<ExecutionSummary>,
    pub next: Option<String>,
}

/// A load balancer's `RequestCount` sums over a time range, as GetMetricData answers them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RequestCounts {
    /// One Sum per minute that had requests: ELB reports its metrics "only when requests are
    /// flowing through the load balancer" (Elastic Load Balancing user guide, "CloudWatch metrics
    /// for your Application Load Balancer"), so a minute without requests has no value at all.
    pub values: Vec<f64>,
    /// The query's `StatusCode`: `Complete` once every value is there, else `PartialData`,
    /// `InternalError` or `Forbidden` (CloudWatch API reference, MetricDataResult).
    pub status: String,
}

/// What GetMetricData's `StatusCode` says when all the data asked for was returned.
pub const METRIC_DATA_COMPLETE: &str = "Complete";

/// Everything the cleanup function asks of AWS.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    /// The resources carrying every tag of `filters` (key and value), one page from `token` on.
    async fn tagged_resources(
        &self,
        filters: &[Tag],
        token: Option<&str>,
    ) -> CallResult<ResourcePage>;
    /// The execution's status (`RUNNING`, `SUCCEEDED`, `FAILED` …), `None` when it was never started.
    async fn execution_status(&self, execution_arn: &str) -> CallResult<Option<String>>;
    /// Starts an execution named `name` with `input` (JSON); answers the execution's ARN.
    async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> CallResult<String>;
    /// The executions of the state machine, one page from `token` on.
    async fn executions(
        &self,
        state_machine_arn: &str,
        token: Option<&str>,
    ) -> CallResult<ExecutionPage>;
    /// The execution's input (JSON text), `None` when it was never started.
    async fn execution_input(&self, execution_arn: &str) -> CallResult<Option<String>>;
    /// The `RequestCount` of the load balancer whose `LoadBalancer` dimension is `load_balancer`
    /// (`app/<name>/<id>`), one Sum per minute from `start` to `end`, all pages.
    async fn request_counts(
        &self,
        load_balancer: &str,
        start: SystemTime,
        end: SystemTime,
    ) -> CallResult<RequestCounts>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_is_found_by_key_and_a_missing_one_is_none() {
        let resource = TaggedResource {
            arn: "arn:aws:ec2:us-west-2:123456789012:vpc/vpc-1".into(),
            tags: vec![("catalog:environment".into(), "pr-1".into())],
        };
        assert_eq!(resource.tag("catalog:environment"), Some("pr-1"));
        assert_eq!(resource.tag("catalog:expires-at"), None);
    }
}
