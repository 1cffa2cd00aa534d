//! The metric filters on a log group (the monitoring function's, which turn the service's request
//! logs into the API's own metrics): [`MetricFilterCalls`], over the SDK by [`LogGroups`] and in
//! memory by `fake::FakeLogGroups`. A trait of its own beside [`crate::LogGroupCalls`], so that the
//! log-group owners and their test doubles do not have to answer calls they never make.

use crate::LogGroups;
use aws_sdk_cloudwatchlogs::types as logs;
use env_core::error::aws_error;
use env_core::AwsCallError;

/// A metric filter on a log group.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFilter {
    pub name: String,
    pub pattern: &'static str,
    pub namespace: String,
    pub metric_name: &'static str,
    pub value: &'static str,
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Milliseconds,
    Count,
}

/// The calls on a log group's metric filters.
// Only the workspace's own crates implement and call it, with concrete types.
#[allow(async_fn_in_trait)]
pub trait MetricFilterCalls {
    /// PutMetricFilter: creates or replaces the filter of that name.
    async fn put_metric_filter(
        &self,
        log_group: &str,
        filter: &MetricFilter,
    ) -> Result<(), AwsCallError>;
    /// DescribeMetricFilters, every page: the names of the log group's filters;
    /// ResourceNotFoundException when the log group does not exist.
    async fn metric_filter_names(&self, log_group: &str) -> Result<Vec<String>, AwsCallError>;
    async fn delete_metric_filter(&self, log_group: &str, name: &str) -> Result<(), AwsCallError>;
}

/// The metric the filter publishes, as PutMetricFilter takes it.
fn transformation(filter: &MetricFilter) -> logs::MetricTransformation {
    let unit = match filter.unit {
        Unit::Milliseconds => logs::StandardUnit::Milliseconds,
        Unit::Count => logs::StandardUnit::Count,
    };
    logs::MetricTransformation::builder()
        .metric_name(filter.metric_name)
        .metric_namespace(&filter.namespace)
        .metric_value(filter.value)
        .unit(unit)
        .build()
        .expect("a metric transformation with its name, namespace and value set")
}

impl MetricFilterCalls for LogGroups {
    async fn put_metric_filter(
        &self,
        log_group: &str,
        filter: &MetricFilter,
    ) -> Result<(), AwsCallError> {
        self.logs
            .put_metric_filter()
            .log_group_name(log_group)
            .filter_name(&filter.name)
            .filter_pattern(filter.pattern)
            .metric_transformations(transformation(filter))
            .send()
            .await
            .map_err(aws_error("PutMetricFilter"))?;
        Ok(())
    }

    async fn metric_filter_names(&self, log_group: &str) -> Result<Vec<String>, AwsCallError> {
        let filters: Vec<logs::MetricFilter> = self
            .logs
            .describe_metric_filters()
            .log_group_name(log_group)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("DescribeMetricFilters"))?;
        Ok(filters.into_iter().filter_map(|f| f.filter_name).collect())
    }

    async fn delete_metric_filter(&self, log_group: &str, name: &str) -> Result<(), AwsCallError> {
        self.logs
            .delete_metric_filter()
            .log_group_name(log_group)
            .filter_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteMetricFilter"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(unit: Unit) -> MetricFilter {
        MetricFilter {
            name: "metric-response-time-pr-42".into(),
            pattern: "{ $.responseTimeMs >= 0 }",
            namespace: "catalog-api-pr-42".into(),
            metric_name: "ResponseTime",
            value: "$.responseTimeMs",
            unit,
        }
    }

    #[test]
    fn the_filter_publishes_its_metric_in_its_namespace_with_its_unit() {
        let written = transformation(&filter(Unit::Milliseconds));
        assert_eq!(written.metric_name(), "ResponseTime");
        assert_eq!(written.metric_namespace(), "catalog-api-pr-42");
        assert_eq!(written.metric_value(), "$.responseTimeMs");
        assert_eq!(written.unit(), Some(&logs::StandardUnit::Milliseconds));
        let counted = transformation(&filter(Unit::Count));
        assert_eq!(counted.unit(), Some(&logs::StandardUnit::Count));
    }
}
