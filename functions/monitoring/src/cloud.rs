//! The AWS the monitoring function calls, as the shared capabilities: SNS for the alarm topic,
//! CloudWatch for the alarms and the dashboard, CloudWatch Logs for the metric filters. The handler
//! talks only to [`Cloud`], which hands them out; [`SdkCloud`] hands out their SDK implementations,
//! exercised by the integration tests against moto through the function binary, and the unit tests
//! hand out the capabilities' in-memory fakes.

use cloudwatch::{CloudWatch, CloudWatchCalls};
use log_groups::{LogGroups, MetricFilterCalls};
use sns::{Sns, SnsCalls};

/// The capabilities the handler needs.
pub trait Cloud {
    type Sns: SnsCalls;
    type CloudWatch: CloudWatchCalls;
    type Logs: MetricFilterCalls;
    /// SNS, for the alarm topic and its email subscriptions.
    fn sns(&self) -> &Self::Sns;
    /// CloudWatch, for the alarms and the dashboard.
    fn cloudwatch(&self) -> &Self::CloudWatch;
    /// CloudWatch Logs, for the metric filters on the service's log group.
    fn logs(&self) -> &Self::Logs;
}

/// The real thing: one client per service, built once in `main`.
#[derive(Debug, Clone)]
pub struct SdkCloud {
    cloudwatch: CloudWatch,
    logs: LogGroups,
    sns: Sns,
}

impl SdkCloud {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            cloudwatch: CloudWatch::new(config),
            logs: LogGroups::new(config),
            sns: Sns::new(config),
        }
    }
}

impl Cloud for SdkCloud {
    env_core::capabilities! {
        Sns = Sns => sns(sns),
        CloudWatch = CloudWatch => cloudwatch(cloudwatch),
        Logs = LogGroups => logs(logs),
    }
}
