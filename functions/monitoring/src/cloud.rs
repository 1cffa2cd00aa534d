//! The AWS calls the monitoring function makes, behind a small trait so the handler's logic is tested
//! against an in-memory fake; the SDK-backed implementation is exercised by the integration tests
//! against moto, through the function binary.

use crate::plan::{Alarm, AlarmMetric, Comparison, MetricFilter, Statistic, Unit};
use aws_sdk_cloudwatch::types as cw;
use aws_sdk_cloudwatchlogs::types as logs;
use aws_sdk_sns::types as sns;
use env_core::error::{aws_error, AwsCallError};
use env_core::tags::Tag;
use std::future::Future;

/// An email address subscribed to the alarm topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSubscription {
    pub email: String,
    /// `None` while the address has not confirmed: SNS lists the subscription's ARN as
    /// `PendingConfirmation` until then, and it cannot be deleted (SNS developer guide, "Deleting an
    /// Amazon SNS subscription and topic": SNS deletes it itself after 48 hours unconfirmed).
    pub arn: Option<String>,
}

/// What ListSubscriptionsByTopic gives as the ARN of a subscription not confirmed yet.
const PENDING_CONFIRMATION: &str = "PendingConfirmation";

/// The calls the handler needs, each one AWS operation (or one paginated listing).
pub trait Cloud {
    /// CreateTopic, encrypted with `kms_key` and tagged.
    fn create_topic(
        &self,
        name: &str,
        kms_key: &str,
        tags: &[Tag],
    ) -> impl Future<Output = Result<String, AwsCallError>>;
    /// ListTopics: the ARN of the topic with this name, if it exists.
    fn find_topic(&self, name: &str) -> impl Future<Output = Result<Option<String>, AwsCallError>>;
    /// ListSubscriptionsByTopic: the email subscriptions, confirmed or pending.
    fn email_subscriptions(
        &self,
        topic_arn: &str,
    ) -> impl Future<Output = Result<Vec<EmailSubscription>, AwsCallError>>;
    fn subscribe_email(
        &self,
        topic_arn: &str,
        email: &str,
    ) -> impl Future<Output = Result<(), AwsCallError>>;
    /// Unsubscribe: deletes a confirmed subscription.
    fn unsubscribe(&self, subscription_arn: &str)
        -> impl Future<Output = Result<(), AwsCallError>>;
    fn delete_topic(&self, topic_arn: &str) -> impl Future<Output = Result<(), AwsCallError>>;
    /// PutMetricFilter: creates or replaces the filter of that name.
    fn put_metric_filter(
        &self,
        log_group: &str,
        filter: &MetricFilter,
    ) -> impl Future<Output = Result<(), AwsCallError>>;
    /// DescribeMetricFilters: the names of the log group's filters.
    fn metric_filter_names(
        &self,
        log_group: &str,
    ) -> impl Future<Output = Result<Vec<String>, AwsCallError>>;
    fn delete_metric_filter(
        &self,
        log_group: &str,
        name: &str,
    ) -> impl Future<Output = Result<(), AwsCallError>>;
    /// DescribeAlarms: the names of the metric alarms starting with `prefix`.
    fn alarm_names(&self, prefix: &str) -> impl Future<Output = Result<Vec<String>, AwsCallError>>;
    /// PutMetricAlarm: creates or replaces the alarm, with the topic as its alarm and OK action.
    fn put_alarm(
        &self,
        alarm: &Alarm,
        topic_arn: &str,
        tags: &[Tag],
    ) -> impl Future<Output = Result<(), AwsCallError>>;
    /// DeleteAlarms: at most 100 names per call (CloudWatch API reference, DeleteAlarms).
    fn delete_alarms(&self, names: &[String]) -> impl Future<Output = Result<(), AwsCallError>>;
    /// ListDashboards: whether a dashboard of exactly this name exists.
    fn dashboard_exists(&self, name: &str) -> impl Future<Output = Result<bool, AwsCallError>>;
    fn put_dashboard(
        &self,
        name: &str,
        body: &str,
    ) -> impl Future<Output = Result<(), AwsCallError>>;
    fn delete_dashboard(&self, name: &str) -> impl Future<Output = Result<(), AwsCallError>>;
}

/// The real thing: one client per service, built once in `main`.
#[derive(Debug, Clone)]
pub struct SdkCloud {
    cloudwatch: aws_sdk_cloudwatch::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    sns: aws_sdk_sns::Client,
}

impl SdkCloud {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            sns: aws_sdk_sns::Client::new(config),
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

impl Cloud for SdkCloud {
    async fn create_topic(
        &self,
        name: &str,
        kms_key: &str,
        tags: &[Tag],
    ) -> Result<String, AwsCallError> {
        let tags = tags.iter().map(|tag| {
            sns::Tag::builder()
                .key(tag.key)
                .value(&tag.value)
                .build()
                .expect("an SNS tag with its key and value set")
        });
        let created = self
            .sns
            .create_topic()
            .name(name)
            // SNS encrypts messages at rest with the environment's key.
            .attributes("KmsMasterKeyId", kms_key)
            .set_tags(Some(tags.collect()))
            .send()
            .await
            .map_err(aws_error("CreateTopic"))?;
        Ok(created.topic_arn().unwrap_or_default().to_owned())
    }

    async fn find_topic(&self, name: &str) -> Result<Option<String>, AwsCallError> {
        let topics: Vec<sns::Topic> = self
            .sns
            .list_topics()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("ListTopics"))?;
        let wanted = format!(":{name}");
        Ok(topics
            .into_iter()
            .filter_map(|topic| topic.topic_arn)
            .find(|arn| arn.ends_with(&wanted)))
    }

