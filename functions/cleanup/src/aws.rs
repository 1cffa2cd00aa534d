//! [`Cloud`] over the AWS SDK: one SDK call per method, translated to and from the plain types of
//! [`crate::api`]. No decisions are taken here; they are the handler's, where the unit tests reach
//! them. The moto test drives every method through the binary.

use crate::api::{
    found, CallResult, Cloud, ExecutionPage, ExecutionSummary, ResourcePage, TaggedResource,
    EXECUTION_DOES_NOT_EXIST,
};
use aws_config::SdkConfig;
use aws_sdk_resourcegroupstagging::types::{ResourceTagMapping, TagFilter};
use env_core::aws::next_page;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

/// GetResources' largest page (API reference, GetResources, `ResourcesPerPage`: 1–100).
const RESOURCES_PER_PAGE: i32 = 100;

/// ListExecutions' largest page (API reference, ListExecutions, `maxResults`: 0–1000).
const EXECUTIONS_PER_PAGE: i32 = 1000;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    tagging: aws_sdk_resourcegroupstagging::Client,
    step_functions: aws_sdk_sfn::Client,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            tagging: aws_sdk_resourcegroupstagging::Client::new(config),
            step_functions: aws_sdk_sfn::Client::new(config),
        }
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
        let described = self
            .step_functions
            .describe_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .map_err(aws_error("DescribeExecution"));
        Ok(found(described, &[EXECUTION_DOES_NOT_EXIST])?
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
            })
            .collect();
        Ok(ExecutionPage {
            executions,
            next: next_page(page.next_token()),
        })
    }

    async fn execution_input(&self, execution_arn: &str) -> CallResult<Option<String>> {
        let described = self
            .step_functions
            .describe_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .map_err(aws_error("DescribeExecution"));
        Ok(found(described, &[EXECUTION_DOES_NOT_EXIST])?
            .map(|execution| execution.input().unwrap_or_default().to_owned()))
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
