//! [`CloudWatchCalls`] over the AWS SDK: one SDK call (or one paginated listing) per method, its
//! errors named after the operation, the plain alarms written as PutMetricAlarm's parameters and
//! CloudWatch's answers read back. No decisions are taken here; they are the callers', where their
//! unit tests reach them.

use crate::{Alarm, AlarmMetric, CallResult, CloudWatchCalls, Comparison, Statistic};
use aws_config::SdkConfig;
use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
use aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder;
use aws_sdk_cloudwatch::types as cw;
use env_core::error::aws_error;
use env_core::tags::Tag;

#[derive(Debug, Clone)]
pub struct CloudWatch {
    client: aws_sdk_cloudwatch::Client,
}

impl CloudWatch {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            client: aws_sdk_cloudwatch::Client::new(config),
        }
    }
}

fn stat_name(statistic: Statistic) -> &'static str {
    match statistic {
        Statistic::Average => "Average",
        Statistic::Maximum => "Maximum",
        Statistic::Minimum => "Minimum",
        Statistic::Sum => "Sum",
        Statistic::P99 => "p99",
    }
}

fn dimensions(pairs: &[(&'static str, String)]) -> Vec<cw::Dimension> {
    pairs
        .iter()
        .map(|(name, value)| cw::Dimension::builder().name(*name).value(value).build())
        .collect()
}

fn comparison_operator(comparison: Comparison) -> cw::ComparisonOperator {
    match comparison {
        Comparison::GreaterThan => cw::ComparisonOperator::GreaterThanThreshold,
        Comparison::GreaterThanOrEqual => cw::ComparisonOperator::GreaterThanOrEqualToThreshold,
    }
}

/// The metric math of a sum over several series: one query per series, not returned, and their
/// sum, returned under the metric's name.
fn sum_of_queries(
    namespace: &str,
    name: &str,
    series: &[Vec<(&'static str, String)>],
    statistic: Statistic,
    period_seconds: i32,
) -> Vec<cw::MetricDataQuery> {
    let mut queries: Vec<cw::MetricDataQuery> = series
        .iter()
        .enumerate()
        .map(|(index, pairs)| {
            let metric = cw::Metric::builder()
                .namespace(namespace)
                .metric_name(name)
                .set_dimensions(Some(dimensions(pairs)))
                .build();
            let stat_of = cw::MetricStat::builder()
                .metric(metric)
                .period(period_seconds)
                .stat(stat_name(statistic))
                .build();
            cw::MetricDataQuery::builder()
                .id(format!("m{index}"))
                .metric_stat(stat_of)
                .return_data(false)
                .build()
        })
        .collect();
    queries.push(
        cw::MetricDataQuery::builder()
            .id("total")
            .expression("SUM(METRICS())")
            .label(name)
            .return_data(true)
            .build(),
    );
    queries
}

/// The alarm's metric written into the request: a single metric with its statistic (a percentile
/// is an extended statistic), or the metric math of a sum.
fn with_metric(request: PutMetricAlarmFluentBuilder, alarm: &Alarm) -> PutMetricAlarmFluentBuilder {
    match &alarm.metric {
        AlarmMetric::Single {
            namespace,
            name,
            dimensions: pairs,
            statistic: stat,
        } => {
            let request = request
                .namespace(namespace)
                .metric_name(*name)
                .set_dimensions(Some(dimensions(pairs)))
                .period(alarm.period_seconds);
            match stat {
                Statistic::P99 => request.extended_statistic(stat_name(*stat)),
                other => request.statistic(cw::Statistic::from(stat_name(*other))),
            }
        }
        AlarmMetric::SumOf {
            namespace,
            name,
            series,
            statistic: stat,
        } => request.set_metrics(Some(sum_of_queries(
            namespace,
            name,
            series,
            *stat,
            alarm.period_seconds,
        ))),
    }
}

/// The names of the metric alarms on every page.
fn alarm_names(pages: Vec<DescribeAlarmsOutput>) -> Vec<String> {
    pages
        .into_iter()
        .flat_map(|page| page.metric_alarms.unwrap_or_default())
        .filter_map(|alarm| alarm.alarm_name)
        .collect()
}

/// Whether a dashboard of exactly this name is among those listed: the listing is by prefix, which
/// also matches longer names.
fn has_dashboard(entries: &[cw::DashboardEntry], name: &str) -> bool {
    entries
        .iter()
        .any(|entry| entry.dashboard_name() == Some(name))
}

impl CloudWatchCalls for CloudWatch {
    async fn alarm_names(&self, prefix: &str) -> CallResult<Vec<String>> {
        let pages = self
            .client
            .describe_alarms()
            .alarm_name_prefix(prefix)
            .alarm_types(cw::AlarmType::MetricAlarm)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("DescribeAlarms"))?;
        Ok(alarm_names(pages))
    }

    async fn put_alarm(&self, alarm: &Alarm, topic_arn: &str, tags: &[Tag]) -> CallResult<()> {
        let request = self
            .client
            .put_metric_alarm()
            .alarm_name(&alarm.name)
            .alarm_description(&alarm.description)
            // CloudWatch.15/17: every alarm notifies, and its actions are on.
            .actions_enabled(true)
            .alarm_actions(topic_arn)
            .ok_actions(topic_arn)
            .evaluation_periods(alarm.evaluation_periods)
            .datapoints_to_alarm(alarm.evaluation_periods)
            .threshold(alarm.threshold)
            .comparison_operator(comparison_operator(alarm.comparison))
            .treat_missing_data(alarm.missing_data.as_str())
            .set_tags(Some(
                tags.iter()
                    .map(|tag| cw::Tag::builder().key(tag.key).value(&tag.value).build())
                    .collect(),
            ));
        with_metric(request, alarm)
            .send()
            .await
            .map_err(aws_error("PutMetricAlarm"))?;
        Ok(())
    }

    async fn delete_alarms(&self, names: &[String]) -> CallResult<()> {
        self.client
            .delete_alarms()
            .set_alarm_names(Some(names.to_vec()))
            .send()
            .await
            .map_err(aws_error("DeleteAlarms"))?;
        Ok(())
    }

    async fn dashboard_exists(&self, name: &str) -> CallResult<bool> {
        let entries: Vec<cw::DashboardEntry> = self
            .client
            .list_dashboards()
            .dashboard_name_prefix(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("ListDashboards"))?;
        Ok(has_dashboard(&entries, name))
    }

    async fn put_dashboard(&self, name: &str, body: &str) -> CallResult<()> {
        self.client
            .put_dashboard()
            .dashboard_name(name)
            .dashboard_body(body)
            .send()
            .await
            .map_err(aws_error("PutDashboard"))?;
        Ok(())
    }

    async fn delete_dashboard(&self, name: &str) -> CallResult<()> {
        self.client
            .delete_dashboards()
            .dashboard_names(name)
            .send()
            .await
            .map_err(aws_error("DeleteDashboards"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