    async fn email_subscriptions(
        &self,
        topic_arn: &str,
    ) -> Result<Vec<EmailSubscription>, AwsCallError> {
        let subscriptions: Vec<sns::Subscription> = self
            .sns
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("ListSubscriptionsByTopic"))?;
        Ok(subscriptions
            .into_iter()
            .filter(|s| s.protocol() == Some("email"))
            .filter_map(|s| {
                Some(EmailSubscription {
                    email: s.endpoint?,
                    arn: s.subscription_arn.filter(|arn| arn != PENDING_CONFIRMATION),
                })
            })
            .collect())
    }

    async fn unsubscribe(&self, subscription_arn: &str) -> Result<(), AwsCallError> {
        self.sns
            .unsubscribe()
            .subscription_arn(subscription_arn)
            .send()
            .await
            .map_err(aws_error("Unsubscribe"))?;
        Ok(())
    }

    async fn subscribe_email(&self, topic_arn: &str, email: &str) -> Result<(), AwsCallError> {
        self.sns
            .subscribe()
            .topic_arn(topic_arn)
            .protocol("email")
            .endpoint(email)
            .send()
            .await
            .map_err(aws_error("Subscribe"))?;
        Ok(())
    }

    async fn delete_topic(&self, topic_arn: &str) -> Result<(), AwsCallError> {
        self.sns
            .delete_topic()
            .topic_arn(topic_arn)
            .send()
            .await
            .map_err(aws_error("DeleteTopic"))?;
        Ok(())
    }

    async fn put_metric_filter(
        &self,
        log_group: &str,
        filter: &MetricFilter,
    ) -> Result<(), AwsCallError> {
        let unit = match filter.unit {
            Unit::Milliseconds => logs::StandardUnit::Milliseconds,
            Unit::Count => logs::StandardUnit::Count,
        };
        let transformation = logs::MetricTransformation::builder()
            .metric_name(filter.metric_name)
            .metric_namespace(&filter.namespace)
            .metric_value(filter.value)
            .unit(unit)
            .build()
            .expect("a metric transformation with its name, namespace and value set");
        self.logs
            .put_metric_filter()
            .log_group_name(log_group)
            .filter_name(&filter.name)
            .filter_pattern(filter.pattern)
            .metric_transformations(transformation)
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

    async fn alarm_names(&self, prefix: &str) -> Result<Vec<String>, AwsCallError> {
        let pages = self
            .cloudwatch
            .describe_alarms()
            .alarm_name_prefix(prefix)
            .alarm_types(cw::AlarmType::MetricAlarm)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("DescribeAlarms"))?;
        Ok(pages
            .into_iter()
            .flat_map(|page| page.metric_alarms.unwrap_or_default())
            .filter_map(|alarm| alarm.alarm_name)
            .collect())
    }

    async fn put_alarm(
        &self,
        alarm: &Alarm,
        topic_arn: &str,
        tags: &[Tag],
    ) -> Result<(), AwsCallError> {
        let comparison = match alarm.comparison {
            Comparison::GreaterThan => cw::ComparisonOperator::GreaterThanThreshold,
            Comparison::GreaterThanOrEqual => cw::ComparisonOperator::GreaterThanOrEqualToThreshold,
        };
        let mut request = self
            .cloudwatch
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
            .comparison_operator(comparison)
            .treat_missing_data(alarm.missing_data.as_str())
            .set_tags(Some(
                tags.iter()
                    .map(|tag| cw::Tag::builder().key(tag.key).value(&tag.value).build())
                    .collect(),
            ));
        request = match &alarm.metric {
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
            } => {
                let mut queries: Vec<cw::MetricDataQuery> = series
                    .iter()
                    .enumerate()
                    .map(|(index, pairs)| {
                        let metric = cw::Metric::builder()
                            .namespace(*namespace)
                            .metric_name(*name)
                            .set_dimensions(Some(dimensions(pairs)))
                            .build();
                        let stat_of = cw::MetricStat::builder()
                            .metric(metric)
                            .period(alarm.period_seconds)
                            .stat(stat_name(*stat))
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
                        .label(*name)
                        .return_data(true)
                        .build(),
                );
                request.set_metrics(Some(queries))
            }
        };
        request.send().await.map_err(aws_error("PutMetricAlarm"))?;
        Ok(())
    }

    async fn delete_alarms(&self, names: &[String]) -> Result<(), AwsCallError> {
        self.cloudwatch
            .delete_alarms()
            .set_alarm_names(Some(names.to_vec()))
            .send()
            .await
            .map_err(aws_error("DeleteAlarms"))?;
        Ok(())
    }

    async fn dashboard_exists(&self, name: &str) -> Result<bool, AwsCallError> {
        let entries: Vec<cw::DashboardEntry> = self
            .cloudwatch
            .list_dashboards()
            .dashboard_name_prefix(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("ListDashboards"))?;
        Ok(entries
            .iter()
            .any(|entry| entry.dashboard_name() == Some(name)))
    }

    async fn put_dashboard(&self, name: &str, body: &str) -> Result<(), AwsCallError> {
        self.cloudwatch
            .put_dashboard()
            .dashboard_name(name)
            .dashboard_body(body)
            .send()
            .await
            .map_err(aws_error("PutDashboard"))?;
        Ok(())
    }

    async fn delete_dashboard(&self, name: &str) -> Result<(), AwsCallError> {
        self.cloudwatch
            .delete_dashboards()
            .dashboard_names(name)
            .send()
            .await
            .map_err(aws_error("DeleteDashboards"))?;
        Ok(())
    }
}
