//! [`Cloud`] over the AWS SDK: one SDK call per method, translated to and from the plain types of
//! [`crate::api`]. No decisions are taken here; they are the handler's, where the unit tests reach
//! them. The moto test drives every method through the binary.

use crate::api::{
    found, CallResult, Cloud, ExecutionPage, ExecutionSummary, RequestCounts, ResourcePage,
    TaggedResource, EXECUTION_DOES_NOT_EXIST,
};
use aws_config::SdkConfig;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use aws_sdk_resourcegroupstagging::types::{ResourceTagMapping, TagFilter};
use aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput;
use env_core::aws::next_page;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;
use std::time::SystemTime;

/// GetResources' largest page (API reference, GetResources, `ResourcesPerPage`: 1–100).
const RESOURCES_PER_PAGE: i32 = 100;

/// ListExecutions' largest page (API reference, ListExecutions, `maxResults`: 0–1000).
const EXECUTIONS_PER_PAGE: i32 = 1000;

/// A load balancer's request count: metric `RequestCount` in `AWS/ApplicationELB`, by its
/// `LoadBalancer` dimension, whose only meaningful statistic is `Sum` (Elastic Load Balancing
/// user guide, "CloudWatch metrics for your Application Load Balancer").
const ELB_NAMESPACE: &str = "AWS/ApplicationELB";
const REQUEST_COUNT: &str = "RequestCount";
const LOAD_BALANCER_DIMENSION: &str = "LoadBalancer";
/// ELB sends its metrics "in 60-second intervals" (same guide): one Sum per minute. A day, the
/// longest idle time a spec may ask for, is 1,440 points, far under GetMetricData's 100,800 per
/// call (CloudWatch API reference, GetMetricData); one-minute points are kept 15 days.
const PERIOD_SECONDS: i32 = 60;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    tagging: aws_sdk_resourcegroupstagging::Client,
    step_functions: aws_sdk_sfn::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            tagging: aws_sdk_resourcegroupstagging::Client::new(config),
            step_functions: aws_sdk_sfn::Client::new(config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
        }
    }

    /// DescribeExecution of `execution_arn`, `None` when it was never started: what both the
    /// status and the input of an execution are read from.
    async fn describe(&self, execution_arn: &str) -> CallResult<Option<DescribeExecutionOutput>> {
        let described = self
            .step_functions
            .describe_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .map_err(aws_error("DescribeExecution"));
        found(described, &[EXECUTION_DOES_NOT_EXIST])
    }
}

impl Cloud for AwsCloud {
    async fn tagged_resources(
        &self,
        filters: &[Tag],
        token: Option<&str>,
    ) -> CallResult<ResourcePage> {
        let filters = filters
            .iter()
            .map(|tag| TagFilter::builder().key(tag.key).values(&tag.value).build())
            .collect();
        let page = self
            .tagging
            .get_resources()
            .set_tag_filters(Some(filters))
            .resources_per_page(RESOURCES_PER_PAGE)
            .set_pagination_token(token.map(str::to_owned))
            .send()
            .await
            .map_err(aws_error("GetResources"))?;
        let resources = page
            .resource_tag_mapping_list()
            .iter()
            .map(tagged_resource)
            .collect::<CallResult<_>>()?;
        let next = next_page(page.pagination_token());
        Ok(ResourcePage { resources, next })
    }

    async fn execution_status(&self, execution_arn: &str) -> CallResult<Option<String>> {
        Ok(self
            .describe(execution_arn)
            .await?
            .map(|execution| execution.status().as_str().to_owned()))
    }

    async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> CallResult<String> {
        let started = self
            .step_functions
            .start_execution()
            .state_machine_arn(state_machine_arn)
            .name(name)
            .input(input)
            .send()
            .await
            .map_err(aws_error("StartExecution"))?;
        Ok(started.execution_arn().to_owned())
    }

    async fn executions(
        &self,
        state_machine_arn: &str,
        token: Option<&str>,
    ) -> CallResult<ExecutionPage> {
        let page = self
            .step_functions
            .list_executions()
            .state_machine_arn(state_machine_arn)
            .max_results(EXECUTIONS_PER_PAGE)
            .set_next_token(token.map(str::to_owned))
            .send()
            .await
            .map_err(aws_error("ListExecutions"))?;
        let executions = page
            .executions()
            .iter()
            .map(|execution| ExecutionSummary {
                name: execution.name().to_owned(),
                arn: execution.execution_arn().to_owned(),
                status: execution.status().as_str().to_owned(),
                started: execution.start_date().secs(),
                stopped: execution.stop_date().map(|date| date.secs()),
            })
            .collect();
        Ok(ExecutionPage {
            executions,
            next: next_page(page.next_token()),
        })
    }

    async fn execution_input(&self, execution_arn: &str) -> CallResult<Option<String>> {
        Ok(self
            .describe(execution_arn)
            .await?
            .map(|execution| execution.input().unwrap_or_default().to_owned()))
    }

    async fn request_counts(
        &self,
        load_balancer: &str,
        start: SystemTime,
        end: SystemTime,
    ) -> CallResult<RequestCounts> {
        let metric = Metric::builder()
            .namespace(ELB_NAMESPACE)
            .metric_name(REQUEST_COUNT)
            .dimensions(
                Dimension::builder()
                    .name(LOAD_BALANCER_DIMENSION)
                    .value(load_balancer)
                    .build(),
            )
            .build();
        let query = MetricDataQuery::builder()
            .id("requests")
            .metric_stat(
                MetricStat::builder()
                    .metric(metric)
                    .period(PERIOD_SECONDS)
                    .stat("Sum")
                    .build(),
            )
            .build();
        let pages = self
            .cloudwatch
            .get_metric_data()
            .metric_data_queries(query)
            .start_time(DateTime::from(start))
            .end_time(DateTime::from(end))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("GetMetricData"))?;
        let mut counts = RequestCounts::default();
        for result in pages.iter().flat_map(|page| page.metric_data_results()) {
            counts.values.extend(result.values());
            // Each page says whether the query's data is complete so far; the last one's counts.
            let status = result
                .status_code()
                .required("MetricDataResult.StatusCode")?;
            counts.status = status.as_str().to_owned();
        }
        Ok(counts)
    }
}

/// One entry of GetResources: an ARN is what it lists, so one without is the service's error.
fn tagged_resource(mapping: &ResourceTagMapping) -> CallResult<TaggedResource> {
    let arn = mapping
        .resource_arn()
        .required("ResourceTagMapping.ResourceARN")?;
    Ok(TaggedResource {
        arn: arn.to_owned(),
        tags: mapping
            .tags()
            .iter()
            .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
            .collect(),
    })
}
