//! The CloudWatch calls of the components that own or read an environment's alarms and dashboard
//! (the monitoring function makes and deletes them, the outputs function reads whether the
//! dashboard exists): one capability, [`CloudWatchCalls`], written once over the SDK
//! ([`CloudWatch`]) and once in memory for the unit tests (`fake::FakeCloudWatch`, feature
//! `test-util`). Each function's `Cloud` hands out its implementation instead of declaring the
//! calls again. The moto tests drive every SDK method through those functions' binaries.

mod aws;
mod types;

pub use aws::CloudWatch;
pub use types::*;

use env_core::tags::Tag;
use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// DeleteAlarms takes at most 100 names per call (CloudWatch API reference).
pub const DELETE_ALARMS_BATCH: usize = 100;

/// Everything the environment's functions ask of CloudWatch's alarms and dashboards, each one AWS
/// operation (or one paginated listing).
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait CloudWatchCalls {
    /// DescribeAlarms, every page: the names of the metric alarms starting with `prefix`.
    async fn alarm_names(&self, prefix: &str) -> CallResult<Vec<String>>;
    /// PutMetricAlarm: creates or replaces the alarm, with the topic as its alarm and OK action.
    async fn put_alarm(&self, alarm: &Alarm, topic_arn: &str, tags: &[Tag]) -> CallResult<()>;
    /// DeleteAlarms: at most [`DELETE_ALARMS_BATCH`] names per call (CloudWatch API reference,
    /// DeleteAlarms).
    async fn delete_alarms(&self, names: &[String]) -> CallResult<()>;
    /// ListDashboards, every page: whether a dashboard of exactly this name exists.
    async fn dashboard_exists(&self, name: &str) -> CallResult<bool>;
    /// PutDashboard: creates or replaces the dashboard.
    async fn put_dashboard(&self, name: &str, body: &str) -> CallResult<()>;
    /// DeleteDashboards, of this one dashboard.
    async fn delete_dashboard(&self, name: &str) -> CallResult<()>;
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
