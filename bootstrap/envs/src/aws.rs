//! [`Workflows`] with the AWS SDK.

use super::admission::{Limit, Usage};
use super::api::{Execution, ExecutionSummary, Result, Start, Workflows};
use anyhow::Context;
use aws_sdk_resourcegroupstagging::types::TagFilter;
use env_core::error::{aws_error, Required};
use env_core::tags;
use envctl_common::account::Caller;
use envctl_common::tagged::TaggedEnvironment;
use serde_json::Value;
use std::time::SystemTime;

/// GetResources' largest page (Resource Groups Tagging API reference, GetResources,
/// `ResourcesPerPage`: 1 to 100).
const RESOURCES_PER_PAGE: i32 = 100;

/// ListExecutions' largest page (Step Functions API reference, ListExecutions, `maxResults`: at
/// most 1000, default 100): a tenth of the calls against its throttling bucket (200, refilled at 5
/// per second in us-west-2, Step Functions service quotas).
const EXECUTIONS_PER_PAGE: i32 = 1000;

#[derive(Debug, Clone)]
pub struct AwsWorkflows {
    caller: Caller,
    sfn: aws_sdk_sfn::Client,
    lambda: aws_sdk_lambda::Client,
    ec2: aws_sdk_ec2::Client,
    quotas: aws_sdk_servicequotas::Client,
    tagging: aws_sdk_resourcegroupstagging::Client,
}

impl AwsWorkflows {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            caller: Caller::new(config),
            sfn: aws_sdk_sfn::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            ec2: aws_sdk_ec2::Client::new(config),
            quotas: aws_sdk_servicequotas::Client::new(config),
            tagging: aws_sdk_resourcegroupstagging::Client::new(config),
        }
    }
}

fn time(date: &aws_sdk_sfn::primitives::DateTime) -> SystemTime {
    SystemTime::try_from(*date).unwrap_or(SystemTime::UNIX_EPOCH)
}

fn json(text: Option<&str>) -> Option<Value> {
    text.and_then(|text| serde_json::from_str(text).ok())
}

impl Workflows for AwsWorkflows {
    async fn account(&self) -> Result<String> {
        self.caller.account().await
    }

    async fn start(&self, machine_arn: &str, name: &str, input: &Value) -> Result<Start> {
        let started = self
            .sfn
            .start_execution()
            .state_machine_arn(machine_arn)
            .name(name)
            .input(input.to_string())
            .send()
            .await
            .map_err(aws_error("StartExecution"));
        // StartExecution is idempotent for a running STANDARD execution of the same name and input;
        // a closed one, or other input, answers ExecutionAlreadyExists (API reference,
        // StartExecution): the name is taken, which a claim reads as a lost race.
        match started {
            Err(error) if error.is_code("ExecutionAlreadyExists") => Ok(Start::AlreadyExists),
            other => other.map(|_| Start::Started).map_err(anyhow::Error::new),
        }
    }

    async fn describe(&self, execution_arn: &str) -> Result<Execution> {
        let described = self
            .sfn
            .describe_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .map_err(aws_error("DescribeExecution"))?;
        Ok(Execution {
            arn: described.execution_arn().to_owned(),
            name: described
                .name()
                .required("DescribeExecutionResponse.name")?
                .to_owned(),
            status: described.status().as_str().to_owned(),
            started: time(described.start_date()),
            input: json(described.input()).unwrap_or(Value::Null),
            output: json(described.output()),
            error: described.error().map(str::to_owned),
            cause: described.cause().map(str::to_owned),
        })
    }

    async fn stop(&self, execution_arn: &str) -> Result<()> {
        // Neither `error` nor `cause`: with them, an execution encrypted with a customer managed
        // key would need the caller's KMS permissions (Step Functions API reference,
        // StopExecution).
        let stopped = self
            .sfn
            .stop_execution()
            .execution_arn(execution_arn)
            .send()
            .await;
        stopped.map_err(aws_error("StopExecution"))?;
        Ok(())
    }

    async fn current_state(&self, execution_arn: &str) -> Result<Option<String>> {
        let history = self
            .sfn
            .get_execution_history()
            .execution_arn(execution_arn)
            .reverse_order(true)
            .max_results(50)
            .send()
            .await
            .map_err(aws_error("GetExecutionHistory"))?;
        // The newest event that names a state: a state entered.
        Ok(history
            .events()
            .iter()
            .find(|event| event.r#type().as_str().ends_with("StateEntered"))
            .and_then(|event| event.state_entered_event_details())
            .map(|details| details.name().to_owned()))
    }

    async fn executions(&self, machine_arn: &str) -> Result<Vec<ExecutionSummary>> {
        let mut pages = self
            .sfn
            .list_executions()
            .state_machine_arn(machine_arn)
            .max_results(EXECUTIONS_PER_PAGE)
            .into_paginator()
            .send();
        let mut all = Vec::new();
        while let Some(page) = pages.next().await {
            for execution in page.map_err(aws_error("ListExecutions"))?.executions() {
                all.push(ExecutionSummary {
                    arn: execution.execution_arn().to_owned(),
                    name: execution.name().to_owned(),
                    status: execution.status().as_str().to_owned(),
                    started: time(execution.start_date()),
                });
            }
        }
        Ok(all)
    }

    async fn invoke(&self, function: &str, payload: &Value) -> Result<Value> {
        let answer = self
            .lambda
            .invoke()
            .function_name(function)
            .payload(aws_sdk_lambda::primitives::Blob::new(payload.to_string()))
            .send()
            .await
            .map_err(aws_error("Invoke"))?;
        let body = answer
            .payload()
            .map(|blob| blob.as_ref())
            .unwrap_or(&b"null"[..]);
        serde_json::from_slice(body).context("the function answered something that is not JSON")
    }

    async fn environments(&self) -> Result<Vec<TaggedEnvironment>> {
        envctl_common::tagged::environments(&self.ec2).await
    }

    async fn set_expiry(&self, suffix: &str, expires_at: &str) -> Result<bool> {
        let filter = aws_sdk_ec2::types::Filter::builder()
            .name(format!("tag:{}", tags::ENVIRONMENT))
            .values(suffix)
            .build();
        let answer = self.ec2.describe_vpcs().filters(filter).send().await;
        let vpcs = answer.map_err(aws_error("DescribeVpcs"))?;
        let ids: Vec<String> = vpcs
            .vpcs()
            .iter()
            .filter_map(|vpc| vpc.vpc_id().map(str::to_owned))
            .collect();
        if ids.is_empty() {
            return Ok(false);
        }
        let tag = aws_sdk_ec2::types::Tag::builder()
            .key(tags::EXPIRES_AT)
            .value(expires_at)
            .build();
        let tagged = self
            .ec2
            .create_tags()
            .set_resources(Some(ids))
            .tags(tag)
            .send()
            .await;
        tagged.map_err(aws_error("CreateTags"))?;
        Ok(true)
    }

    async fn expiry_tags(&self, suffix: &str) -> Result<Vec<Option<String>>> {
        // The filters the scheduled cleanup finds environments by (functions/cleanup), narrowed to
        // this environment: it sees the same resources.
        let filter = |key: &str, value: &str| TagFilter::builder().key(key).values(value).build();
        let mut pages = self
            .tagging
            .get_resources()
            .tag_filters(filter(tags::PROJECT, tags::PROJECT_NAME))
            .tag_filters(filter(tags::MANAGED_BY, tags::MANAGER_NAME))
            .tag_filters(filter(tags::ENVIRONMENT, suffix))
            .resources_per_page(RESOURCES_PER_PAGE)
            .into_paginator()
            .send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            for resource in page
                .map_err(aws_error("GetResources"))?
                .resource_tag_mapping_list()
            {
                let expiry = resource
                    .tags()
                    .iter()
                    .find(|tag| tag.key() == tags::EXPIRES_AT);
                found.push(expiry.map(|tag| tag.value().to_owned()));
            }
        }
        Ok(found)
    }

    async fn quota(&self, limit: &Limit) -> Result<Option<u32>> {
        super::headroom::quota(&self.quotas, limit).await
    }

    async fn usage(&self) -> Result<Usage> {
        super::headroom::usage(&self.ec2).await
    }
}
